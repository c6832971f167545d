/**
 * Landmark-guided optical flow (issue 13, item 6): mmprep's Farnebäck flow (opencv.js, on a crop around the face) against
 * OpenCV's own output (Debian's python3-opencv on the whole frame; fixtures/face/flow-reference.json, made by
 * scripts/make-face-flow-reference.mjs) on the same frames and region boxes, and the --flow fields in records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractFace, type FaceRecord } from '../src/face/index.js';
import { VideoDecoder } from '../src/media/decode-video.js';
import { FLOW_FIELD_NAMES, FLOW_REGION_NAMES, flowCrop, flowFields, greyFromRgb, loadOpenCV, regionBoxes, regionMotion, type FlowRegion, type PixelBox } from '../src/face/flow.js';
import { interOcular } from '../src/face/features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const DIR = join(FIXTURES, 'face');
interface RefPair {
  prev: number;
  next: number;
  boxes: Record<FlowRegion, PixelBox | null>;
  regions: Record<FlowRegion, { dx: number; dy: number; mag: number } | null>;
}
const REF = JSON.parse(readFileSync(join(DIR, 'flow-reference.json'), 'utf8')) as { width: number; height: number; pairs: RefPair[] };

/** Grey pictures of the frames the reference uses, decoded here by whichever ffmpeg the tests run with. */
const grey = new Map<number, Uint8Array>();
const rgb = new Map<number, Uint8Array>();
let tmp: { dir: string; cleanup: () => void };

beforeAll(async () => {
  tmp = tempDir('mmprep-flow-');
  const want = new Set(REF.pairs.flatMap((p) => [p.prev, p.next]));
  const dec = await VideoDecoder.open(join(DIR, 'transform.mp4'), { maxSide: 640, pixelFormat: 'rgb24', end: (Math.max(...want) + 1) / 25 });
  for await (const f of dec) {
    if (want.has(f.index)) {
      rgb.set(f.index, f.data.slice(0, f.width * f.height * 3));
      grey.set(f.index, greyFromRgb(f.data, f.width, f.height));
    }
    dec.release(f.data);
  }
});
afterAll(() => tmp?.cleanup());

describe('optical flow against OpenCV (python3-opencv)', () => {
  it('grey pictures equal OpenCV cvtColor(RGB2GRAY) byte for byte', async () => {
    const { cv } = await loadOpenCV();
    const k = REF.pairs[0].next;
    const m = cv.matFromArray(REF.height, REF.width, cv.CV_8UC3, Array.from(rgb.get(k)!));
    const g = new cv.Mat();
    cv.cvtColor(m, g, cv.COLOR_RGB2GRAY);
    expect(Buffer.from(g.data).equals(Buffer.from(grey.get(k)!))).toBe(true);
    m.delete();
    g.delete();
  });

  // Tolerance: the reference runs OpenCV 4.6 natively on the whole frame, mmprep opencv.js 4.12 (WASM) on a crop, and
  // the frames may come from another ffmpeg build. Per region: mean vector within 0.1 px + 2 % of the motion, mean
  // magnitude within 0.1 px + 2 % (the fixture moves the face by 5-15 px per frame). Measured with Debian ffmpeg 5.1: 0.000 px apart (identical to 3 decimals).
  it('per-region mean flow matches OpenCV on 4 frame pairs within 0.1 px + 2 %', async () => {
    const { cv } = await loadOpenCV();
    let worst = 0;
    for (const p of REF.pairs) {
      const crop = flowCrop(Object.values(p.boxes), REF.width, REF.height)!;
      const got = regionMotion(cv, grey.get(p.prev)!, grey.get(p.next)!, REF.width, p.boxes, crop);
      for (const name of FLOW_REGION_NAMES) {
        const want = p.regions[name];
        expect(want).not.toBeNull();
        const g = got[name]!;
        const tol = 0.1 + 0.02 * want!.mag;
        expect(Math.hypot(g.dx - want!.dx, g.dy - want!.dy)).toBeLessThan(tol);
        expect(Math.abs(g.mag - want!.mag)).toBeLessThan(tol);
        worst = Math.max(worst, Math.hypot(g.dx - want!.dx, g.dy - want!.dy));
      }
    }
    console.log(`flow vs OpenCV: largest mean-vector difference ${worst.toFixed(4)} px`);
  });

  it('the reference is real motion: every region moves, and the boxes differ between pairs', () => {
    for (const p of REF.pairs) for (const name of FLOW_REGION_NAMES) expect(p.regions[name]!.mag).toBeGreaterThan(1);
    expect(new Set(REF.pairs.map((p) => JSON.stringify(p.boxes.mouth))).size).toBe(REF.pairs.length);
  });
});

