import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, readManifest } from '../src/batch/manifest.js';
import { InputError, EXIT } from '../src/common/errors.js';
import { parseShard, selectShard, shardHash, shardOf } from '../src/batch/shard.js';
import { tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-manifest-'));
  mkdirSync(join(dir, 'media'));
  for (const f of ['a.wav', 'a.mp4', 'b.wav', 'b.mp4', 'c.wav']) writeFileSync(join(dir, 'media', f), 'x');
  // Transcripts are parsed up front, so this one must be a real (tiny) Whisper JSON.
  writeFileSync(join(dir, 'media', 't.json'), JSON.stringify({ segments: [{ start: 0, end: 1, text: 'hi' }] }));
});
afterAll(() => cleanup());

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function problemsOf(p: string, opts = {}): Promise<string[]> {
  try {
    await readManifest(p, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(EXIT.BAD_INPUT);
    return (e as ManifestError).lines();
  }
  throw new Error('expected a ManifestError');
}

describe('readManifest', () => {
  it('reads CSV: roles, kinds, paths against the manifest folder, ref role, transcript, meta', async () => {
    const p = write(
      'ok.csv',
      'session_id,speaker_id,video,camera_audio,lav_audio,transcript,condition,age\n' +
        's1,spk1,media/a.mp4,media/a.mp4,media/a.wav,media/t.json,happy,31\n' +
        '\n' +
        's2,spk2,media/b.mp4,,media/b.wav,,"sad, very",\n',
    );
    const m = await readManifest(p);
    expect(m.format).toBe('csv');
    expect(m.roles).toEqual(['video', 'camera_audio', 'lav_audio']);
    expect(m.metaColumns).toEqual(['condition', 'age']);
    expect(m.sessions.map((s) => [s.session_id, s.speaker_id, s.line, s.ref_role])).toEqual([
      ['s1', 'spk1', 2, 'camera_audio'],
      ['s2', 'spk2', 4, 'lav_audio'],
    ]);
    expect(m.sessions[0].media.map((x) => [x.role, x.kind, x.path])).toEqual([
      ['video', 'video', join(dir, 'media/a.mp4')],
      ['camera_audio', 'audio', join(dir, 'media/a.mp4')],
      ['lav_audio', 'audio', join(dir, 'media/a.wav')],
    ]);
    expect(m.sessions[0].transcript).toBe(join(dir, 'media/t.json'));
    expect(m.sessions[1].transcript).toBeUndefined();
    expect(m.sessions[1].meta).toEqual({ condition: 'sad, very', age: '' });
    const r = await readManifest(p, { refRole: 'lav_audio' });
    expect(r.sessions.map((s) => s.ref_role)).toEqual(['lav_audio', 'lav_audio']);
  });

  it('reads JSONL with the same meaning', async () => {
    const p = write(
      'ok.jsonl',
      JSON.stringify({ session_id: 's1', speaker_id: 'spk1', lav_audio: 'media/a.wav', side_video: 'media/a.mp4', age: 31, tags: ['x'] }) + '\n\n' + JSON.stringify({ session_id: 's2', speaker_id: 'spk2', side_video: 'media/b.mp4' }) + '\n',
    );
    const m = await readManifest(p);
    expect(m.format).toBe('jsonl');
    expect(m.roles).toEqual(['lav_audio', 'side_video']);
    expect(m.sessions.map((s) => [s.session_id, s.line, s.ref_role])).toEqual([
      ['s1', 1, 'lav_audio'],
      ['s2', 3, 'side_video'],
    ]);
    expect(m.sessions[0].meta).toEqual({ age: '31', tags: '["x"]' });
  });

  it('lists every problem at once, with line numbers', async () => {
    const p = write(
      'bad.csv',
      'session_id,speaker_id,video,lav_audio\n' +
        's1,spk1,media/a.mp4,media/missing.wav\n' + // 2: missing file
        's1,spk2,media/b.mp4,media/b.wav\n' + // 3: duplicate
        '../evil,spk3,media/a.mp4,\n' + // 4: unsafe (separator and ..)
        's4,spk4,,\n' + // 5: no media
        'a\u0001b,spk5,media/a.mp4,\n' + // 6: control character
        ',spk6,media/a.mp4,\n' + // 7: empty id
        'S4,spk7,media/a.mp4,\n' + // 8: case-only duplicate of s4
        's9,,media/a.mp4,media\n', // 9: empty speaker, a directory
    );
    const lines = await problemsOf(p);
    expect(lines).toEqual([
      `${p}:2, column lav_audio: no such file: media/missing.wav`,
      `${p}:3, column session_id: duplicate session_id 's1' (first on line 2)`,
      `${p}:4, column session_id: session_id holds a path separator: "../evil" is not safe as a folder name`,
      `${p}:5: session has no media (every one of video, lav_audio is empty)`,
      `${p}:6, column session_id: session_id holds a control character: "a\\u0001b" is not safe as a folder name`,
      `${p}:7, column session_id: empty session_id`,
      `${p}:8, column session_id: session_id 'S4' differs only in case from 's4' on line 5 (they collide on case-insensitive file systems)`,
      `${p}:9, column speaker_id: empty speaker_id`,
      `${p}:9, column lav_audio: is a directory, not a file: media`,
    ]);
  });

  it('refuses a session id that is an earlier one in another Unicode form (NFD from macOS, NFC), saying so', async () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    const p = write('nfd.csv', `session_id,speaker_id,video\n${nfc},spk1,media/a.mp4\n${nfd},spk2,media/b.mp4\n`);
    expect(await problemsOf(p)).toEqual([
      `${p}:3, column session_id: session_id '${nfd}' is '${nfc}' on line 2 in another Unicode form (NFC/NFD: an accent as one character or as a combining mark; they look the same and collide as folder names on macOS; save the manifest in NFC)`,
    ]);
  });

  it('refuses a speaker id that is an earlier one in another Unicode form: two speakers to the splits (ttrial43)', async () => {
    const nfc = 'Zo\u00eb';
    const nfd = 'Zoe\u0308';
    const p = write('nfd-speaker.csv', `session_id,speaker_id,video\ns1,${nfc},media/a.mp4\ns2,spk2,media/b.mp4\ns3,${nfd},media/a.mp4\n`);
    expect(await problemsOf(p)).toEqual([
      `${p}:4, column speaker_id: speaker_id '${nfd}' is '${nfc}' on line 2 in another Unicode form (NFC/NFD: an accent as one character or as a combining mark; they look the same but would count as two speakers, so one person could land in two splits; save the manifest in NFC)`,
    ]);
    // Control: the same speaker in one form twice is one speaker.
    const one = write('nfc-speaker.csv', `session_id,speaker_id,video\ns1,${nfc},media/a.mp4\ns3,${nfc},media/b.mp4\n`);
    expect((await readManifest(one)).sessions.map((s) => s.speaker_id)).toEqual([nfc, nfc]);
  });

  it('refuses a zero-byte media file up front, as a missing one (a copy that did not finish), every such cell listed', async () => {
    writeFileSync(join(dir, 'media', 'zero.wav'), '');
    writeFileSync(join(dir, 'media', 'zero.mp4'), '');
    const p = write('zero.csv', 'session_id,speaker_id,video,lav_audio\ns1,a,media/a.mp4,media/zero.wav\ns2,b,media/zero.mp4,media/b.wav\n');
    const why = 'empty file (0 bytes): a copy or recording that did not finish? replace it with the full file';
    expect(await problemsOf(p)).toEqual([`${p}:2, column lav_audio: ${why}: media/zero.wav`, `${p}:3, column video: ${why}: media/zero.mp4`]);
    // dataset build reads the manifest without file checks: the empty file is extract's business.
    expect((await readManifest(p, { checkFiles: false })).sessions).toHaveLength(2);
  });

  it('refuses one file under two audio (or two video) roles of a session; a video and an audio role may share one', async () => {
    const p = write(
      'twice.csv',
      'session_id,speaker_id,video,side_video,camera_audio,lav_audio\n' +
        's1,spk1,media/a.mp4,,media/a.wav,./media/a.wav\n' + // 2: lav copied from camera_audio (same path spelt otherwise)
        's2,spk2,media/b.mp4,media/b.mp4,,media/b.wav\n' + // 3: side camera copied from the front one
        's3,spk3,media/a.mp4,,media/a.mp4,media/c.wav\n', // 4: the camera's own sound as camera_audio: fine
    );
    expect(await problemsOf(p)).toEqual([
      `${p}:2, column lav_audio: ./media/a.wav is also in column camera_audio: two audio roles of a session must be two recordings (a copied cell?); name this role's own file, or leave the cell empty when the session has none`,
      `${p}:3, column side_video: media/b.mp4 is also in column video: two video roles of a session must be two recordings (a copied cell?); name this role's own file, or leave the cell empty when the session has none`,
    ]);
  });

  it("rejects '..' and other unsafe ids one by one", async () => {
    for (const [id, why] of [
      ['..', "holds '..'"],
      ['a..b', "holds '..'"],
      ['a\\b', 'path separator'],
      ['.hidden', "starts with '.'"],
      ['_errors.jsonl', "starts with '_'"],
      ['a:b', 'not allowed in file names on Windows'],
      [' a', 'white space'],
    ]) {
      const p = write('unsafe.jsonl', JSON.stringify({ session_id: id, speaker_id: 'x', video: 'media/a.mp4' }) + '\n');
      const lines = await problemsOf(p);
      expect(lines.length, id).toBe(1);
      expect(lines[0], id).toContain(why);
    }
  });

  it('reports missing columns, an unknown --ref-role, an empty reference cell, bad JSON and ragged CSV', async () => {
    expect(await problemsOf(write('nocols.csv', 'id,who,file\n1,2,3\n'))).toEqual([
      `${join(dir, 'nocols.csv')}:1: no 'session_id' column`,
      `${join(dir, 'nocols.csv')}:1: no 'speaker_id' column`,
      `${join(dir, 'nocols.csv')}:1: no media columns (name them 'video', '<name>_video' or '<name>_audio')`,
    ]);
    const ok = write('ref.csv', 'session_id,speaker_id,video,lav_audio\ns1,a,media/a.mp4,media/a.wav\ns2,b,media/b.mp4,\n');
    expect(await problemsOf(ok, { refRole: 'room_audio' })).toEqual([`${ok}: --ref-role 'room_audio' is not a media column (media columns: video, lav_audio): give one of them`]);
    // the column's stem names it (a new user's trial typed `--ref-role lav` and was not told)
    expect(await problemsOf(ok, { refRole: 'lav' })).toEqual([`${ok}: --ref-role 'lav' is not a media column (media columns: video, lav_audio): did you mean --ref-role lav_audio?`]);
    expect(await problemsOf(ok, { refRole: 'lav_audio' })).toEqual([`${ok}:3, column lav_audio: the reference role 'lav_audio' is empty for this session`]);
    const j = write('bad.jsonl', '{"session_id":"s1","speaker_id":"a","video":"media/a.mp4"}\n{oops\n[1]\n');
    const jl = await problemsOf(j);
    expect(jl[0]).toMatch(new RegExp(`^${j.replace(/[.]/g, '\\.')}:2: not valid JSON`));
    expect(jl[1]).toBe(`${j}:3: not a JSON object (JSON Lines: one session object per line, got an array)`);
    const r = write('ragged.csv', 'session_id,speaker_id,video\ns1,a,media/a.mp4,extra\n');
    expect(await problemsOf(r)).toEqual([`${r}:2: 4 fields where the header has 3: a ',' inside a cell (put that cell in double quotes) or a column the header does not name (add its name)`]);
    // Each ragged row says what to do: a trailing delimiter (Excel), a short row.
    const t = write('trailing.csv', 'session_id;speaker_id;video\r\ns1;a;media/a.mp4;\r\ns2;b\r\n');
    expect(await problemsOf(t)).toEqual([
      `${t}:2: 4 fields where the header has 3: the extra cell is empty (a trailing ';' after the last cell?): remove it`,
      `${t}:3: 2 fields where the header has 3: the row ends after column speaker_id; give every column a cell (an empty cell is fine)`,
      `${t}:3: session has no media (every one of video is empty)`,
    ]);
    const e = write('empty.csv', 'session_id,speaker_id,video\n');
    expect(await problemsOf(e)).toEqual([`${e}: no sessions (the manifest has no data rows)`]);
    await expect(readManifest(join(dir, 'nope.csv'))).rejects.toThrow(/no such manifest file/);
  });

  it('JSONL: every problem names its line and field; wrong value types and JSON syntax errors with their column', async () => {
    const j = write(
      'fields.jsonl',
      [
        '{"session_id":"s1","speaker_id":"a","video":"media/a.mp4"}',
        '{"session_id":"s2","speaker_id":["b"],"video":{"path":"media/b.mp4"}}',
        '{"session_id":"s3","speaker_id":"c","video":"media/a.mp4","lav_audo":"media/c.wav"}',
        '{"session_id":"s4","speaker_id":"d","video":"media/a.mp4",}',
        '{"session_id":"s5",',
        ' "speaker_id":"e","video":"media/a.mp4"}',
        '',
      ].join('\n'),
    );
    expect(await problemsOf(j)).toEqual([
      `${j}:2, field speaker_id: must be a string or a number, got an array`,
      `${j}:2, field video: must be a string (a file path relative to the manifest), got an object`,
      `${j}:3, field lav_audo: not a media role or a known column: did you mean 'lav_audio'? (to keep it as metadata, name it 'meta_lav_audo' or pass --allow-columns lav_audo)`,
      // V8's wording of the reason varies between Node versions; the place and the hint do not.
      expect.stringMatching(new RegExp(`^${esc(j)}:4: not valid JSON at column 59 \\([^)]+\\)$`)),
      expect.stringMatching(new RegExp(`^${esc(j)}:5: not valid JSON at column 20 \\([^)]+\\); JSON Lines needs each session object whole on one line$`)),
      expect.stringMatching(new RegExp(`^${esc(j)}:6: not valid JSON at column 14 \\([^)]+\\); JSON Lines needs each session object whole on one line$`)),
    ]);
    // A field missing from every object: the first object's line.
    const none = write('noid.jsonl', '\n{"sessionid":"s1","speaker_id":"a","video":"media/a.mp4"}\n');
    expect(await problemsOf(none)).toEqual([
      `${none}:2, field sessionid: not a media role or a known column: did you mean 'session_id'? (to keep it as metadata, name it 'meta_sessionid' or pass --allow-columns sessionid)`,
      `${none}:2: no 'session_id' field`,
    ]);
  });

  it('JSONL: a key given twice in one object is refused (JSON.parse kept the last file without a word); nested and quoted keys are not', async () => {
    const j = write(
      'twice.jsonl',
      [
        '{"session_id":"s1","speaker_id":"a","video":"media/a.mp4","video":"media/b.mp4"}',
        '{"session_id":"s2","speaker_id":"b","video":"media/b.mp4","meta_note":"say \\"video\\": twice","meta_x":{"video":1}}',
      ].join('\n') + '\n',
    );
    expect(await problemsOf(j)).toEqual([`${j}:1, field video: key appears twice in the object (JSON keeps only the last one): keep one`]);
  });

  it('JSONL with lone CR line ends (a classic Mac editor) is read as with LF; problems keep their line numbers', async () => {
    // Was one line to the reader: "not valid JSON at column 61 (Unexpected non-whitespace character after JSON)".
    const objs = ['{"session_id":"s1","speaker_id":"a","video":"media/a.mp4"}', '{"session_id":"s2","speaker_id":"b","video":"media/nope.mp4"}'];
    const cr = write('cr.jsonl', objs.join('\r') + '\r');
    expect(await problemsOf(cr)).toEqual([`${cr}:2, field video: no such file: media/nope.mp4`]);
    const ok = write('cr-ok.jsonl', objs[0] + '\r' + objs[0].replace(/s1/, 's3').replace('"a"', '"c"') + '\r');
    expect((await readManifest(ok)).sessions.map((x) => x.session_id)).toEqual(['s1', 's3']);
  });

  it('gives the line where a record starts when a quoted field spans lines', async () => {
    const p = write('multi.csv', 'session_id,speaker_id,video,note\ns1,a,media/a.mp4,"two\nlines"\ns2,b,media/missing.mp4,x\n');
    expect(await problemsOf(p)).toEqual([`${p}:4, column video: no such file: media/missing.mp4`]);
  });
});

