/**
 * The pitch frames shared out by work stealing (src/audio/frame-claims.ts, pitch-steal.ts; issue 15 item 3): the
 * worker's analyser takes blocks from the front, the main thread's stealer the last ones backwards until they meet,
 * and the merged track is the single analyser's to the bit, wherever they meet; a claim never overlaps the other's.
 * In-process (the two "threads" interleaved by hand), on a fixture decoded by ffmpeg.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AudioDecoder } from '../src/media/decode-audio.js';
import { FrameClaims } from '../src/audio/frame-claims.js';
import { PitchStealer, CLAIM_FRAMES, TAIL_S } from '../src/audio/pitch-steal.js';
import { PitchAnalyzer, type PitchParams, type PitchTrack } from '../src/audio/pitch.js';
import { SampleBuffer } from '../src/audio/sample-buffer.js';
import { pitchParams } from '../src/audio/pitch-worker-start.js';
import { resolveAudioOptions } from '../src/audio/options.js';

const WAV = join(__dirname, '..', 'fixtures', 'audio', 'wav');
const FIXTURES = ['speech_en1_p50_s175', 'speech_es1_p50_s175', 'cards_005'].map((n) => join(WAV, `${n}.flac`));

/** The fixtures decoded by ffmpeg one after the other (8.5 s of speech, 851 frames). */
async function decode(files: string[]): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (const file of files) for await (const c of await AudioDecoder.open(file, { sampleRate: 16000 })) parts.push(c.slice());
  const out = new Float32Array(parts.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function globalPeak(b: SampleBuffer): number {
  const mean = b.sum / (b.total ?? 1);
  return Math.max(b.max - mean, mean - b.min);
}

/** The single analyser's track (what one thread computes). */
function alone(params: PitchParams, pcm: Float32Array): PitchTrack {
  const a = new PitchAnalyzer(params);
  const b = new SampleBuffer();
  b.append(pcm, 0);
  b.finish();
  a.pump(b);
  return a.finish(globalPeak(b));
}

/**
 * The worker's analyser claims and computes frames up to about `workerFrames`, then the stealer takes the rest from
 * the end (all samples kept), the worker finishes what it had claimed, and appends the stolen frames.
 */
function shared(params: PitchParams, pcm: Float32Array, workerFrames: number): { track: PitchTrack; stolen: number; workerHad: number } {
  const claims = FrameClaims.create();
  const worker = new PitchAnalyzer(params);
  const b = new SampleBuffer();
  b.append(pcm, 0);
  b.finish();
  while (worker.next < workerFrames) worker.pump(b, claims.front(CLAIM_FRAMES));
  const stealer = new PitchStealer(params, claims);
  stealer.keepTail(0); // a file shorter than the tail kept: all of it
  const stolen = stealer.steal(b);
  // The worker takes the frames left between the two.
  for (let to = claims.front(CLAIM_FRAMES); to > worker.next; to = claims.front(CLAIM_FRAMES)) worker.pump(b, to);
  const workerHad = worker.next;
  if (stolen) worker.append(stolen);
  return { track: worker.finish(globalPeak(b)), stolen: stolen?.count ?? 0, workerHad };
}

describe('pitch frames shared by work stealing', () => {
  it('gives the single analyser track to the bit, wherever the two meet', async () => {
    const pcm = await decode(FIXTURES);
    const params = pitchParams(resolveAudioOptions({}));
    const ref = alone(params, pcm);
    const n = ref.n;
    expect(n).toBeGreaterThan(600);
    for (const at of [1, Math.floor(n / 3), n - 5 * CLAIM_FRAMES]) {
      const { track, stolen, workerHad } = shared(params, pcm, at);
      expect(workerHad + stolen).toBe(n);
      expect(stolen).toBeGreaterThan(0);
      expect(track.n).toBe(n);
      expect(Buffer.from(track.f0.buffer).equals(Buffer.from(ref.f0.buffer))).toBe(true);
      expect(Buffer.from(track.strength.buffer).equals(Buffer.from(ref.strength.buffer))).toBe(true);
      expect(Buffer.from(track.maxStrength.buffer).equals(Buffer.from(ref.maxStrength.buffer))).toBe(true);
      expect(Buffer.from(track.octaveAbove.buffer).equals(Buffer.from(ref.octaveAbove.buffer))).toBe(true);
    }
  });

  it('claims from both ends never overlap and leave the worker its last few blocks', () => {
    const claims = FrameClaims.create();
    expect(claims.front(64)).toBe(64);
    expect(claims.back(1000, 64, 0, 256)).toEqual([936, 1000]);
    expect(claims.back(1000, 64, 900, 256)).toEqual([900, 936]);
    expect(claims.back(1000, 64, 900, 256)).toBeNull(); // below the samples kept
    expect(claims.front(1000)).toBe(900); // the worker up to the main thread's frames
    expect(claims.front(64)).toBe(900);
    expect(claims.mainFrom(1000)).toBe(900);
    // The samples kept for it: the last TAIL_S s of the expected length; none once the file runs well past it.
    const params = pitchParams(resolveAudioOptions({}));
    const st = new PitchStealer(params, FrameClaims.create());
    st.keepTail(30000); // 300 s expected: keep from 180 s
    const from = 16000 * (300 - TAIL_S);
    expect(st.keepFrom(from - 1)).toBe(Infinity);
    expect(st.keepFrom(from + 16000)).toBe(from);
    expect(st.keepFrom(16000 * 600)).toBe(Infinity); // 300 s past the expected end: a wrong header
    expect(st.keepFrom(from + 16000)).toBe(Infinity);
    const near = FrameClaims.create();
    near.front(800);
    expect(near.back(1000, 64, 0, 256)).toBeNull(); // 200 frames left: the worker's
  });
});
