/**
 * The gold-standard trace, one row per grid time with at least one rater: the raters' mean, or the Evaluator Weighted
 * Estimator (Grimm & Kroschel 2005; RECOLA/AVEC): sum_k w_k x_k / sum_k w_k over the raters with a value there, w_k
 * the Pearson r of rater k with the mean of the other raters over the target, negatives (and undefined r) set to 0.
 * sd is the sample sd (n - 1, R sd()) across the raters present, empty with one rater.
 */
import type { GridSeries } from './lags.js';
import type { TraceDimension } from './read.js';
import { meanSeries, PairSums } from './stats.js';
import { round6 } from './grid.js';

export type TraceGoldAggregate = 'mean' | 'ewe';

export interface TraceGoldRow {
  target: string;
  dimension: string;
  time_s: number;
  gold: number;
  sd: number | null;
  n_raters: number;
}

/** EWE weights of one target's raters: max(0, r with the others' mean); 0 for an absent or flat rater. */
export function eweWeights(row: Array<Float64Array | null>): number[] {
  return row.map((x, r) => {
    const others = row.filter((y, q) => q !== r && y) as Float64Array[];
    if (!x || !others.length) return 0;
    const s = new PairSums();
    s.addSeries(x, meanSeries(others, x.length));
    const c = s.pearson();
    return c === null ? 0 : Math.max(0, c);
  });
}

/** Rows of one dimension; `skipped` counts grid times whose present raters all weigh 0 (EWE undefined there). */
export function* traceGoldRows(d: TraceDimension, used: GridSeries, k0: number[], step: number, how: TraceGoldAggregate, skipped: { n: number; targets: Set<string> }): Generator<TraceGoldRow> {
  for (let t = 0; t < used.length; t++) {
    const row = used[t];
    const len = row.find((x) => x)?.length ?? 0;
    const w = how === 'ewe' ? eweWeights(row) : row.map(() => 1);
    for (let i = 0; i < len; i++) {
      let n = 0;
      let sum = 0;
      let wsum = 0;
      let wx = 0;
      for (let r = 0; r < row.length; r++) {
        const v = row[r]?.[i];
        if (v === undefined || v !== v) continue;
        n++;
        sum += v;
        wsum += w[r];
        wx += w[r] * v;
      }
      if (n === 0) continue;
      if (!(wsum > 0)) {
        skipped.n++;
        skipped.targets.add(d.targets[t]);
        continue;
      }
      const mean = sum / n;
      let ss = 0;
      for (let r = 0; r < row.length; r++) {
        const v = row[r]?.[i];
        if (v !== undefined && v === v) ss += (v - mean) * (v - mean);
      }
      yield { target: d.targets[t], dimension: d.name, time_s: round6((k0[t] + i) * step), gold: wx / wsum, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : null, n_raters: n };
    }
  }
}
