/**
 * openSMILE-style functionals of a frame series (openSMILE's cFunctionalMoments / Percentiles / Regression):
 * mean, standard deviation (population, divisor N, as openSMILE), percentiles 5 / 50 / 95 (linear interpolation
 * between order statistics, numpy's default) and the least-squares slope against time in units per second.
 */
export interface Functionals {
  n: number;
  mean: number | null;
  sd: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  slope_per_s: number | null;
}

export function percentileSorted(a: Float64Array, q: number): number {
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo] + (pos - lo) * (a[hi] - a[lo]);
}

/** Functionals of values v[i] at times t[i]; entries where `use` is false are skipped (e.g. unvoiced F0). */
export function functionals(get: (i: number) => number, n: number, time: (i: number) => number, use?: (i: number) => boolean): Functionals {
  const vals: number[] = [];
  let st = 0;
  let sv = 0;
  for (let i = 0; i < n; i++) {
    if (use && !use(i)) continue;
    const v = get(i);
    if (!Number.isFinite(v)) continue;
    vals.push(v);
    st += time(i);
    sv += v;
  }
  const m = vals.length;
  if (m === 0) return { n: 0, mean: null, sd: null, p5: null, p50: null, p95: null, slope_per_s: null };
  const mean = sv / m;
  const tm = st / m;
  let ss = 0;
  let stt = 0;
  let stv = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (use && !use(i)) continue;
    const v = get(i);
    if (!Number.isFinite(v)) continue;
    const dt = time(i) - tm;
    ss += (v - mean) ** 2;
    stt += dt * dt;
    stv += dt * (v - mean);
    j++;
  }
  const sorted = Float64Array.from(vals).sort();
  return {
    n: m,
    mean,
    sd: Math.sqrt(ss / m),
    p5: percentileSorted(sorted, 0.05),
    p50: percentileSorted(sorted, 0.5),
    p95: percentileSorted(sorted, 0.95),
    slope_per_s: stt > 0 ? stv / stt : null,
  };
}
