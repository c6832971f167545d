import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findToneBursts } from '../src/sync/tone/tone.js';
import { scanAudioTone } from '../src/sync/tone/scan-audio.js';
import { probe } from '../src/media/probe.js';
import { tempDir } from './helpers/cli.js';
import { addBeeps, beepInSpeech, ffmpeg, power, REVERB, rng, speechTrack, writeWavF32 } from './sync-media.js';

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
    // The band SNR is against the interference a beep-long span typically holds (the median of the chunk's spans):
    // five warbles leave it where it was (until 2026-12-06 the chunk's mean took them in); the confidence is what
    // falls.
    expect(Math.abs(busy[0].band_snr_db - clean[0].band_snr_db)).toBeLessThan(1);
    expect(clean[0].confidence).toBeGreaterThan(0.95);
    expect(clean[0].expected_false).toBeLessThan(0.05);
    expect(busy[0].expected_false).toBeGreaterThan(10 * (clean[0].expected_false as number));
    expect(busy[0].confidence).toBeLessThan(clean[0].confidence);
  });
});

describe("band SNR: the beep against the interference a span as long as the beep typically holds (tone.ts bandSnrOf)", () => {
  // White noise (the 10 ms demodulator's band holds 2 sigma^2 / N of it), a 250 ms beep 16 dB over it in that band,
  // and loud broadband noise 18 dB over the rest from 0.55 to 0.2 s before the beep: the beep's own band SNR is 16 dB.
  // Until 2026-12-06 the band SNR was against the larger of the 0.5 s before the onset and the chunk's mean: it read
  // -0.7 dB and refused the beep ("band SNR -0.7 dB is below 0 dB"), as on room variant 160 a beep read 0.10 ms off
  // (own band SNR +12.7 dB, read -0.1 dB).
  const sr = 16000;
  const t0 = 5.00012345;
  const make = (beepAmp: number, burst: boolean, seed = 4801): Float32Array => {
    const r = rng(seed);
    const x = new Float32Array(sr * 12);
    for (let i = 0; i < x.length; i++) x[i] = 0.01 * r.g();
    if (burst) for (let i = Math.round(4.45 * sr); i < Math.round(4.8 * sr); i++) x[i] += 0.08 * r.g();
    addBeeps(x, sr, [{ t_s: t0, dur_s: 0.25, amp: beepAmp }]);
    return x;
  };
  const ownDb = (amp: number) => 10 * Math.log10(amp ** 2 / 2 / ((2 * 0.01 ** 2) / 160));
  it('loud noise just before a beep does not lower its band SNR: read within 3 dB of its own, placeable, within 1 ms', () => {
    const d = findToneBursts(make(0.01, true), sr);
    expect(d).toHaveLength(1);
    expect(Math.abs(d[0].band_snr_db - ownDb(0.01))).toBeLessThan(3);
    expect(d[0].placeable).toBe(true);
    expect(Math.abs(d[0].t_s - t0)).toBeLessThan(0.001);
  });
  it('a beep under the noise in the band (own band SNR -3 and -6 dB) is never placeable', () => {
    // Stationary noise: the typical span is the mean, as before. Found at all, such a beep is read on the noise (33 to
    // 89 ms off over five seeds) and refused.
    for (const seed of [4802, 4803]) {
      for (const amp of [0.0011, 0.0008]) {
        expect(ownDb(amp)).toBeLessThan(-3);
        for (const e of findToneBursts(make(amp, false, seed), sr)) expect(e.placeable, `seed ${seed} amp ${amp}`).toBe(false);
      }
    }
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
    const aac = join(tmp.dir, `wet${snr}.m4a`);
    const opus = join(tmp.dir, `wet${snr}.ogg`);
    // The reverberant mix written as float WAV, AAC and Opus by one ffmpeg run (one start of Debian's ffmpeg, ~0.15
    // CPU s, instead of three): the WAV and the AAC file are byte-identical to encoding each from the WAV, the Opus
    // file decodes to the same samples (its Ogg serial number is drawn at random on every run either way).
    const split = ['-filter_complex', `[0:a]${REVERB},asplit=3[wav][aac][opus]`];
    ffmpeg(['-i', dry, ...split, '-map', '[wav]', '-c:a', 'pcm_f32le', wet, '-map', '[aac]', '-c:a', 'aac', '-b:a', '96k', aac, '-map', '[opus]', '-c:a', 'libopus', '-b:a', '48k', opus]);
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

/**
 * A room microphone in memory (the model of scripts/make-sync-rooms.mjs, at 16 kHz and 12 s): a 250 ms beep through a
 * room (a direct path and an exponentially decaying noise tail of the same energy: DRR 0 dB, RT60 0.5 s) in speech and
 * noise scaled to a set band SNR, the beep's power against the interference's mean power in the 10 ms demodulator's
 * band over the whole recording. Without a beep, optionally a whistle with vibrato near the tone (1003 Hz +- 10 Hz).
 */
async function roomMic(seed: number, bandSnrDb: number, beepAt: number, o: { beep?: boolean; whistle?: boolean } = {}): Promise<Float32Array> {
  const sr = 16000;
  const n = 12 * sr;
  const r = rng(seed + 2);
  const L = Math.round(0.5 * sr);
  const h = new Float32Array(L);
  let e = 0;
  for (let i = 16; i < L; i++) e += (h[i] = r.g() * Math.exp((-6.9 * i) / L)) ** 2;
  for (let i = 16; i < L; i++) h[i] /= Math.sqrt(e);
  h[0] = 1;
  const beep = new Float32Array(n);
  const i0 = Math.ceil(beepAt * sr);
  const src = new Float32Array(o.beep === false ? 0 : Math.round(0.25 * sr));
  for (let i = 0; i < src.length; i++) src[i] = Math.sin(2 * Math.PI * 1000 * ((i0 + i) / sr - beepAt));
  for (let k = 0; k < L; k++) if (h[k]) for (let i = 0; i < src.length && i0 + i + k < n; i++) beep[i0 + i + k] += h[k] * src[i];
  const x = await speechTrack(sr, 12, seed);
  const nz = rng(seed + 1);
  const sp = power(x);
  for (let i = 0; i < n; i++) x[i] += Math.sqrt(sp / 10) * nz.g();
  const band = (y: Float32Array, a: number, b: number) => {
    let s = 0;
    let m = 0;
    for (let w = a; w + 160 <= b; w += 160, m++) {
      let re = 0;
      let im = 0;
      for (let i = w; i < w + 160; i++) [re, im] = [re + y[i] * Math.cos((2 * Math.PI * i) / 16), im - y[i] * Math.sin((2 * Math.PI * i) / 16)];
      s += (2 * (re * re + im * im)) / 160 ** 2;
    }
    return s / m;
  };
  const pb = src.length ? band(beep, i0, i0 + src.length) : 0.01;
  const g = Math.sqrt(pb / (band(x, 0, n) * 10 ** (bandSnrDb / 10)));
  for (let i = 0; i < n; i++) x[i] = beep[i] + g * x[i];
  if (o.whistle) for (let i = 3 * sr; i < 4.5 * sr; i++) x[i] += 0.2 * Math.sqrt(pb / 0.02) * Math.sin(2 * Math.PI * 1003 * (i / sr) + 2 * Math.sin(2 * Math.PI * 5 * (i / sr)));
  return x;
}

describe('beeps hidden in a room microphone by speech (tone-coherent.ts, issue 11 items 4 and 6)', () => {
  const at = (seed: number) => 5.2 + seed * 0.1137;
  it('band SNR 0 dB, DRR 0 dB: the beep is found by its coherence (the 10 ms power threshold missed all three); a placeable one is within 5 ms, one below 0 dB says so', async () => {
    for (const seed of [1, 3, 7]) {
      const d = findToneBursts(await roomMic(seed, 0, at(seed)), 16000);
      expect(d.some((e) => Math.abs(e.t_s - at(seed)) < 0.3), `seed ${seed}`).toBe(true);
      for (const e of d) {
        if (e.placeable !== false) expect(Math.abs(e.t_s - at(seed))).toBeLessThan(0.005);
        if (e.band_snr_db < 0) expect(e.unplaceable_reason).toMatch(/band SNR|does not rise over the band/);
      }
    }
  });

  it('band SNR -6 dB: what is found is never placeable, and says why', async () => {
    for (const seed of [2, 3, 4]) {
      for (const e of findToneBursts(await roomMic(seed, -6, at(seed)), 16000)) {
        expect(e.placeable).toBe(false);
        expect(e.unplaceable_reason).toBeTruthy();
      }
    }
  });

  it('negative controls: the same speech and noise without a beep, with and without a 1003 Hz whistle with vibrato, give no beep', async () => {
    for (const seed of [1, 4, 6]) {
      for (const whistle of [false, true]) expect(findToneBursts(await roomMic(seed, 0, at(seed), { beep: false, whistle }), 16000), `seed ${seed} whistle ${whistle}`).toEqual([]);
    }
  });
});
