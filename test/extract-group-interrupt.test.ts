/**
 * The CI failure of the Ctrl-C test, made deterministic. mmprep starts ffmpeg/ffprobe in their own session so the
 * terminal's Ctrl-C (SIGINT to mmprep's process group) does not reach them, but libuv forks first and the child
 * calls setsid() later: a Ctrl-C landing in between kills the child before it runs (measured on this machine: 284
 * of 1802 detached spawns killed with SIGINT sent to the group every 2 ms). The first Ctrl-C asks the running
 * session to finish, and it was lost instead ("rolled back s01"). Here wrappers stand for ffmpeg and ffprobe: the
 * first run with given arguments dies of SIGINT without output (what such a child does), the very first one also
 * sends SIGINT to mmprep's group (the first of session s01: the run's start-up `-version` queries die but send none).
 * Every kind of child (the `-version` queries, ffprobe, the showinfo query, video and audio decodes) is hit,
 * the session must finish with the same bytes as an undisturbed run. Negative control: an ffprobe that always dies
 * so is given up after SPAWN_ATTEMPTS and the session is recorded as failed, naming the signal.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { SPAWN_ATTEMPTS } from '../src/media/children.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { extractCached } from './helpers/extract-cache.js';

const { dir, cleanup } = tempDir('mmprep-group-interrupt-');
afterAll(() => cleanup());

/** A stand-in for `real` (see the header); DIE_ALWAYS (a grep pattern) makes the matching runs die every time. */
function wrapper(name: string, real: string): string {
  const file = join(dir, name);
  const script = `#!/bin/sh
key=$(printf '%s\\n' "$@" | cksum | cut -d' ' -f1)
echo "$key $*" >> "$LOG"
die=
if [ -n "$DIE_ALWAYS" ]; then
  if printf '%s\\n' "$*" | grep -q -e "$DIE_ALWAYS"; then die=1; fi
elif [ ! -e "$MARKS/$key" ]; then
  : > "$MARKS/$key"
  die=1
  # mmprep was started in its own group (detached): its pid is the group's id.
  # Not from the run's start-up \`-version\` queries (src/batch/toolchain.ts): from a child of session s01.
  if [ -n "$CTRL_C" ] && [ "$*" != "-version" ] && mkdir "$MARKS/ctrl-c" 2>/dev/null; then kill -INT "-$PPID"; fi
fi
if [ -n "$die" ]; then kill -INT $$; fi
exec '${real}' "$@"
`;
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}

let env: NodeJS.ProcessEnv;
const manifest = (ids: string[]) => {
  const m = join(dir, `${ids.join('-')}.csv`);
  writeFileSync(m, 'session_id,speaker_id,video,lav_audio\n' + ids.map((s, i) => `${s},p${i},s01_camera.mp4,s01_lav.flac\n`).join(''));
  return m;
};
/** The wrappers' log: how many times each distinct command line ran. */
function runsPerCommand(log: string): Map<string, { n: number; cmd: string }> {
  const runs = new Map<string, { n: number; cmd: string }>();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [key, ...cmd] = line.split(' ');
    runs.set(key, { n: (runs.get(key)?.n ?? 0) + 1, cmd: cmd.join(' ') });
  }
  return runs;
}

beforeAll(() => {
  for (const f of ['s01_camera.mp4', 's01_lav.flac']) copyFileSync(join(FIXTURES, 'demo', f), join(dir, f));
  const { ffmpeg, ffprobe } = ffmpegBinaries();
  // TMPDIR: the decoder's note about this throwaway wrapper (src/media/showinfo.ts) goes with the test's folder.
  env = { MMPREP_FFMPEG: wrapper('ffmpeg', ffmpeg.path), MMPREP_FFPROBE: wrapper('ffprobe', ffprobe.path), TMPDIR: dir };
});

describe.runIf(process.platform === 'linux')('a child killed by the group\'s Ctrl-C before it ran', () => {
  it('is started again: the session asked to finish finishes, with the bytes of an undisturbed run', async () => {
    // The undisturbed run: test/helpers/extract-cache.ts's (the manifest's bytes and the arguments of extract-clock,
    // extract-kept-sync-reference, extract-provenance and extract-resume-changed), made once for all of them.
    const one = join(dir, 'plain.csv');
    writeFileSync(one, 'session_id,speaker_id,video,lav_audio\ns01,p1,s01_camera.mp4,s01_lav.flac\n');
    const plain = await extractCached(one, join(dir, 'plain'), ['--only', 'sync,audio', '--progress', 'none']);
    expect(plain.code, plain.stderr).toBe(0);
    const marks = join(dir, 'marks');
    mkdirSync(marks);
    const log = join(dir, 'once.log');
    const out = join(dir, 'once');
    const r = await runCli(['extract', manifest(['s01', 's02']), '-o', out, '--jobs', '1', '--only', 'sync,audio', '--progress', 'none'], { env: { ...env, LOG: log, MARKS: marks, CTRL_C: '1' }, detached: true });
    expect(existsSync(join(marks, 'ctrl-c')), 'the wrapper sent no Ctrl-C').toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopped by interrupt: finished s01; rolled back none; 1 not started/);
    expect(r.stderr).not.toMatch(/could not finish/);
    expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: true, done: 1, failed: 0 });
    const runs = [...runsPerCommand(log).values()];
    for (const kind of [/-show_streams/, /-h filter=showinfo/, /-map 0:v:0/, /-map 0:a:0/, /packet=stream_index,pts_time,dts_time/]) {
      const hit = runs.filter((x) => kind.test(x.cmd));
      expect(hit.length, `no ${kind} child ran`).toBeGreaterThan(0);
      for (const x of hit) expect(x.n, `${x.cmd}: not started again after its death`).toBeGreaterThanOrEqual(2);
    }
    for (const f of ['sync.json', 'audio.jsonl', 'audio.summary.json']) {
      expect(readFileSync(join(out, 's01', f)).equals(readFileSync(join(dir, 'plain', 's01', f))), f).toBe(true);
    }
  });

  it('the packet-time read (src/media/packet-times.ts: the input check\'s stream ends, the sync stage\'s clock jumps) that dies every time fails the session, naming it: no file is left unchecked', async () => {
    const out = join(dir, 'jumps');
    const r = await runCli(['extract', manifest(['s01']), '-o', out, '--only', 'sync', '--progress', 'none'], { env: { ...env, LOG: join(dir, 'jumps.log'), MARKS: dir, DIE_ALWAYS: 'packet=stream_index' } });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/session s01 \(line 2\) failed in inputs: .*s01_camera\.mp4: ffprobe could not read the packet times .*killed by SIGINT/);
  });

  it(`negative control: an ffprobe that dies of SIGINT every time is given up after ${SPAWN_ATTEMPTS} runs; the session fails naming the signal`, async () => {
    const log = join(dir, 'always.log');
    const out = join(dir, 'always');
    const r = await runCli(['extract', manifest(['s01']), '-o', out, '--only', 'sync,audio', '--progress', 'none'], { env: { ...env, LOG: log, MARKS: dir, DIE_ALWAYS: '-show_streams' } });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/session s01 \(line 2\) failed in \w+: .*ffprobe was killed with signal SIGINT while reading this file/);
    expect(readFileSync(join(out, '_errors.jsonl'), 'utf8')).toMatch(/ffprobe was killed with signal SIGINT/);
    const probes = [...runsPerCommand(log).values()].filter((x) => /-show_streams/.test(x.cmd));
    expect(probes.length).toBeGreaterThan(0);
    for (const x of probes) expect(x.n).toBe(SPAWN_ATTEMPTS);
  });
});
