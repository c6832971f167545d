#!/usr/bin/env node
/**
 * A measurement, not a route of `mmprep sync` (docs/sync.md "Current figures", "Beeps that speech talks over: both ends",
 * tsync58): can a room microphone's beep whose onset the detector refuses be timed by both of its ends at once?
 *
 * In a room (a linear system) the beep's direct sound adds the same complex step D to the 1 kHz band's complex
 * envelope where it starts and takes it away where it ends: the onset steps from the noise to D (then the echo builds
 * up), the offset steps from the plateau H to H - D (then the echo dies away), the mirror image. Speech over one end
 * does not touch the other. With the beep's length L known, the reading is the time t that maximises
 * Re(Don(t) conj(Doff(t + L))) / sqrt(var_before_onset var_before_offset), where Don(t) is the envelope's mean over
 * the 2 ms after t less its mean over the 20 ms before, Doff the same from the other side (mean before less mean
 * after): both steps must be there and carry one phase. Taken only where the peak stands 3.5 dB over the best t
 * more than 5 ms away, |Don - Doff| <= 0.3 |Don + Doff|, and no t within 15 ms before the peak scores 0.4 of it (a
 * weak direct sound before a strong early echo). The envelope: one tone period's sliding mean of x e^(-i w n)
 * (a boxcar that nulls the 2 kHz image; a matched filter for a step of known frequency, as a GLR change-point test:
 * Basseville & Nikiforov 1993, "Detection of abrupt changes", ch. 2).
 *
 * For every true beep of every non-reference audio stream of make-sync-rooms sets (truth.json pulses_src_s), the
 * detector's own candidate (scanAudioTone over `mmprep sync`'s windows, as bench-sync.mjs "beep route alone"), then the
 * two-ended reading searched within 0.3 s of that candidate's onset; L is the generator's beep length (--length-s,
 * default 0.25 s: make-sync-rooms.mjs BEEP_S), not measured. Prints one line a beep and the counts of the readings
 * taken: within 1 ms, 1-5 ms, more than 5 ms off, and how many of those within 1 ms the detector refuses today.
 *
 *   node scripts/measure-beep-ends.mjs DIR [DIR...] [--length-s 0.25]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);
const { scanAudioTone, readAudioWindow } = await import(dist('sync/tone/scan-audio.js'));
const { probe } = await import(dist('media/probe.js'));
const { searchWindows } = await import(dist('sync/windows.js'));

const argv = process.argv.slice(2);
const li = argv.indexOf('--length-s');
const LENGTH_S = li >= 0 ? Number(argv[li + 1]) : 0.25;
const roots = argv.filter((a, i) => !a.startsWith('--') && (li < 0 || i !== li + 1));
if (!roots.length || !(LENGTH_S > 0)) {
  console.error('usage: node scripts/measure-beep-ends.mjs DIR [DIR...] [--length-s 0.25]');
  process.exit(2);
}
const SR = 16000;
const TONE_HZ = 1000;
const AFTER = Math.round(0.002 * SR);
const BEFORE = Math.round(0.02 * SR);
const SEARCH = Math.round(0.3 * SR);
const MIN_PEAK_DB = 3.5;
const MAX_MISMATCH = 0.3;
const MAX_EARLY = 0.4;

/** Prefix sums of the one-period complex envelope and of its power (index i: the sum over samples before i). */
function envelopeSums(x) {
  const P = Math.round(SR / TONE_HZ);
  const n = x.length;
  const zr = new Float64Array(n), zi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = (-2 * Math.PI * TONE_HZ * i) / SR;
    zr[i] = x[i] * Math.cos(a);
    zi[i] = x[i] * Math.sin(a);
  }
  const sr = new Float64Array(n + 1), si = new Float64Array(n + 1), s2 = new Float64Array(n + 1);
  const h = P >> 1;
  for (let i = 0; i < n; i++) {
    // centred one-period mean (zero near the ends)
    let cr = 0, ci = 0;
    if (i >= h && i - h + P <= n) for (let k = i - h; k < i - h + P; k++) (cr += zr[k]), (ci += zi[k]);
    cr /= P;
    ci /= P;
    sr[i + 1] = sr[i] + cr;
    si[i + 1] = si[i] + ci;
    s2[i + 1] = s2[i] + cr * cr + ci * ci;
  }
  return { sr, si, s2 };
}

/** Mean (re, im) and variance of the envelope over samples [a, b). */
function seg(s, a, b) {
  const m = b - a;
  const re = (s.sr[b] - s.sr[a]) / m, im = (s.si[b] - s.si[a]) / m;
  return { re, im, v: (s.s2[b] - s.s2[a]) / m - re * re - im * im };
}

