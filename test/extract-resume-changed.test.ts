/**
 * `extract --resume` after an output of a finished session was changed in place, size kept (a sync.json offset edited
 * digit for digit, an audio.jsonl value retyped): the session is redone, not skipped. It used to compare sizes only,
 * so it reported the session complete while its features were on the old clock, and dataset build refused it as stale.
 * On the demo's s01 (10 s, camera 0.62 s off): sync and audio stages where sync.json is the output changed, the audio
 * stage alone in the other cases (what --resume compares is the same for every stage, and each of their seven redone
 * runs would also redo sync: ~2.5 CPU s). A session redone although --resume says why on stderr (trial8: a resume
 * with one flag typed differently redid every session without a word).
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolchainDiffers } from '../src/batch/toolchain.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';

const { dir, cleanup } = tempDir('mmprep-extract-resume-changed-');
afterAll(() => cleanup());
let m = '';
const out = join(dir, 'out');
const outAudio = join(dir, 'out-audio');
const runIn = (o: string, only: string, cli: Parameters<typeof runCli>[1] = {}) => (...a: string[]) => runCli(['extract', m, '-o', o, '--only', only, '--jobs', '1', '--progress', 'none', ...a], cli);
/** sync and audio: for the sync.json edited in place. */
const runSync = runIn(out, 'sync,audio');
/** The audio stage alone, into its own folder: every other case. */
const run = runIn(outAudio, 'audio');
/**
 * A preload that notes each read of a meta.json (fs.promises.readFile, in every thread: the flag reaches the session
 * threads) in $META_READS: a session reads its meta.json once, for the resume check, the recorded durations and the
 * files it lists (it was read two times for a skipped session, three for a redone one); the run reads it once more
 * before any work, for its stage options (src/batch/resume-check.ts, ttrial51 F4).
 */
const COUNTER = join(dir, 'note-meta-reads.cjs');
writeFileSync(
  COUNTER,
  `const fs = require('node:fs');
const readFile = fs.promises.readFile;
fs.promises.readFile = function (path, ...rest) {
  if (String(path).endsWith('/meta.json')) fs.appendFileSync(process.env.META_READS, String(path) + '\\n');
  return readFile.call(this, path, ...rest);
};
require('node:module').syncBuiltinESMExports();
`,
);
let notedRuns = 0;
/** runSync with the meta.json reads noted: the run and the paths it read. */
async function runSyncNotingReads(...a: string[]): Promise<{ r: Awaited<ReturnType<typeof runCli>>; reads: string[] }> {
  const log = join(dir, `meta-reads-${++notedRuns}.txt`);
  writeFileSync(log, '');
  const r = await runIn(out, 'sync,audio', { nodeFlags: ['--require', COUNTER], env: { META_READS: log } })(...a);
  return { r, reads: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}
const summary = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;
const fileSync = (name: string) => join(out, 's01', name);
const file = (name: string) => join(outAudio, 's01', name);

/** Changes the first digit after `key` to another digit: the same size, another value. */
function editInPlace(path: string, key: string): void {
  const text = readFileSync(path, 'utf8');
  const i = text.indexOf(key) + key.length;
  const at = text.slice(i).search(/\d/) + i;
  expect(at).toBeGreaterThanOrEqual(i);
  const edited = text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1);
  writeFileSync(path, edited);
  expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
}

beforeAll(async () => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  m = join(dir, 'm.csv');
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
  // The sync and audio run: test/helpers/extract-cache.ts's, made once for this file, extract-clock,
  // extract-kept-sync-reference and extract-provenance (the folder a run here makes, but for its run timings).
  for (const first of [await extractCached(m, out, ['--only', 'sync,audio', '--progress', 'none']), await run()]) expect(first.code, first.stderr).toBe(0);
}, 300_000);

