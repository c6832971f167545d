import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { columnClock } from '../src/dataset/transcripts/index.js';
import { InputError } from '../src/common/errors.js';
import { readManifest } from '../src/batch/manifest.js';
import { detectTranscriptFormat, parseTranscript, readSessionTranscript, readTranscript } from '../src/dataset/transcripts/index.js';
import { transcriptWordsWarning } from '../src/dataset/transcripts/check.js';

const tmp = tempDir('mmprep-transcript-');
afterAll(() => tmp.cleanup());

function write(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

describe('transcript formats', () => {
  it('reads Whisper JSON with word timestamps (and fills WhisperX words without times)', async () => {
    const p = write(
      'w.json',
      JSON.stringify({
        segments: [
          { start: 1.0, end: 2.5, text: ' ten of clubs', words: [{ word: ' ten', start: 1.0, end: 1.3 }, { word: ' of', start: 1.4, end: 1.5 }, { word: ' clubs', start: 1.7, end: 2.4 }] },
          { start: 3.0, end: 4.0, text: ' 42 cards', speaker: 'SPEAKER_01', words: [{ word: '42' }, { word: 'cards', start: 3.5, end: 3.9 }] },
        ],
      }),
    );
    const u = await readTranscript(p);
    expect(u).toHaveLength(2);
    expect(u[0]).toMatchObject({ start_s: 1, end_s: 2.5, text: 'ten of clubs', speaker: null, word_timing: 'source' });
    expect(u[0].words.map((w) => [w.word, w.start_s, w.end_s])).toEqual([
      ['ten', 1, 1.3],
      ['of', 1.4, 1.5],
      ['clubs', 1.7, 2.4],
    ]);
    // the untimed "42" is placed between the segment start and the next timed word
    expect(u[1].speaker).toBe('SPEAKER_01');
    expect(u[1].words[0].word).toBe('42');
    expect(u[1].words[0].start_s).toBeCloseTo(3.0, 9);
    expect(u[1].words[0].end_s).toBeLessThanOrEqual(3.5);
    // ttrial50 W4: a word without times (WhisperX's numerals) makes its utterance 'interpolated', not 'source'
    expect(u[1].word_timing).toBe('interpolated');
    expect(u[1].words.map((w) => w.given)).toEqual([undefined, 'both']);
  });

  it("words[] that do not spell the text: one warning naming the file, the utterance and the token (ttrial50 W5)", () => {
    const doc = {
      segments: [
        { start: 7.374, end: 10.504, text: ' now turn your head', words: [{ word: ' now', start: 7.374, end: 7.956 }, { word: ' turn', start: 8.676, end: 9.213 }, { word: ' head', start: 10.049, end: 10.504 }] },
        // punctuation, case and a word split differently spell the same text: no warning
        { start: 11, end: 12, text: " Don't, stop.", words: [{ word: ' Don', start: 11, end: 11.2 }, { word: "'t,", start: 11.2, end: 11.4 }, { word: ' stop.', start: 11.5, end: 12 }] },
      ],
    };
    const u = parseTranscript(JSON.stringify(doc), 'whisper', 'A_drop.json');
    expect(transcriptWordsWarning(u, 'A_drop.json')).toEqual([
      'transcript A_drop.json: 1 utterance whose words[] do not spell its text: segment 0 ("now turn your head"): text 4 tokens, words 3: "your" (token 3) without a word; each record keeps the text and the words as given, so a loader that pairs the text\'s tokens with words[] (and their features) is misaligned: use words[], or fix the transcript\'s words',
    ]);
    expect(transcriptWordsWarning(u.slice(1), 'A_drop.json')).toEqual([]);
  });

  it('reads plain JSONL with and without words, and names the bad line', async () => {
    const p = write('t.jsonl', '{"start":0.5,"end":1.5,"text":"hello there","speaker":"A"}\n\n{"start":2,"end":3,"text":"bye","words":[{"word":"bye","start":2.1,"end":2.6}]}\n');
    const u = await readTranscript(p);
    expect(u[0]).toMatchObject({ speaker: 'A', word_timing: 'interpolated' });
    expect(u[0].words.map((w) => w.word)).toEqual(['hello', 'there']);
    expect(u[0].words[0].start_s).toBe(0.5);
    expect(u[0].words[0].end_s).toBeCloseTo(0.5 + 5 / 11, 9); // letters proportional, one letter of gap
    expect(u[0].words[1].end_s).toBe(1.5);
    expect(u[1].words).toEqual([{ word: 'bye', start_s: 2.1, end_s: 2.6, given: 'both' }]);
    expect(u[1].word_timing).toBe('source');
    const bad = write('bad.jsonl', '{"start":0,"end":1,"text":"a"}\n{"start":"x","end":1,"text":"b"}\n');
    await expect(readTranscript(bad)).rejects.toThrow(InputError);
    await expect(readTranscript(bad)).rejects.toMatchObject({ location: { file: bad, line: 2 } });
  });

  it('reads WebVTT with voice spans and inline word timestamps', async () => {
    const p = write(
      'v.vtt',
      'WEBVTT\n\nNOTE a comment\n\n1\n00:00:01.000 --> 00:00:02.000 align:start\n<v Ann>four <00:00:01.400><c>queen</c> <00:00:01.800>of</v>\n\n00:02.500 --> 00:03.000\nplain &amp; simple\n',
    );
    const u = await readTranscript(p);
    expect(u).toHaveLength(2);
    // inline times are word starts: each end is the next start (the cue's end for the last), not the file's (ttrial50)
    expect(u[0]).toMatchObject({ speaker: 'Ann', text: 'four queen of', word_timing: 'interpolated' });
    expect(u[0].words.map((w) => [w.word, w.start_s, w.end_s, w.given])).toEqual([
      ['four', 1, 1.4, 'start'],
      ['queen', 1.4, 1.8, 'start'],
      ['of', 1.8, 2, 'start'],
    ]);
    expect(u[1]).toMatchObject({ start_s: 2.5, end_s: 3, text: 'plain & simple', word_timing: 'interpolated' });
  });

  it('reads SRT (words interpolated over the cue) and rejects a bad timing line', async () => {
    const p = write('s.srt', '1\n00:00:01,000 --> 00:00:03,000\n<i>seven of</i>\nhearts\n\n2\n00:00:04,000 --> 00:00:05,000\nfive\n');
    const u = await readTranscript(p);
    expect(u.map((x) => x.text)).toEqual(['seven of hearts', 'five']);
    expect(u[0].words[0].start_s).toBe(1);
    expect(u[0].words[2].end_s).toBe(3);
    expect(u[1].words).toEqual([{ word: 'five', start_s: 4, end_s: 5 }]);
    const bad = write('b.srt', '1\n00:00:01,000 --> 00:00:00,500\nx\n');
    await expect(readTranscript(bad)).rejects.toMatchObject({ location: { line: 2 } });
    expect(() => parseTranscript('not a vtt\n', 'vtt', 'x.vtt')).toThrow(/WEBVTT/);
  });

  it('SRT/VTT errors point at the line and column with the problem, not at the cue number', async () => {
    const where = async (name: string, text: string) => {
      try {
        await readTranscript(write(name, text));
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as InputError).toLine().slice(tmp.dir.length + 1);
      }
      throw new Error('expected an InputError');
    };
    const ok = '1\n00:00:01,000 --> 00:00:02,000\nhello there\n\n';
    expect(await where('t1.srt', `${ok}2\n00:00:03,000 --> 00:00:0x,500\nbad\n`)).toBe(
      `t1.srt:6, column 18: bad end time '00:00:0x,500' (expected "hh:mm:ss,mmm --> hh:mm:ss,mmm")`,
    );
    expect(await where('t2.srt', `${ok}2\n00:00:0y,000 --> 00:00:04,500\nbad\n`)).toMatch(/^t2\.srt:6, column 1: bad start time '00:00:0y,000'/);
    expect(await where('t3.srt', `${ok}2\n00:00:05,000 --> 00:00:03,500\nbackwards\n`)).toBe('t3.srt:6, column 18: cue ends (3.5 s) before it starts (5 s)');
    expect(await where('t4.srt', `${ok}2\nno timing here\ntext\n`)).toBe('t4.srt:6, column 1: expected a cue timing line "start --> end", found "no timing here"');
    expect(await where('t5.srt', `${ok}2\n00:00:03.000 -> 00:00:04,500\nbad arrow\n`)).toMatch(/^t5\.srt:6, column 1: expected a cue timing line/);
    expect(await where('t6.srt', `${ok}2\n`)).toBe('t6.srt:5, column 1: cue number 2 is not followed by a timing line "start --> end"');
    // A missing blank line would merge the next cue into this one's text: refused at the timing line it swallowed.
    expect(await where('t7.srt', '1\n00:00:01,000 --> 00:00:02,000\nhello\n2\n00:00:03,000 --> 00:00:04,000\nmerged\n')).toBe(
      't7.srt:5, column 1: a cue timing line inside the text of the cue timed on line 2: a blank line is missing before line 4',
    );
    expect(await where('t8.vtt', 'WEBVTT\n\nid1\n00:00:01.000 --> 00:00:02.000\nhi\n<00:00:01.x00>there\n')).toBe(
      't8.vtt:6, column 1: bad inline timestamp <00:00:01.x00> (expected <hh:mm:ss.mmm>)',
    );
  });

  it('detects formats by extension and content', () => {
    expect(detectTranscriptFormat('a.json', '{}')).toBe('whisper');
    expect(detectTranscriptFormat('a.txt', 'WEBVTT\n')).toBe('vtt');
    expect(detectTranscriptFormat('a.txt', '1\n00:00:01,000 --> 00:00:02,000\nx')).toBe('srt');
    expect(detectTranscriptFormat('a', '{"segments": []}')).toBe('whisper');
    expect(detectTranscriptFormat('a', '{"start":1}')).toBe('jsonl');
    expect(() => detectTranscriptFormat('a.txt', 'hello')).toThrow(InputError);
  });
});

