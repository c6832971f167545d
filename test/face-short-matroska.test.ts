/**
 * A Matroska video of one frame at 1 fps (its muxer's DURATION tag: 1 s) is a whole file: its frame lasts until 1 s.
 * The face decoder's truncation check took the last frame's length from the interval before it, 0 s for a single frame,
 * and refused the file as truncated ("its frames end at 0.000 s but its container records the stream's end at
 * 1.000 s"). A 10-frame file cut to its first frames must still be refused. Small frames, one worker.
 * Also: a Matroska video whose frames come in pairs at one presentation time (a muxer bug, a bad VFR remux; session
 * 57's trial) gave pairs of records at one t_s with nothing said; now counted (frames_repeated_time) and warned, with
 * how to re-time it (~1 CPU s).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { extractFace } from '../src/face/extract.js';
import { faceSummaryWarnings } from '../src/face/summary-warnings.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-short-mkv-');
afterAll(() => tmp.cleanup());
const file = (name: string) => join(tmp.dir, name);

beforeAll(() => {
  for (const n of [1, 2]) ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=1', '-frames:v', String(n), '-c:v', 'ffv1', file(`frames-${n}.mkv`)]);
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=1', '-frames:v', '10', '-c:v', 'ffv1', file('whole-10.mkv')]);
  // Frames 0-1, 2-3, 4-5, 6-7 each at one time (-vsync 0: both ffmpeg builds keep the timestamps as given).
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc2=s=128x96:r=10', '-frames:v', '8', '-vf', 'setpts=floor(N/2)*2/(10*TB)', '-vsync', '0', '-c:v', 'ffv1', file('repeated.mkv')]);
  const whole = readFileSync(file('whole-10.mkv'));
  writeFileSync(file('cut.mkv'), whole.subarray(0, whole.length >> 2));
});

describe('a short Matroska video', () => {
  it('of one or two frames at 1 fps is analysed, every frame', async () => {
    for (const n of [1, 2]) {
      const s = (await extractFace(file(`frames-${n}.mkv`), { out: file(`frames-${n}.jsonl`), workers: 0 }))!;
      expect(s.frames_analysed, `${n} frames`).toBe(n);
    }
  });

  it('cut to its first frames is still refused as truncated, naming where its frames end', async () => {
    const err = await extractFace(file('cut.mkv'), { out: file('cut.jsonl'), workers: 0 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/video is truncated or corrupt: its frames end at [1-3]\.000 s but its container records the stream's end at 10\.000 s/);
  });
});

describe('a video whose frames repeat their presentation time', () => {
  it('counts them with the first time, and a warning says the records share t_s and how to re-time the video', async () => {
    const s = (await extractFace(file('repeated.mkv'), { out: file('repeated.jsonl'), workers: 0 }))!;
    const t = readFileSync(file('repeated.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { t_s: number }).t_s);
    expect(t.length).toBe(8);
    expect(new Set(t).size).toBe(4);
    expect([s.frames_repeated_time, s.frames_repeated_time_first_t_s]).toEqual([4, t[1]]);
    const w = faceSummaryWarnings(s).filter((x) => /frames_repeated_time/.test(x));
    // The stream's own rate (10 fps), carried into the summary (stream_fps): the command said 25 whatever the rate.
    expect(s.stream_fps).toBe(10);
    expect(w).toEqual([expect.stringMatching(/^4 of 8 frames analysed have a presentation time not later than the frame before \(first at 0\.00 s\) \(frames_repeated_time\): .* re-time it at the camera's constant frame rate \(ffmpeg -i .*repeated\.mkv -vf setpts=N\/10\/TB -r 10 .*repeated-cfr\.mp4: 10 fps, the stream's declared rate \(stream_fps\)\) and run again$/)]);
  });

  it('the re-timing command names an NTSC rate as its fraction, a whole rate as it is, and 25 only where the stream declares none', () => {
    const line = (stream_fps: number | null) => faceSummaryWarnings({ frames_analysed: 8, frames_with_face: 8, frames_repeated_time: 4, file: 'rep.mkv', stream_fps }).join('\n');
    expect(line(30000 / 1001)).toMatch(/\(ffmpeg -i rep\.mkv -vf setpts=N\*1001\/30000\/TB -r 30000\/1001 rep-cfr\.mp4: 29\.970 fps, the stream's declared rate \(stream_fps\)\)/);
    expect(line(30)).toMatch(/-vf setpts=N\/30\/TB -r 30 rep-cfr\.mp4: 30 fps,/);
    expect(line(null)).toMatch(/-vf setpts=N\/25\/TB -r 25 rep-cfr\.mp4, 25 being that rate: the stream declares none\)/);
  });

  it('a video with rising times has none', async () => {
    const s = (await extractFace(file('whole-10.mkv'), { out: file('whole-10.jsonl'), workers: 0 }))!;
    expect([s.frames_repeated_time, s.frames_repeated_time_first_t_s]).toEqual([0, null]);
    expect(faceSummaryWarnings(s).join('\n')).not.toMatch(/frames_repeated_time/);
  });
});
