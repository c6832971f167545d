/**
 * What an annotation lead acts on, each naming the rater (and target) and what to do: a trace running against the
 * others (a reversed slider?), a trace that never moved, a rater lagging the panel by over LAG_S, a trace that stops
 * early (covers under COVER of its target), and an outlier (low r with the others' mean while the others agree).
 */
import type { DimensionGrid, TraceDimensionResult, TraceOptions } from './analyze.js';
import type { TraceDimension } from './read.js';

export interface TraceDiagnostic {
  kind: 'reversed' | 'flat' | 'lag' | 'partial' | 'outlier';
  dimension: string;
  rater: string;
  target: string | null;
  message: string;
}

export const REVERSED_R = -0.2;
export const LAG_S = 1;
export const COVER = 0.9;
export const OUTLIER_R = 0.3;
export const PANEL_R = 0.5;

/** First and last grid index where a series has a value, or null. */
function span(x: Float64Array): [number, number] | null {
  let a = -1;
  let b = -1;
  for (let i = 0; i < x.length; i++)
    if (x[i] === x[i]) {
      if (a < 0) a = i;
      b = i;
    }
  return a < 0 ? null : [a, b];
}

const f3 = (x: number) => x.toFixed(3);

function coverage(d: TraceDimension, g: DimensionGrid, step: number): Array<Omit<TraceDiagnostic, 'kind' | 'dimension'>> {
  const out: Array<Omit<TraceDiagnostic, 'kind' | 'dimension'>> = [];
  g.series.forEach((row, t) => {
    const len = row.find((x) => x)?.length ?? 0;
    if (len < 2) return;
    row.forEach((x, r) => {
      const s = x && span(x);
      if (!s) return;
      const covered = (s[1] - s[0]) / (len - 1);
      if (covered >= COVER) return;
      const at = (i: number) => ((g.k0[t] + i) * step).toFixed(2);
      out.push({
        rater: d.raters[r],
        target: d.targets[t],
        message: `rater '${d.raters[r]}' covers only ${at(s[0])}-${at(s[1])} s of target '${d.targets[t]}' (${at(0)}-${at(len - 1)} s, ${Math.round(covered * 100)} %): stopped early or started late? check the recording; the uncovered part counts as missing`,
      });
    });
  });
  return out;
}

export function traceDiagnostics(d: TraceDimension, g: DimensionGrid, res: TraceDimensionResult, o: TraceOptions): TraceDiagnostic[] {
  const out: TraceDiagnostic[] = [];
  const dimension = d.name;
  const rOf = (q: (typeof res.raters)[number]) => q.r_with_others_after_lag ?? q.r_with_others;
  /** The median r with the others' mean of the raters other than q (the panel agrees when >= PANEL_R). */
  const panelR = (q: (typeof res.raters)[number]): number | null => {
    const others = res.raters.filter((p) => p !== q).map(rOf).filter((x): x is number => x !== null).sort((a, b) => a - b);
    return others.length ? others[(others.length - 1) >> 1] : null;
  };
  for (const q of res.raters) {
    const r = rOf(q);
    const med = panelR(q);
    // only against a panel that agrees: among unrelated traces a negative r is chance, not a reversed slider
    if (r !== null && r < REVERSED_R && med !== null && med >= PANEL_R)
      out.push({ kind: 'reversed', dimension, rater: q.rater, target: null, message: `rater '${q.rater}' runs against the others (r = ${f3(r)} with the others' mean): a reversed slider? check the rater's scale direction; if confirmed, negate the trace (or --exclude-rater ${q.rater})` });
  }
  g.flat.forEach((row, t) =>
    row.forEach((fl, r) => {
      if (fl) out.push({ kind: 'flat', dimension, rater: d.raters[r], target: d.targets[t], message: `rater '${d.raters[r]}' never moved in target '${d.targets[t]}' (every sample ${d.traces[t][r]!.value[0]}): a stuck slider or an unwatched clip? have it re-annotated; its r is null there` });
    }),
  );
  for (const q of res.raters)
    if (q.lag_s !== null && Math.abs(q.lag_s) > LAG_S)
      out.push({ kind: 'lag', dimension, rater: q.rater, target: null, message: `rater '${q.rater}' responds ${q.lag_s > 0 ? 'later' : 'earlier'} than the panel by ${Math.abs(q.lag_s).toFixed(2)} s${o.align ? ' (--align-lags moved the trace by it)' : ': --align-lags moves each trace by its lag before agreement and gold'}` });
  for (const c of coverage(d, g, o.step)) out.push({ kind: 'partial', dimension, ...c });
  for (const q of res.raters) {
    const r = rOf(q);
    if (r === null || r < REVERSED_R || r >= OUTLIER_R) continue;
    const med = panelR(q);
    if (med !== null && med >= PANEL_R)
      out.push({ kind: 'outlier', dimension, rater: q.rater, target: null, message: `rater '${q.rater}' follows the others little (r = ${f3(r)} with the others' mean, where the other raters' median is ${f3(med)}): check the rater's instructions or data; consider re-annotating or --exclude-rater ${q.rater}` });
  }
  return out;
}
