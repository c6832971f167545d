import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findToneBursts } from '../src/sync/tone.js';
import { scanAudioTone } from '../src/sync/scan-audio.js';
import { probe } from '../src/media/probe.js';
import { tempDir } from './helpers/cli.js';
import { addBeeps, beepInSpeech, ffmpeg, REVERB, speechTrack, writeWavF32 } from './sync-media.js';

const tmp = tempDir('mmprep-sync-tone-');
afterAll(() => tmp.cleanup());

describe('tone-burst onsets in memory', () => {
  it('finds a clean burst with sub-sample onset and its duration and frequency', () => {
    const sr = 16000;
    const x = new Float32Array(sr * 3);
    addBeeps(x, sr, [{ t_s: 1.23456789, dur_s: 0.2, amp: 0.5 }]);
    const d = findToneBursts(x, sr);
    expect(d).toHaveLength(1);
    expect(Math.abs(d[0].t_s - 1.23456789)).toBeLessThan(1 / sr);
    expect(d[0].duration_s).toBeCloseTo(0.2, 3);
    expect(d[0].freq_hz).toBeCloseTo(1000, 1);
    expect(d[0].level_dbfs).toBeCloseTo(-6.02, 1);
  });

  it('ignores bursts at another frequency and notes near the tone (987.8 Hz)', async () => {
    const sr = 16000;
    const x = await speechTrack(sr, 6, 3);
    addBeeps(x, sr, [{ t_s: 1, dur_s: 0.3, hz: 2000, amp: 0.3 }, { t_s: 3, dur_s: 0.5, hz: 987.77, amp: 0.3 }]);
    expect(findToneBursts(x, sr)).toEqual([]);
    addBeeps(x, sr, [{ t_s: 4.5, dur_s: 0.3, amp: 0.3 }]);
    const d = findToneBursts(x, sr);
    expect(d.map((e) => Math.round(e.t_s * 1000))).toEqual([4500]);
  });

  it('finds bursts across analysis chunk boundaries exactly once', () => {
    const sr = 16000;
    const x = new Float32Array(sr * 20);
    const r = [0.7, 3.95, 7.1, 11.02, 15.5];
    addBeeps(x, sr, r.map((t) => ({ t_s: t, dur_s: 0.25, amp: 0.2 })));
    for (let i = 0; i < x.length; i++) x[i] += 0.01 * Math.sin(i * 0.05) * Math.sin(i * 0.0011);
    const d = findToneBursts(x, sr, 0, { chunkS: 3, maxDurationS: 1 });
    expect(d.map((e) => e.t_s)).toHaveLength(5);
    d.forEach((e, i) => expect(Math.abs(e.t_s - r[i])).toBeLessThan(1 / sr));
  });
});

describe('beep confidence against the recording own null (tone-null.ts, issue 11 item 2)', () => {
  // White noise, a 250 ms beep at 2 s; in the second recording also 1 kHz warbles as strong as the beep (a tone whose
  // phase jumps every 30 ms: not a beep for the detector, but tone-band events of the beep's strength without one).
  const make = (warbles: boolean): Float32Array => {
    const sr = 16000;
    const x = new Float32Array(sr * 12);
    let a = 12345;
    const u = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < x.length; i++) x[i] = 0.05 * (u() + u() + u() - 1.5);
    addBeeps(x, sr, [{ t_s: 2, dur_s: 0.25, amp: 0.05 }]);
    if (warbles) {
      for (const t of [4, 5.5, 7, 8.5, 10]) {
        for (let k = 0; k < 8; k++) addBeeps(x, sr, [{ t_s: t + k * 0.03, dur_s: 0.03, amp: 0.05 * (k % 2 ? -1 : 1) }]);
      }
    }
    return x;
  };
  it('the same beep is worth less in a recording that makes such tone-band events without a beep', () => {
    const clean = findToneBursts(make(false), 16000);
    const busy = findToneBursts(make(true), 16000);
    expect(clean).toHaveLength(1);
    expect(busy.map((d) => Math.round(d.t_s))).toEqual([2]);
    expect(Math.abs(clean[0].band_snr_db - busy[0].band_snr_db)).toBeLessThan(1);
    expect(clean[0].confidence).toBeGreaterThan(0.95);
    expect(clean[0].expected_false).toBeLessThan(0.05);
    expect(busy[0].expected_false).toBeGreaterThan(10 * (clean[0].expected_false as number));
    expect(busy[0].confidence).toBeLessThan(clean[0].confidence);
  });
});