describe('transcript clock', () => {
  it('maps a transcript timed on another role through that stream of sync.json; reference-clock transcripts stay', async () => {
    const m = await readManifest(join(FIXTURES, 'demo', 'manifest.csv'), { checkFiles: false });
    const dir = join(tmp.dir, 'sync');
    mkdirSync(dir);
    const sync = join(dir, 'sync.json');
    writeFileSync(
      sync,
      JSON.stringify({
        version: 1,
        reference: { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0 },
        streams: [
          { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0, offset_s: 0, drift_ppm: null, method: 'reference', confidence: 1 },
          { file: join(FIXTURES, 'demo', 's02_camera.mp4'), kind: 'audio', stream: 0, offset_s: 0.3, drift_ppm: 100, method: 'tone', confidence: 0.9 },
        ],
      }),
    );
    const s02 = m.sessions.find((s) => s.session_id === 's02')!;
    const raw = await readTranscript(s02.transcript!);
    const mapped = (await readSessionTranscript(s02, sync))!;
    const k = 1 + 100e-6;
    expect(mapped[0].start_s).toBeCloseTo(raw[0].start_s * k + 0.3, 9);
    expect(mapped[1].words[2].end_s).toBeCloseTo(raw[1].words[2].end_s * k + 0.3, 9);
    // s01 has no transcript_clock: already on the reference clock
    const s01 = m.sessions.find((s) => s.session_id === 's01')!;
    expect(await readSessionTranscript(s01, sync)).toEqual(await readTranscript(s01.transcript!));
    // the known truth of the fixture: s02's utterances on the reference clock
    const truth = JSON.parse((await import('node:fs')).readFileSync(join(FIXTURES, 'demo', 'truth.json'), 'utf8'));
    const t02 = truth.sessions.find((s: { session_id: string }) => s.session_id === 's02');
    const noDrift = (await readSessionTranscript(s02, write('sync2.json', JSON.stringify({ version: 1, reference: { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0 }, streams: [{ file: join(FIXTURES, 'demo', 's02_camera.mp4'), kind: 'audio', stream: 0, offset_s: t02.camera_offset_s, drift_ppm: null, method: 'x', confidence: 1 }] }))))!;
    expect(noDrift.map((u) => u.start_s)).toEqual(t02.utterances.map((u: { start_s: number }) => expect.closeTo(u.start_s, 6)));
  });

  it('a role whose sound starts later on its file\'s timeline: the transcript counts from that first sample, as the reference clock does (ttrial55)', async () => {
    // A camera whose streams start at 1.378 s (MPEG-TS, an edit): sync.json's audio times are the file's presentation
    // times (first_sample_s 1.378), a Whisper transcript of it counts from its first sample. Unshifted, every record of
    // transcript_clock 'video' landed 1.378 s early (exit 0), while the same file as reference was read right.
    const m = await readManifest(join(FIXTURES, 'demo', 'manifest.csv'), { checkFiles: false });
    const s02 = m.sessions.find((s) => s.session_id === 's02')!;
    const sync = write('sync-late.json', JSON.stringify({ version: 1, reference: { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0 }, streams: [{ file: join(FIXTURES, 'demo', 's02_camera.mp4'), kind: 'audio', stream: 0, offset_s: -1.0991517, drift_ppm: null, method: 'tone', confidence: 1, first_sample_s: 1.378 }] }));
    const raw = await readTranscript(s02.transcript!);
    const mapped = (await readSessionTranscript(s02, sync))!;
    expect(mapped[0].start_s).toBeCloseTo(raw[0].start_s + 1.378 - 1.0991517, 9); // was raw - 1.0991517
    expect(mapped[1].words[2].end_s).toBeCloseTo(raw[1].words[2].end_s + 1.378 - 1.0991517, 9);
  });

  it('a silent camera whose picture starts at 1.4 s: spans timed watching it count from its first frame (ttrial55)', async () => {
    const cam = join(tmp.dir, 'silent-late.mp4');
    ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '0.3', '-pix_fmt', 'yuv420p', '-an', '-output_ts_offset', '1.4', cam]);
    const sync = write('sync-silent.json', JSON.stringify({ version: 1, reference: { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0 }, streams: [{ file: cam, kind: 'video', stream: 0, offset_s: -0.5, drift_ppm: null, method: 'flash', confidence: 1 }] }));
    const m = await readManifest(join(FIXTURES, 'demo', 'manifest.csv'), { checkFiles: false });
    const s02 = m.sessions.find((s) => s.session_id === 's02')!;
    const session = { ...s02, media: s02.media.map((x) => (x.role === 'video' ? { ...x, path: cam } : x)), meta: { ...s02.meta, labels_clock: 'video' } };
    const clock = (await columnClock(session, sync, 'labels_clock'))!;
    expect(clock(2)).toBeCloseTo(2 + 1.4 - 0.5, 6); // was 1.5: the span read as the picture's presentation time
    // A camera that cannot be probed fails naming the file, rather than being read as starting at 0
    const notMedia = write('silent-broken.mp4', 'not a video');
    const broken = write('sync-broken.json', JSON.stringify({ version: 1, reference: { file: join(FIXTURES, 'demo', 's02_lav.flac'), kind: 'audio', stream: 0 }, streams: [{ file: notMedia, kind: 'video', stream: 0, offset_s: -0.5, drift_ppm: null, method: 'flash', confidence: 1 }] }));
    const brokenSession = { ...session, media: session.media.map((x) => (x.role === 'video' ? { ...x, path: notMedia } : x)) };
    await expect(columnClock(brokenSession, broken, 'labels_clock')).rejects.toThrow(/silent-broken\.mp4|not a media file/);
  }, 30_000);

  it('a transcript timed on another role without a sync.json (extract without the sync stage) says so and what to run', async () => {
    // It said "cannot read sync map" (dataset build, and extract's transcript warning) without the reason.
    const m = await readManifest(join(FIXTURES, 'demo', 'manifest.csv'), { checkFiles: false });
    const s02 = m.sessions.find((s) => s.session_id === 's02')!;
    const none = join(tmp.dir, 'no-sync', 'sync.json');
    await expect(readSessionTranscript(s02, none)).rejects.toThrow(
      `no sync map: transcript_clock 'video' says the transcript was timed on that role's clock, and only the sync stage's sync.json maps it onto the reference clock; run mmprep extract with the sync stage (--only sync is enough) for this session`,
    );
  });
});