describe('extract --resume checks each output by SHA-256, not by size alone', () => {
  it('a sync.json edited in place (the same size) is made again, and the features with it', async () => {
    const sync = readFileSync(fileSync('sync.json'));
    const audio = readFileSync(fileSync('audio.jsonl'));
    const { r: skipped, reads: skipReads } = await runSyncNotingReads('--resume');
    expect(summary(skipped)).toMatchObject({ done: 0, skipped: 1 });
    expect(skipped.stderr).not.toContain('redone');
    // once before any work (the stage options against the command line's: src/batch/resume-check.ts), once by the session
    expect(skipReads).toEqual([fileSync('meta.json'), fileSync('meta.json')]);
    editInPlace(fileSync('sync.json'), '"offset_s": ');
    const { r: again, reads: redoReads } = await runSyncNotingReads('--resume');
    expect(again.code, again.stderr).toBe(0);
    expect(redoReads).toEqual([fileSync('meta.json'), fileSync('meta.json')]);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).toContain('mmprep extract: session s01 (line 2): redone although --resume: its meta.json records an output file that is missing or has changed since');
    expect(readFileSync(fileSync('sync.json')).equals(sync)).toBe(true);
    expect(readFileSync(fileSync('audio.jsonl')).equals(audio)).toBe(true);
  });

  it('a stage option typed out (--tone-hz 1000, the default) redoes the session and says why (trial8: it was silent)', async () => {
    // An ffprobe noting its calls, then running the real one: a session redone reads each input in one ffprobe run
    // (its probe and packet times, probe-packets.ts; a probe, then a packet read, before 2026-12-05).
    const log = join(dir, 'ffprobe-redo.txt');
    const wrapper = join(dir, 'ffprobe-noting');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${ffmpegBinaries().ffprobe.path}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    // Without --redo-changed the resume is refused before any work (ttrial51 F4: a forgotten flag redid a whole shard).
    const metaBefore = readFileSync(file('meta.json'));
    const refused = await run('--resume', '--tone-hz', '1000');
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toMatch(/^mmprep: --resume: 1 of the manifest's 1 sessions are done in .* with other stage options than this run's and would be redone: --tone-hz: not given in the folder, 1000 now \(1 session: s01\); nothing was done\. .* add --redo-changed\n$/);
    expect(readFileSync(file('meta.json')).equals(metaBefore)).toBe(true);
    const again = await runCli(['extract', m, '-o', outAudio, '--only', 'audio', '--jobs', '1', '--progress', 'none', '--resume', '--redo-changed', '--tone-hz', '1000'], { env: { MMPREP_FFPROBE: wrapper } });
    expect(again.code, again.stderr).toBe(0);
    const starts = readFileSync(log, 'utf8').trim().split('\n');
    for (const f of ['s01_camera.mp4', 's01_lav.flac']) expect(starts.filter((l) => l.endsWith(`/${f}`)), starts.join('\n')).toEqual([expect.stringMatching(/-show_streams.*packet=/)]);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).toContain(
      'session s01 (line 2): redone although --resume: its meta.json records stage options as typed {}, this run {"toneHz":1000}: resume with the flags of the run that made the folder to skip it',
    );
    expect(summary(await run('--resume', '--tone-hz', '1000'))).toMatchObject({ done: 0, skipped: 1 });
  });

  it('an audio.jsonl edited in place (the same size) is made again', async () => {
    const audio = readFileSync(file('audio.jsonl'));
    editInPlace(file('audio.jsonl'), '"rms":');
    // The flags of the run that made the folder (the test before): only the edited file can make it redo the session
    // (a plain --resume redid it for the options alone, and passed with a size-only check).
    const again = await run('--resume', '--tone-hz', '1000');
    expect(again.code, again.stderr).toBe(0);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).toContain('session s01 (line 2): redone although --resume: its meta.json records an output file that is missing or has changed since');
    expect(readFileSync(file('audio.jsonl')).equals(audio)).toBe(true);
  });

  it('a folder made by other code of the same version (or before the fingerprint was recorded) is redone, saying why', async () => {
    const metaPath = file('meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    expect(meta.tool.build).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.made_by.audio.build).toBe(meta.tool.build);
    writeFileSync(metaPath, JSON.stringify({ ...meta, tool: { ...meta.tool, build: 'feedfacefeedface' } }, null, 2));
    // --redo-changed: the folder was made with --tone-hz 1000 (the tests before); the code is named first all the same
    const other = await run('--resume', '--redo-changed');
    expect(summary(other)).toMatchObject({ done: 1, skipped: 0 });
    expect(other.stderr).toContain(`session s01 (line 2): redone although --resume: its meta.json records code fingerprint feedfacefeedface, this run ${meta.tool.build} (mmprep's code changed since, version ${meta.tool.version} both: its features may differ)`);
    const { build: _, ...older } = meta.tool;
    writeFileSync(metaPath, JSON.stringify({ ...meta, tool: older }, null, 2));
    const before = await run('--resume', '--redo-changed');
    expect(summary(before)).toMatchObject({ done: 1, skipped: 0 });
    expect(before.stderr).toContain('its meta.json records no code fingerprint (made by an mmprep before 2026-12-02');
    expect(summary(await run('--resume'))).toMatchObject({ done: 0, skipped: 1 });
  });
});


