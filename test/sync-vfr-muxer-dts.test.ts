/**
 * A variable-rate camera is not "damaged" for the raw muxer's timestamp complaints (ttrial46 row 10: a phone's 29 fps
 * VFR MP4, `sync --ends both`, was placed right but warned `decode_errors: 14` on an undamaged file). ffmpeg writes the
 * decoded frames through the rawvideo muxer in a time base of the file's average rate; two frames closer than one tick
 * of it make the muxer say, at error level, "Application provided invalid, non monotonically increasing dts to muxer".
 * That is no damage of the data decoded (the frame is written, its time is showinfo's): only decoder damage counts.
 * The clip is made here: 90 frames of a 300 fps source at 33.3, 33.3 and 38.3 ms steps (1/19200 time base, so ffprobe's
 * r_frame_rate is 300 and ffmpeg's output rate the 28.9 fps average): two such complaints after a 1 s seek with
 * ffmpeg 5.1 and with the npm 2018 build.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VideoDecoder } from '../src/media/decode-video.js';
import { tempDir } from './helpers/cli.js';
import { ffmpegSync, ffprobeJson } from './helpers/ffmpeg.js';

let tmp: { dir: string; cleanup: () => void };
let clip: string;

beforeAll(() => {
  tmp = tempDir('mmprep-vfr-dts-');
  clip = join(tmp.dir, 'vfr.mp4');
  ffmpegSync(['-f', 'lavfi', '-i', 'testsrc=s=160x120:r=300:d=3', '-vf', "select='not(mod(n,10))',setpts='(floor(N/3)*2016+mod(N,3)*640)/19200/TB'", '-vsync', '0', '-video_track_timescale', '19200', '-c:v', 'libx264', '-g', '30', clip]);
}, 60_000);
afterAll(() => tmp?.cleanup());

describe('decode errors of a VFR clip decoded after a seek', () => {
  it('counts none: the muxer lines are not decoder damage, and every frame is read', async () => {
    const { streams } = ffprobeJson(['-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets,r_frame_rate', clip]) as { streams: Array<{ nb_read_packets: string; r_frame_rate: string }> };
    expect(streams[0].r_frame_rate).toBe('300/1'); // the output rate is then the average one (av_guess_frame_rate)
    const dec = await VideoDecoder.open(clip, { start: 1, maxSide: 160, pixelFormat: 'gray', countDamage: true });
    const times: number[] = [];
    for await (const f of dec) {
      times.push(f.t_s);
      dec.release(f.data);
    }
    expect(dec.decodeErrors).toEqual({ errors: 0, concealed_frames: 0 });
    expect(times.length).toBeGreaterThan(50);
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
  });
});
