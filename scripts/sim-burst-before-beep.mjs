#!/usr/bin/env node
/**
 * Beep onsets after an in-band burst that starts before the beep and runs into it (docs/sync.md "Known limits"): a
 * 250 ms 1 kHz beep (amplitude 0.1, 16 kHz) through a generated room (a unit direct path, then from 1.5 ms an
 * exponentially decaying Gaussian tail scaled to the DRR; RT60 0.3, 0.5, 0.8 s by seed) in white noise 50 dB under
 * it, and narrow-band noise around 1 kHz (a 1 kHz carrier whose complex amplitude is a slowly varying random phasor,
 * about 80 Hz wide) at BURST dB re the beep's amplitude, LEN long, starting OFF before the beep; scanned by
 * findToneBursts. `node scripts/sim-burst-before-beep.mjs [--seeds 3] [--control]` (needs the build: dist/): the
 * grid DRR +6, 0, -3, -6, -9 dB x burst -12, -6, 0, +6 dB x 5, 15, 30, 60 ms x 2, 5, 10, 20 ms before (seeds per
 * cell), or with --control the same rooms without a burst (40 x seeds per DRR). Prints the onsets placeable, placeable
 * more than 1 and 5 ms off, and placeable within 1 ms, overall and by each parameter. 960 trials: about a minute.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng } from './rng.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { findToneBursts } = await import(join(ROOT, 'dist/sync/tone/tone.js'));
const seedsPerCell = (() => {
  const i = process.argv.indexOf('--seeds');
  return i > 0 ? Number(process.argv[i + 1]) : 3;
})();
const control = process.argv.includes('--control');
const SR = 16000;

/** The beep through the room, the noise and the burst (burstS 0: none); returns the samples and the beep's start. */
function room(seed, { rt60, drr, burstDb, burstS, offS }) {
  const n = 3 * SR;
  const r = rng(seed);
  const ir = new Float64Array(Math.round(rt60 * SR));
  const pre = 24;
  let e = 0;
  for (let i = pre; i < ir.length; i++) {
    ir[i] = r.g() * Math.exp((-6.91 * (i - pre)) / (rt60 * SR));
    e += ir[i] ** 2;
  }
  const g = Math.sqrt(1 / (e * 10 ** (drr / 10)));
  for (let i = pre; i < ir.length; i++) ir[i] *= g;
  ir[0] = 1;
  const ts = 1.0003 + 0.0001 * (seed % 7);
  const amp = 0.1;
  const b0 = Math.ceil(ts * SR);
  const b1 = Math.ceil((ts + 0.25) * SR);
  const x = new Float32Array(n);
  // The beep's sine once per sample (the same values and products as computing it inside the convolution).
  const sine = new Float64Array(b1 - b0);
  for (let j = b0; j < b1; j++) sine[j - b0] = Math.sin(2 * Math.PI * 1000 * (j / SR - ts));
  for (let i = b0; i < Math.min(n, b1 + ir.length); i++) {
    let s = 0;
    for (let k = Math.max(0, i - b1 + 1); k <= Math.min(ir.length - 1, i - b0); k++) s += ir[k] * amp * sine[i - k - b0];
    x[i] = s;
  }
  for (let i = 0; i < n; i++) x[i] += amp * 10 ** (-50 / 20) * r.g();
  const level = amp * 10 ** (burstDb / 20);
  let pr = 0;
  let pi = 0;
  for (let i = Math.round((ts - offS) * SR); burstS > 0 && i < Math.round((ts - offS + burstS) * SR); i++) {
    pr = 0.97 * pr + 0.24 * r.g();
    pi = 0.97 * pi + 0.24 * r.g();
    x[i] += level * (pr * Math.cos((2 * Math.PI * 1000 * i) / SR) + pi * Math.sin((2 * Math.PI * 1000 * i) / SR));
  }
  return { x, ts };
}

const grid = control ? { dB: [0], S: [0], off: [0.005], per: 40 * seedsPerCell } : { dB: [-12, -6, 0, 6], S: [0.005, 0.015, 0.03, 0.06], off: [0.002, 0.005, 0.01, 0.02], per: seedsPerCell };
const trials = [];
let seed = control ? 5000 : 100;
for (const drr of [6, 0, -3, -6, -9]) for (const burstDb of grid.dB) for (const burstS of grid.S) for (const offS of grid.off) for (let k = 0; k < grid.per; k++) {
  seed++;
  const rt60 = [0.3, 0.5, 0.8][seed % 3];
  const { x, ts } = room(seed, { rt60, drr, burstDb, burstS, offS });
  const d = findToneBursts(x, SR).find((q) => Math.abs(q.t_s - ts) < 0.3);
  trials.push({ drr, burstDb, burstS, offS, err: d ? (d.t_s - ts) * 1000 : null, placeable: !!d && d.placeable !== false });
}
const counts = (ts) => {
  const p = ts.filter((t) => t.placeable);
  return `${ts.length} trials: ${p.length} placeable, ${p.filter((t) => Math.abs(t.err) > 1).length} more than 1 ms off, ${p.filter((t) => Math.abs(t.err) > 5).length} more than 5 ms off, ${p.filter((t) => Math.abs(t.err) <= 1).length} within 1 ms`;
};
console.log(`all: ${counts(trials)}`);
for (const key of control ? ['drr'] : ['drr', 'burstDb', 'burstS', 'offS']) for (const v of [...new Set(trials.map((t) => t[key]))]) console.log(`${key} ${v}: ${counts(trials.filter((t) => t[key] === v))}`);
