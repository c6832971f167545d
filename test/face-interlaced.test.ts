/**
 * An interlaced video (ffprobe's field_order tt/bb/tb/bt) is analysed as stored: where the face moves, each frame
 * weaves two instants and eye and mouth ratios read low (a new user's trial, 2026-12-06, W3: a face moving 400 px/s at
 * 25i, mean ear_left 0.305 and mar 0.195 against 0.366 and 0.244 progressive, exit 0 without a word). The summary
 * names the field order and stderr says it, with the yadif command. 5 frames of the portrait at 240 px, MPEG-2 coded
 * interlaced top field first (both ffmpeg builds' ffprobe read field_order tt).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runFaceInProcess, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-face-interlaced-');
afterAll(() => tmp.cleanup());

describe('interlaced video', () => {
  it('the summary gives field_order and stderr warns with the deinterlacing command', async () => {
    const clip = join(tmp.dir, 'il.mp4');
    ffmpegSync(['-loop', '1', '-i', join(FIXTURES, 'face', 'astronaut.png'), '-vf', 'scale=240:240', '-t', '0.2', '-r', '25', '-c:v', 'mpeg2video', '-q:v', '3', '-flags', '+ilme+ildct', '-top', '1', clip]);
    const summary = join(tmp.dir, 'il.json');
    const r = await runFaceInProcess(['face', clip, '-o', join(tmp.dir, 'il.jsonl'), '--summary', summary]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(summary, 'utf8')).field_order).toBe('tt');
    expect(r.stderr).toMatch(/il\.mp4: warning: the video is interlaced \(field order tt\): .* ffmpeg -i il\.mp4 -vf yadif -c:v ffv1 -c:a copy il-deinterlaced\.mkv/);
  });
});