describe('word order', () => {
  it('refuses words out of order within an utterance (JSONL, Whisper JSON, WebVTT), naming file, line and word', async () => {
    const jl = write('order.jsonl', '{"start":0,"end":1,"text":"a"}\n{"start":1,"end":3,"text":"one two","words":[{"word":"one","start":2.1,"end":2.5},{"word":"two","start":1.2,"end":1.6}]}\n');
    await expect(readTranscript(jl)).rejects.toMatchObject({ location: { file: jl, line: 2 } });
    await expect(readTranscript(jl)).rejects.toThrow(/word 1 \("two"\) starts at 1\.2 s, before word 0 \("one"\) at 2\.1 s: words out of order/);
    const wj = write('order.json', JSON.stringify({ segments: [{ start: 0, end: 3, text: 'one two', words: [{ word: 'one', start: 2.1, end: 2.5 }, { word: 'two', start: 1.2, end: 1.6 }] }] }));
    await expect(readTranscript(wj)).rejects.toThrow(/segment 0: word 1 \("two"\) starts at 1\.2 s, before word 0/);
    const vt = write('order.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\none <00:00:02.000>two <00:00:01.500>three\n');
    await expect(readTranscript(vt)).rejects.toMatchObject({ location: { file: vt, line: 4 } });
    await expect(readTranscript(vt)).rejects.toThrow(/inline timestamp <00:00:01\.500> is before the word time before it \(2 s\): words out of order/);
    // Words that touch or share a start are in order.
    const ok = write('ok.jsonl', '{"start":1,"end":3,"text":"one two","words":[{"word":"one","start":1.2,"end":1.6},{"word":"two","start":1.6,"end":2}]}\n');
    expect((await readTranscript(ok))[0].words).toHaveLength(2);
  });
});