/** The two-ended reading around sample c: { i, peakDb, mismatch, early } (i: the onset's sample), or null. */
function bothEnds(s, n, c, L) {
  const lo = Math.max(BEFORE + 1, c - SEARCH), hi = Math.min(n - L - BEFORE - 1, c + SEARCH);
  if (hi <= lo) return null;
  const score = new Float64Array(hi - lo), on = [], off = [];
  for (let t = lo; t < hi; t++) {
    const pre = seg(s, t - BEFORE, t), post = seg(s, t, t + AFTER);
    const pl = seg(s, t + L - BEFORE, t + L), aft = seg(s, t + L, t + L + AFTER);
    const a = [post.re - pre.re, post.im - pre.im], b = [pl.re - aft.re, pl.im - aft.im];
    on.push(a);
    off.push(b);
    score[t - lo] = (a[0] * b[0] + a[1] * b[1]) / Math.sqrt(Math.max(pre.v * pl.v, 1e-30));
  }
  let k = 0;
  for (let j = 1; j < score.length; j++) if (score[j] > score[k]) k = j;
  let second = 1e-30, early = 0;
  for (let j = 0; j < score.length; j++) {
    if (Math.abs(j - k) > 0.005 * SR) second = Math.max(second, score[j]);
    if (j >= k - 0.015 * SR && j < k - 0.001 * SR) early = Math.max(early, score[j] / score[k]);
  }
  const [a, b] = [on[k], off[k]];
  const mismatch = Math.hypot(a[0] - b[0], a[1] - b[1]) / Math.max(Math.hypot(a[0] + b[0], a[1] + b[1]), 1e-30);
  return { i: lo + k, peakDb: 10 * Math.log10(Math.max(score[k], 1e-30) / second), mismatch, early };
}

const rows = [];
for (const root of roots) {
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, 'truth.json'))) continue;
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
    for (const st of truth.streams) {
      if (st.kind !== 'audio' || !st.pulses_src_s?.length || st.file === truth.files[0]) continue;
      const file = join(dir, st.file);
      const p = await probe(file);
      const ends = (truth.args ?? []).includes('both') ? 'both' : 'start';
      const { windows } = searchWindows(file, p.duration_s ?? null, 60, ends);
      const dets = (await scanAudioTone(file, windows, { probed: p, stream: st.stream ?? 0 })).windows.flatMap((w) => w.detections);
      for (const [b, T] of st.pulses_src_s.entries()) {
        const d = dets.reduce((m, x) => (Math.abs(x.t_s - T) < 0.3 && (!m || Math.abs(x.t_s - T) < Math.abs(m.t_s - T)) ? x : m), null);
        if (!d) continue;
        const start = Math.max(0, d.t_s - 0.6 - (p.start_time_s ?? 0));
        const { x, t0 } = await readAudioWindow(file, { name: 'all', start_s: start, duration_s: 0.6 + LENGTH_S + 0.9 }, { sampleRate: SR, stream: st.stream ?? 0, probed: p });
        const s = envelopeSums(x);
        const r = bothEnds(s, x.length, Math.round((d.t_s - t0) * SR), Math.round(LENGTH_S * SR));
        if (!r) continue;
        const err = 1000 * (t0 + r.i / SR - T);
        const taken = r.peakDb >= MIN_PEAK_DB && r.mismatch <= MAX_MISMATCH && r.early <= MAX_EARLY;
        rows.push({ id: truth.id, b, drr: st.drr_db, snr: st.pulses_band_snr_db?.[b], placeable: d.placeable, det: 1000 * (d.t_s - T), err, taken, ...r });
      }
    }
  }
}
const f = (v, w = 8) => v.toFixed(2).padStart(w);
console.log('case                            beep  drr  true_snr  detector_placeable  detector_err_ms  ends_err_ms  peak_db  mismatch  early  taken');
for (const r of rows) console.log(`${r.id.padEnd(32)}${String(r.b).padEnd(6)}${String(r.drr).padStart(3)}  ${f(r.snr ?? NaN)}  ${String(r.placeable).padEnd(18)}  ${f(r.det, 15)}  ${f(r.err, 11)}  ${f(r.peakDb, 7)}  ${f(r.mismatch, 8)}  ${f(r.early, 5)}  ${r.taken}`);
const taken = rows.filter((r) => r.taken);
const within = (a, b) => taken.filter((r) => Math.abs(r.err) > a && Math.abs(r.err) <= b).length;
console.log(`\n${rows.length} found beeps; two-ended readings taken: ${taken.length} (within 1 ms ${within(-1, 1)}, 1-5 ms ${within(1, 5)}, more than 5 ms ${within(5, Infinity)}); taken, within 1 ms and refused by the detector: ${taken.filter((r) => Math.abs(r.err) <= 1 && !r.placeable).length}`);
