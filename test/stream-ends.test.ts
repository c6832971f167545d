/**
 * One stream of a file ending far before the others (src/media/stream-ends.ts): a faststart MP4 whose picture stopped
 * after 2 s while its sound went on passed `mmprep extract`'s input check, which read the last 3 s of packets of all
 * streams together (the sound's reached the end), and the session ran: a picture cut at 5 s gave face.jsonl of 5 s
 * for a 10 s session, exit 0. Now each stream is checked on its own, and the session fails in `inputs` naming the
 * file, the stream, both ends and the ffmpeg command that keeps the part where all streams run. The reverse (sound
 * shorter than picture) and Matroska likewise; every fixture file is whole (no false alarm).
 */
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../src/media/probe.js';
import { probeWithPacketTimes } from '../src/media/probe-packets.js';
import { streamEnds } from '../src/media/stream-ends.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-stream-ends-');
afterAll(() => tmp.cleanup());
const p = (n: string) => join(tmp.dir, n);
const camera = join(FIXTURES, 'demo', 's01_camera.mp4');

/** The demo camera (10 s) with its picture (`short` 'v') or its sound ('a') taken from its first 2 s only; stream copy. */
function shortStream(name: string, short: 'v' | 'a', mux: string[] = []): string {
  const [v, a] = short === 'v' ? [['-t', '2'], []] : [[], ['-t', '2']];
  ffmpegSync([...v, '-i', camera, ...a, '-i', camera, '-map', '0:v', '-map', '1:a', '-c', 'copy', ...mux, p(name)]);
  return p(name);
}

beforeAll(() => {
  shortStream('picture2.mp4', 'v', ['-movflags', '+faststart']);
  shortStream('sound2.mp4', 'a', ['-movflags', '+faststart']);
  shortStream('picture2.mkv', 'v');
  shortStream('sound2.mkv', 'a');
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), p('lav.flac'));
});

describe('streamEnds: each stream on its own', () => {
  it('a picture of 2 s in a 10 s file is short by 8 s, its sound complete (faststart MP4 and Matroska)', async () => {
    for (const f of ['picture2.mp4', 'picture2.mkv']) {
      const ends = await streamEnds(await probe(p(f)));
      const video = ends.find((e) => e.kind === 'video')!;
      const audio = ends.find((e) => e.kind === 'audio')!;
      expect(video.verdict, f).toMatchObject({ kind: 'short', longer: audio.index });
      expect((video.verdict as { short_s: number }).short_s, f).toBeCloseTo(8, 1);
      expect(video.end_s! - video.first_s!, f).toBeCloseTo(2, 1);
      expect(audio.verdict, f).toEqual({ kind: 'complete' });
    }
  });

  it('a file cut short is truncated per stream (its packets stop before the end its header declares)', async () => {
    writeFileSync(p('cut.mp4'), readFileSync(camera).subarray(0, 60_000));
    const ends = await streamEnds(await probe(p('cut.mp4')));
    for (const e of ends) expect(e.verdict.kind, `${e.kind}`).toBe('truncated');
  });

  it('no false alarm: every audio and video stream of the fixture files is complete', async () => {
    const media: string[] = [];
    const walk = (d: string): void => {
      // fixtures/audio/wav: 15 mono FLACs made alike by one script (scripts/): the first three stand for them.
      const names = readdirSync(d).sort();
      for (const n of d.endsWith(join('audio', 'wav')) ? names.slice(0, 3) : names) {
        const f = join(d, n);
        if (statSync(f).isDirectory()) walk(f);
        else if (/\.(mp4|webm|mkv|mov|flac|wav|m4a|mp3|ogg)$/i.test(n)) media.push(f);
      }
    };
    walk(FIXTURES);
    expect(media.length).toBeGreaterThan(15);
    // Each file read as extract's input check and mmprep sync read it (probeWithPacketTimes: the probe and the packet
    // times from one ffprobe run, the same results as two: media-probe-starts.test.ts): one ffprobe start per file
    // instead of two (Debian's build: 19 files, 38 starts and 2.8 CPU s before, 19 and 1.6 CPU s so; 2026-12-06, two rounds).
    const flagged: string[] = [];
    for (const f of media) {
      for (const e of await streamEnds(await probeWithPacketTimes(f))) if (e.verdict.kind !== 'complete') flagged.push(`${f} ${e.kind} ${JSON.stringify(e.verdict)}`);
    }
    expect(flagged).toEqual([]);
  });
});

describe('mmprep audio: a sound shorter than its file\'s picture', () => {
  it('is whole by its own declared end (Matroska DURATION tag), not truncated against the file\'s length (was exit 2, "truncated")', async () => {
    const r = await runCli(['audio', 'sound2.mkv', '-o', 'sound2.jsonl', '--format', 'jsonl'], { cwd: tmp.dir });
    expect(r.stderr).not.toMatch(/truncated/);
    expect(r.code, r.stderr).toBe(0);
    const frames = readFileSync(p('sound2.jsonl'), 'utf8').trim().split('\n').length;
    expect(frames).toBeGreaterThan(190);
    expect(frames).toBeLessThan(210);
  });
});

describe('extract: a stream that ends far before the others', () => {
  it('fails the session in inputs, naming the file, the stream, both ends and what to do (picture short, sound short)', async () => {
    writeFileSync(p('m.csv'), 'session_id,speaker_id,video,lav_audio\npic,p1,picture2.mp4,lav.flac\nsnd,p2,sound2.mp4,lav.flac\n');
    const r = await runCli(['extract', 'm.csv', '-o', 'out', '--only', 'sync', '--jobs', '1', '--progress', 'none'], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 0, failed: 2 });
    const errors = readFileSync(p('out/_errors.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(errors.map((e) => [e.session_id, e.stage])).toEqual([
      ['pic', 'inputs'],
      ['snd', 'inputs'],
    ]);
    expect(errors[0].reason).toMatch(
      /^video: .*picture2\.mp4: its video stream 0 ends at 2\.0\d\d s but its audio stream 0 goes on to 10\.0\d\d s: the picture stopped before the sound .*; replace it with the full recording, or keep the part where all its streams run and use that file: ffmpeg -i picture2\.mp4 -c copy -t 2\.0\d\d picture2-cut\.mp4$/,
    );
    expect(errors[1].reason).toMatch(/^video: .*sound2\.mp4: its audio stream 0 ends at 2\.0\d\d s but its video stream 0 goes on to 10\.0\d\d s: the sound stopped before the picture /);
  });
});
