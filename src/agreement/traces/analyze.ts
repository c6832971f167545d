/**
 * Agreement of continuous traces per dimension: resample every trace onto one grid per target (grid.ts), estimate each
 * rater's reaction lag (lags.ts), optionally align, then per target and pooled over targets: mean pairwise Pearson r,
 * mean pairwise Lin's CCC and Cronbach's alpha (raters as items, samples as cases; RECOLA, Ringeval et al. 2013).
 */
import { gridRange, resample, round6, shifted } from './grid.js';
import { estimateLags, type GridSeries, type RaterLag } from './lags.js';
import type { TraceDimension } from './read.js';
import { cronbachAlpha, meanSeries, PairSums } from './stats.js';
import { traceDiagnostics, type TraceDiagnostic } from './diagnostics.js';

export interface TraceOptions {
  step: number;
  maxGap: number;
  maxLag: number;
  align: boolean;
}

export interface Figures {
  mean_r: number | null;
  mean_r_reason?: string;
  n_pairs_r: number;
  mean_ccc: number | null;
  mean_ccc_reason?: string;
  alpha: number | null;
  alpha_reason?: string;
  /** Raters constant over alpha's samples, left out of alpha's items as psych::alpha does (their trace never moved). */
  alpha_note?: string;
  /** Grid samples where every rater of the target (pooled: of the dimension) has a value: alpha's cases. */
  n_complete_samples: number;
}

export interface TargetFigures extends Figures {
  target: string;
  n_raters: number;
  /** Grid times with at least one rater's value. */
  n_grid_samples: number;
  start_s: number;
  end_s: number;
}

export interface RaterFigures {
  rater: string;
  n_targets: number;
  lag_s: number | null;
  lag_reason?: string;
  /** Pooled r with the others' mean, raw traces at lag 0. */
  r_with_others: number | null;
  /** Pooled r with the others' mean after each trace is moved by its lag (null when no lag was determined). */
  r_with_others_after_lag: number | null;
  r_reason?: string;
  /** How far this rater's trace was moved earlier (--align-lags), else 0. */
  shifted_s: number;
}

export interface TraceDimensionResult {
  dimension: string;
  n_raters: number;
  n_targets: number;
  pooled: Figures;
  targets: TargetFigures[];
  raters: RaterFigures[];
  diagnostics: TraceDiagnostic[];
}

/** The resampled grid of one dimension: series[target][rater] and each target's first grid index and length. */
export interface DimensionGrid {
  series: GridSeries;
  k0: number[];
  flat: boolean[][];
}

const MAX_GRID = 20_000_000;

export function gridOf(d: TraceDimension, o: TraceOptions): DimensionGrid {
  const k0: number[] = [];
  const series = d.traces.map((row, t) => {
    const range = gridRange(row, o.step);
    k0.push(range ? range.k0 : 0);
    if (!range) return row.map(() => null);
    const n = range.k1 - range.k0 + 1;
    if (n > MAX_GRID) throw new Error(`target '${d.targets[t]}': ${n} grid samples at --trace-step ${o.step}: pass a coarser --trace-step`);
    return row.map((tr) => (tr ? resample(tr, range.k0, n, o.step, o.maxGap) : null));
  });
  const flat = d.traces.map((row) => row.map((tr) => !!tr && tr.value.length > 1 && tr.value.every((v) => v === tr.value[0])));
  return { series, k0, flat };
}

