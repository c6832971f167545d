/** The text table of `mmprep agreement FILE --traces`. */
import type { Figures, TraceDimensionResult } from './analyze.js';

export interface TraceRun {
  step_s: number;
  step_source: string;
  max_gap_s: number;
  max_lag_s: number;
  aligned: boolean;
}

const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function figureRow(name: string, f: Figures, extra: string): string {
  return `  ${pad(name, 22)}${lpad(num(f.mean_r), 8)}${lpad(num(f.mean_ccc), 10)}${lpad(num(f.alpha), 8)}${lpad(String(f.n_complete_samples), 10)}  ${extra}`.trimEnd();
}

function reasons(f: Figures): string {
  return [f.mean_r_reason && `r: ${f.mean_r_reason}`, f.alpha_reason && `alpha: ${f.alpha_reason}`, f.alpha_note && `alpha: ${f.alpha_note}`].filter(Boolean).join('; ');
}

function dimensionText(d: TraceDimensionResult, run: TraceRun): string[] {
  const lines = [`dimension '${d.dimension}': ${d.n_raters} raters, ${d.n_targets} target(s)`];
  lines.push(`  ${pad('', 22)}${lpad('mean r', 8)}${lpad('mean CCC', 10)}${lpad('alpha', 8)}${lpad('complete', 10)}`);
  lines.push(figureRow('pooled', d.pooled, reasons(d.pooled)));
  for (const t of d.targets) lines.push(figureRow(`${t.target} (${t.n_raters} raters)`, t, reasons(t)));
  lines.push('', `  ${pad('rater', 22)}${lpad('lag s', 8)}${lpad('r others', 10)}${lpad('aligned', 9)}${run.aligned ? lpad('moved s', 9) : ''}`);
  for (const q of d.raters) {
    const row = `  ${pad(q.rater, 22)}${lpad(num(q.lag_s, 2), 8)}${lpad(num(q.r_with_others), 10)}${lpad(num(q.r_with_others_after_lag), 9)}${run.aligned ? lpad(q.shifted_s.toFixed(2), 9) : ''}`;
    lines.push(q.lag_reason ? `${row}  lag: ${q.lag_reason}` : row);
  }
  if (d.diagnostics.length) lines.push('', '  diagnostics:', ...d.diagnostics.map((x) => `  - ${x.message}`));
  return lines;
}

export function formatTracesText(dims: TraceDimensionResult[], run: TraceRun, gateLine: string | null): string {
  const head = `continuous traces: grid every ${run.step_s} s (${run.step_source}), linear interpolation inside each trace, gaps over ${run.max_gap_s} s missing; lags within ±${run.max_lag_s} s (positive = the rater responds later)${run.aligned ? '; traces moved by their lags before agreement and gold (--align-lags)' : ''}`;
  const body = dims.flatMap((d) => ['', ...dimensionText(d, run)]);
  return [head, ...body, ...(gateLine ? ['', gateLine] : []), ''].join('\n');
}
