/**
 * Test-retest designs (the same rater rates the same target on several occasions): intra-rater reliability per rater
 * and the first-occasion view that the inter-rater figures use.
 *
 * Numeric ratings: ICC(3,1) of the rater's targets x occasions table (occasions as the fixed "raters", consistency;
 * Weir 2005, psych::ICC's ICC3 on the complete targets). Labels: Cohen's kappa between the rater's first two
 * occasions (and its asymptotic SE), with the share of identical ratings.
 */
import { iccAnova } from './icc.js';
import { byTarget } from './layout.js';
import { cohenKappaPairs, type KappaValue } from './kappa.js';
import type { IccRow, RatingsDimension } from './types.js';

export interface IntraRater {
  rater: string;
  /** Targets the rater rated on two or more occasions. */
  n_targets_repeated: number;
  occasions: string[];
  /** Numeric: ICC(3,1) across occasions (complete targets). */
  icc3: IccRow | null;
  /** Labels: Cohen's kappa between the first two occasions. */
  kappa: KappaValue | null;
  /** Share of repeated targets given the same rating on every occasion. */
  identical: number | null;
  reason: string | null;
}

function pick(d: RatingsDimension, keep: (i: number) => boolean, raterOf: (i: number) => number, raters: string[]): RatingsDimension {
  const idx: number[] = [];
  for (let i = 0; i < d.value.length; i++) if (keep(i)) idx.push(i);
  return {
    name: d.name,
    targets: d.targets,
    raters,
    target: Int32Array.from(idx, (i) => d.target[i]),
    rater: Int32Array.from(idx, raterOf),
    value: Float64Array.from(idx, (i) => d.value[i]),
    order: d.order ? Float64Array.from(idx, (i) => d.order![i]) : null,
    record: Int32Array.from(idx, (i) => d.record[i]),
    categories: d.categories,
    ordered: d.ordered,
    occasion: null,
    occasions: [],
  };
}

/** Each rater's first occasion of each target: the ratings the inter-rater figures use. */
export function firstOccasion(d: RatingsDimension): RatingsDimension {
  const occ = d.occasion!;
  const first = new Map<number, number>();
  const key = (i: number) => d.target[i] * d.raters.length + d.rater[i];
  for (let i = 0; i < d.value.length; i++) {
    const k = key(i);
    const f = first.get(k);
    if (f === undefined || occ[i] < occ[f]) first.set(k, i);
  }
  return pick(d, (i) => first.get(key(i)) === i, (i) => d.rater[i], d.raters);
}

export function intraRater(d: RatingsDimension): IntraRater[] {
  const occ = d.occasion!;
  const names = d.occasions ?? [];
  return d.raters.map((rater, r) => {
    const used = Array.from(new Set(Array.from(occ).filter((_, i) => d.rater[i] === r))).sort((a, b) => a - b);
    const sub = pick(d, (i) => d.rater[i] === r, (i) => used.indexOf(occ[i]), used.map((o) => names[o]));
    const bt = byTarget(sub);
    let repeated = 0;
    let same = 0;
    for (let t = 0; t < bt.nTargets; t++) {
      const a = bt.start[t];
      const b = bt.start[t + 1];
      if (b - a < 2) continue;
      repeated++;
      let eq = true;
      for (let j = a + 1; j < b; j++) eq &&= bt.value[j] === bt.value[a];
      if (eq) same++;
    }
    const base = { rater, n_targets_repeated: repeated, occasions: used.map((o) => names[o]), icc3: null, kappa: null, identical: repeated ? same / repeated : null };
    if (used.length < 2 || repeated < 2) return { ...base, reason: 'fewer than two targets rated on two occasions' };
    if (d.categories) {
      const x: number[] = [];
      const y: number[] = [];
      for (let t = 0; t < bt.nTargets; t++) {
        let v0 = NaN;
        let v1 = NaN;
        for (let j = bt.start[t]; j < bt.start[t + 1]; j++) {
          if (bt.rater[j] === 0) v0 = bt.value[j];
          else if (bt.rater[j] === 1) v1 = bt.value[j];
        }
        if (!Number.isNaN(v0) && !Number.isNaN(v1)) {
          x.push(v0);
          y.push(v1);
        }
      }
      const span = d.ordered ? d.categories.length : undefined;
      return { ...base, kappa: cohenKappaPairs(Float64Array.from(x), Float64Array.from(y), span).unweighted, reason: null };
    }
    const icc = iccAnova(sub, bt);
    const row = icc.rows.find((x) => x.type === 'ICC3')!;
    return { ...base, icc3: row, reason: row.icc === null ? row.reason : null };
  });
}
