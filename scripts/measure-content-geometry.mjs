#!/usr/bin/env node
/**
 * What `mmprep sync` does where it must place a microphone by its content (no beep anywhere: make-sync-rooms.mjs
 * --beep none) and the talkers stand at other distances from the two microphones (docs/sync.md "Known limits", "A
 * stream placed by its content"; issue 11). Each layout puts the participant P at the origin, the first microphone
 * (lav.wav: a lav 0.2 m from P, or a camera's 1.5 m) and the room microphone at stated points, and the interviewer I at
 * a stated distance from P; levels and echoes by distance (--levels distance). The truth is the sample clock offset
 * between the two devices (truth.json offset_s under --beep none). Prints per case: each talker's lag against that
 * truth (its delay to the first microphone minus to the room's), the placed error, offset_sd_s, method, the exit
 * (0 placed, 2 refused), |error| / sd, and the xcorr's halves_ms and rest_z (sync.json).
 *
 *   node scripts/measure-content-geometry.mjs --out DIR [--only LAYOUT,LAYOUT] [--cases ID,ID] [--variants N,N]
 *
 * Media are made once per layout and case under DIR (delete a folder to make it again). --variants (default 0) makes
 * each layout again with make-sync-rooms.mjs --variant N (other seeds: offsets, drift, talkers' clips, noise), under
 * DIR/vN for N > 0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { syncSession } = await import(join(ROOT, 'dist', 'sync', 'session.js'));
const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const OUT = arg('out', null);
if (!OUT) {
  console.error('usage: node scripts/measure-content-geometry.mjs --out DIR [--only LAYOUT,LAYOUT] [--cases ID,ID]');
  process.exit(2);
}
const ONLY = arg('only', null)?.split(',') ?? null;
/** Small-set cases of make-sync-rooms.mjs (their RT60 and DRR set the room; no beep under --beep none). */
const CASES = arg('cases', 'rt5-drr0-snr10-aac-both-20s,rt3-drr6-snr0-mp3-start-14s').split(',');
const VARIANTS = arg('variants', '0').split(',').map(Number);

const dist = (p, q) => Math.hypot(p[0] - q[0], p[1] - q[1]);
/** Layouts (metres): P at the origin; A the first microphone, R the room microphone, I the interviewer. */
function layout(name, A, R, I) {
  const P = [0, 0];
  // The sync loudspeaker: 1 m from the room microphone (sets the critical distance: the case's DRR holds there).
  const S = [R[0], R[1] + 1];
  return { name, m: [dist(P, A), dist(P, R), dist(I, A), dist(I, R), dist(S, A), dist(S, R)], apart: dist(P, I) };
}
const LAV = [0, -0.2];
const CAM = [0, 1.5];
const LAYOUTS = [
  layout('lav-room2-I0', LAV, [2, 0], [0.05, 0.05]),
  layout('lav-room2-I2', LAV, [2, 0], [2, 0.7]),
  layout('lav-room4-I2', LAV, [4, 0], [2, 0.7]),
  layout('lav-room4-I6', LAV, [4, 0], [6, 0.7]),
  layout('cam-room3-I0', CAM, [3, 0], [0.05, 0.05]),
  layout('cam-room3-I2', CAM, [3, 0], [2, 0.7]),
  layout('cam-room3-I4', CAM, [3, 0], [4, 0.7]),
  layout('cam-room3-I6', CAM, [3, 0], [6, 0.7]),
].filter((l) => !ONLY || ONLY.includes(l.name));

const ms = (v) => (v === null || v === undefined ? '-' : (v * 1000).toFixed(2));
console.log('variant layout          apart_m case                              lagP_ms lagI_ms  err_ms   sd_ms  |err|/sd method exit halves_ms rest_z');
for (const V of VARIANTS) for (const L of LAYOUTS) {
  const dir = V > 0 ? join(OUT, `v${V}`, L.name) : join(OUT, L.name);
  const missing = CASES.filter((id) => !existsSync(join(dir, id, 'truth.json')));
  if (missing.length) {
    const args = ['--out', dir, '--set', 'small', '--only', missing.join(','), '--geometry', L.m.map((v) => v.toFixed(3)).join(','), '--levels', 'distance', '--beep', 'none', '--variant', String(V)];
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-sync-rooms.mjs'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  for (const id of CASES) {
    const cd = join(dir, id);
    const truth = JSON.parse(readFileSync(join(cd, 'truth.json'), 'utf8'));
    const lag = truth.geometry.content_lag_vs_clock_s;
    const t = truth.streams[1];
    const opts = truth.args.includes('both') ? { ends: 'both' } : {};
    let row;
    try {
      const map = await syncSession(truth.files.map((f) => ({ file: join(cd, f) })), opts);
      const m = map.streams[1];
      // The clock error over the microphone's recording (its start and its end, its own clock).
      const at = [0, truth.tags.dur_s];
      const err = at.map((x) => m.offset_s + (m.drift_ppm ?? 0) * 1e-6 * x - (t.offset_s + t.drift_ppm * 1e-6 * x));
      const e = err.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
      const sd = m.offset_sd_s;
      row = [ms(e).padStart(7), ms(sd).padStart(7), (sd ? (Math.abs(e) / sd).toFixed(2) : '-').padStart(8), m.method.padEnd(6), '0'.padStart(4), String(m.xcorr?.halves_ms ?? '-').padStart(9), String(m.xcorr?.rest_z ?? '-').padStart(6)];
    } catch (e) {
      row = ['-'.padStart(7), '-'.padStart(7), '-'.padStart(8), '-'.padEnd(6), String(e.exitCode ?? 2).padStart(4), String(e.message).slice(0, 140)];
    }
    console.log([String(V).padStart(7), L.name.padEnd(15), L.apart.toFixed(1).padStart(7), id.padEnd(33), ms(lag.participant).padStart(7), ms(lag.interviewer).padStart(7), ...row].join(' '));
  }
}