describe('shards', () => {
  it('K/N shards partition any set of ids, stably', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `session-${i}`).map((session_id) => ({ session_id }));
    for (const n of [1, 2, 3, 7]) {
      const parts = Array.from({ length: n }, (_, k) => selectShard(ids, { index: k, count: n }));
      const all = parts.flat().map((s) => s.session_id).sort();
      expect(all).toEqual(ids.map((s) => s.session_id).sort());
      expect(new Set(all).size).toBe(ids.length);
      if (n > 1) for (const p of parts) expect(p.length).toBeGreaterThan(ids.length / n / 2);
    }
    // Stable: the hash of a fixed id does not change between releases (sha256 -> uint32 BE).
    expect(shardHash('s1')).toBe(0xe8bc163c);
    expect(shardOf('s1', 4)).toBe(0xe8bc163c % 4);
  });
  it('parses K/N and rejects bad values', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/0-based/);
    expect(() => parseShard('x')).toThrow(/K\/N/);
    expect(() => parseShard('0/0')).toThrow(/at least 1/);
    // N past 2^32 (the hash's range): refused, not rounded ('9999999999999999999/99999999999999999999' was run as
    // shard 10000000000000000000/100000000000000000000, which holds nothing).
    expect(parseShard('4294967295/4294967296')).toEqual({ index: 4294967295, count: 4294967296 });
    expect(() => parseShard('0/4294967297')).toThrow('--shard 0/4294967297: N must be at most 4294967296 (sessions are split by a 32-bit hash of session_id)');
    expect(() => parseShard('9999999999999999999/99999999999999999999')).toThrow(/N must be at most 4294967296/);
  });
});

