/**
 * `dataset validate`: a record's gold labels against the raw ratings it carries, recomputed as the agreement library
 * makes them (src/agreement/gold.ts: mean, median and sample SD of numbers, rounded to 7 significant digits by the
 * build; for categories the count of each label and the majority, null on a tie). A gold label edited after the
 * build (its checksums rewritten) passed every check, exit 0, before 2026-12-02.
 */

/** A record's label of one dimension, as the build writes it (src/dataset/labels.ts TargetLabel). */
interface RecordLabel {
  gold?: { mean?: number; median?: number; sd?: number | null; majority?: string | null; majority_reason?: string; distribution?: Record<string, number> };
  ratings?: Array<{ rater: string; value: number | string }>;
}

/** Relative tolerance: the build rounds mean and SD to 7 significant digits. */
const close = (a: unknown, b: number | null) => (b === null ? a === null : typeof a === 'number' && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));

/** Mean, median and sample SD (n - 1) of numbers, summed in ascending order as gold.ts numericSummary does. */
function numericGold(values: number[]): { mean: number; median: number; sd: number | null } {
  const v = [...values].sort((p, q) => p - q);
  const m = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / m;
  const median = m % 2 ? v[m >> 1] : (v[(m >> 1) - 1] + v[m >> 1]) / 2;
  const sd = m >= 2 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (m - 1)) : null;
  return { mean, median, sd };
}

/** The count of each label and the majority (null when the top count is shared), as gold.ts tally does. */
function categoricalGold(values: string[]): { distribution: Map<string, number>; majority: string | null } {
  const distribution = new Map<string, number>();
  for (const v of values) distribution.set(v, (distribution.get(v) ?? 0) + 1);
  const top = Math.max(...distribution.values());
  const best = [...distribution].filter(([, n]) => n === top);
  return { distribution, majority: best.length === 1 ? best[0][0] : null };
}

/** What is wrong with a label's gold given its ratings ('gold mean is 9, its ratings give 8.5'), or null. */
export function goldProblem(l: RecordLabel): string | null {
  const ratings = l.ratings ?? [];
  const gold = l.gold ?? {};
  if (ratings.length === 0) return null; // the schema requires ratings
  if ('mean' in gold || 'median' in gold || 'sd' in gold) {
    if (!ratings.every((r) => typeof r.value === 'number')) return 'gold has a mean, but its ratings are not all numbers';
    const want = numericGold(ratings.map((r) => r.value as number));
    for (const k of ['mean', 'median', 'sd'] as const) if (!close(gold[k], want[k])) return `gold ${k} is ${JSON.stringify(gold[k])}, its ${ratings.length} ratings give ${want[k] === null ? 'null' : Number(want[k]!.toPrecision(7))}`;
    return null;
  }
  const want = categoricalGold(ratings.map((r) => String(r.value)));
  const have = Object.entries(gold.distribution ?? {});
  if (have.length !== want.distribution.size || have.some(([k, n]) => want.distribution.get(k) !== n))
    return `gold distribution is ${JSON.stringify(gold.distribution ?? null)}, its ratings give ${JSON.stringify(Object.fromEntries(want.distribution))}`;
  if ((gold.majority ?? null) !== want.majority) return `gold majority is ${JSON.stringify(gold.majority ?? null)}, its ratings give ${JSON.stringify(want.majority)}${want.majority === null ? ' (a tie)' : ''}`;
  return null;
}
