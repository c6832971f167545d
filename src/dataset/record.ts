/**
 * One dataset record from a segment and the frames around it: feature sequences, overlap-weighted functionals
 * (per segment and per word), the face either at its own rate or resampled onto the audio grid, labels, quality.
 */
import { AUDIO_FIELDS, FACE_FIELDS, type FieldShape } from './features.js';
import { overlapWeight, round7, WeightedScalar, WeightedVector, type ScalarFunctionals, type VectorFunctionals } from './functionals.js';
import type { Frame } from './frames.js';
import type { Segment } from './segments.js';

export type FaceRate = 'audio' | 'native';

export interface StreamInfo {
  /** Frame step in seconds (the median interval of the stream's first frames). */
  step: number;
}

type Functionals = ScalarFunctionals | VectorFunctionals;

function value(f: Frame, name: string): unknown {
  const v = f[name];
  return v === undefined ? null : v;
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

function makeAcc(shape: FieldShape): WeightedScalar | WeightedVector | null {
  if (shape === 'matrix') return null; // no functionals of raw landmarks
  return shape === 'vector' ? new WeightedVector() : new WeightedScalar();
}

function addTo(acc: WeightedScalar | WeightedVector, v: unknown, w: number): void {
  if (acc instanceof WeightedVector) acc.add(Array.isArray(v) ? (v as number[]) : null, w);
  else acc.add(num(v), w);
}

/** Functionals of the chosen fields over [a, b] from frames of duration `step`; `ok` says whether a frame has values. */
function functionals(frames: Frame[], fields: string[], shapes: Record<string, FieldShape>, step: number, a: number, b: number, ok: (f: Frame) => boolean, meanOnly = false) {
  const accs = fields.map((n) => makeAcc(shapes[n]));
  for (const f of frames) {
    const w = overlapWeight(f.t_s, step, a, b);
    if (w <= 0) continue;
    const good = ok(f);
    fields.forEach((n, i) => {
      const acc = accs[i];
      if (acc) addTo(acc, good ? value(f, n) : null, w);
    });
  }
  const out: Record<string, Functionals | number | number[] | null> = {};
  fields.forEach((n, i) => {
    const acc = accs[i];
    if (!acc) return;
    out[n] = meanOnly ? acc.meanOnly() : acc.result();
  });
  return out;
}

const faceOk = (f: Frame) => f.face_found === true;
const always = () => true;

/** Linear interpolation of face fields onto grid times; null where either neighbour lacks a face or they are too far apart. */
function resampleFace(frames: Frame[], grid: number[], fields: string[], step: number): { found: boolean[]; cols: Record<string, unknown[]> } {
  const cols: Record<string, unknown[]> = {};
  for (const n of fields) cols[n] = [];
  const found: boolean[] = [];
  let j = 0;
  for (const g of grid) {
    while (j + 1 < frames.length && frames[j + 1].t_s <= g) j++;
    const f0 = frames[j];
    const f1 = j + 1 < frames.length ? frames[j + 1] : null;
    let lo: Frame | null = null;
    let hi: Frame | null = null;
    let u = 0;
    if (f0 && Math.abs(f0.t_s - g) < 1e-9) {
      lo = hi = f0;
    } else if (f0 && f0.t_s <= g && f1 && f1.t_s > g && f1.t_s - f0.t_s <= 2.5 * step) {
      lo = f0;
      hi = f1;
      u = (g - f0.t_s) / (f1.t_s - f0.t_s);
    }
    const ok = lo !== null && hi !== null && faceOk(lo) && faceOk(hi);
    found.push(ok);
    for (const n of fields) {
      if (!ok) {
        cols[n].push(null);
        continue;
      }
      const shape = FACE_FIELDS[n];
      const a = value(lo!, n);
      const b = value(hi!, n);
      if (shape === 'bool') cols[n].push(u < 0.5 ? a : b);
      else cols[n].push(lerp(a, b, u));
    }
  }
  return { found, cols };
}

function lerp(a: unknown, b: unknown, u: number): unknown {
  if (typeof a === 'number' && typeof b === 'number') return u === 0 ? a : round7(a + (b - a) * u);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => lerp(x, b[i], u));
  return a === null || b === null ? null : u < 0.5 ? a : b;
}

export interface RecordContext {
  session_id: string;
  speaker_id: string;
  split: string;
  audioFields: string[];
  faceFields: string[];
  faceRate: FaceRate;
  audioInfo: StreamInfo | null;
  faceInfo: StreamInfo | null;
  syncConfidence: number | null;
}

export interface RecordLabels {
  [key: string]: { target: string; gold: unknown; ratings: unknown[]; agreement: unknown };
}