/** Mean of the non-null values, or null. */
function meanOf(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Mean pairwise r and CCC from each pair's sums, alpha from the series; reasons where null. */
function figures(pairs: PairSums[], alphaSeries: Float64Array[], flatNote: string): Figures {
  const rs = pairs.map((p) => p.pearson());
  const cs = pairs.map((p) => p.ccc());
  const { alpha, n, dropped } = cronbachAlpha(alphaSeries);
  const f: Figures = { mean_r: meanOf(rs), n_pairs_r: rs.filter((r) => r !== null).length, mean_ccc: meanOf(cs), alpha, n_complete_samples: n };
  if (alphaSeries.length < 2) {
    const one = 'one rater: agreement needs two or more';
    return { ...f, mean_r_reason: one, mean_ccc_reason: one, alpha_reason: one };
  }
  if (f.mean_r === null) f.mean_r_reason = `no pair of raters with 3 or more common grid samples and both traces moving${flatNote}`;
  if (f.mean_ccc === null) f.mean_ccc_reason = 'no pair of raters with 3 or more common grid samples';
  if (alpha === null) f.alpha_reason = n < 2 ? `fewer than 2 grid samples where all ${alphaSeries.length} raters have a value` : dropped > alphaSeries.length - 2 ? 'fewer than 2 raters move over these samples' : 'the raters\' sum is constant';
  else if (dropped) f.alpha_note = `${dropped} rater(s) constant over these samples left out of alpha's items (psych::alpha deletes an item with no variance)`;
  return f;
}

/** Pair sums of every pair of present raters over one target's series. */
function pairSums(row: Array<Float64Array | null>): Map<string, PairSums> {
  const out = new Map<string, PairSums>();
  for (let a = 0; a < row.length; a++)
    for (let b = a + 1; b < row.length; b++) {
      const x = row[a];
      const y = row[b];
      if (!x || !y) continue;
      const s = new PairSums();
      s.addSeries(x, y);
      out.set(`${a},${b}`, s);
    }
  return out;
}

function targetFigures(d: TraceDimension, g: DimensionGrid, used: GridSeries, t: number, step: number): TargetFigures {
  const row = used[t];
  const present = row.flatMap((x) => (x ? [x] : []));
  const len = present[0]?.length ?? 0;
  const nGrid = present.length ? Array.from(meanSeries(present, len)).filter((v) => v === v).length : 0;
  const flats = row.filter((x, r) => x && g.flat[t][r]).length;
  const f = figures([...pairSums(row).values()], present, flats ? ` (${flats} flat trace(s))` : '');
  return { target: d.targets[t], n_raters: present.length, n_grid_samples: nGrid, start_s: round6(g.k0[t] * step), end_s: round6((g.k0[t] + len - 1) * step), ...f };
}

/** Pooled over targets: each pair's sums over every target; alpha on the targets' samples joined end to end. */
function pooledFigures(d: TraceDimension, used: GridSeries): Figures {
  const pairs = new Map<string, PairSums>();
  for (const row of used)
    for (const [k, s] of pairSums(row)) {
      if (!pairs.has(k)) pairs.set(k, new PairSums());
      pairs.get(k)!.merge(s);
    }
  const total = used.reduce((a, row) => a + (row.find((x) => x)?.length ?? 0), 0);
  const joined = d.raters.map(() => new Float64Array(total).fill(NaN));
  let off = 0;
  for (const row of used) {
    const len = row.find((x) => x)?.length ?? 0;
    row.forEach((x, r) => x && joined[r].set(x, off));
    off += len;
  }
  return figures([...pairs.values()], joined, '');
}

/** Pooled r of each rater with the mean of the others over the given series (lag 0). */
function rWithOthers(series: GridSeries, r: number): number | null {
  const s = new PairSums();
  for (const row of series) {
    const x = row[r];
    const others = row.filter((y, q) => q !== r && y) as Float64Array[];
    if (!x || !others.length) continue;
    s.addSeries(x, meanSeries(others, x.length));
  }
  return s.pearson();
}


/** The series agreement and gold use: each trace moved by its lag with --align-lags, else as resampled. */
export function usedSeries(g: DimensionGrid, lags: RaterLag[], align: boolean): GridSeries {
  return align ? g.series.map((row) => row.map((x, r) => (x ? shifted(x, lags[r].steps) : null))) : g.series;
}

export function analyzeTraceDimension(d: TraceDimension, o: TraceOptions): { result: TraceDimensionResult; grid: DimensionGrid; used: GridSeries } {
  const g = gridOf(d, o);
  const maxSteps = Math.max(1, Math.round(o.maxLag / o.step));
  // a flat trace (never moved) has no lag and no correlation: left out of the lags and of r with the others
  const moving: GridSeries = g.series.map((row, t) => row.map((x, r) => (g.flat[t][r] ? null : x)));
  const lags = estimateLags(moving, d.raters.length, maxSteps, o.step);
  const used = usedSeries(g, lags, o.align);
  const aligned = usedSeries({ ...g, series: moving }, lags, true);
  const raters: RaterFigures[] = d.raters.map((name, r) => {
    const before = rWithOthers(moving, r);
    const after = lags[r].determined ? rWithOthers(aligned, r) : null;
    const out: RaterFigures = {
      rater: name,
      n_targets: d.traces.filter((row) => row[r]).length,
      lag_s: lags[r].determined ? round6(lags[r].steps * o.step) : null,
      r_with_others: before,
      r_with_others_after_lag: after,
      shifted_s: o.align ? round6(lags[r].steps * o.step) : 0,
    };
    if (!lags[r].determined) out.lag_reason = lags[r].reason ?? 'not determined';
    if (before === null) out.r_reason = d.raters.length < 2 ? 'one rater' : 'a flat trace or no overlap with another rater';
    return out;
  });
  const targets = d.targets.map((_, t) => targetFigures(d, g, used, t, o.step));
  const pooled = pooledFigures(d, used);
  const result: TraceDimensionResult = { dimension: d.name, n_raters: d.raters.length, n_targets: d.targets.length, pooled, targets, raters, diagnostics: [] };
  result.diagnostics = traceDiagnostics(d, g, result, o);
  return { result, grid: g, used };
}
