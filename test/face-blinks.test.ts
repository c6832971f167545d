/**
 * Blinks below the frame rate at which they are seen (trial item 5): a blink lasts ~100-400 ms, so at --fps 2 a count
 * of 0 is not a measurement. Below MIN_BLINK_FPS (10) the summary's blinks and blinks_per_minute are null with
 * blinks_reason; above it they are numbers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MIN_BLINK_FPS } from '../src/face/extract.js';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-face-blinks-');
afterAll(() => tmp.cleanup());
const VIDEO = join(FIXTURES, 'face', 'transform.mp4'); // 25 fps, a face on most frames

async function summaryAt(fps: number, end: number): Promise<Record<string, unknown>> {
  const summary = join(tmp.dir, `s${fps}.json`);
  const r = await runFaceInProcess(['face', VIDEO, '--fps', String(fps), '--end', String(end), '-o', join(tmp.dir, `f${fps}.jsonl`), '--summary', summary]);
  expect(r.code).toBe(0);
  return JSON.parse(readFileSync(summary, 'utf8'));
}

describe('blinks need a frame rate that sees them', () => {
  it(`--fps 2: blinks and blinks_per_minute null with a reason (below ${MIN_BLINK_FPS} fps), never 0`, async () => {
    const s = await summaryAt(2, 3);
    expect(s.effective_fps as number).toBeLessThan(MIN_BLINK_FPS);
    expect(s.frames_with_face as number).toBeGreaterThan(0);
    expect(s.blinks).toBeNull();
    expect(s.blinks_per_minute).toBeNull();
    expect(s.blinks_reason).toMatch(/^analysed at 1\.\d+ frames\/s, below 10: a blink \(100-400 ms\) can fall between frames$/);
  });
  it('--fps 12.5 (every other frame): counted, reason null', async () => {
    const s = await summaryAt(12.5, 1.2);
    expect(s.effective_fps as number).toBeGreaterThanOrEqual(MIN_BLINK_FPS);
    expect(s.blinks).toBe(0); // the astronaut does not blink
    expect(s.blinks_per_minute).toBe(0);
    expect(s.blinks_reason).toBeNull();
  });
});
