/**
 * An output path that cannot be written (a file where a folder is needed, a folder where a file goes) is bad input:
 * one line `mmprep <cmd>: cannot write <path>: <reason>; choose another path`, exit 2, no stack trace, and the
 * outputs already written by the command are removed (it used to be `internal error: EEXIST … mkdir`, exit 1,
 * with the -o file left behind).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-output-path-');
const p = (name: string) => join(tmp.dir, name);
afterAll(() => tmp.cleanup());
const wav = join(FIXTURES, 'audio', 'wav', 'cards_001.flac');

describe('unwritable output paths', () => {
  it('audio --summary under a file: exit 2, one line, -o file removed', async () => {
    writeFileSync(p('afile'), 'x');
    const r = await runCli(['audio', wav, '-o', p('f.jsonl'), '--summary', p('afile/s.json')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep audio: cannot write ${p('afile/s.json')}: a file is in the way where a folder is needed; choose another path`);
    expect(existsSync(p('f.jsonl'))).toBe(false);
  });

  it('audio --summary naming a folder: exit 2, "it is a folder"', async () => {
    mkdirSync(p('adir'));
    const r = await runCli(['audio', wav, '-o', p('g.jsonl'), '--summary', p('adir')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(`mmprep audio: cannot write ${p('adir')}: it is a folder; choose another path`);
    expect(existsSync(p('g.jsonl'))).toBe(false);
  });

  it('agreement --gold and extract -o under a file: exit 2 naming the path', async () => {
    writeFileSync(p('bfile'), 'x');
    const a = await runCli(['agreement', join(FIXTURES, 'agreement', 'data', 'sf_shrout_fleiss_1979.csv'), '--gold', p('bfile/g.jsonl')]);
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toMatch(/^mmprep agreement: cannot write .*bfile\/g\.jsonl: .*; choose another path\n$/);
    writeFileSync(p('m.csv'), `session_id,speaker_id,lav_audio\ns1,p1,${wav}\n`);
    const e = await runCli(['extract', p('m.csv'), '-o', p('bfile/out'), '--only', 'audio', '--progress', 'none']);
    expect(e.code, e.stderr).toBe(2);
    expect(e.stderr).toMatch(/^mmprep extract: cannot write .*bfile\/out: .*; choose another path\n$/);
  });
});