/** Frames in [a, b): the sequence a record carries. */
function inside(frames: Frame[], a: number, b: number): Frame[] {
  return frames.filter((f) => f.t_s >= a && f.t_s < b);
}

export function buildRecord(seg: Segment, ctx: RecordContext, audioFrames: Frame[] | null, faceFrames: Frame[] | null, labels: RecordLabels): Record<string, unknown> {
  const a = seg.start_s;
  const b = seg.end_s;
  // ---- audio ----
  let audio: Record<string, unknown> | null = null;
  let voicedRatio: number | null = null;
  const aIn = audioFrames && ctx.audioInfo ? inside(audioFrames, a, b) : [];
  if (audioFrames && ctx.audioInfo && aIn.length > 0) {
    const step = ctx.audioInfo.step;
    const cols: Record<string, unknown[]> = {};
    for (const n of ctx.audioFields) cols[n] = aIn.map((f) => value(f, n));
    audio = {
      rate_hz: round7(1 / step),
      t0_s: aIn[0].t_s,
      n: aIn.length,
      frames: cols,
      functionals: functionals(audioFrames, ctx.audioFields, AUDIO_FIELDS, step, a, b, always),
    };
    const vr = new WeightedScalar();
    for (const f of audioFrames) {
      const w = overlapWeight(f.t_s, step, a, b);
      if (w > 0) vr.add(typeof f.voiced === 'boolean' ? (f.voiced ? 1 : 0) : null, w);
    }
    voicedRatio = vr.meanOnly();
  }
  // ---- face ----
  let face: Record<string, unknown> | null = null;
  let detRate: number | null = null;
  if (faceFrames && ctx.faceInfo) {
    const step = ctx.faceInfo.step;
    const fIn = inside(faceFrames, a, b);
    const dr = new WeightedScalar();
    for (const f of faceFrames) {
      const w = overlapWeight(f.t_s, step, a, b);
      if (w > 0) dr.add(f.face_found === true ? 1 : 0, w);
    }
    detRate = dr.meanOnly();
    const fun = functionals(faceFrames, ctx.faceFields, FACE_FIELDS, step, a, b, faceOk);
    if (ctx.faceRate === 'native' && fIn.length > 0) {
      const cols: Record<string, unknown[]> = { face_found: fIn.map((f) => f.face_found === true) };
      for (const n of ctx.faceFields) cols[n] = fIn.map((f) => (faceOk(f) ? value(f, n) : null));
      face = { rate: 'native', rate_hz: round7(1 / step), n: fIn.length, t_s: fIn.map((f) => f.t_s), frames: cols, functionals: fun };
    } else if (ctx.faceRate === 'audio' && detRate !== null) {
      const aStep = ctx.audioInfo?.step ?? 0.01;
      const grid = aIn.length > 0 ? aIn.map((f) => f.t_s) : gridTimes(a, b, aStep);
      if (grid.length > 0) {
        const r = resampleFace(faceFrames, grid, ctx.faceFields, step);
        face = { rate: 'audio', rate_hz: round7(1 / aStep), t0_s: grid[0], n: grid.length, frames: { face_found: r.found, ...r.cols }, functionals: fun };
      }
    }
  }
  // ---- words ----
  const words = seg.words.map((w) => {
    const o: Record<string, unknown> = { word: w.word, start_s: round7(w.start_s), end_s: round7(w.end_s) };
    if (audioFrames && ctx.audioInfo) o.audio = functionals(audioFrames, ctx.audioFields, AUDIO_FIELDS, ctx.audioInfo.step, w.start_s, w.end_s, always, true);
    if (faceFrames && ctx.faceInfo) o.face = functionals(faceFrames, ctx.faceFields, FACE_FIELDS, ctx.faceInfo.step, w.start_s, w.end_s, faceOk, true);
    return o;
  });
  const hasLabels = Object.keys(labels).length > 0;
  return {
    id: seg.id,
    session_id: ctx.session_id,
    speaker_id: ctx.speaker_id,
    split: ctx.split,
    start_s: seg.start_s,
    end_s: seg.end_s,
    text: seg.text,
    words,
    audio,
    face,
    labels,
    quality: {
      face_detection_rate: detRate,
      voiced_ratio: voicedRatio,
      sync_confidence: ctx.syncConfidence,
      word_timing: seg.word_timing,
      present: {
        audio: audio !== null,
        face: detRate !== null && detRate > 0,
        text: seg.text !== null && seg.words.length > 0,
        labels: hasLabels,
      },
    },
  };
}

function gridTimes(a: number, b: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(a / step - 1e-9); k * step < b; k++) out.push(round7(k * step));
  return out;
}
