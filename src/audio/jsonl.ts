/**
 * The JSONL text of frame records, as bytes (see jsonl-bytes.ts): shared by writeAudioFrames and the worker that
 * formats part of the frames in parallel (jsonl-worker.ts). Imports nothing heavy so the worker starts fast.
 */
import { ByteSink, NUM_ROOM, numAt } from './jsonl-bytes.js';

/** What the frame records are made of (AudioFeatures satisfies it; the worker receives just this). */
export interface FrameView {
  options: { nMfcc: number; digits: number };
  sampleRate: number;
  /** Frame step in samples (frame i centred on sample i * hop). */
  hop: number;
  nFrames: number;
  /** Frame number of the first frame the per-frame arrays hold (default 0; a helper thread gets only its range). */
  first?: number;
  /** Frame-major nFrames x nMfcc (delta, delta2 likewise; null with deltaReason when too few frames). */
  mfcc: Float64Array;
  delta: Float64Array | null;
  delta2: Float64Array | null;
  deltaReason: string | null;
  /** Hz per frame, 0 when unvoiced. */
  f0: Float32Array;
  voicedProb: Float32Array;
  rms: Float32Array;
  zcr: Float32Array;
  voice?: {
    options: { floor: number; ceiling: number; window: number };
    frameVoiced: Uint8Array;
    jitterLocal: Float64Array;
    shimmerLocal: Float64Array;
    hnrDb: Float64Array;
    formantHz: Float64Array;
    bandwidthHz: Float64Array;
  };
  /** Frames within a sync beep (sync-beep.ts): pitch and voicing null, `sync_beep` and `pitch_reason` on every record. */
  syncBeep?: { mask: Uint8Array; reason: string };
}

const RMS_AMIN = 1e-5;
/** librosa.amplitude_to_db(rms, ref=1.0, amin=1e-5, top_db=None): floor at -100 dB. */
export const rmsDb = (r: number) => 20 * Math.log10(r > RMS_AMIN ? r : RMS_AMIN);
/** Record names of the per-frame voice values, in output order (voice_reason follows them). */
export const VOICE_FRAME_FIELDS = ['jitter_local', 'shimmer_local', 'hnr_db', 'f1_hz', 'f2_hz', 'f3_hz', 'b1_hz', 'b2_hz', 'b3_hz'] as const;

/** The voice values of frame i (NaN = undefined) and why any is undefined (null when all are defined). */
export function voiceFrame(f: FrameView, i: number): { values: number[]; reason: string | null } {
  const v = f.voice!;
  if (f.syncBeep?.mask[i]) return { values: VOICE_FRAME_FIELDS.map(() => NaN), reason: f.syncBeep.reason };
  if (!v.frameVoiced[i]) return { values: VOICE_FRAME_FIELDS.map(() => NaN), reason: `unvoiced in the voice pitch analysis (${v.options.floor}-${v.options.ceiling} Hz)` };
  const values = [v.jitterLocal[i], v.shimmerLocal[i], v.hnrDb[i], v.formantHz[i * 3], v.formantHz[i * 3 + 1], v.formantHz[i * 3 + 2], v.bandwidthHz[i * 3], v.bandwidthHz[i * 3 + 1], v.bandwidthHz[i * 3 + 2]];
  const why: string[] = [];
  if (Number.isNaN(values[0]) || Number.isNaN(values[1])) why.push(`too few periods in the ${v.options.window} s window for jitter/shimmer`);
  if (Number.isNaN(values[2])) why.push('silent for the harmonicity analysis');
  if (Number.isNaN(values[5])) why.push('fewer than 3 formants found');
  return { values, reason: why.length ? why.join('; ') : null };
}

/**
 * a[o .. o + k) as a JSON array (a module function, not a closure made per line): room for the whole array first, the
 * numbers by numAt straight into the buffer, b.num for those it leaves (then room again for the rest).
 */
