/**
 * Audio on the sync clock when the stream does not start at 0 (MPEG-TS, Matroska or MP4 files cut from a longer
 * recording, or written with an offset): here a Matroska copy whose audio starts at about 1.4 s. The sync scan measures pulses in presentation time (start_time + sample time), so the audio features must
 * feed the clock presentation times too, or every frame lands start_time seconds off on the reference clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractAudio } from '../src/audio/extract.js';
import { probe } from '../src/media/probe.js';
import { syncSession, writeSyncMap } from '../src/sync/session.js';
import { tempDir } from './helpers/cli.js';
import { beepInSpeech, ffmpeg, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-audio-start-');
const D = tmp.dir;
afterAll(() => tmp.cleanup());

const lav = join(D, 'lav.wav');
const ts = join(D, 'lav.mkv');

beforeAll(async () => {
  const sr = 16000;
  writeWavF32(lav, await beepInSpeech(sr, 12, 21, [{ t_s: 3, dur_s: 0.2 }], 10), sr);
  // The same sound as AAC in Matroska, 1.5 s later on the file's timeline (start_time about 1.44 s: the encoder's
  // priming comes first).
  ffmpeg(['-i', lav, '-c:a', 'aac', '-b:a', '96k', '-output_ts_offset', '1.5', '-f', 'matroska', ts]);
});

interface Rec {
  t_s: number;
  t_src_s?: number;
  rms: number;
}
const read = (p: string): Rec[] =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Rec);

describe('audio frames on the sync clock for a stream with a non-zero start time', () => {
  it('maps presentation times (start_time + frame time), so the copy lines up with the original', async () => {
    const start = (await probe(ts)).streams.find((s) => s.type === 'audio')!.start_time_s!;
    expect(start).toBeGreaterThan(1); // the premise: the stream starts late

    const map = await syncSession([{ file: lav }, { file: ts }], { ref: lav, searchS: 6 });
    const syncPath = join(D, 'sync.json');
    await writeSyncMap(syncPath, map);
    await extractAudio(lav, { out: join(D, 'lav.jsonl') });
    const summary = await extractAudio(ts, { out: join(D, 'ts.jsonl'), syncPath });

    const a = read(join(D, 'lav.jsonl'));
    const b = read(join(D, 'ts.jsonl'));
    expect(b[0].t_src_s).toBeCloseTo(start, 6);
    // The copy's timeline is the original's plus 1.5 s; its first decoded sample is the encoder priming before it.
    expect(Math.abs(b[0].t_s - (start - 1.5))).toBeLessThan(0.002);
    expect(summary.t_start_s).toBeCloseTo(b[0].t_s, 6);

    // Frame by frame, the two loudness curves agree when matched by reference time.
    const hop = a[1].t_s - a[0].t_s;
    const byFrame = new Map(a.map((r) => [Math.round(r.t_s / hop), r.rms]));
    const x: number[] = [];
    const y: number[] = [];
    for (const r of b) {
      const v = byFrame.get(Math.round(r.t_s / hop));
      if (v !== undefined) {
        x.push(v);
        y.push(r.rms);
      }
    }
    expect(x.length).toBeGreaterThan(0.9 * a.length);
    const mean = (v: number[]) => v.reduce((s, q) => s + q, 0) / v.length;
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
      syy += (y[i] - my) ** 2;
    }
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.95);
  });
});