describe('--flow in records', () => {
  it('adds the flow fields before landmarks; null with a reason on the first frame; the kernel on the record\'s own mesh', async () => {
    const out = join(tmp.dir, 'flow.jsonl');
    // File frames 7 and 8 (t 0.28, 0.32; records count frames from --start): the reference's first pair.
    await extractFace(join(DIR, 'transform.mp4'), { out, flow: true, workers: 0, start: 0.26, end: 0.34 });
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceRecord & Record<string, unknown>);
    expect(recs.map((r) => r.t_s)).toEqual([0.28, 0.32]);
    const keys = Object.keys(recs[0]);
    expect(keys.slice(keys.indexOf('motion_mouth') + 1, keys.indexOf('landmarks'))).toEqual(FLOW_FIELD_NAMES);
    expect(recs[0].flow_null_reason).toBe('no previous frame');
    expect(recs[0].flow_mouth_px).toBeNull();
    const r = recs[1];
    expect(r.flow_null_reason).toBeNull();
    // The same numbers from the kernel on this record's mesh (640x480: source pixels are inference pixels).
    const mesh = new Float64Array((r.landmarks as number[][]).flat());
    const boxes = regionBoxes(mesh, interOcular(mesh), REF.width, REF.height);
    const { cv } = await loadOpenCV();
    const want = flowFields(regionMotion(cv, grey.get(7)!, grey.get(8)!, REF.width, boxes, flowCrop(Object.values(boxes), REF.width, REF.height)!), 1, r.iod_px as number, null);
    for (const k of FLOW_FIELD_NAMES) expect(r[k]).toEqual(want[k]);
    for (const n of FLOW_REGION_NAMES) {
      expect(r[`flow_${n}_px`]).toBeGreaterThan(1);
      expect(r[`flow_${n}_iod`]).toBeCloseTo((r[`flow_${n}_px`] as number) / (r.iod_px as number), 4);
    }
    // The face moves right and up on these frames (transform.json: tx grows, ty falls): direction between -90 and 0.
    expect(r.flow_mouth_dir_deg).toBeGreaterThan(-90);
    expect(r.flow_mouth_dir_deg).toBeLessThan(0);
  });

  it('a frame after a gap in the stream (variable frame rate) gets null flow with the gap as reason, not a step several frames long', async () => {
    // transform.mp4's frames 6-13 with 9-11 dropped, times kept (-vsync passthrough): 0.24 ... 0.32, then 0.48 ...
    // Before 2026-12-06 the frame after the gap read a flow over 0.16 s as "per frame" (a trial: 8.5 px for 20).
    const vfr = join(tmp.dir, 'gap.mkv');
    ffmpegSync(['-i', join(DIR, 'transform.mp4'), '-vf', "select='between(n,6,13)*not(between(n,9,11))'", '-vsync', 'passthrough', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', vfr]);
    const out = join(tmp.dir, 'gap.jsonl');
    await extractFace(vfr, { out, flow: true, workers: 0 });
    const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as FaceRecord & Record<string, unknown>);
    expect(recs.map((r) => r.t_s)).toEqual([0.24, 0.28, 0.32, 0.48, 0.52]);
    expect(recs.map((r) => r.flow_null_reason === null)).toEqual([false, true, true, false, true]);
    expect(recs[3].flow_null_reason).toMatch(/^a gap of 0\.160 s before this frame \(the stream's frames are 0\.\d{3} s apart on average\)/);
    expect(recs[3].flow_mouth_px).toBeNull();
    expect(recs[4].flow_mouth_px).toBeGreaterThan(1);
  });

  it('a run without --flow has no flow fields', async () => {
    const out = join(tmp.dir, 'plain.jsonl');
    await extractFace(join(DIR, 'transform.mp4'), { out, workers: 0, end: 0.05 });
    const r = JSON.parse(readFileSync(out, 'utf8').trim().split('\n')[0]) as Record<string, unknown>;
    expect(Object.keys(r).some((k) => k.startsWith('flow_'))).toBe(false);
  });
});
