/**
 * Every rater pair: Cohen's kappa (Cohen 1960) with its asymptotic SE (Fleiss, Cohen & Everitt 1969) on the targets
 * both rated, the pair's confusion matrix, and Light's (1971) kappa = the mean of the pairwise kappas (irr
 * kappam.light, which takes them on the targets every rater rated; identical without missing ratings).
 * One pass over the targets fills every pair's q x q table: O(sum of ratings-per-target^2), no per-pair scan.
 */
import { kappaFromTable, type KappaValue } from './kappa.js';
import type { ByTarget } from './layout.js';

export interface PairKappa extends KappaValue {
  raters: [string, string];
  n: number;
}

export interface PairTables {
  q: number;
  /** Pair (a, b), a < b: index a * k + b; table rows = rater a's category, columns = rater b's. */
  tables: Map<number, Float64Array>;
}

/** Largest pairs x q^2 cells filled (about 64 MB); beyond it the pair matrix is skipped with a reason. */
export const MAX_PAIR_CELLS = 8_000_000;

export function pairTables(bt: ByTarget, code: ArrayLike<number>, q: number): PairTables | null {
  const k = bt.nRaters;
  if (((k * (k - 1)) / 2) * q * q > MAX_PAIR_CELLS) return null;
  const tables = new Map<number, Float64Array>();
  for (let t = 0; t < bt.nTargets; t++)
    for (let i = bt.start[t]; i < bt.start[t + 1]; i++)
      for (let j = i + 1; j < bt.start[t + 1]; j++) {
        let a = bt.rater[i];
        let b = bt.rater[j];
        let ca = code[i];
        let cb = code[j];
        if (a > b) {
          [a, b] = [b, a];
          [ca, cb] = [cb, ca];
        }
        const key = a * k + b;
        let tab = tables.get(key);
        if (!tab) tables.set(key, (tab = new Float64Array(q * q)));
        tab[ca * q + cb]++;
      }
  return { q, tables };
}

/** Unweighted Cohen's kappa with ASE for every pair (a < b, in rater order) that rated a target together. */
export function cohenPairs(pt: PairTables, raterIds: string[]): PairKappa[] {
  const k = raterIds.length;
  const out: PairKappa[] = [];
  for (let a = 0; a < k; a++)
    for (let b = a + 1; b < k; b++) {
      const tab = pt.tables.get(a * k + b);
      if (!tab) {
        out.push({ raters: [raterIds[a], raterIds[b]], n: 0, kappa: null, reason: 'no target rated by both raters', se: null, ci95_asymptotic: null });
        continue;
      }
      let n = 0;
      for (const c of tab) n += c;
      out.push({ raters: [raterIds[a], raterIds[b]], n, ...kappaFromTable(tab, pt.q, (i, j) => (i === j ? 1 : 0)) });
    }
  return out;
}

export interface LightKappa {
  kappa: number | null;
  n_pairs: number;
  reason: string | null;
}

export function lightKappa(pairs: PairKappa[]): LightKappa {
  const ks = pairs.map((p) => p.kappa).filter((v): v is number => v !== null);
  if (ks.length === 0) return { kappa: null, n_pairs: 0, reason: 'no rater pair has a defined kappa' };
  return {
    kappa: ks.reduce((s, v) => s + v, 0) / ks.length,
    n_pairs: ks.length,
    reason: ks.length < pairs.length ? `${pairs.length - ks.length} pair(s) without a defined kappa left out` : null,
  };
}
