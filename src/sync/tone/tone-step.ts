/**
 * A beep onset as the change point of the demodulated signal (issue 11 item 4): where the direct sound arrives.
 *
 * After demodulation at the tone frequency the beep is a complex baseband signal. The direct sound arrives as a step
 * of one fixed complex amplitude; the room's reverberant part then builds up (energy about 1 - exp(-13.8 t / RT60),
 * Kuttruff "Room Acoustics" ch. 5), each short stretch of time adding reflections of random phase: early on, a random
 * walk of the complex amplitude whose increments have a steady variance q. Detection wants a narrow band (tone.ts: 10
 * ms windows); timing wants a short response, so here the baseband is summed over blocks of one tone period M (a
 * boxcar that nulls the image at twice the tone and DC; its response to a step is known exactly: the block holding
 * the change point holds the fraction of it after t0).
 *
 * Model, per candidate change point t0: the blocks before t0 are noise of variance s2 (profiled: their mean power);
 * from t0 on, a state (the complex amplitude) that starts with a diffuse prior (the direct sound, any amplitude and
 * phase) and walks with increment variance q (profiled over a grid), observed in that noise. The log-likelihood of the
 * same blocks under each t0 (Kalman filter innovations; Harvey 1989) is the profile likelihood of t0, maximised over
 * t0 (a change point in the manner of Hinkley 1970, Biometrika 57:1-17, with a state-space model after the change).
 * Where the direct sound is too weak to see, the maximum falls where the echo's build-up shows, and the profile is
 * flat over several ms: the interval {t0 : ll_max - ll(t0) <= 3} (Wilks, conservative for a non-regular parameter)
 * gives the uncertainty, sd = its width / 4, and the caller refuses wide intervals.
 */

/** cos and sin of the tone's phase at a sample index of x. */
export type Phase = (i: number) => [number, number];

const DEVIANCE = 3;

/** Block sums of the baseband x e^{-i w n} over M samples, from sample `from`, nb blocks, divided by M. */
function blocks(x: Float32Array, phase: Phase, from: number, nb: number, M: number): [Float64Array, Float64Array] {
  const re = new Float64Array(nb);
  const im = new Float64Array(nb);
  for (let k = 0; k < nb; k++) {
    let r = 0;
    let q = 0;
    for (let j = 0, i = from + k * M; j < M; j++, i++) {
      const [c, s] = phase(i);
      r += x[i] * c;
      q -= x[i] * s;
    }
    re[k] = r / M;
    im[k] = q / M;
  }
  return [re, im];
}

/**
 * Log-likelihood of blocks [k0, E) as the direct sound and the room's echo from k0 on: the complex amplitude is a
 * state that starts at block k0 with a diffuse prior (the direct sound, any amplitude and phase; `f0` of block k0
 * lies after the change point) and then walks randomly with increment variance q per block (the reverberant part
 * building up: each block adds reflections of random phase), observed in noise of variance s2. Kalman filter
 * innovations (Harvey 1989, "Forecasting, structural time series models and the Kalman filter", ch. 3).
 */
function stateLL(re: Float64Array, im: Float64Array, k0: number, f0: number, E: number, s2: number, q: number, V0: number): number {
  let mr = 0;
  let mi = 0;
  let P = V0;
  let ll = 0;
  for (let k = k0; k < E; k++) {
    const h = k === k0 ? f0 : 1;
    if (k > k0) P += q;
    const S = h * h * P + s2;
    const er = re[k] - h * mr;
    const ei = im[k] - h * mi;
    ll -= (er * er + ei * ei) / S + Math.log(S);
    const K = (h * P) / S;
    mr += K * er;
    mi += K * ei;
    P *= 1 - K * h;
  }
  return ll;
}

export interface EchoOnset {
  /** Change point, samples in x, and the profile-likelihood interval (samples). */
  t: number;
  lo: number;
  hi: number;
  sd_s: number;
  /** Fitted increment variance over the noise (per block), dB: how fast the echo builds up against the noise. */
  q_over_noise_db: number;
  /** The same against the plateau's block power, dB (the echo builds up to the plateau in about plateau / q blocks). */
  q_over_plateau_db: number;
  /** The noise variance of one-period blocks profiled at the change point (the blocks before it), block power. */
  noise_block_p: number;
  /** Samples in a block (one tone period). */
  block_n: number;
}

/**
 * The beep's start as the change point of a direct step plus a building echo (stateLL), by profile likelihood over
 * t0 in [edge - backS, edge + 2 ms] (sample steps of M/8 via shifted block grids), the noise variance of each t0
 * taken from the blocks before it in the window (at least 20 ms of them), q on a grid of fractions of the plateau.
 * Returns null when there is too little audio before the edge.
 */
export function echoOnset(x: Float32Array, n: number, phase: Phase, edge: number, plateauBlockP: number, sampleRate: number, toneHz: number, backS = 0.12): EchoOnset | null {
  const M = Math.max(1, Math.round(sampleRate / toneHz));
  const S0 = Math.round(edge - (backS + 0.03) * sampleRate);
  const E0 = Math.round(edge + 0.01 * sampleRate);
  if (S0 - M < 0 || E0 + M > n) return null;
  const minPre = Math.round((0.02 * sampleRate) / M);
  const qs = [1 / 4, 1 / 16, 1 / 64, 1 / 256].map((f) => f * plateauBlockP);
  const curve: Array<{ t: number; ll: number; q: number; qp: number; s2: number }> = [];
  const nb = Math.floor((E0 - S0) / M);
  const [re, im] = blocks(x, phase, S0, nb, M);
  const cum = new Float64Array(nb + 1);
  for (let k = 0; k < nb; k++) cum[k + 1] = cum[k] + re[k] * re[k] + im[k] * im[k];
  const kLast = Math.min(nb - 1, Math.floor((edge + 0.002 * sampleRate - S0) / M));
  for (let k0 = minPre; k0 <= kLast; k0++) {
    const s2 = Math.max(cum[k0] / k0, 1e-30);
    const pre = -k0 * (Math.log(s2) + 1);
    // The change point within block k0: the fraction f0 of it after t0 (8 steps).
    for (let j = 8; j >= 1; j--) {
      let best = -Infinity;
      let bq = 0;
      for (const q of qs) {
        const ll = pre + stateLL(re, im, k0, j / 8, nb, s2, q, 1e4 * plateauBlockP);
        if (ll > best) [best, bq] = [ll, q];
      }
      curve.push({ t: S0 + (k0 + 1 - j / 8) * M, ll: best, q: bq / s2, qp: bq / plateauBlockP, s2 });
    }
  }
  if (!curve.length) return null;
  const top = curve.reduce((a, b) => (b.ll > a.ll ? b : a));
  const inside = curve.filter((c) => top.ll - c.ll <= DEVIANCE);
  const lo = Math.min(...inside.map((c) => c.t));
  const hi = Math.max(...inside.map((c) => c.t));
  return { t: top.t, lo, hi, sd_s: Math.max((hi - lo) / 4, 0.5) / sampleRate, q_over_noise_db: 10 * Math.log10(top.q), q_over_plateau_db: 10 * Math.log10(top.qp), noise_block_p: top.s2, block_n: M };
}