describe('times in messages', () => {
  it('are printed with a fixed precision, without float noise', async () => {
    const p = write('noise.jsonl', '{"start":5,"end":6,"text":"a b","words":[{"word":"a","start":5.4,"end":5.337000000000001},{"word":"b","start":5.5,"end":5.9}]}\n');
    await expect(readTranscript(p)).rejects.toThrow(/word 0 \("a"\): end 5\.337 s is before start 5\.4 s$/);
    const u = write('close.jsonl', '{"start":5.0004,"end":5.0001,"text":"a"}\n');
    await expect(readTranscript(u)).rejects.toThrow(/utterance: end 5\.0001 s is before start 5\.0004 s$/);
  });
});

describe('transcript encodings', () => {
  const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nun café noir\n';
  const utf8Words = async (p: string) => (await readTranscript(p)).flatMap((u) => u.words.map((w) => w.word));

  it('reads UTF-8 (with or without BOM) and UTF-16 with a BOM (Notepad "Unicode") to the same words', async () => {
    const plain = write('enc-utf8.vtt', vtt);
    const expected = await utf8Words(plain);
    expect(expected).toContain('café');
    const bom = join(tmp.dir, 'enc-bom.vtt');
    writeFileSync(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(vtt, 'utf8')]));
    const le = join(tmp.dir, 'enc-utf16le.vtt');
    writeFileSync(le, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(vtt, 'utf16le')]));
    const be = join(tmp.dir, 'enc-utf16be.vtt');
    writeFileSync(be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(vtt, 'utf16le').swap16()]));
    for (const p of [bom, le, be]) expect(await utf8Words(p), p).toEqual(expected);
  });

  it('reads Whisper JSON and JSONL saved with a UTF-8 BOM (Notepad) as without (JSON.parse refused the BOM)', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const json = JSON.stringify({ segments: [{ start: 1, end: 2, text: ' un café', words: [{ word: ' un', start: 1, end: 1.2 }, { word: ' café', start: 1.3, end: 1.9 }] }] });
    const jsonl = '{"start": 1, "end": 2, "text": "un café"}\n{"start": 3, "end": 4, "text": "noir"}\n';
    for (const [name, body] of [['enc.json', json], ['enc.jsonl', jsonl]]) {
      const plain = write(`plain-${name}`, body);
      const withBom = join(tmp.dir, `bom-${name}`);
      writeFileSync(withBom, Buffer.concat([bom, Buffer.from(body, 'utf8')]));
      expect(await readTranscript(withBom), name).toEqual(await readTranscript(plain));
    }
  });

  it('refuses a Windows-1252 transcript naming the line of the first bad byte (it read "caf\\uFFFD" silently)', async () => {
    const p = join(tmp.dir, 'enc-cp1252.vtt');
    writeFileSync(p, Buffer.from(vtt, 'latin1')); // é is 0xE9 in Latin-1 and Windows-1252
    await expect(readTranscript(p)).rejects.toThrow(/transcript is not UTF-8 \(byte 0xE9 on this line\).*iconv -f windows-1252 -t utf-8/);
    await expect(readTranscript(p)).rejects.toMatchObject({ location: { file: p, line: 4 } });
  });
});

