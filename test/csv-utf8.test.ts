/**
 * A new user's trial: a ratings sheet saved by Excel as plain 'CSV' on Windows (Windows-1252) was read with 'Jörg'
 * as 'J\uFFFDrg', exit 0 (names garbled silently; a manifest's speaker ids likewise). Now refused (exit 2) naming the
 * file and line of the first bad byte and how to convert it; UTF-8 (with or without BOM) and UTF-16 with a BOM read
 * as before, and multi-byte characters cut by the reader's 64 KiB chunks are not mistaken for bad bytes.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkUtf8File, readTextFile } from '../src/common/csv.js';
import { readLabelFiles } from '../src/dataset/labels.js';
import type { InputError } from '../src/common/errors.js';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-csv-utf8-');
afterAll(() => tmp.cleanup());
const file = (name: string, data: string | Buffer) => (writeFileSync(join(tmp.dir, name), data), join(tmp.dir, name));

describe('CSV files that are not UTF-8', () => {
  it('agreement refuses a Windows-1252 sheet naming the line (exit 2, one line)', async () => {
    const p = file('latin1.csv', Buffer.from('clip;Anna;J\xf6rg\nc01;3;4\nc02;5;5\nc03;2;1\n', 'latin1'));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:1: not UTF-8 (byte 0xF6 on this line): a spreadsheet saved as plain 'CSV' in a Windows or Mac encoding? save it as 'CSV UTF-8', or convert it (iconv -f windows-1252 -t utf-8)\n`,
    );
  });

  it('extract refuses such a manifest before any work (exit 2)', async () => {
    const p = file('m.csv', Buffer.from('session_id,speaker_id,lav_audio\ns1,J\xf6rg,x.flac\n', 'latin1'));
    const r = await runCli(['extract', p, '-o', join(tmp.dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:2: not UTF-8 (byte 0xF6 on this line)`);
  });

  it('reads UTF-8 and UTF-16 with BOM; a character across chunk edges is fine; a bad byte deep in a file gives its line', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `t${i};Jörg €${i};ä`);
    const good = file('big.csv', '\ufeffclip;name;x\n' + rows.join('\n') + '\n');
    await expect(checkUtf8File(good)).resolves.toBeUndefined();
    await expect(checkUtf8File(file('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')])))).resolves.toBeUndefined();
    const bad = Buffer.concat([Buffer.from('clip;name;x\n' + rows.slice(0, 15000).join('\n') + '\n', 'utf8'), Buffer.from('t;J\xf6rg;x\n', 'latin1')]);
    const err = await checkUtf8File(file('bad.csv', bad)).catch((e: InputError) => e);
    expect((err as InputError).toLine()).toMatch(/bad\.csv:15002: not UTF-8 \(byte 0xF6/);
  });

  // ttrial55b: agreement's csv-parse stream read UTF-16 with a BOM, the manifest and a labels file's spans did not: an
  // Excel 'Unicode Text' manifest was "no 'session_id' column", and such a labels file's span columns went unseen.
  const utf16 = (text: string, be = false) => {
    const body = Buffer.from(text, 'utf16le');
    return Buffer.concat([Buffer.from(be ? [0xfe, 0xff] : [0xff, 0xfe]), be ? body.swap16() : body]);
  };

  it('extract reads a UTF-16 manifest (Excel\'s tab-separated Unicode Text) as its UTF-8 twin', async () => {
    copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 's01_lav.flac'));
    const p = file('unicode.txt', utf16('session_id\tspeaker_id\tlav_audio\r\ns01\tJörg\ts01_lav.flac\r\n'));
    const r = await runCliInProcess(['extract', p, '--check']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, sessions: 1, media_files: 1 });
    await expect(readTextFile(file('be.csv', utf16('a,b\n1,ä\n', true)))).resolves.toBe('a,b\n1,ä\n');
    await expect(readTextFile(file('odd.csv', Buffer.concat([utf16('a,b\n'), Buffer.from([0x31])])))).rejects.toThrow(/UTF-16 .* odd number of bytes/);
  });

  it('a UTF-16 labels file keeps its span columns (session_id, start_s, end_s)', async () => {
    const rows = 'target,rater,rating,session_id,start_s,end_s\nc1,r1,3,s01,1.5,2.5\nc1,r2,4,s01,1.5,2.5\n';
    const set = await readLabelFiles([file('labels16.csv', utf16(rows))]);
    expect(set.withoutSpans).toEqual([]);
    expect(set.spansBySession.get('s01')).toHaveLength(1);
  });
});
