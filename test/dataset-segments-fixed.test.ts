/**
 * `--segments fixed:LEN[:HOP]` with a LEN or HOP that is not seconds above 0 (`fixed:-1`, `fixed:0`, `fixed:abc`,
 * `fixed:`): one line naming the option, the value and what is allowed (session 25: the general usage line, which
 * named neither). Refused before any feature file is read: no media, no features.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { demoManifestCopy } from './helpers/demo-inputs.js';
import { InputError } from '../src/common/errors.js';
import { buildDataset } from '../src/dataset/build.js';
import { makeSegments, parseSegmentMode } from '../src/dataset/segments.js';

const tmp = tempDir('mmprep-segopt-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'no-features');

describe('--segments fixed: lenient spellings', () => {
  // Number() read '0x10' as 16 and ' 2' as 2: each refused now, naming the part; a unit or a decimal comma with what was meant.
  it('are refused: a space inside the value, hexadecimal, a unit, a decimal comma', () => {
    const rule = 'write fixed:LEN or fixed:LEN:HOP, LEN and HOP in seconds above 0 (e.g. fixed:2 or fixed:2:1)';
    const cases: Array<[string, string]> = [
      ['fixed: 2', `--segments 'fixed: 2': a space inside the value; ${rule}, without spaces`],
      ['fixed:2 :1', `--segments 'fixed:2 :1': a space inside the value; ${rule}, without spaces`],
      ['fixed:0x10', `--segments 'fixed:0x10': LEN '0x10' is not a number of seconds; ${rule}`],
      ['fixed:2s', `--segments 'fixed:2s': LEN '2s' is not a number of seconds (seconds without a unit: 2); ${rule}`],
      ['fixed:2:500ms', `--segments 'fixed:2:500ms': HOP '500ms' is not a number of seconds (seconds without a unit: 0.5); ${rule}`],
      ['fixed:2,5', `--segments 'fixed:2,5': LEN '2,5' is not a number of seconds (a decimal point, not a comma: 2.5); ${rule}`],
      ['fixed:Infinity', `--segments 'fixed:Infinity': LEN 'Infinity' is not a number of seconds; ${rule}`],
    ];
    for (const [v, msg] of cases) expect(() => parseSegmentMode(v), v).toThrow(msg);
  });
});

describe('--segments fixed: windows finer than the records\' 10 ms frame step', () => {
  // fixed:0.0001 built ~313 000 records for the 31 s demo session, nearly all without a frame.
  it('are refused with the smallest useful LEN or HOP', () => {
    expect(() => parseSegmentMode('fixed:0.0001')).toThrow("--segments 'fixed:0.0001': LEN 0.0001 s is shorter than the records' 10 ms frame step (the audio hop; face frames lie on it or further apart), so most windows would hold no frame; the smallest useful LEN is 0.01 s (fixed:0.01)");
    expect(() => parseSegmentMode('fixed:1:0.001')).toThrow("--segments 'fixed:1:0.001': HOP 0.001 s is shorter than the records' 10 ms frame step (the audio hop), so windows would repeat their neighbours' frames (10 records per frame); the smallest useful HOP is 0.01 s (fixed:1:0.01)");
    expect(parseSegmentMode('fixed:0.01:0.01')).toEqual({ kind: 'fixed', len: 0.01, hop: 0.01 });
  });
});

describe('--segments fixed: a bad LEN or HOP', () => {
  it('is one line naming the option, the value and what is allowed', async () => {
    const rule = 'write fixed:LEN or fixed:LEN:HOP, LEN and HOP in seconds above 0 (e.g. fixed:2 or fixed:2:1)';
    const cases: Array<[string, string]> = [
      ['fixed:-1', "--segments 'fixed:-1': LEN '-1' is not above 0"],
      ['fixed:0', "--segments 'fixed:0': LEN '0' is not above 0"],
      ['fixed:abc', "--segments 'fixed:abc': LEN 'abc' is not a number of seconds"],
      ['fixed:', "--segments 'fixed:': LEN is missing"],
      ['fixed:2:-0.5', "--segments 'fixed:2:-0.5': HOP '-0.5' is not above 0"],
      ['fixed:1:2:3', "--segments 'fixed:1:2:3': 3 values after fixed:, at most 2 (LEN and HOP)"],
      ['fixed:1e400', "--segments 'fixed:1e400': LEN '1e400' is not a finite number of seconds"],
    ];
    for (const [v, msg] of cases) expect(() => parseSegmentMode(v), v).toThrow(`${msg}; ${rule}`);
    expect(parseSegmentMode('fixed:.5:5e-1')).toEqual({ kind: 'fixed', len: 0.5, hop: 0.5 });
    expect(parseSegmentMode(' Fixed:1e1:2 ')).toEqual({ kind: 'fixed', len: 10, hop: 2 }); // the whole value trimmed, as a choice
    // dataset build runs in threads (no runCliInProcess): the error it throws is the CLI's line (`mmprep: ` + toLine), exit 2
    const MANIFEST = demoManifestCopy(join(tmp.dir, 'inputs'));
    const err = await buildDataset(MANIFEST, { features: FEATURES, out: join(tmp.dir, 'never'), segments: 'fixed:-1' }).catch((e: InputError) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).toLine()).toBe(`--segments 'fixed:-1': LEN '-1' is not above 0; ${rule}`);
    expect((err as InputError).exitCode).toBe(2);
  });
});

describe('--segments fixed: words of overlapping utterances (two speakers)', () => {
  // ttrial58d: taken utterance by utterance, a window held one speaker's words and then the other's, out of time order.
  it('are in time order, the speakers in order of their first word', () => {
    const w = (word: string, start_s: number, end_s: number) => ({ word, start_s, end_s, given: 'both' as const });
    const utt = (speaker: string, words: ReturnType<typeof w>[]) => ({ start_s: words[0].start_s, end_s: words[words.length - 1].end_s, text: words.map((x) => x.word).join(' '), speaker, words, word_timing: 'source' as const });
    const utterances = [utt('spk_g', [w('eight', 4.7, 5.0), w('of', 5.1, 5.2), w('four', 5.7, 5.9)]), utt('INT', [w('mm', 4.2, 4.4), w('right', 5.3, 5.6)])].sort((a, b) => a.start_s - b.start_s);
    const [seg] = makeSegments('s', { kind: 'fixed', len: 2, hop: 2 }, { utterances, range: { start_s: 4, end_s: 6 }, labelSpans: [] });
    expect(seg.text).toBe('mm eight of right four');
    expect(seg.speakers).toEqual(['INT', 'spk_g']);
  });
});