describe("Excel's trailing empty columns (trial item 3)", () => {
  it('empty unnamed columns are ignored with a note, one or two, rows with or without the trailing cells', async () => {
    for (const [name, tail, rowTail, n] of [['tail1.csv', ';', ';', 1], ['tail2.csv', ';;', ';;', 2], ['tail2short.csv', ';;', '', 2]] as const) {
      const p = write(name, `session_id;speaker_id;mic_audio${tail}\ns1;p1;media/a.wav${rowTail}\ns2;p2;media/b.wav${rowTail}\n`);
      const m = await readManifest(p);
      expect(m.columns).toEqual(['session_id', 'speaker_id', 'mic_audio']);
      expect(m.sessions.map((s) => s.session_id)).toEqual(['s1', 's2']);
      expect(m.notes).toContain(`${p}: ignored ${n} empty unnamed column(s) at the end (column${n > 1 ? 's 4-5' : ' 4'}; trailing delimiters, as Excel writes)`);
    }
  });
  it('an unnamed column with data is refused naming the column and the line', async () => {
    const p = write('tail-data.csv', 'session_id;speaker_id;mic_audio;;\ns1;p1;media/a.wav;;\ns2;p2;media/b.wav;;note\n');
    expect(await problemsOf(p)).toEqual([`${p}:3: column 5 has no name in the header but holds data ('note'): name it in the header, or delete the column`]);
  });
});
