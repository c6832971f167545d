/**
 * The byte-level JSONL writer (issue 15 item 3): the same bytes as the string writer it replaced, for every
 * --digits setting, with a sync clock and with --voice; and the CLI's two-thread writer (a worker formats the last
 * frames of files of a minute or more, and the pitch frames are shared between two threads) gives exactly the
 * single-thread bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audioFrameRecords, jsonlBlock, rmsDb, VOICE_FRAME_FIELDS } from '../src/audio/extract.js';
import { num, timeText } from '../src/audio/format.js';
import { computeAudioFeatures } from '../src/audio/features.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const wav = (n: string) => join(FIXTURES, 'audio', 'wav', `${n}.flac`);
type Feats = Awaited<ReturnType<typeof computeAudioFeatures>>;
/** The string writer the byte writer replaced (the release before issue 15's speed work), as the reference. */
function legacyLine(f: Feats, i: number, d: number, clock: ((t: number) => number) | undefined): string {
  const k = f.options.nMfcc;
  const t = (i * f.hop) / f.sampleRate;
  let s = clock ? `{"t_s":${timeText(clock(t))},"t_src_s":${timeText(t)},"mfcc":[` : `{"t_s":${timeText(t)},"mfcc":[`;
  const vec = (a: Float64Array) => Array.from(a.subarray(i * k, i * k + k), (v) => num(v, d)).join(',');
  s += vec(f.mfcc) + ']';
  s += f.delta ? `,"delta":[${vec(f.delta)}]` : ',"delta":null';
  s += f.delta2 ? `,"delta2":[${vec(f.delta2)}]` : ',"delta2":null';
  if (!f.delta) s += `,"delta_reason":${JSON.stringify(f.deltaReason)}`;
  const v = f.f0[i] > 0;
  s += `,"f0_hz":${v ? num(f.f0[i], d) : 'null'},"voiced":${v},"voiced_prob":${num(f.voicedProb[i], d)}`;
  s += `,"rms":${num(f.rms[i], d)},"rms_db":${num(rmsDb(f.rms[i]), d)},"zcr":${num(f.zcr[i], d)}`;
  return s;
}
const reference = (f: Feats, clock?: (t: number) => number) => {
  let s = '';
  const recs = [...audioFrameRecords(f, clock)];
  for (let i = 0; i < f.nFrames; i++) {
    const r = recs[i];
    // voice fields (new in this release), through num() like every other float
    const voice = f.voice ? VOICE_FRAME_FIELDS.map((k) => `,"${k}":${r[k] === null ? 'null' : num(r[k]!, f.options.digits)}`).join('') + `,"voice_reason":${JSON.stringify(r.voice_reason)}` : '';
    s += legacyLine(f, i, f.options.digits, clock) + voice + '}\n';
  }
  return s;
};

describe('JSONL bytes = the string writer of the previous release', () => {
  it.each([
    ['cards_005', {}],
    ['cards_001', { voice: true }],
    ['white_noise', { digits: 3 }],
    ['silence', { digits: 12 }],
    ['tone_100hz', { digits: 1 }],
    ['cards_002', { digits: 0 }],
    ['glide_100_300hz', { digits: 15 }],
  ] as const)('%s %j', async (name, opts) => {
    const f = await computeAudioFeatures(wav(name), opts, { threads: false });
    expect(jsonlBlock(f, 0, f.nFrames).toString('utf8')).toBe(reference(f));
    const clock = (t: number) => 1.0001 * t + 12.345678;
    expect(jsonlBlock(f, 0, f.nFrames, clock).toString('utf8')).toBe(reference(f, clock));
  });
});

describe('mmprep audio writes the same bytes with its JSONL worker', () => {
  const tmp = tempDir('mmprep-jsonl-');
  afterAll(() => tmp.cleanup());
  it('a 70 s file (frames split between two threads) equals the single-thread bytes', async () => {
    const long = join(tmp.dir, 'long.wav');
    ffmpegSync(['-stream_loop', '-1', '-i', wav('cards_005'), '-t', '70', '-c:a', 'pcm_s16le', long]);
    const out = join(tmp.dir, 'o.jsonl');
    const r = await runCli(['audio', long, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const f = await computeAudioFeatures(long, {}, { threads: false });
    expect(f.nFrames).toBeGreaterThan(6000);
    expect(readFileSync(out).equals(jsonlBlock(f, 0, f.nFrames))).toBe(true);
  });
  it('frames 1024, 2048 and 4096 have their values (growing frame stores used to drop them: rms 0, F0 null)', async () => {
    const recs = readFileSync(join(tmp.dir, 'o.jsonl'), 'utf8').trim().split('\n');
    for (const i of [1024, 2048, 4096]) {
      const [prev, r] = [JSON.parse(recs[i - 1]), JSON.parse(recs[i])];
      expect(r.rms, `frame ${i}`).toBeGreaterThan(0);
      expect(r.rms / prev.rms, `frame ${i}`).toBeGreaterThan(0.3);
    }
  });
});