describe('onset error over many mixtures at 0 dB SNR (issue 4 item 4: < 1 ms at SNR >= 0 dB)', () => {
  it('16 speech+noise mixtures, each beep found once, placeable ones within 1 ms (at most two marked not placeable, each with its reason); RMS error reported', async () => {
    const sr = 16000;
    const errs: number[] = [];
    let unsure = 0;
    for (let seed = 0; seed < 16; seed++) {
      const truth = 1.5 + seed * 0.1234;
      const x = await beepInSpeech(sr, 5, 1000 + seed, [{ t_s: truth, dur_s: 0.25 }], 0);
      const d = findToneBursts(x, sr);
      expect(d).toHaveLength(1);
      // Issue 11 item 4: an onset the detector is unsure of (speech at the tone frequency right before the beep makes
      // the direct-arrival search and the edge disagree) is marked not placeable instead of used.
      // Also refused: tone in the onset's phase just before it, stronger than the noise there makes (the check that an
      // onset is not late after an echo dip, tone-onset.ts): at 0 dB speech sometimes does that (1 of 16 here).
      if (d[0].placeable === false) {
        if (!/before the onset/.test(String(d[0].unplaceable_reason))) expect(d[0].onset_sd_s).toBeGreaterThan(0.002);
        unsure++;
        continue;
      }
      errs.push((d[0].t_s - truth) * 1000);
    }
    expect(unsure).toBeLessThanOrEqual(2);
    const rms = Math.sqrt(errs.reduce((a, e) => a + e * e, 0) / errs.length);
    console.log(`0 dB: onset error RMS ${rms.toFixed(3)} ms, max ${Math.max(...errs.map(Math.abs)).toFixed(3)} ms over ${errs.length} placeable, ${unsure} not placeable`);
    for (const e of errs) expect(Math.abs(e)).toBeLessThan(1);
  });
});

describe('tone-burst onsets in encoded speech, noise and reverberation (issue 4 item 4)', () => {
  const sr = 48000;
  const truth = 2.3456789;
  const snrs = [20, 10, 5, 0, -5];
  const results: Record<string, number> = {};
  it.each(snrs)('SNR %d dB: WAV, AAC and Opus onsets within 1 ms (SNR >= 0 dB)', async (snr) => {
    const x = await beepInSpeech(sr, 5, 100 + snr, [{ t_s: truth, dur_s: 0.25 }], snr);
    const dry = join(tmp.dir, `dry${snr}.wav`);
    writeWavF32(dry, x, sr);
    const wet = join(tmp.dir, `wet${snr}.wav`);
    ffmpeg(['-i', dry, '-af', REVERB, '-c:a', 'pcm_f32le', wet]);
    const aac = join(tmp.dir, `wet${snr}.m4a`);
    ffmpeg(['-i', wet, '-c:a', 'aac', '-b:a', '96k', aac]);
    const opus = join(tmp.dir, `wet${snr}.ogg`);
    ffmpeg(['-i', wet, '-c:a', 'libopus', '-b:a', '48k', opus]);
    for (const f of [wet, aac, opus]) {
      const p = await probe(f);
      const scan = await scanAudioTone(f, [{ name: 'start', start_s: 0, duration_s: null }], { probed: p });
      const d = scan.windows[0].detections;
      const err = d.length ? d[0].t_s - truth : NaN;
      results[`${snr} ${f.slice(-4)}`] = err * 1000;
      if (snr >= 0) {
        expect(d).toHaveLength(1);
        expect(Math.abs(err)).toBeLessThan(0.001);
        expect(d[0].snr_db).toBeGreaterThan(snr - 4);
      } else if (d.length) {
        expect(Math.abs(err)).toBeLessThan(0.005);
      }
    }
  });
  afterAll(() => console.log('onset error ms by SNR and format:', JSON.stringify(results)));
});
