/**
 * An output path that cannot be written (a file where a folder is needed, a folder where a file goes) is bad input:
 * one line `mmprep <cmd>: cannot write <path>: <reason>; choose another path`, exit 2, no stack trace, and the
 * outputs already written by the command are removed (it used to be `internal error: EEXIST … mkdir`, exit 1,
 * with the -o file left behind). audio, face, sync and agreement refuse such a path before their work (no ffmpeg
 * start; src/common/atomic.ts checkOutputPath); a later output failing on a full disk: output-write-failure.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unwritableOutput } from '../src/common/errors.js';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-output-path-');
const p = (name: string) => join(tmp.dir, name);
afterAll(() => tmp.cleanup());
const wav = join(FIXTURES, 'audio', 'wav', 'cards_001.flac');
/** An ffmpeg and ffprobe that log their start to STARTS and fail: a command refused before its work starts neither. */
const STARTS = p('ffmpeg-starts.log');
const LOGGER = p('ffmpeg-logger.sh');
writeFileSync(LOGGER, `#!/bin/sh\necho "$*" >> '${STARTS}'\nexit 1\n`, { mode: 0o755 });
const loggingFfmpeg = { MMPREP_FFMPEG: LOGGER, MMPREP_FFPROBE: LOGGER };

describe('unwritable output paths', () => {
  it('audio --summary under a file: exit 2, one line, no -o file', async () => {
    writeFileSync(p('afile'), 'x');
    const r = await runCli(['audio', wav, '-o', p('f.jsonl'), '--summary', p('afile/s.json')], { env: loggingFfmpeg }); // refused before any decode
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep audio: cannot write ${p('afile/s.json')}: a file is in the way where a folder is needed; choose another path`);
    expect(existsSync(p('f.jsonl'))).toBe(false);
  });

  it('audio --summary naming a folder: exit 2, "it is a folder"', async () => {
    mkdirSync(p('adir'));
    const r = await runCli(['audio', wav, '-o', p('g.jsonl'), '--summary', p('adir')], { env: loggingFfmpeg }); // refused before any decode
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep audio: cannot write ${p('adir')}: it is a folder; choose another path`);
    expect(existsSync(p('g.jsonl'))).toBe(false);
  });

  it('extract / dataset build -o naming a file or a foreign folder: exit 2, one line with what to do, nothing touched', async () => {
    // these lines used to say the problem only ("exists and is not a folder"), not to choose another -o
    writeFileSync(p('ofile'), 'x');
    writeFileSync(p('m2.csv'), `session_id,speaker_id,lav_audio\ns1,p1,${wav}\n`);
    const e = await runCli(['extract', p('m2.csv'), '-o', p('ofile'), '--only', 'audio', '--progress', 'none']);
    expect(e.code, e.stderr).toBe(2);
    expect(e.stderr).toBe(`mmprep: ${p('ofile')}: -o exists and is not a folder: choose another -o (a folder, made when missing)\n`);
    const demo = join(FIXTURES, 'demo', 'manifest.csv');
    const b = await runCli(['dataset', 'build', demo, '--features', tmp.dir, '-o', p('ofile'), '--quiet']);
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toBe(`mmprep: ${p('ofile')}: output exists and is not a folder: choose another -o (a folder, made when missing)\n`);
    mkdirSync(p('mine'));
    writeFileSync(p('mine/notes.txt'), 'mine');
    const f = await runCli(['dataset', 'build', demo, '--features', tmp.dir, '-o', p('mine'), '--quiet']);
    expect(f.code, f.stderr).toBe(2);
    expect(f.stderr).toBe(`mmprep: ${p('mine')}: output folder exists and is not an mmprep dataset (no manifest.json); refusing to replace it: choose another -o (a new or empty folder)\n`);
    expect(readFileSync(p('mine/notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(p('ofile'), 'utf8')).toBe('x');
  });

  it('agreement --gold and extract -o under a file: exit 2 naming the path', async () => {
    writeFileSync(p('bfile'), 'x');
    const a = await runCliInProcess(['agreement', join(FIXTURES, 'agreement', 'data', 'sf_shrout_fleiss_1979.csv'), '--gold', p('bfile/g.jsonl')]);
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toMatch(/^mmprep agreement: cannot write .*bfile\/g\.jsonl: .*; choose another path\n$/);
    writeFileSync(p('m.csv'), `session_id,speaker_id,lav_audio\ns1,p1,${wav}\n`);
    const e = await runCli(['extract', p('m.csv'), '-o', p('bfile/out'), '--only', 'audio', '--progress', 'none']);
    expect(e.code, e.stderr).toBe(2);
    expect(e.stderr).toMatch(/^mmprep extract: cannot write .*bfile\/out: .*; choose another path\n$/);
  });

  // /proc: the folder exists but mkdir/open answer ENOENT (any user, root too). It used to be exit 1
  // "internal error: ENOENT … '/proc/.s.json.NNN.tmp'"; every command writes through src/common/atomic.ts.
  const procLine = (cmd: string, path: string) => `mmprep ${cmd}: cannot write ${path}: no such folder, or no file can be created there; choose another path`;
  const demo = join(FIXTURES, 'demo');
  it.runIf(process.platform === 'linux')('audio -o / --summary, face --summary, agreement -o / --gold, sync -o under /proc: exit 2, one line, nothing left, no ffmpeg start', async () => {
    const cases: Array<[string, string[], string]> = [
      ['audio', ['audio', wav, '-o', '/proc/x.jsonl'], '/proc/x.jsonl'],
      ['audio', ['audio', wav, '-o', p('h.jsonl'), '--summary', '/proc/s.json'], '/proc/s.json'],
      ['agreement', ['agreement', join(demo, 'ratings.csv'), '-o', '/proc/a.txt'], '/proc/a.txt'],
      ['agreement', ['agreement', join(demo, 'ratings.csv'), '--gold', '/proc/g.jsonl'], '/proc/g.jsonl'],
      ['sync', ['sync', join(demo, 's01_lav.flac'), join(demo, 's01_camera.mp4'), '-o', '/proc/x/sync.json'], '/proc/x/sync.json'],
      ['face', ['face', join(demo, 's01_camera.mp4'), '-o', p('fnew/sub/f.jsonl'), '--summary', '/proc/s.json'], '/proc/s.json'],
    ];
    // agreement through main() in this process (runCliInProcess: the same exit code and lines, without a child's Node
    // start and module load, ~0.5 CPU s each); the commands that decode media in a child whose ffmpeg and ffprobe only
    // log their start: the path is refused before any decode (sync used to decode for ~1.7 CPU s first, face's
    // --summary ran every frame through the face models).
    for (const [cmd, args, path] of cases) {
      const r = await (cmd === 'agreement' ? runCliInProcess(args) : runCli(args, { env: loggingFfmpeg }));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim()).toBe(procLine(cmd, path));
    }
    expect(existsSync(STARTS), 'ffmpeg or ffprobe started before the refusal').toBe(false);
    expect(existsSync(p('h.jsonl'))).toBe(false);
    expect(existsSync(p('fnew')), 'the folders made to check -o are removed').toBe(false);
  }, 60_000);

  it('agreement: an unwritable --report is refused before the ratings are read, the --gold folder made for the check removed', async () => {
    // the ratings file is semicolon-separated: reading it prints a note on stderr, so a single line means unread
    writeFileSync(p('afile2'), 'x');
    writeFileSync(p('semi.csv'), readFileSync(join(demo, 'ratings.csv'), 'utf8').replace(/,/g, ';'));
    const r = await runCliInProcess(['agreement', p('semi.csv'), '--gold', p('gnew/g.jsonl'), '--report', p('afile2/r.html')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`mmprep agreement: cannot write ${p('afile2/r.html')}: a file is in the way where a folder is needed; choose another path\n`);
    expect(existsSync(p('gnew'))).toBe(false);
  });
});

describe('unwritableOutput: the OS errors a chosen output path can cause', () => {
  it.each(['ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG', 'ELOOP', 'EFBIG'])('%s becomes exit 2 with the documented line', (code) => {
    const e = unwritableOutput('/x/y.json', Object.assign(new Error(code), { code }));
    expect(e?.exitCode).toBe(2);
    expect(e?.message).toMatch(/^cannot write \/x\/y\.json: [^;]+; choose another path$/);
  });
  it('an error that is not about the path (no code, EMFILE) is left alone', () => {
    expect(unwritableOutput('/x', new Error('boom'))).toBeNull();
    expect(unwritableOutput('/x', Object.assign(new Error('m'), { code: 'EMFILE' }))).toBeNull();
  });
});

describe('extract: a session id naming a file already in the output folder', () => {
  it('that session fails with a clear reason in _errors.jsonl, the file is left alone, the batch goes on (exit 4)', async () => {
    const out = p('myx');
    mkdirSync(out);
    writeFileSync(join(out, 'thesis.tex'), 'my thesis');
    writeFileSync(p('m3.csv'), `session_id,speaker_id,lav_audio\nthesis.tex,p1,${wav}\nok1,p1,${wav}\n`);
    const r = await runCli(['extract', p('m3.csv'), '-o', out, '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(4);
    const errors = readFileSync(join(out, '_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { session_id: string; reason: string });
    expect(errors).toHaveLength(1);
    expect(errors[0].session_id).toBe('thesis.tex');
    expect(errors[0].reason).toBe(`cannot write the session folder ${join(out, 'thesis.tex')}: a file of that name is in the way (session_id 'thesis.tex' names it); move that file away or choose another -o`);
    expect(readFileSync(join(out, 'thesis.tex'), 'utf8')).toBe('my thesis');
    expect(existsSync(join(out, 'ok1', 'meta.json'))).toBe(true);
  }, 60_000);
});
