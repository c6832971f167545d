/**
 * Fidelity of `mmprep face` on fixture video with a known transform (issue 3, item 4), plus options and records.
 * The reference is Human's result on the still portrait the fixtures were rendered from (fixtures/face/astronaut.png),
 * mapped through each frame's known zoom/translation/rotation (fixtures/face/transform.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFace, type FaceRecord, type FaceSummary } from '../src/face/index.js';
import { probe } from '../src/media/probe.js';
import { keptFaceWorkers } from '../src/face/pool.js';
import { FaceRun } from '../src/face/extract.js';
import { defaultModelDir } from '../src/face/models.js';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import { ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';
import { FIXTURES, ROOT, runCli, runFaceInProcess, tempDir } from './helpers/cli.js';

const DIR = join(FIXTURES, 'face');
const META = JSON.parse(readFileSync(join(DIR, 'transform.json'), 'utf8')) as {
  width: number;
  height: number;
  black_frames: number[];
  transforms: Array<{ frame: number; scale: number; rotation_deg: number; tx_px: number; ty_px: number }>;
};

function readJsonl(file: string): FaceRecord[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FaceRecord);
}

/** Source-image point -> video pixel for frame k (see scripts/make-face-fixtures.mjs). */
function forward(k: number, x: number, y: number): [number, number] {
  const t = META.transforms[k];
  const th = (t.rotation_deg * Math.PI) / 180;
  const dx = x - 256;
  const dy = y - 256;
  return [META.width / 2 + t.tx_px + t.scale * (Math.cos(th) * dx - Math.sin(th) * dy), META.height / 2 + t.ty_px + t.scale * (Math.sin(th) * dx + Math.cos(th) * dy)];
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

let tmp: { dir: string; cleanup: () => void };
let still: FaceRecord;
/** What extractFace's defaults give keptFaceWorkers (src/face/extract.ts): the key of the MP4 run's kept threads. */
const KEPT_SETUP = { backend: 'wasm', modelDir: defaultModelDir(), maxFaces: 1, detectorMinConfidence: 0.1, minConfidence: 0.5, stages: undefined } as const;
let kept: ReturnType<typeof keptFaceWorkers> | undefined;
const runs: Record<string, { recs: FaceRecord[]; summary: FaceSummary; file: string }> = {};

beforeAll(async () => {
  tmp = tempDir('mmprep-face-');
  await extractFace(join(DIR, 'astronaut.png'), { out: join(tmp.dir, 'still.jsonl'), workers: 0 });
  still = readJsonl(join(tmp.dir, 'still.jsonl'))[0];
  // The MP4 with two worker threads, kept after the run as extract keeps them from session to session (the test 'kept
  // workers' runs the WebM on the same threads next: one start-up of two threads for both claims), the WebM in this
  // process (its models are loaded already, for the still): the CLI, one worker and the kept threads must give the
  // same bytes as both (tests below).
  for (const [v, workers] of [['transform.mp4', 2], ['transform.webm', 0]] as const) {
    const out = join(tmp.dir, `${v}.jsonl`);
    const summary = (await extractFace(join(DIR, v), { out, summaryPath: join(tmp.dir, `${v}.summary.json`), workers, keepWorkers: workers > 0 }))!;
    runs[v] = { recs: readJsonl(out), summary, file: out };
  }
  kept = keptFaceWorkers(KEPT_SETUP, 2);
});
afterAll(async () => {
  await kept?.destroy();
  tmp?.cleanup();
});

describe.each(['transform.mp4', 'transform.webm'])('fidelity on %s', (video) => {
  it('finds the face on >= 98 % of face frames and on none of the black frames; one record per frame', () => {
    const { recs } = runs[video];
    expect(recs.map((r) => r.frame)).toEqual(META.transforms.map((t) => t.frame));
    const black = new Set(META.black_frames);
    const faceFrames = recs.filter((r) => !black.has(r.frame));
    const found = faceFrames.filter((r) => r.face_found).length;
    expect(found / faceFrames.length).toBeGreaterThanOrEqual(0.98);
    for (const r of recs.filter((x) => black.has(x.frame))) {
      expect(r.face_found).toBe(false);
      expect(r.n_faces).toBe(0);
      expect(r.landmarks).toBeNull();
      expect(r.roll_deg).toBeNull();
      expect(r.expr_happy).toBeNull();
      expect(r.faces).toEqual([]);
    }
  });

  it('landmarks follow the known transform within 3 % of the inter-ocular distance (median over frames)', () => {
    const ref = still.landmarks as Array<[number, number, number]>;
    expect(ref).toHaveLength(478);
    const errs: number[] = [];
    for (const r of runs[video].recs) {
      if (!r.face_found) continue;
      const lm = r.landmarks as Array<[number, number, number]>;
      expect(lm).toHaveLength(478);
      let s = 0;
      for (let i = 0; i < 478; i++) {
        const [px, py] = forward(r.frame, ref[i][0], ref[i][1]);
        s += Math.hypot(lm[i][0] - px, lm[i][1] - py);
      }
      errs.push(s / 478 / (r.iod_px as number));
    }
    expect(median(errs)).toBeLessThan(0.03);
    // The inter-ocular distance scales with the zoom.
    for (const r of runs[video].recs.filter((x) => x.face_found)) {
      const want = (still.iod_px as number) * META.transforms[r.frame].scale;
      expect(Math.abs((r.iod_px as number) - want) / want).toBeLessThan(0.1);
    }
  });

  it('roll follows the known in-plane rotation within 3 degrees', () => {
    const dev = runs[video].recs.filter((r) => r.face_found).map((r) => Math.abs((r.roll_deg as number) - (still.roll_deg as number) - META.transforms[r.frame].rotation_deg));
    expect(Math.max(...dev)).toBeLessThan(3);
    expect(median(dev)).toBeLessThan(1.5);
  });

  it('t_s equals ffprobe frame times', () => {
    const probe = ffprobeJson(['-select_streams', 'v:0', '-show_entries', 'frame=best_effort_timestamp_time,pkt_pts_time', '-show_frames', join(DIR, video)]) as {
      frames: Array<{ best_effort_timestamp_time?: string; pkt_pts_time?: string }>;
    };
    const times = probe.frames.map((f) => Number(f.best_effort_timestamp_time ?? f.pkt_pts_time));
    expect(runs[video].recs.map((r) => r.t_s)).toEqual(times);
  });
});

describe('records and summary', () => {
  it('VP9 fixture has irregular frame times and t_s keeps them', () => {
    const d = runs['transform.webm'].recs.slice(1).map((r, i) => Math.round((r.t_s - runs['transform.webm'].recs[i].t_s) * 1000));
    expect(new Set(d).size).toBeGreaterThan(1);
  });

  it('fields are pinned, in order; derived values are sane', () => {
    const r = runs['transform.mp4'].recs[5];
    expect(Object.keys(r)).toEqual([
      't_s', 'frame', 'face_found', 'n_faces', 'face_null_reason', 'face_id', 'det_score', 'mesh_score', 'bbox_px', 'yaw_deg', 'pitch_deg', 'roll_deg', 'ear_left', 'ear_right', 'mar', 'iod_px', 'blink',
      'expr_angry', 'expr_disgust', 'expr_fear', 'expr_happy', 'expr_sad', 'expr_surprise', 'expr_neutral', 'motion_brow', 'motion_eye', 'motion_mouth', 'landmarks',
      'det_bbox_px', 'visibility_eye_right', 'visibility_eye_left', 'visibility_brow_right', 'visibility_brow_left', 'visibility_mouth', 'blink_null_reason',
      'ear_left_null_reason', 'ear_right_null_reason', 'mar_null_reason', 'pose_gimbal_lock',
      'gaze_right', 'gaze_left', 'gaze_angle_x_rad', 'gaze_angle_y_rad', 'gaze_null_reason', 'mesh_outside_ratio', 'pose_null_reason', 'faces',
    ]);
    expect(r.face_id).toBe(0);
    expect(r.ear_left).toBeGreaterThan(0.2);
    expect(r.ear_right).toBeGreaterThan(0.2);
    expect(r.blink).toBe(false);
    expect(r.mar).toBeGreaterThan(0.05); // the astronaut smiles with parted lips
    expect(r.expr_happy).toBeGreaterThan(0.5);
    expect(Math.abs(r.yaw_deg as number)).toBeLessThan(15);
    // Moving picture: regional speed is positive; right after black frames (no previous face) it is null.
    expect(r.motion_eye).toBeGreaterThan(0);
    expect(runs['transform.mp4'].recs[35].motion_eye).toBeNull();
  });

  it("README's example line (frame 5 of `mmprep face fixtures/face/transform.mp4`, landmarks elided) is what the run writes", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('{"t_s":0.2,"frame":5,'));
    expect(line, 'the example line in README.md').toBeDefined();
    const example = JSON.parse((line as string).replace('[[…478 x [x,y,z]…]]', 'null')) as Record<string, unknown>;
    const written = JSON.parse(readFileSync(runs['transform.mp4'].file, 'utf8').split('\n')[5]) as Record<string, unknown>;
    expect((written.landmarks as unknown[]).length).toBe(478);
    expect({ ...written, landmarks: null }).toEqual(example);
  });

  it('summary counts frames, detection rate, fps and expressions', () => {
    const s = runs['transform.mp4'].summary;
    expect(s.frames_analysed).toBe(75);
    expect(s.frames_with_face).toBe(runs['transform.mp4'].recs.filter((r) => r.face_found).length);
    expect(s.detection_rate).toBeCloseTo(s.frames_with_face / 75, 6);
    expect(s.effective_fps).toBeCloseTo(25, 6);
    expect(s.share_abs_yaw_over_30).toBe(0);
    expect(s.blinks).toBe(0);
    expect(s.mean_expr.happy).toBeGreaterThan(0.5);
    expect(JSON.parse(readFileSync(join(tmp.dir, 'transform.mp4.summary.json'), 'utf8'))).toEqual(s);
  });

  // One CLI run for both claims: with --sync, and the same bytes once t_s is put back to t_src_s and t_src_s left out.
  // main() in this process (runFaceInProcess; a child with one worker thread before 2026-12-05: 4.4 CPU s, 3.7 so):
  // --sync and the bytes are the subject, not the process (the exit code and stderr are main's). Every block in one
  // engine here, as with one worker; one worker thread against two: '--workers 2 on a clip under 30 frames'.
  it('is deterministic: the CLI (in this thread) gives the same bytes as the library with two workers; --sync puts t_s on the reference clock and keeps t_src_s', async () => {
    const sync = join(tmp.dir, 'sync.json');
    writeFileSync(sync, JSON.stringify({ version: 1, reference: { file: 'x.wav', kind: 'audio', stream: 0 }, streams: [{ file: join(DIR, 'transform.mp4'), kind: 'video', stream: 0, offset_s: 1.5, drift_ppm: 0, method: 'test', confidence: 1 }] }));
    const out = join(tmp.dir, 'synced.jsonl');
    // The first 1.4 s (35 frames, through the black frames) keeps the test short.
    const r = await runFaceInProcess(['face', join(DIR, 'transform.mp4'), '-o', out, '--end', '1.4', '--sync', sync]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const recs = readJsonl(out);
    expect(recs.slice(0, 5).map((x) => [x.t_s, x.t_src_s])).toEqual([[1.5, 0], [1.54, 0.04], [1.58, 0.08], [1.62, 0.12], [1.66, 0.16]]);
    expect(Object.keys(recs[0]).slice(0, 3)).toEqual(['t_s', 't_src_s', 'frame']);
    const unsynced = recs.map((x) => {
      const { t_src_s, ...rest } = x as FaceRecord & { t_src_s: number };
      return JSON.stringify({ ...rest, t_s: t_src_s }) + '\n';
    });
    const lines = readFileSync(runs['transform.mp4'].file, 'utf8').split('\n').slice(0, 35).join('\n') + '\n';
    expect(unsynced.join('')).toBe(lines);
  });

  it('the cpu backend gives a face on a frame (pure JS), close to the wasm one', async () => {
    const out = join(tmp.dir, 'cpu.jsonl');
    const r = await runCli(['face', join(DIR, 'transform.mp4'), '--backend', 'cpu', '--end', '0.01', '--workers', '0', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rec = JSON.parse(readFileSync(out, 'utf8').trim());
    expect(rec.frame).toBe(0);
    expect(rec.face_found).toBe(true);
    expect(rec.landmarks).toHaveLength(478);
    // Same models, same arithmetic up to float rounding: the wasm result for the same frame (the first: detected, as in
    // a one-frame run; the test above shows a run's first frames do not depend on where it ends) is close.
    const w = runs['transform.mp4'].recs[0];
    expect(w.frame).toBe(0);
    expect(Math.abs(rec.landmarks[1][0] - (w.landmarks as number[][])[1][0])).toBeLessThanOrEqual(1);
    expect(Math.abs(rec.roll_deg - (w.roll_deg as number))).toBeLessThan(1);
  });

  it('kept workers (extract reuses them from session to session) give the same bytes, file after file', async () => {
    // The two threads the MP4's run kept (beforeAll) analysed its 75 frames, each a share (blocks of 8 go to the less
    // busy one); the WebM's first 1.4 s (35 frames, through the black frames) goes to the same two threads now.
    expect(kept).toBeDefined();
    const threads = kept!;
    expect(threads.pools).toHaveLength(2);
    const done = () => threads.pools.map((p) => p.completed);
    const before = done();
    expect(before.every((n) => n > 8)).toBe(true);
    expect(before[0] + before[1]).toBeGreaterThanOrEqual(75);
    const file = join(tmp.dir, 'kept-webm.jsonl');
    await extractFace(join(DIR, 'transform.webm'), { out: file, workers: 2, keepWorkers: true, end: 1.4 });
    // The kept threads analysed the WebM too and are still there for the next file.
    expect(keptFaceWorkers(KEPT_SETUP, 2)).toBe(threads);
    expect(threads.pools).toHaveLength(2);
    expect(done()[0] + done()[1] - before[0] - before[1]).toBeGreaterThanOrEqual(35);
    const text = readFileSync(file, 'utf8');
    const n = text.split('\n').length - 1;
    expect(n).toBe(35);
    expect(text).toBe(readFileSync(runs['transform.webm'].file, 'utf8').split('\n').slice(0, n).join('\n') + '\n');
  });

  it('--workers 2 on a clip under 30 frames keeps one worker (a second one cost ~1.2 CPU s for 1 frame), same records', async () => {
    const run = await FaceRun.open(join(DIR, 'transform.mp4'), { workers: 2, end: 0.3 });
    const recs: unknown[] = [];
    try {
      expect(run.workers).toBe(1);
      for await (const rec of run.records()) recs.push(JSON.parse(JSON.stringify(rec)));
    } finally {
      await run.close();
    }
    expect(recs.length).toBe(8);
    expect(recs).toEqual(readFileSync(runs['transform.mp4'].file, 'utf8').split('\n').slice(0, 8).map((l) => JSON.parse(l)));
  });

  it('--normalized, --fps, --start/--end and CSV', async () => {
    const out = join(tmp.dir, 'sub.jsonl');
    await extractFace(join(DIR, 'transform.mp4'), { out, fps: 5, start: 0.5, end: 2.5, normalized: true, workers: 0 });
    const recs = readJsonl(out);
    expect(recs.map((r) => r.t_s)).toEqual([0.52, 0.72, 0.92, 1.12, 1.32, 1.52, 1.72, 1.92, 2.12, 2.32]);
    // The same frames without --normalized, as CSV (--fps frames are each analysed with the detector; in the full run
    // most frames are tracked from the previous one, so the full run's landmarks on these frames differ by a pixel or two).
    const csv = join(tmp.dir, 'sub.csv');
    await extractFace(join(DIR, 'transform.mp4'), { out: csv, format: 'csv', fps: 5, start: 0.5, end: 2.5, workers: 0 });
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(11);
    const head = lines[0].split(',');
    expect(head.slice(0, 6)).toEqual(['t_s', 'frame', 'face_found', 'n_faces', 'face_null_reason', 'face_id']);
    expect(head).toContain('landmarks_477_2');
    expect(head).not.toContain('faces');
    const cell = (row: string[], k: string) => Number(row[head.indexOf(k)]);
    const same = lines.slice(1).map((l) => l.split(','));
    expect(same.map((row) => cell(row, 't_s'))).toEqual(recs.map((r) => r.t_s));
    const full = runs['transform.mp4'].recs;
    for (const r of recs.filter((x) => x.face_found)) {
      const f = same.find((row) => Math.abs(cell(row, 't_s') - r.t_s) < 1e-9)!;
      const a = (r.landmarks as number[][])[1];
      const b = [cell(f, 'landmarks_1_0'), cell(f, 'landmarks_1_1')];
      expect(Math.abs(a[0] * META.width - b[0])).toBeLessThan(0.01);
      expect(Math.abs(a[1] * META.height - b[1])).toBeLessThan(0.01);
      const c = (full.find((x) => Math.abs(x.t_s - r.t_s) < 1e-9)!.landmarks as number[][])[1];
      expect(Math.hypot(b[0] - c[0], b[1] - c[1])).toBeLessThan(0.05 * cell(f, 'iod_px'));
    }
    // A CSV that starts on a frame without a face still has every column; that row's face cells are empty.
    const csv2 = join(tmp.dir, 'black-first.csv');
    await extractFace(join(DIR, 'transform.mp4'), { out: csv2, format: 'csv', start: 1.2, end: 1.5, workers: 0 });
    const rows = readFileSync(csv2, 'utf8').trim().split('\n').map((l) => l.split(','));
    expect(rows[0]).toEqual(head);
    expect(rows.slice(1).every((r) => r.length === head.length)).toBe(true);
    expect(rows[1][head.indexOf('face_found')]).toBe('false');
    expect(rows[1][head.indexOf('landmarks_0_0')]).toBe('');
    expect(rows[rows.length - 1][head.indexOf('face_found')]).toBe('true');
    expect(Number(rows[rows.length - 1][head.indexOf('landmarks_0_0')])).toBeGreaterThan(0);
  });

  it('--min-confidence decides face_found: a face leaving the picture gives nulls, not edge artefacts', async () => {
    const clip = join(tmp.dir, 'partial.mp4');
    // The portrait slides in from the left and out on the right, 5 fps, 4 s.
    ffmpegSync([
      '-loop', '1', '-i', join(DIR, 'astronaut.png'),
      '-filter_complex', "color=c=gray:s=640x480:r=5:d=4[bg];[0]scale=400:400[f];[bg][f]overlay=x='-300+220*t':y=-60:shortest=1",
      '-t', '4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip,
    ]);
    const a = join(tmp.dir, 'partial.jsonl');
    const b = join(tmp.dir, 'partial0.jsonl');
    await extractFace(clip, { out: a, workers: 0 });
    // (The plausibility check off as well: it rejects most of these edge artefacts on its own.)
    await extractFace(clip, { out: b, workers: 0, minConfidence: 0, plausibility: false });
    const def = readJsonl(a);
    const all = readJsonl(b);
    // Face fully inside (1 s to 3 s): found. Face centre beyond the right edge (from 3.7 s): not found by default.
    for (const r of def.filter((x) => x.t_s >= 1 && x.t_s <= 3)) expect(r.face_found).toBe(true);
    for (const r of def.filter((x) => x.t_s >= 3.7)) {
      expect(r.face_found).toBe(false);
      expect(r.landmarks).toBeNull();
    }
    // Below the threshold Human still reports something there; with --min-confidence 0 it would be emitted.
    const low = all.filter((x) => x.face_found && Math.min(x.det_score as number, x.mesh_score as number) < 0.5);
    expect(low.length).toBeGreaterThan(0);
    expect(def.filter((x) => x.face_found).length).toBeLessThan(all.filter((x) => x.face_found).length);
  });

  it('phone rotation metadata is applied: landmarks in the upright picture', async () => {
    const rot = join(tmp.dir, 'rot90.mp4');
    ffmpegSync(['-i', join(DIR, 'transform.mp4'), '-t', '0.2', '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rot]);
    const out = join(tmp.dir, 'rot90.jsonl');
    // The display matrix decides the upright picture: ffprobe's rotation 90 (counterclockwise, what the bundled 2018
    // ffmpeg writes for `rotate=90`; it reads the tag back as rotate=270) means the stored picture turned 90 degrees
    // counterclockwise, (x, y) -> (y, W - x); 270 (what newer ffmpeg writes, and an iPhone portrait clip has) clockwise.
    const rotation = (await probe(rot)).streams.find((x) => x.type === 'video')!.rotation_deg;
    expect([90, 270]).toContain(rotation);
    const ccw = (p: number[]) => [p[1], 640 - p[0]];
    const cw = (p: number[]) => [480 - p[1], p[0]];
    const [upright, opposite] = rotation === 90 ? [ccw, cw] : [cw, ccw];
    const s = (await extractFace(rot, { out, workers: 0 }))!;
    expect([s.width, s.height]).toEqual([480, 640]);
    const recs = readJsonl(out);
    expect(recs.length).toBeGreaterThanOrEqual(5);
    for (const r of recs) {
      expect(r.face_found).toBe(true);
      const a = (runs['transform.mp4'].recs[r.frame].landmarks as number[][]).slice(0, 468);
      const b = (r.landmarks as number[][]).slice(0, 468);
      const err = (f: (p: number[]) => number[]) => a.reduce((acc, p, i) => acc + Math.hypot(f(p)[0] - b[i][0], f(p)[1] - b[i][1]), 0) / a.length;
      expect(err(upright)).toBeLessThan(0.05 * (r.iod_px as number));
      expect(err(opposite)).toBeGreaterThan(r.iod_px as number);
    }
  });

  it('8K video: downscaled for inference, landmarks back in source pixels', async () => {
    const big = join(tmp.dir, '8k.mp4');
    // The portrait at 2400x2400 placed at (2600, 900) in a 7680x4320 frame.
    ffmpegSync(['-i', join(DIR, 'astronaut.png'), '-vf', 'scale=2400:2400,pad=7680:4320:2600:900:gray', '-frames:v', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', big]);
    const out = join(tmp.dir, '8k.jsonl');
    const s = (await extractFace(big, { out, workers: 0 }))!;
    expect([s.width, s.height, s.inference_width, s.inference_height]).toEqual([7680, 4320, 640, 360]);
    const r = readJsonl(out)[0];
    expect(r.face_found).toBe(true);
    const k = 2400 / 512;
    const ref = still.landmarks as number[][];
    const lm = r.landmarks as number[][];
    let e = 0;
    for (let i = 0; i < 478; i++) e += Math.hypot(lm[i][0] - (2600 + k * ref[i][0]), lm[i][1] - (900 + k * ref[i][1]));
    // The face is 56 px wide at inference size and mesh points are whole inference pixels (12 source pixels).
    expect(e / 478 / ((still.iod_px as number) * k)).toBeLessThan(0.1);
  });

  it('--max-faces 2 tracks two faces with stable ids', async () => {
    const two = join(tmp.dir, 'two.mp4');
    // Two copies of the portrait's head (a 220 px crop around the face, scaled to 240 px: faces about 100 px wide, 80 at
    // inference size) moving towards each other, 12 frames. The faces are large enough that both detections stay well
    // above --min-confidence with any H.264 encoder (asserted below with a stated margin): with the whole portrait at
    // 256 px (36 px faces at inference size) Debian's ffmpeg 5.1 put one face below the threshold on some frames.
    ffmpegSync([
      '-loop', '1', '-i', join(DIR, 'astronaut.png'),
      '-filter_complex', "[0]crop=220:220:110:11,scale=240:240,split[a][b];color=c=gray:s=800x360:d=1.2:r=10[bg];[bg][a]overlay=x='40+60*t':y=60:shortest=1[c];[c][b]overlay=x='500-60*t':y=60:shortest=1",
      '-frames:v', '12', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', two,
    ]);
    const out = join(tmp.dir, 'two.jsonl');
    await extractFace(two, { out, maxFaces: 2, workers: 0 });
    const recs = readJsonl(out);
    expect(recs).toHaveLength(12);
    const leftId = new Set<number>();
    const rightId = new Set<number>();
    for (const r of recs) {
      expect(r.n_faces).toBe(2);
      const all = [r as unknown as { face_id: number; bbox_px: number[]; det_score: number; mesh_score: number }, ...(r.faces as unknown as Array<{ face_id: number; bbox_px: number[]; det_score: number; mesh_score: number }>)];
      expect(all).toHaveLength(2);
      // Margin over the 0.5 threshold that the material is made to keep, whichever encoder made it.
      for (const f of all) expect(Math.min(f.det_score, f.mesh_score)).toBeGreaterThanOrEqual(0.6);
      all.sort((a, b) => a.bbox_px[0] - b.bbox_px[0]);
      leftId.add(all[0].face_id);
      rightId.add(all[1].face_id);
    }
    expect(leftId.size).toBe(1);
    expect(rightId.size).toBe(1);
    expect([...leftId][0]).not.toBe([...rightId][0]);
  });

  it('wide and tall frames: two cameras side by side at 3:1 and one in a 1:3 portrait keep their faces', async () => {
    // BlazeFace's square input squashed the faces of a wide frame: the demo camera twice side by side, padded to
    // 720x240, gave no face on any frame (exit 0), the camera in a 320x960 portrait none either (detector-aspect.ts).
    const cam = join(FIXTURES, 'demo', 's01_camera.mp4');
    const wide = join(tmp.dir, 'wide.mp4');
    const tall = join(tmp.dir, 'tall.mp4');
    ffmpegSync(['-i', cam, '-filter_complex', '[0:v]trim=0:0.4,split[a][b];[a][b]hstack,pad=720:240:40:0', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', wide]);
    ffmpegSync(['-i', cam, '-vf', 'trim=0:0.2,pad=320:960:0:360', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', tall]);
    const wideSummary = await extractFace(wide, { out: join(tmp.dir, 'wide.jsonl'), maxFaces: 2, workers: 0 });
    await extractFace(tall, { out: join(tmp.dir, 'tall.jsonl'), workers: 0 });
    expect(wideSummary?.frames_fewer_faces).toBe(0);
    expect(faceSummaryWarnings(wideSummary as FaceSummary)).toEqual([]);
    // A wide or tall picture with faces missing on some frames is said (the 1:3 two-camera trial clip: 14 of 38 frames
    // with one face of two), a 16:9 one is not.
    const summary = { frames_analysed: 38, frames_with_face: 38, frames_fewer_faces: 14, backend: 'wasm' as const };
    expect(faceSummaryWarnings({ ...summary, inference_width: 213, inference_height: 640 })).toEqual([expect.stringMatching(/^the frames are 3\.00:1 \(taller than 16:9\) and 14 of 38 frames have fewer faces than the most found on one frame \(frames_fewer_faces\), 0 of them none: .*crop=iw:ih\/2:0:0/)]);
    expect(faceSummaryWarnings({ ...summary, inference_width: 640, inference_height: 360 })).toEqual([]);
    const wideRecs = readJsonl(join(tmp.dir, 'wide.jsonl'));
    expect(wideRecs).toHaveLength(10);
    for (const r of wideRecs) {
      expect(r.n_faces).toBe(2);
      const centres = [r, ...(r.faces as unknown as FaceRecord[])].map((f) => (f.bbox_px as number[])[0] + (f.bbox_px as number[])[2] / 2).sort((a, b) => a - b);
      // One face on each camera (cameras at x 40-360 and 360-680).
      expect(centres[0]).toBeGreaterThan(40);
      expect(centres[0]).toBeLessThan(360);
      expect(centres[1]).toBeGreaterThan(360);
      expect(centres[1]).toBeLessThan(680);
    }
    const tallRecs = readJsonl(join(tmp.dir, 'tall.jsonl'));
    expect(tallRecs).toHaveLength(5);
    for (const r of tallRecs) {
      expect(r.face_found).toBe(true);
      const [, y, , h] = r.bbox_px as number[];
      expect(y + h / 2).toBeGreaterThan(360);
      expect(y + h / 2).toBeLessThan(600);
    }
  });
});
