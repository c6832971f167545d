import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncSession } from '../src/sync/session.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

// One flash that lights several separate parts of the picture (two LEDs, or reflections) is one pulse in time: it
// must not be reported as ambiguous (it was, before candidates within 0.1 s were merged). 8 s long: the start window is
// half the file (issue 11 item 3), and both flashes (2 s, 3 s) must be in it.
const t = tempDir('mmprep-sync-same-');
const flashes = (file: string, at: number, boxes: Array<[number, number]>) => {
  const draw = boxes.map(([x, y]) => `drawbox=x=${x}:y=${y}:w=30:h=30:color=white:t=fill:enable='between(t,${at},${at + 0.2})'`).join(',');
  ffmpegSync(['-f', 'lavfi', '-i', 'color=c=0x404040:size=320x240:rate=25', '-t', '8', '-vf', `format=gray,${draw}`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
};
beforeAll(() => {
  flashes(join(t.dir, 'two_leds.mp4'), 2, [[0, 0], [290, 210]]);
  flashes(join(t.dir, 'one_led.mp4'), 3, [[0, 0]]);
});
afterAll(() => t.cleanup());

describe('sync: one pulse seen in several regions', () => {
  it('is one candidate, and places the other stream by it', async () => {
    const map = await syncSession([{ file: join(t.dir, 'two_leds.mp4') }, { file: join(t.dir, 'one_led.mp4') }], { searchS: 60 });
    const other = map.streams.find((s) => s.file.endsWith('one_led.mp4') && s.kind === 'video')!;
    expect(other.offset_s).not.toBeNull();
    expect(Math.abs((other.offset_s as number) - -1)).toBeLessThan(0.02);
  });
});