function vec(b: ByteSink, a: Float64Array, o: number, k: number, d: number): void {
  b.ensure(k * (NUM_ROOM + 1) + 2);
  let buf = b.buf;
  let p = b.pos;
  buf[p++] = 91; // '['
  for (let j = 0; j < k; j++) {
    if (j) buf[p++] = 44; // ','
    const end = numAt(buf, p, a, o + j, d);
    if (end >= 0) {
      p = end;
      continue;
    }
    b.pos = p;
    b.num(a[o + j], d);
    b.ensure((k - j) * (NUM_ROOM + 1) + 2);
    buf = b.buf;
    p = b.pos;
  }
  buf[p++] = 93; // ']'
  b.pos = p;
}

/** The JSONL line of frame number fi (at index i of the per-frame arrays) into `b`. */
function jsonLineBytes(b: ByteSink, f: FrameView, fi: number, i: number, d: number, clock: ((t: number) => number) | undefined, reason: string, t0: number): void {
  const k = f.options.nMfcc;
  const t = (fi * f.hop) / f.sampleRate;
  if (clock) {
    b.ascii('{"t_s":');
    b.time(clock(t0 + t));
    b.ascii(',"t_src_s":');
    b.time(t0 + t);
  } else {
    b.ascii('{"t_s":');
    b.time(t);
  }
  b.ascii(',"mfcc":');
  vec(b, f.mfcc, i * k, k, d);
  b.ascii(',"delta":');
  if (f.delta) vec(b, f.delta, i * k, k, d);
  else b.ascii('null');
  b.ascii(',"delta2":');
  if (f.delta2) vec(b, f.delta2, i * k, k, d);
  else b.ascii('null');
  if (!f.delta) {
    b.ascii(',"delta_reason":');
    b.text(reason);
  }
  const v = f.f0[i] > 0;
  b.ascii(',"f0_hz":');
  if (v) b.num(f.f0[i], d);
  else b.ascii('null');
  const beep = f.syncBeep?.mask[i] === 1;
  if (beep) b.ascii(',"voiced":null,"voiced_prob":null');
  else {
    b.ascii(v ? ',"voiced":true,"voiced_prob":' : ',"voiced":false,"voiced_prob":');
    b.num(f.voicedProb[i], d);
  }
  b.ascii(',"rms":');
  b.num(f.rms[i], d);
  b.ascii(',"rms_db":');
  b.num(rmsDb(f.rms[i]), d);
  b.ascii(',"zcr":');
  b.num(f.zcr[i], d);
  if (f.voice) {
    const { values, reason: why } = voiceFrame(f, i);
    for (let j = 0; j < VOICE_FRAME_FIELDS.length; j++) {
      b.ascii(`,"${VOICE_FRAME_FIELDS[j]}":`);
      if (Number.isNaN(values[j])) b.ascii('null');
      else b.num(values[j], d);
    }
    b.ascii(',"voice_reason":');
    b.text(why === null ? 'null' : JSON.stringify(why));
  }
  if (f.syncBeep) b.text(beep ? `,"sync_beep":true,"pitch_reason":${JSON.stringify(f.syncBeep.reason)}` : ',"sync_beep":false,"pitch_reason":null');
  b.ascii('}\n');
}

/**
 * The JSONL bytes of frame numbers [from, to). With `sink` (reused by the caller) the result is a view into its
 * buffer, valid until the sink's next use.
 */
export function jsonlBlock(f: FrameView, from: number, to: number, clock?: (t: number) => number, t0 = 0, sink?: ByteSink): Buffer {
  const b = sink ?? new ByteSink(Math.max(1024, (to - from) * 720));
  const reason = JSON.stringify(f.deltaReason ?? 'unavailable');
  const first = f.first ?? 0;
  for (let i = from; i < to; i++) jsonLineBytes(b, f, i, i - first, f.options.digits, clock, reason, t0);
  return sink ? b.takeView() : b.take();
}