/**
 * The ffmpeg build and the face models decide the bytes as much as mmprep's code: the demo camera's AAC sound decodes
 * to another audio.jsonl with Debian's ffmpeg 5.1 than with the npm package's build, and a `--resume` with the other
 * one on PATH (another machine of the cluster, an updated image) skipped every session without a word. meta.json now
 * records both (src/batch/toolchain.ts) and --resume compares them.
 */
describe('extract --resume compares the ffmpeg build and the face models', () => {
  it('a folder made with another ffmpeg build (or before it was recorded) is redone, saying why', async () => {
    const metaPath = file('meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    expect(meta.tool.ffmpeg.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.made_by.audio.ffmpeg).toBe(meta.tool.ffmpeg.fingerprint);
    expect(meta.tool.models, 'no face stage: no models recorded').toBeUndefined();
    writeFileSync(metaPath, JSON.stringify({ ...meta, tool: { ...meta.tool, ffmpeg: { version: '4.4.2', fingerprint: 'feedfacefeedface' } } }, null, 2));
    const other = await run('--resume');
    expect(summary(other)).toMatchObject({ done: 1, skipped: 0 });
    expect(other.stderr).toContain(`session s01 (line 2): redone although --resume: its meta.json records ffmpeg build 4.4.2 (fingerprint feedfacefeedface), this run ${meta.tool.ffmpeg.version} (fingerprint ${meta.tool.ffmpeg.fingerprint}): decoders differ`);
    const { ffmpeg: _, ...older } = meta.tool;
    writeFileSync(metaPath, JSON.stringify({ ...meta, tool: older }, null, 2));
    const before = await run('--resume');
    expect(before.stderr).toContain('its meta.json records ffmpeg build not recorded (an mmprep before 2026-12-02)');
    expect(summary(await run('--resume'))).toMatchObject({ done: 0, skipped: 1 });
  });

  it('the build\'s fingerprint is noted per user and taken while the binaries and their libraries are unchanged', async () => {
    // TMPDIR: the note (src/batch/toolchain-note.ts) goes with the test's folder. Debian's ffmpeg is linked to ~215
    // libraries (each one's identity is noted), the npm build is static (the binaries alone).
    const notes = join(dir, 'notes');
    mkdirSync(notes);
    const resume = () => runCli(['extract', m, '-o', outAudio, '--only', 'audio', '--jobs', '1', '--progress', 'none', '--resume'], { env: { TMPDIR: notes } });
    const noteFile = join(notes, `mmprep-${process.getuid?.() ?? 0}-toolchain.json`);
    type Note = { fingerprint: string; files: Record<string, string> };
    const read = () => (JSON.parse(readFileSync(noteFile, 'utf8')) as { notes: Note[] }).notes;
    /** The note with its fingerprint made wrong and the files matching `changed` given another identity. */
    const spoil = (changed: RegExp | null) => {
      const spoilt = read().map((n) => ({ ...n, fingerprint: 'feedfacefeedface', files: Object.fromEntries(Object.entries(n.files).map(([f, id]) => [f, changed?.test(f) ? `${id}0` : id])) }));
      writeFileSync(noteFile, JSON.stringify({ notes: spoilt }));
    };
    expect(summary(await resume())).toMatchObject({ done: 0, skipped: 1 });
    // The folder as it is now, put back at the end: the redo below records the spoilt fingerprint, which the next
    // test's first --resume (with the true one) redid for nothing but that (~1.3 CPU s more than a skip).
    const kept = join(dir, 's01-before-spoil');
    cpSync(join(outAudio, 's01'), kept, { recursive: true });
    try {
      const { ffmpeg, ffprobe } = ffmpegBinaries();
      const [note] = read();
      expect(Object.keys(note.files)).toEqual(expect.arrayContaining([ffmpeg.path, ffprobe.path, '/etc/ld.so.cache']));
      const dynamic = readFileSync(ffmpeg.path).subarray(0, 4096).includes('ld-linux');
      expect(Object.keys(note.files).some((f) => /\/libavcodec\.so/.test(f)), 'the libraries of a dynamic build are noted').toBe(dynamic);
      // Not taken when a binary or a library is not as noted: the build is asked again (the folder's fingerprint).
      for (const changed of [new RegExp(`^${ffprobe.path}$`), ...(dynamic ? [/\/libavcodec\.so/] : [])]) {
        spoil(changed);
        expect(summary(await resume()), String(changed)).toMatchObject({ done: 0, skipped: 1 });
        expect(read()[0].fingerprint).toBe(note.fingerprint);
      }
      // Taken while all is as noted: the wrong fingerprint redoes the session, naming it.
      spoil(null);
      const taken = await resume();
      expect(summary(taken)).toMatchObject({ done: 1, skipped: 0 });
      const version = JSON.parse(readFileSync(file('meta.json'), 'utf8')).tool.ffmpeg.version as string;
      expect(taken.stderr).toContain(`this run ${version} (fingerprint feedfacefeedface): decoders differ`);
    } finally {
      rmSync(join(outAudio, 's01'), { recursive: true, force: true });
      cpSync(kept, join(outAudio, 's01'), { recursive: true });
    }
  });

  it('face models: compared when the run has the face stage', () => {
    const ffmpeg = { version: '5.1', fingerprint: 'aaaa' };
    const now = { ffmpeg, models: { version: 'human 3.3.6', fingerprint: 'bbbb' } };
    expect(toolchainDiffers({ ffmpeg, models: { version: 'human 3.3.6', fingerprint: 'bbbb' } }, now)).toBeNull();
    expect(toolchainDiffers({ ffmpeg, models: { version: 'human 3.3.5', fingerprint: 'cccc' } }, now)).toBe(
      'face models human 3.3.5 (fingerprint cccc), this run human 3.3.6 (fingerprint bbbb): other models or tfjs packages give other face features',
    );
    expect(toolchainDiffers({ ffmpeg }, now)).toContain('face models not recorded');
    expect(toolchainDiffers({ ffmpeg, models: now.models }, { ffmpeg })).toBeNull();
  });

  it('a media file replaced since: the line names which, with both sizes (a new user\'s trial had to find it)', async () => {
    // The folder as the test before found it (it puts it back): complete, skipped.
    const first = await run('--resume');
    expect(first.code, first.stderr).toBe(0);
    expect(summary(first)).toMatchObject({ done: 0, skipped: 1 });
    const lav = join(dir, 's01_lav.flac');
    const before = readFileSync(lav).length;
    copyFileSync(join(FIXTURES, 'demo', 's02_lav.flac'), lav);
    const again = await run('--resume');
    expect(again.code, again.stderr).toBe(0);
    expect(summary(again)).toMatchObject({ done: 1, skipped: 0 });
    expect(again.stderr).toContain(
      `session s01 (line 2): redone although --resume: its meta.json records media files of another size or sha256 than this row names now: lav_audio s01_lav.flac (${before} bytes then, ${readFileSync(lav).length} now)`,
    );
  });
});
