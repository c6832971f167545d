#!/usr/bin/env node
/**
 * How often a beep's own direct sound and room echo look like a ringing sound struck again (src/sync/tone/tone-ringing.ts
 * toneRestarts), in the room model of make-sync-rooms.mjs (roomIR: a direct impulse and exponentially decaying
 * Gaussian reflections from 1.5 ms, scaled to the DRR in the 1 kHz band), noise-free: a 1 kHz tone starting at 0 through
 * each room, demodulated at 16 kHz (as the detector decodes), the first SPAN ms looked at in one-period blocks.
 * `node scripts/sim-ringing-rooms.mjs [--rooms 300] [--span-ms 60]` (needs the build: dist/). Prints, per RT60 and
 * DRR, how many rooms show 0, 1, 2, 3+ restarts.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './rng.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { toneRestarts } = await import(join(ROOT, 'dist/sync/tone/tone-ringing.js'));
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const SR = 16000;
const F = 1000;
const M = SR / F;
const ROOMS = arg('rooms', 300);
const SPAN = Math.round((arg('span-ms', 60) / 1000) * SR);
const BAND_F = [980, 990, 1000, 1010, 1020];

/** In-band energy of h around 1 kHz (as make-sync-rooms.mjs bandEnergy1k). */
function bandEnergy1k(h) {
  let e = 0;
  for (const f of BAND_F) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < h.length; i++) {
      re += h[i] * Math.cos((2 * Math.PI * f * i) / SR);
      im -= h[i] * Math.sin((2 * Math.PI * f * i) / SR);
    }
    e += re * re + im * im;
  }
  return e / BAND_F.length;
}

/** make-sync-rooms.mjs roomIR at this sample rate, only its first `len` samples kept after scaling. */
function roomIR(rt60, drrDb, seed) {
  const r = rng(seed);
  const h = new Float64Array(Math.round(rt60 * SR));
  const pre = Math.round(0.0015 * SR);
  for (let i = pre; i < h.length; i++) h[i] = r.g() * Math.exp((-6.91 * (i - pre)) / (rt60 * SR));
  const g = Math.sqrt(1 / (bandEnergy1k(h) * 10 ** (drrDb / 10)));
  for (let i = pre; i < h.length; i++) h[i] *= g;
  h[0] = 1;
  return h;
}

/**
 * The demodulated tone through the room: a tone e^{i w n} from n = 0 through h is e^{i w n} S(n), S(n) the sum of
 * h[k] e^{-i w k} over k <= n; a block's demodulation is the sum of S over it (prefix sums).
 */
function demodOf(h) {
  const cr = new Float64Array(SPAN + 1);
  const ci = new Float64Array(SPAN + 1);
  let sr = 0;
  let si = 0;
  for (let n = 0; n < SPAN; n++) {
    if (n < h.length) {
      sr += h[n] * Math.cos((2 * Math.PI * F * n) / SR);
      si -= h[n] * Math.sin((2 * Math.PI * F * n) / SR);
    }
    cr[n + 1] = cr[n] + sr;
    ci[n + 1] = ci[n] + si;
  }
  return (a, b) => [cr[b] - cr[a], ci[b] - ci[a]];
}

for (const rt60 of [0.1, 0.3, 0.5, 0.8]) {
  for (const drr of [6, 0, -3, -6, -9]) {
    const counts = [0, 0, 0, 0];
    for (let s = 0; s < ROOMS; s++) {
      const r = toneRestarts(demodOf(roomIR(rt60, drr, 1000 * s + 7)), 0, SPAN, M, SR, 0);
      counts[Math.min(3, r?.count ?? 0)]++;
    }
    console.log(`RT60 ${rt60} s, DRR ${drr} dB: ${ROOMS} rooms, restarts 0/1/2/3+: ${counts.join('/')}`);
  }
}
