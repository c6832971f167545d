/**
 * One dataset record from a segment and the frames around it: feature sequences, overlap-weighted functionals
 * (per segment and per word), the face either at its own rate or resampled onto the audio grid, labels, quality.
 */
import { AUDIO_FIELDS, FACE_FIELDS, type FieldShape } from './features.js';
import { circularLerp, heldTimeShare, overlapWeight, round7, WeightedAngle, WeightedScalar, WeightedVector, type ScalarFunctionals, type VectorFunctionals } from './functionals.js';
import type { Frame } from './frames.js';
import { r6, type Segment } from './segments.js';

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

function makeAcc(shape: FieldShape): WeightedScalar | WeightedAngle | WeightedVector | null {
  if (shape === 'matrix') return null; // no functionals of raw landmarks
  return shape === 'vector' ? new WeightedVector() : shape === 'angle' ? new WeightedAngle() : new WeightedScalar();
}

function addTo(acc: WeightedScalar | WeightedAngle | WeightedVector, v: unknown, w: number): void {
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

/**
 * The video frames a grid time takes its face from: the two around it when both have a face and are at most 2.5 frame
 * intervals apart (linear interpolation, weight u of the later one), else the nearer one when it has a face and the
 * time lies within its half frame interval, the span the functionals and face_detection_rate give a frame (a frame at
 * t covers [t - d/2, t + d/2]); null otherwise. Without that second rule, grid times before the first or after the last
 * frame, or beside a frame without a face, were null while the functionals counted the face: at --face-fps 5 a 0.1 s
 * window at the video's start had face_detection_rate 1, present.face true and every frame null.
 */
function faceSource(f0: Frame | undefined, f1: Frame | null, g: number, step: number): { lo: Frame; hi: Frame; u: number } | null {
  if (f0 && Math.abs(f0.t_s - g) < 1e-9) return faceOk(f0) ? { lo: f0, hi: f0, u: 0 } : null;
  if (f0 && f1 && f0.t_s <= g && f1.t_s > g && f1.t_s - f0.t_s <= 2.5 * step && faceOk(f0) && faceOk(f1)) return { lo: f0, hi: f1, u: (g - f0.t_s) / (f1.t_s - f0.t_s) };
  const near = [f0, f1].filter((f): f is Frame => !!f).sort((x, y) => Math.abs(x.t_s - g) - Math.abs(y.t_s - g))[0];
  return near && faceOk(near) && Math.abs(near.t_s - g) < step / 2 - 1e-9 ? { lo: near, hi: near, u: 0 } : null;
}

/** Face fields on grid times (faceSource: interpolated, or the covering frame's); null where no frame with a face gives one. */
function resampleFace(frames: Frame[], grid: number[], fields: string[], step: number): { found: boolean[]; cols: Record<string, unknown[]> } {
  const cols: Record<string, unknown[]> = {};
  for (const n of fields) cols[n] = [];
  const found: boolean[] = [];
  let j = 0;
  for (const g of grid) {
    while (j + 1 < frames.length && frames[j + 1].t_s <= g) j++;
    const src = faceSource(frames[j], j + 1 < frames.length ? frames[j + 1] : null, g, step);
    found.push(src !== null);
    for (const n of fields) {
      if (!src) {
        cols[n].push(null);
        continue;
      }
      const a = value(src.lo, n);
      const b = value(src.hi, n);
      if (FACE_FIELDS[n] === 'bool') cols[n].push(src.u < 0.5 ? a : b);
      else if (FACE_FIELDS[n] === 'angle' && typeof a === 'number' && typeof b === 'number') cols[n].push(src.u === 0 ? a : circularLerp(a, b, src.u));
      else cols[n].push(lerp(a, b, src.u));
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
  /** `ratings` absent for a gold-trace label (trace-labels.ts: gold mean, sd, n_samples, coverage, raters_sd). */
  [key: string]: { target: string; gold: unknown; ratings?: unknown[]; agreement: unknown };
}

/** Frames in [a, b): the sequence a record carries. */
function inside(frames: Frame[], a: number, b: number): Frame[] {
  return frames.filter((f) => f.t_s >= a && f.t_s < b);
}

/** Overlap-weighted mean over [a, b] of a per-frame value (frames of duration `step`; null values are skipped). */
function weightedMean(frames: Frame[], step: number, a: number, b: number, valueOf: (f: Frame) => number | null): number | null {
  const acc = new WeightedScalar();
  for (const f of frames) {
    const w = overlapWeight(f.t_s, step, a, b);
    if (w > 0) acc.add(valueOf(f), w);
  }
  return acc.meanOnly();
}

/** The record's audio (its frames in [a, b), functionals) and voiced ratio; null without audio frames in the segment. */
function audioPart(a: number, b: number, ctx: RecordContext, audioFrames: Frame[] | null, aIn: Frame[]): { audio: Record<string, unknown> | null; voicedRatio: number | null } {
  if (!(audioFrames && ctx.audioInfo && aIn.length > 0)) return { audio: null, voicedRatio: null };
  const step = ctx.audioInfo.step;
  const cols: Record<string, unknown[]> = {};
  for (const n of ctx.audioFields) cols[n] = aIn.map((f) => value(f, n));
  const audio = {
    rate_hz: round7(1 / step),
    t0_s: aIn[0].t_s,
    n: aIn.length,
    frames: cols,
    functionals: functionals(audioFrames, ctx.audioFields, AUDIO_FIELDS, step, a, b, always),
  };
  const voicedRatio = weightedMean(audioFrames, step, a, b, (f) => (typeof f.voiced === 'boolean' ? (f.voiced ? 1 : 0) : null));
  return { audio, voicedRatio };
}

/**
 * The share of the span's audio (overlap-weighted, as voiced_ratio) in a sync beep (audio.jsonl `sync_beep`, a 1 kHz
 * tone that is not speech: trial29 SILENT-3, a window over it trained on the tone with no mark); null when the frames
 * do not say (audio.jsonl of an older mmprep, no audio in the span).
 */
function syncBeepRatio(a: number, b: number, ctx: RecordContext, audioFrames: Frame[] | null): number | null {
  if (!(audioFrames && ctx.audioInfo)) return null;
  return weightedMean(audioFrames, ctx.audioInfo.step, a, b, (f) => (typeof f.sync_beep === 'boolean' ? (f.sync_beep ? 1 : 0) : null));
}

/**
 * The share of the span's face frames with a face (overlap-weighted, as face_detection_rate) whose yaw and pitch are
 * null for gimbal lock (face.jsonl `pose_gimbal_lock`: roll past 60 degrees, a camera rotated 90 degrees): the reason
 * for those nulls (trial29 SILENT-5); null without such frames or when face.jsonl does not say (an older mmprep).
 */
function gimbalLockRatio(a: number, b: number, ctx: RecordContext, faceFrames: Frame[] | null): number | null {
  if (!(faceFrames && ctx.faceInfo)) return null;
  return weightedMean(faceFrames, ctx.faceInfo.step, a, b, (f) => (faceOk(f) && typeof f.pose_gimbal_lock === 'boolean' ? (f.pose_gimbal_lock ? 1 : 0) : null));
}

/** The face at its own frame rate: the frames in the segment, fields null where no face was found. */
function nativeFace(fIn: Frame[], ctx: RecordContext, step: number, fun: ReturnType<typeof functionals>): Record<string, unknown> {
  const cols: Record<string, unknown[]> = { face_found: fIn.map((f) => f.face_found === true) };
  for (const n of ctx.faceFields) cols[n] = fIn.map((f) => (faceOk(f) ? value(f, n) : null));
  return { rate: 'native', rate_hz: round7(1 / step), n: fIn.length, t_s: fIn.map((f) => f.t_s), frames: cols, functionals: fun };
}

/** The face resampled onto the audio frames of the segment (or the audio grid when it has none); null on an empty grid. */
function faceOnAudioGrid(faceFrames: Frame[], aIn: Frame[], a: number, b: number, ctx: RecordContext, step: number, fun: ReturnType<typeof functionals>): Record<string, unknown> | null {
  const aStep = ctx.audioInfo?.step ?? 0.01;
  const grid = aIn.length > 0 ? aIn.map((f) => f.t_s) : gridTimes(a, b, aStep);
  if (grid.length === 0) return null;
  const r = resampleFace(faceFrames, grid, ctx.faceFields, step);
  return { rate: 'audio', rate_hz: round7(1 / aStep), t0_s: grid[0], n: grid.length, frames: { face_found: r.found, ...r.cols }, functionals: fun };
}

/** Frames further apart than this many frame intervals leave a gap between them (faceSource's interpolation limit). */
const FACE_JOIN_INTERVALS = 2.5;

/**
 * quality.face_detection_rate (schema 3, 2026-12-06): the share of the span's time covered by video frames with a
 * face (functionals.ts heldTimeShare); time without video frames (a camera's dropped-frame gap, before the video's
 * first or after its last frame) counts as no face, as the face grid's face_found says there. Null when no video frame
 * reaches into the span. Before, the denominator was the video frames that exist: a window with 0.5 s of a 15-frame
 * gap read 1 while a quarter of its face_found were false (ttrial50, K/w00002).
 */
function faceDetectionRate(faceFrames: Frame[], step: number, a: number, b: number): number | null {
  return heldTimeShare(faceFrames, faceOk, step, FACE_JOIN_INTERVALS * step, a, b);
}

/** The record's face (per --face-rate) and face detection rate; null without face frames. */
function facePart(a: number, b: number, ctx: RecordContext, faceFrames: Frame[] | null, aIn: Frame[]): { face: Record<string, unknown> | null; detRate: number | null } {
  if (!(faceFrames && ctx.faceInfo)) return { face: null, detRate: null };
  const step = ctx.faceInfo.step;
  const fIn = inside(faceFrames, a, b);
  const detRate = faceDetectionRate(faceFrames, step, a, b);
  const fun = functionals(faceFrames, ctx.faceFields, FACE_FIELDS, step, a, b, faceOk);
  if (ctx.faceRate === 'native' && fIn.length > 0) return { face: nativeFace(fIn, ctx, step, fun), detRate };
  if (ctx.faceRate === 'audio' && detRate !== null) return { face: faceOnAudioGrid(faceFrames, aIn, a, b, ctx, step, fun), detRate };
  return { face: null, detRate };
}

/**
 * A word's means (schema 3): a boolean field's mean is the share of the word's frames where it is true, named
 * `<field>_ratio` (`voiced_ratio` 0.74; schema 2 wrote it under the frame field's name, `voiced`).
 */
function wordMeans(means: Record<string, unknown>, shapes: Record<string, FieldShape>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(means).map(([k, v]) => [shapes[k] === 'bool' ? `${k}_ratio` : k, v]));
}

/** How many frames (of duration `step`) overlap [a, b], and how many of them `ok` rejects. */
function frameCounts(frames: Frame[], step: number, a: number, b: number, ok: (f: Frame) => boolean): { n: number; n_missing: number } {
  let n = 0;
  let missing = 0;
  for (const f of frames) {
    if (overlapWeight(f.t_s, step, a, b) <= 0) continue;
    if (ok(f)) n++;
    else missing++;
  }
  return { n, n_missing: missing };
}

/**
 * Each word with its times (rounded to the µs, as the record's: segments.ts r6; they were rounded to 7 significant
 * digits, so a word at 14.0007505 s read 14.00075 in a record starting 14.000751, ttrial50) and the means of the audio
 * and face fields over it, with the frame counts they come from: `n` audio frames overlapping the word; `n` video
 * frames with a face and `n_missing` without (schema 3).
 */
function wordsOf(seg: Segment, ctx: RecordContext, audioFrames: Frame[] | null, faceFrames: Frame[] | null): Array<Record<string, unknown>> {
  return seg.words.map((w) => {
    const o: Record<string, unknown> = { word: w.word, start_s: r6(w.start_s), end_s: r6(w.end_s) };
    if (audioFrames && ctx.audioInfo) {
      const means = functionals(audioFrames, ctx.audioFields, AUDIO_FIELDS, ctx.audioInfo.step, w.start_s, w.end_s, always, true);
      o.audio = { ...wordMeans(means, AUDIO_FIELDS), n: frameCounts(audioFrames, ctx.audioInfo.step, w.start_s, w.end_s, always).n };
    }
    if (faceFrames && ctx.faceInfo) {
      const means = functionals(faceFrames, ctx.faceFields, FACE_FIELDS, ctx.faceInfo.step, w.start_s, w.end_s, faceOk, true);
      o.face = { ...wordMeans(means, FACE_FIELDS), ...frameCounts(faceFrames, ctx.faceInfo.step, w.start_s, w.end_s, faceOk) };
    }
    return o;
  });
}

export function buildRecord(seg: Segment, ctx: RecordContext, audioFrames: Frame[] | null, faceFrames: Frame[] | null, labels: RecordLabels): Record<string, unknown> {
  const a = seg.start_s;
  const b = seg.end_s;
  const aIn = audioFrames && ctx.audioInfo ? inside(audioFrames, a, b) : [];
  const { audio, voicedRatio } = audioPart(a, b, ctx, audioFrames, aIn);
  const { face, detRate } = facePart(a, b, ctx, faceFrames, aIn);
  const words = wordsOf(seg, ctx, audioFrames, faceFrames);
  const beep = syncBeepRatio(a, b, ctx, audioFrames);
  const hasLabels = Object.keys(labels).length > 0;
  return {
    id: seg.id,
    session_id: ctx.session_id,
    speaker_id: ctx.speaker_id,
    split: ctx.split,
    start_s: seg.start_s,
    end_s: seg.end_s,
    text: seg.text,
    transcript_speakers: seg.speakers,
    words,
    audio,
    face,
    labels,
    quality: {
      face_detection_rate: detRate,
      voiced_ratio: voicedRatio,
      sync_confidence: ctx.syncConfidence,
      word_timing: seg.word_timing,
      sync_beep: beep === null ? null : beep > 0,
      sync_beep_ratio: beep,
      pose_gimbal_lock_ratio: gimbalLockRatio(a, b, ctx, faceFrames),
      present: {
        audio: audio !== null,
        face: holdsFace(face),
        text: seg.text !== null && seg.words.length > 0,
        labels: hasLabels,
      },
    },
  };
}

/**
 * A record's face is present when one of its face frames holds a face (face_found), as `dataset validate` checks it.
 * It was face_detection_rate > 0, which counts the video frames overlapping the span: a span between two frames
 * (--face-rate native, windows shorter than the frame interval) or on the audio grid beside the video's first frame
 * had present.face true with no face value in it.
 */
export function holdsFace(face: Record<string, unknown> | null): boolean {
  const found = (face?.frames as { face_found?: unknown[] } | undefined)?.face_found;
  return Array.isArray(found) && found.some((x) => x === true);
}

function gridTimes(a: number, b: number, step: number): number[] {
  const out: number[] = [];
  for (let k = Math.ceil(a / step - 1e-9); k * step < b; k++) out.push(round7(k * step));
  return out;
}