describe('line endings of subtitle files', () => {
  // A classic Mac OS editor ends lines with a lone CR: the whole SRT read as one line ("bad cue timing" with every
  // cue in it). WebVTT's spec allows CR, LF and CRLF; SRT is read the same way.
  const srt = ['1', '00:00:01,000 --> 00:00:02,500', 'hello there', '', '2', '00:00:03,000 --> 00:00:04,000', '<i>second</i> line', ''];
  const vtt = ['WEBVTT', '', '00:00:01.000 --> 00:00:02.500', 'hello there', '', '00:00:03.000 --> 00:00:04.000', 'second line', ''];
  it('CR-only SRT and WebVTT read as their LF and CRLF forms, lines counted', async () => {
    for (const [lines, ext] of [[srt, 'srt'], [vtt, 'vtt']] as const) {
      const lf = await readTranscript(write(`lf.${ext}`, lines.join('\n')));
      expect(lf).toHaveLength(2);
      expect(await readTranscript(write(`cr.${ext}`, lines.join('\r')))).toEqual(lf);
      expect(await readTranscript(write(`crlf.${ext}`, lines.join('\r\n')))).toEqual(lf);
    }
    expect(detectTranscriptFormat('subs.txt', srt.join('\r'))).toBe('srt');
    expect(() => parseTranscript(['1', '00:00:01 --> 00:00:02', 'x'].join('\r'), 'srt', 'bad.srt')).toThrow(/^bad start time '00:00:01'/);
  });

  // JSONL with lone CRs was one line to the reader: refused as "not valid JSON (Unexpected non-whitespace character
  // after JSON at position 40)" on line 1. JSON strings cannot hold a raw CR, so it ends a line as LF does.
  it('CR-only JSONL reads as its LF form, the lines counted in errors', async () => {
    const jl = ['{"start": 1, "end": 2.5, "text": "hello there"}', '', '{"start": 3, "end": 4, "text": "second line"}', ''];
    const lf = await readTranscript(write('lf.jsonl', jl.join('\n')));
    expect(lf).toHaveLength(2);
    expect(await readTranscript(write('cr.jsonl', jl.join('\r')))).toEqual(lf);
    expect(await readTranscript(write('crlf.jsonl', jl.join('\r\n')))).toEqual(lf);
    const bad = write('bad-cr.jsonl', [jl[0], '{"start": 3, "end": 2, "text": "x"}'].join('\r'));
    await expect(readTranscript(bad)).rejects.toMatchObject({ location: { file: bad, line: 2 } });
  });
});

