/**
 * Synthetic but well-formed feature folders in the pinned extract layout (OUT/<session_id>/sync.json, audio.jsonl,
 * audio.summary.json, face.jsonl, face.summary.json, meta.json), for the dataset tests and `npm run bench:dataset`.
 * Values come from a seeded generator (deterministic); they are shaped like real output (unvoiced frames with null F0,
 * stretches without a face) but mean nothing. Not used by `mmprep demo`, which runs the real pipeline.
 */
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { clockId } from '../batch/extract-session.js';
import { once } from 'node:events';
import { join, relative } from 'node:path';
import { makeFolder } from '../common/make-folder.js';

export interface SyntheticSession {
  session_id: string;
  duration_s: number;
  /** Reference-clock offset of the camera (t_ref = t_src + offset). */
  video_offset_s?: number;
  fps?: number;
  /** Write 478x3 landmarks per face frame (large). */
  landmarks?: boolean;
  /** Leave out face.jsonl (an audio-only session). */
  noFace?: boolean;
  /** Time ranges (reference clock) with no face found. */
  faceGaps?: Array<[number, number]>;
  seed?: number;
  /** Folder of the session's media (<id>_lav.flac, <id>_camera.mp4): sync.json records them relative to the session folder, as extract does (default: bare names). */
  mediaDir?: string;
  /** Time ranges (reference clock) that are voiced, every other frame unvoiced (words at known times); default: voiced stretches toggling at random. */
  voiced?: Array<[number, number]>;
  /** Time ranges (reference clock) whose audio frames are all unvoiced (null F0). */
  unvoiced?: Array<[number, number]>;
  /** Time ranges of a sync beep: every audio frame gets `sync_beep` (true inside, with a pitch_reason), as extract writes it; without it, no such field (an older audio.jsonl). */
  syncBeep?: Array<[number, number]>;
  /** Time ranges (reference clock) whose face frames are gimbal-locked (yaw, pitch null; pose_gimbal_lock true): every face frame gets `pose_gimbal_lock`; without it, no such field. */
  gimbalLock?: Array<[number, number]>;
  /** The camera picture's sync warnings in sync.json (streams[].warnings, as mmprep sync writes them). */
  videoSyncWarnings?: Array<{ code: string; message: string }>;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const r = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

class LineWriter {
  private buf: string[] = [];
  private len = 0;
  private s;
  constructor(path: string) {
    this.s = createWriteStream(path);
  }
  async line(o: unknown): Promise<void> {
    const t = JSON.stringify(o) + '\n';
    this.buf.push(t);
    this.len += t.length;
    if (this.len > 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (!this.s.write(this.buf.join(''))) await once(this.s, 'drain');
    this.buf = [];
    this.len = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    this.s.end();
    await once(this.s, 'finish');
  }
}

/** sync.json: the lav file is the reference; the camera's sound and picture are `off` seconds off it. */
function syncJsonText(s: SyntheticSession, dir: string, off: number): string {
  const media = (name: string) => (s.mediaDir ? relative(dir, join(s.mediaDir, name)).split('\\').join('/') : name);
  return (
    JSON.stringify(
      {
        version: 1,
        reference: { file: media(`${s.session_id}_lav.flac`), kind: 'audio', stream: 0 },
        streams: [
          { file: media(`${s.session_id}_lav.flac`), kind: 'audio', stream: 0, offset_s: 0, drift_ppm: null, method: 'reference', confidence: 1 },
          { file: media(`${s.session_id}_camera.mp4`), kind: 'audio', stream: 0, offset_s: off, drift_ppm: null, method: 'tone', confidence: 0.97 },
          { file: media(`${s.session_id}_camera.mp4`), kind: 'video', stream: 0, offset_s: off, drift_ppm: null, method: 'flash', confidence: 0.95, ...(s.videoSyncWarnings ? { warnings: s.videoSyncWarnings } : {}) },
        ],
      },
      null,
      2,
    ) + '\n'
  );
}

/** One audio frame (the generator's calls in a fixed order: the values depend on it). */
function audioFrame(k: number, voiced: boolean, mf: number[], rms: number, rnd: () => number): Record<string, unknown> {
  return {
    t_s: r(k * 0.01, 6),
    t_src_s: r(k * 0.01, 6),
    mfcc: mf.map((v, i) => r(v + (i === 0 ? -300 : 0))),
    delta: mf.map(() => r((rnd() - 0.5) * 4)),
    delta2: mf.map(() => r((rnd() - 0.5) * 2)),
    f0_hz: voiced ? r(120 + 40 * rnd(), 3) : null,
    voiced,
    voiced_prob: r(voiced ? 0.7 + 0.3 * rnd() : 0.3 * rnd()),
    rms: r(rms, 6),
    rms_db: r(20 * Math.log10(rms), 3),
    zcr: r(voiced ? 0.05 * rnd() : 0.2 + 0.2 * rnd()),
  };
}

const inRanges = (t: number, ranges: Array<[number, number]>) => ranges.some(([a, b]) => t >= a - 1e-9 && t < b - 1e-9);

/** An audio frame with extract's sync-beep mask when the session has one (the beep's frames: pitch and voicing null). */
function withBeep(f: Record<string, unknown>, beeps: Array<[number, number]> | undefined): Record<string, unknown> {
  if (!beeps) return f;
  if (!inRanges(f.t_s as number, beeps)) return { ...f, sync_beep: false, pitch_reason: null };
  return { ...f, f0_hz: null, voiced: null, voiced_prob: null, sync_beep: true, pitch_reason: 'sync beep (1000 Hz tone): not speech, pitch and voicing not analysed' };
}

/** A face frame with the gimbal guard's flag when the session has one (locked: yaw and pitch null). */
function withGimbal(f: Record<string, unknown>, locks: Array<[number, number]> | undefined): Record<string, unknown> {
  if (!locks) return f;
  const lock = f.face_found === true ? inRanges(f.t_s as number, locks) : null;
  return lock ? { ...f, yaw_deg: null, pitch_deg: null, pose_gimbal_lock: true } : { ...f, pose_gimbal_lock: lock };
}

/** audio.jsonl on a 10 ms grid (frame centres at k * 0.01), voiced stretches toggling at random; and audio.summary.json. */
async function writeSyntheticAudio(dir: string, s: SyntheticSession, rnd: () => number): Promise<void> {
  const aw = new LineWriter(join(dir, 'audio.jsonl'));
  const nA = Math.floor(s.duration_s * 100);
  let voiced = false;
  const mf = Array.from({ length: 13 }, () => 0);
  for (let k = 0; k < nA; k++) {
    if (rnd() < 0.03) voiced = !voiced;
    for (let i = 0; i < 13; i++) mf[i] = 0.9 * mf[i] + (rnd() - 0.5) * (i === 0 ? 40 : 8);
    const v = (s.voiced ? inRanges(k * 0.01, s.voiced) : voiced) && !(s.unvoiced ?? []).some(([a, b]) => k * 0.01 >= a && k * 0.01 < b);
    const rms = v ? 0.05 + 0.05 * rnd() : 0.002 + 0.002 * rnd();
    await aw.line(withBeep(audioFrame(k, v, mf, rms, rnd), s.syncBeep));
  }
  await aw.close();
  await writeFile(join(dir, 'audio.summary.json'), JSON.stringify({ frames: nA, hop_s: 0.01, duration_s: s.duration_s, synthetic: true }, null, 2) + '\n');
}

function noFaceFrame(t: number, tsrc: number, k: number): Record<string, unknown> {
  return { t_s: t, t_src_s: r(tsrc, 6), frame: k, face_found: false, n_faces: 0, face_id: null, det_score: null, mesh_score: null, bbox_px: null, yaw_deg: null, pitch_deg: null, roll_deg: null, ear_left: null, ear_right: null, mar: null, iod_px: null, blink: null, expr_angry: null, expr_disgust: null, expr_fear: null, expr_happy: null, expr_sad: null, expr_surprise: null, expr_neutral: null, motion_brow: null, motion_eye: null, motion_mouth: null, landmarks: null, faces: [] };
}

/** One frame with a face (the generator's calls in a fixed order: the values depend on it). */
function faceFrame(t: number, tsrc: number, k: number, landmarks: boolean, rnd: () => number): Record<string, unknown> {
  const e = Array.from({ length: 7 }, () => rnd());
  const es = e.reduce((a, b) => a + b, 0);
  return {
    t_s: t,
    t_src_s: r(tsrc, 6),
    frame: k,
    face_found: true,
    n_faces: 1,
    face_id: 0,
    det_score: r(0.9 + 0.1 * rnd()),
    mesh_score: r(0.9 + 0.1 * rnd()),
    bbox_px: [r(100 + 5 * rnd(), 1), r(40 + 5 * rnd(), 1), 120, 140],
    yaw_deg: r((rnd() - 0.5) * 20, 2),
    pitch_deg: r((rnd() - 0.5) * 10, 2),
    roll_deg: r((rnd() - 0.5) * 6, 2),
    ear_left: r(0.25 + 0.05 * rnd()),
    ear_right: r(0.25 + 0.05 * rnd()),
    mar: r(0.3 * rnd()),
    iod_px: r(60 + rnd(), 2),
    blink: rnd() < 0.02,
    expr_angry: r(e[0] / es),
    expr_disgust: r(e[1] / es),
    expr_fear: r(e[2] / es),
    expr_happy: r(e[3] / es),
    expr_sad: r(e[4] / es),
    expr_surprise: r(e[5] / es),
    expr_neutral: r(e[6] / es),
    motion_brow: r(0.01 * rnd()),
    motion_eye: r(0.01 * rnd()),
    motion_mouth: r(0.02 * rnd()),
    landmarks: landmarks ? Array.from({ length: 478 }, () => [r(100 + 120 * rnd(), 2), r(40 + 140 * rnd(), 2), r(-10 + 20 * rnd(), 2)]) : null,
    faces: [],
  };
}

/** face.jsonl at `fps` on the camera clock (no face before the reference starts or inside faceGaps); and face.summary.json. */
async function writeSyntheticFace(dir: string, s: SyntheticSession, rnd: () => number, off: number, fps: number): Promise<void> {
  const fw = new LineWriter(join(dir, 'face.jsonl'));
  const nF = Math.floor(s.duration_s * fps);
  let found = 0;
  for (let k = 0; k < nF; k++) {
    const tsrc = k / fps;
    const t = r(tsrc + off, 6);
    const gap = (s.faceGaps ?? []).some(([a, b]) => t >= a && t < b);
    const ok = !gap && t >= 0;
    if (!ok) {
      await fw.line(withGimbal(noFaceFrame(t, tsrc, k), s.gimbalLock));
      continue;
    }
    found++;
    await fw.line(withGimbal(faceFrame(t, tsrc, k, Boolean(s.landmarks), rnd), s.gimbalLock));
  }
  await fw.close();
  await writeFile(join(dir, 'face.summary.json'), JSON.stringify({ frames: nF, detection_rate: nF ? found / nF : 0, synthetic: true }, null, 2) + '\n');
}

export async function writeSyntheticSession(root: string, s: SyntheticSession): Promise<void> {
  const dir = join(root, s.session_id);
  await makeFolder(dir);
  const rnd = prng(s.seed ?? 1);
  const off = s.video_offset_s ?? -0.5;
  const fps = s.fps ?? 25;
  await writeFile(join(dir, 'sync.json'), syncJsonText(s, dir, off));
  await writeSyntheticAudio(dir, s, rnd);
  if (!s.noFace) await writeSyntheticFace(dir, s, rnd, off, fps);
  await writeSyntheticMeta(root, s.session_id);
}

/** (Re)writes a synthetic session's meta.json from its files as they are now (after a test rewrote one on purpose). */
export async function writeSyntheticMeta(root: string, sessionId: string): Promise<void> {
  const dir = join(root, sessionId);
  const outputs = await outputsOf(dir);
  await writeFile(join(dir, 'meta.json'), JSON.stringify({ session_id: sessionId, synthetic: true, outputs, made_by: madeByOf(outputs) }, null, 2) + '\n');
}

/** meta.json's made_by as extract writes it, per stage with files (version 'synthetic': no mmprep stage made them). */
function madeByOf(outputs: Array<{ file: string; clock: string | null }>): Record<string, { options: Record<string, never>; clock: string | null; version: string }> {
  const out: Record<string, { options: Record<string, never>; clock: string | null; version: string }> = {};
  for (const stage of ['sync', 'audio', 'face']) {
    const f = outputs.find((o) => o.file === (stage === 'sync' ? 'sync.json' : `${stage}.jsonl`));
    if (f) out[stage] = { options: {}, clock: f.clock, version: 'synthetic' };
  }
  return out;
}

/** meta.json's outputs as extract writes them: every file with its size, hash and the clock it is on (sync.json's hash). */
async function outputsOf(dir: string): Promise<Array<{ file: string; size_bytes: number; sha256: string; clock: string | null }>> {
  const hash = async (f: string) => createHash('sha256').update(await readFile(join(dir, f))).digest('hex');
  const names = (await readdir(dir)).filter((f) => f !== 'meta.json').sort();
  const syncSha = names.includes('sync.json') ? await hash('sync.json') : null;
  const out = [];
  for (const f of names)
    out.push({ file: f, size_bytes: (await stat(join(dir, f))).size, sha256: await hash(f), clock: f === 'sync.json' ? null : clockId(syncSha) });
  return out;
}
