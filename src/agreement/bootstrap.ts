/**
 * Seeded, deterministic bootstrap over targets (units): resample targets with replacement, recompute the statistic,
 * take the 2.5 % and 97.5 % percentiles (R's quantile type 7). The generator is xoshiro128** seeded through
 * splitmix32, so the same seed gives the same intervals on every platform.
 */

export function rng(seed: number): () => number {
  let h = seed >>> 0;
  const split = () => {
    h = (h + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(),
    b = split(),
    c = split(),
    d = split();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Type-7 quantile of sorted values. */
export function quantileSorted(s: ArrayLike<number>, p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export interface BootstrapCi {
  ci95: [number, number] | null;
  /** Bootstrap standard error: the SD of the replicates (n - 1). */
  se: number | null;
  /** Replicates where the statistic was defined. */
  n_valid: number;
}

/**
 * Runs `replicates` resamples of `nUnits` targets and evaluates every named statistic on each; returns percentile CIs.
 */
export function bootstrapTargets(
  nUnits: number,
  replicates: number,
  seed: number,
  stats: Record<string, (units: Int32Array) => number | null>,
): Record<string, BootstrapCi> {
  const next = rng(seed);
  const names = Object.keys(stats);
  const draws: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const units = new Int32Array(nUnits);
  for (let b = 0; b < replicates; b++) {
    for (let i = 0; i < nUnits; i++) units[i] = Math.floor(next() * nUnits);
    for (const n of names) {
      const v = stats[n](units);
      if (v !== null && Number.isFinite(v)) draws[n].push(v);
    }
  }
  const out: Record<string, BootstrapCi> = {};
  for (const n of names) {
    const s = Float64Array.from(draws[n]).sort();
    let se: number | null = null;
    if (s.length >= 2) {
      const m = s.reduce((a, v) => a + v, 0) / s.length;
      se = Math.sqrt(s.reduce((a, v) => a + (v - m) ** 2, 0) / (s.length - 1));
    }
    out[n] = { ci95: s.length >= 2 ? [quantileSorted(s, 0.025), quantileSorted(s, 0.975)] : null, se, n_valid: s.length };
  }
  return out;
}