// Praat TextGrids as MFA writes them, saved by Praat 6.3 (scripts/make-textgrid-fixtures.sh). Before 2026-12-07 a
// .TextGrid transcript was refused ("unknown transcript format"), so an MFA user had to convert it by hand.
describe('Praat TextGrid (MFA) transcripts', () => {
  const tg = (name: string) => join(FIXTURES, 'dataset', 'textgrid', name);
  const flat = (u: Awaited<ReturnType<typeof readTranscript>>) => u.map((x) => [x.speaker, x.start_s, x.end_s, x.text, x.word_timing, x.words.map((w) => [w.word, w.start_s, w.end_s])]);
  const s01 = [
    [null, 2.69, 3.42, 'ten of clubs', 'source', [['ten', 2.69, 2.93], ['of', 2.95, 3.05], ['clubs', 3.1, 3.42]]],
    [null, 4.185, 5.715, 'four <unk> of clubs', 'source', [['four', 4.185, 4.5], ['<unk>', 4.5, 4.9], ['of', 4.9, 5], ['clubs', 5, 5.715]]],
    [null, 6.576, 7.676, 'seven of clubs', 'source', [['seven', 6.576, 6.9], ['of', 6.9, 7], ['clubs', 7, 7.676]]],
  ];

  it('reads the word tier of the long and the short text format and of UTF-16: silences ("", sp, sil) dropped, <unk> kept, utterances cut at pauses of 0.3 s', async () => {
    expect(detectTranscriptFormat(tg('mfa.TextGrid'), '')).toBe('textgrid');
    expect(flat(await readTranscript(tg('mfa.TextGrid')))).toEqual(s01);
    expect(flat(await readTranscript(tg('mfa_short.TextGrid')))).toEqual(s01);
    const utf16 = structuredClone(s01) as typeof s01;
    utf16[2][3] = 'seven of trèfles';
    (utf16[2][5] as unknown[][])[2][0] = 'trèfles';
    expect(flat(await readTranscript(tg('mfa_utf16.TextGrid')))).toEqual(utf16);
  });

  it("reads MFA's speaker tiers (<speaker> - words), overlapping speech kept, in time order", async () => {
    expect(flat(await readTranscript(tg('speakers.TextGrid')))).toEqual([
      ['INT', 0.5, 1.5, 'say a card', 'source', [['say', 0.5, 0.8], ['a', 0.8, 1.1], ['card', 1.1, 1.5]]],
      ['spk_a', 2.69, 3.42, 'ten of clubs', 'source', [['ten', 2.69, 2.93], ['of', 2.95, 3.05], ['clubs', 3.1, 3.42]]],
      ['INT', 2.8, 3, 'yes', 'source', [['yes', 2.8, 3]]],
    ]);
  });

  const grid = (tiers: Array<[string, string, Array<[number, number, string]>]>) =>
    ['File type = "ooTextFile"', 'Object class = "TextGrid"', '', '0', '5', '<exists>', String(tiers.length)]
      .concat(tiers.flatMap(([cls, name, ivs]) => [`"${cls}"`, `"${name}"`, '0', '5', String(ivs.length), ...ivs.flatMap(([a, b, l]) => (cls === 'TextTier' ? [String(a), `"${l}"`] : [String(a), String(b), `"${l}"`]))]))
      .join('\n');

  it('detects a TextGrid by content, spreads a several-word interval by letters, and refuses unclear tiers in one line', () => {
    const one = grid([['IntervalTier', 'Words', [[0, 1, 'ten of clubs'], [1, 5, '']]]]);
    expect(detectTranscriptFormat('a.txt', one)).toBe('textgrid');
    const old = one.replace('"ooTextFile"', '"ooTextFile short"'); // the short format's header before Praat 4
    expect(detectTranscriptFormat('a.txt', old)).toBe('textgrid');
    expect(parseTranscript(old, 'textgrid', 'a.TextGrid')).toEqual(parseTranscript(one, 'textgrid', 'a.TextGrid'));
    // a pause of 0.3 s as floats write it (3.4 - 3.1 = 0.2999999999999998) cuts; 0.29 s does not
    const cut = (b: number) => parseTranscript(grid([['IntervalTier', 'words', [[2.8, 3.1, 'a'], [3.1, b, ''], [b, 3.6, 'b']]]]), 'textgrid', 'a.TextGrid').length;
    expect([cut(3.4), cut(3.39)]).toEqual([2, 1]);
    const u = parseTranscript(one, 'textgrid', 'a.TextGrid');
    expect(u).toMatchObject([{ start_s: 0, end_s: 1, text: 'ten of clubs', word_timing: 'interpolated' }]);
    expect(u[0].words.map((w) => w.word)).toEqual(['ten', 'of', 'clubs']);
    const p = (tiers: Parameters<typeof grid>[0]) => () => parseTranscript(grid(tiers), 'textgrid', 'a.TextGrid');
    expect(p([['IntervalTier', 'phones', [[0, 5, 'AH0']]], ['IntervalTier', 'utt', [[0, 5, 'x']]]])).toThrow(/no word tier \(its tiers: "phones", "utt"\).*if one of these tiers holds the words, rename it; a phones tier alone has no words/);
    expect(p([['IntervalTier', 'words', [[0, 5, 'x']]], ['IntervalTier', 'spk - words', [[0, 5, 'y']]]])).toThrow(/both a "words" tier and speakers'/);
    expect(p([['IntervalTier', 'words', [[0, 5, 'x']]], ['IntervalTier', 'WORDS', [[0, 5, 'y']]]])).toThrow(/two words tiers named "words" and "WORDS"/);
    expect(p([['TextTier', 'words', [[1, 0, 'x']]]])).toThrow(/point tier/);
    expect(p([['IntervalTier', 'words', [[0, 2, 'x'], [1, 5, 'y']]]])).toThrow(/interval 2 starts at 1 s, before the interval before it ends \(2 s\)/);
    expect(() => parseTranscript(grid([['IntervalTier', 'words', [[0, 5, 'x']]]]).slice(0, -3), 'textgrid', 'a.TextGrid')).toThrow(/ends before interval 1 text/);
    expect(() => parseTranscript('"Praat chronological TextGrid text file"\n0 5\n', 'textgrid', 'a.TextGrid')).toThrow(/Save as text file/);
    expect(parseTranscript(grid([]).replace('<exists>\n0', '<absent>'), 'textgrid', 'a.TextGrid')).toEqual([]);
    // lone-CR lines (classic Mac OS) are lines: an error names the right one
    expect(() => parseTranscript(grid([['IntervalTier', 'words', [[0, 2, 'x'], [1, 5, 'y']]]]).replace(/\n/g, '\r'), 'textgrid', 'a.TextGrid')).toThrow(expect.objectContaining({ location: expect.objectContaining({ line: 18 }) }));
    expect(() => detectTranscriptFormat('a.eaf', '<?xml version="1.0"?>\n<ANNOTATION_DOCUMENT>')).toThrow(/ELAN .eaf is not read: in ELAN, File > Export As > Praat TextGrid/);
  });

  it("takes utterances and their text from MFA's utterances tier (--include_original_text); words it does not hold are cut at pauses", async () => {
    const u = await readTranscript(tg('mfa_utterances.TextGrid'));
    expect(u.map((x) => [x.start_s, x.end_s, x.text, x.words.map((w) => w.word).join(' ')])).toEqual([
      [2.6, 3.5, 'Ten of clubs.', 'ten of clubs'],
      [4.1, 5.8, 'Four, queen of clubs!', 'four <unk> of clubs'],
      [6.576, 7.676, 'seven of clubs', 'seven of clubs'],
    ]);
    expect(u.map((x) => x.line)).toEqual([106, 114, 70]);
    // an utterance MFA could not align (no words in it) keeps its text, its words spread over it by letters
    const unaligned = grid([['IntervalTier', 'words', [[0, 1, 'ten'], [1, 5, '']]], ['IntervalTier', 'utterances', [[0, 1.2, 'Ten.'], [2, 3, 'Four of clubs']]]]);
    expect(parseTranscript(unaligned, 'textgrid', 'a.TextGrid').map((x) => [x.start_s, x.end_s, x.text, x.word_timing, x.words.map((w) => w.word).join(' ')])).toEqual([
      [0, 1.2, 'Ten.', 'source', 'ten'],
      [2, 3, 'Four of clubs', 'interpolated', 'Four of clubs'],
    ]); // the utterances tier's label lines; the third: its first word's
  });

  it("reads P2FA's TextGrid (CMU-MOSI's aligner: old short header, tiers phone and word, sp pauses) and FAVE's '<speaker> - word'", () => {
    // as p2fa align.py write_text_grid writes it: each word ends where the next begins, pauses are "sp" words
    const p2fa = ['File type = "ooTextFile short"', '"TextGrid"', '', '0.0', '3.5', '<exists>', '2', '"IntervalTier"', '"phone"', '0.0', '3.5', '1', '0.0', '3.5', '"sil"']
      .concat(['"IntervalTier"', '"word"', '0.0', '3.5', '6', '0.0', '0.6225', '"sp"', '0.6225', '0.8825', '"TEN"', '0.8825', '1.0025', '"OF"', '1.0025', '1.4525', '"CLUBS"', '1.4525', '2.2', '"sp"', '2.2', '2.5', '"FOUR"'])
      .join('\n');
    const u = parseTranscript(p2fa, detectTranscriptFormat('a.TextGrid', p2fa), 'a.TextGrid');
    expect(u.map((x) => [x.start_s, x.end_s, x.text])).toEqual([[0.6225, 1.4525, 'TEN OF CLUBS'], [2.2, 2.5, 'FOUR']]);
    const fave = grid([['IntervalTier', 'spk1 - phone', [[0, 5, 'T']]], ['IntervalTier', 'spk1 - word', [[0, 1, 'ten'], [1, 5, '']]]]);
    expect(parseTranscript(fave, 'textgrid', 'a.TextGrid')).toMatchObject([{ speaker: 'spk1', text: 'ten' }]);
    expect(() => parseTranscript(grid([['IntervalTier', 'word', [[0, 5, 'x']]], ['IntervalTier', 'words', [[0, 5, 'y']]]]), 'textgrid', 'a.TextGrid')).toThrow(/two words tiers named "word" and "words"/);
  });

  it("reads MFA's JSON output (--output_format json) by the same tier rule", () => {
    const doc = { start: 0, end: 10.2, tiers: { 'spk_a - words': { type: 'interval', entries: [[2.69, 2.93, 'ten'], [2.95, 3.05, 'of'], [3.1, 3.42, 'clubs'], [4.185, 4.5, 'four']] }, 'spk_a - phones': { type: 'interval', entries: [[2.69, 2.8, 'T']] } } };
    const u = parseTranscript(JSON.stringify(doc), 'whisper', 'a.json');
    expect(u.map((x) => [x.speaker, x.start_s, x.end_s, x.text, x.word_timing])).toEqual([
      ['spk_a', 2.69, 3.42, 'ten of clubs', 'source'],
      ['spk_a', 4.185, 4.5, 'four', 'source'],
    ]);
    expect(() => parseTranscript(JSON.stringify({ tiers: { phones: { type: 'interval', entries: [] } } }), 'whisper', 'a.json')).toThrow(/no word tier \(its tiers: "phones"\)/);
  });

  it('names a binary Praat file rather than calling it "not UTF-8"', async () => {
    const bin = join(tmp.dir, 'b.TextGrid');
    writeFileSync(bin, Buffer.concat([Buffer.from('ooBinaryFile\x08TextGrid', 'latin1'), Buffer.from([0x40, 0x14, 0xff, 0xfe, 0])]));
    await expect(readTranscript(bin)).rejects.toThrow(/binary Praat file/);
  });
});
