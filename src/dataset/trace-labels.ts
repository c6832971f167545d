/**
 * Record labels from gold traces (trace-read.ts): per record and dimension the trace's time-weighted mean over the
 * record's span (trace-window.ts), with its SD, sample count and coverage; a record the trace covers less than the
 * minimum share is left without that label and counted. The trace's times are on the clock of `labels_clock`'s role
 * (empty: the reference clock), as span labels' are (build-session.ts spansOnReference), mapped through sync.json.
 */
import { basename } from 'node:path';
import { isMmprepError } from '../common/errors.js';
import type { ManifestSession } from '../batch/manifest.js';
import { columnClock } from './transcripts/index.js';
import type { RecordingExtent } from './transcripts/check.js';
import type { DimensionAgreement, LabelSet } from './labels.js';
import type { TraceSamples } from './trace-read.js';
import { traceWindow } from './trace-window.js';
import { round7 } from './functionals.js';

/** The default least share of a record's span a trace must cover for the record to get its mean (--min-trace-coverage). */
export const DEFAULT_MIN_TRACE_COVERAGE = 0.5;

/** One gold-trace dimension as one session needs it (plain data: sent to build threads). */
export interface SessionTrace {
  key: string;
  /** The trace's target id: the session id. */
  target: string;
  file: string;
  step_s: number;
  agreement: DimensionAgreement;
  /** This session's samples (times on the file's clock until tracesOnReference), or null when the trace has none. */
  series: TraceSamples | null;
}

/** Per trace key, what the emitted records of a session got (summed by the build into manifest.json's `trace`). */
export interface TraceTally {
  labelled: number;
  below_min_coverage: number;
  without_trace: number;
  /** Sum of the coverage of records of sessions with a trace (labelled or not), for the mean. */
  coverage_sum: number;
  coverage_n: number;
}

export function sessionTraces(set: LabelSet, sessionId: string): SessionTrace[] {
  return set.dimensions
    .filter((d) => d.trace)
    .map((d) => ({ key: d.key, target: sessionId, file: d.file, step_s: d.trace!.step_s, agreement: d.agreement, series: d.trace!.bySession.get(sessionId) ?? null }));
}

/** The traces with their times on the session's reference clock (labels_clock's role mapped by sync.json). */
export async function tracesOnReference(s: ManifestSession, syncPath: string, traces: SessionTrace[]): Promise<SessionTrace[]> {
  if (!traces.some((x) => x.series)) return traces;
  const clock = await columnClock(s, syncPath, 'labels_clock');
  if (!clock) return traces;
  return traces.map((x) => (x.series ? { ...x, series: { ...x.series, t: x.series.t.map((t) => clock(t)) } } : x));
}

/**
 * A gold trace read on the reference clock because labels_clock is empty, in a session whose video lies more than
 * half a grid step (or 20 ms) from the reference: raters watch the video while they rate, so a trace timed from the
 * video's start is read that far off, labels shifted with exit 0 (tuser61: 0.60-0.66 s, window means 0.42 apart).
 * The cell 'reference' says the times are the reference's and silences it. One line per session (kind
 * labels_clock_assumed); [] where the video's clock cannot be read (no sync.json, no video role): other checks say so.
 */
export async function traceClockAssumedWarnings(s: ManifestSession, syncPath: string, traces: SessionTrace[]): Promise<string[]> {
  const withSeries = traces.filter((x) => x.series && x.series.t.length);
  const cell = (s.meta.labels_clock ?? '').trim();
  if (!withSeries.length || cell !== '' || s.ref_role === 'video' || !s.media.some((m) => m.role === 'video')) return [];
  let clock: ((t: number) => number) | null = null;
  try {
    clock = await columnClock({ ...s, meta: { ...s.meta, labels_clock: 'video' } }, syncPath, 'labels_clock');
  } catch (e) {
    // no sync map or no entry for the video: the clock cannot be read, and the checks that need it say so elsewhere
    if (isMmprepError(e)) return [];
    throw e;
  }
  if (!clock) return [];
  const x = withSeries[0];
  const t = x.series!.t;
  const mid = (t[0] + t[t.length - 1]) / 2;
  const off = clock(mid) - mid;
  if (!(Math.abs(off) > Math.max(x.step_s / 2, 0.02))) return [];
  const files = [...new Set(withSeries.map((y) => basename(y.file)))].join(', ');
  return [
    `labels: ${files}: the gold trace's time_s are read on the reference clock (${s.ref_role}) because labels_clock is empty, but this session's video lies ${Math.abs(off).toFixed(3)} s ${off > 0 ? 'after' : 'before'} it: raters who rated while watching the video timed the trace on the video's clock, and every window's label would be read ${Math.abs(off).toFixed(3)} s off; give labels_clock video (or reference, if the times are the reference's, to say so and silence this)`,
  ];
}

/**
 * Gold samples outside the recording by more than a grid step (on the reference clock): a trace longer than the
 * session, or on another clock, or another session's. One warning per dimension naming the file's first such line;
 * `mostly` when more than half of the session's samples lie outside (build-session gives it kind labels_unmatched,
 * which fails dataset validate: a trace timed in ms as time_s left 2 of 251 samples inside, the first held over
 * every window, every record labelled with one value, dataset valid; tuser61).
 */
export function traceOutsideWarnings(traces: SessionTrace[], rec: RecordingExtent | null, s: ManifestSession): Array<{ message: string; mostly: boolean }> {
  if (!rec) return [];
  const out: Array<{ message: string; mostly: boolean }> = [];
  for (const x of traces) {
    if (!x.series) continue;
    const { t, lines } = x.series;
    const off = t.map((v, i) => i).filter((i) => t[i] < rec.start_s - x.step_s || t[i] > rec.end_s + x.step_s);
    if (off.length === 0) continue;
    const i = off[0];
    const clock = (s.meta.labels_clock ?? '').trim();
    const on = clock && clock !== 'reference' ? `labels_clock ${clock}, mapped to the reference clock` : 'the reference clock (labels_clock empty)';
    out.push({
      mostly: off.length * 2 > t.length,
      message: `labels: ${basename(x.file)}: ${off.length} of the ${t.length} gold samples of ${x.key} (the first on line ${lines[i]}, at ${Number(t[i].toFixed(3))} s on ${on}) lie outside the recording (${Number(rec.start_s.toFixed(3))}-${Number(rec.end_s.toFixed(3))} s): they label no record; is the trace this session's, and timed on the clock labels_clock names?${off.length * 2 > t.length ? ' (most of it lies outside: times in milliseconds written as time_s?)' : ''} check it`,
    });
  }
  return out;
}

/** A record's trace label, or null with why (below the minimum coverage, no trace for its session). */
export function traceLabel(x: SessionTrace, a: number, b: number, minCoverage: number): { label: { target: string; gold: Record<string, number | null>; agreement: DimensionAgreement } | null; coverage: number | null } {
  if (!x.series) return { label: null, coverage: null };
  const w = traceWindow(x.series, x.step_s, a, b);
  if (w.mean === null || w.coverage < minCoverage - 1e-9) return { label: null, coverage: w.coverage };
  const r = (v: number | null) => (v === null ? null : round7(v));
  return {
    label: { target: x.target, gold: { mean: r(w.mean), sd: r(w.sd), n_samples: w.n_samples, coverage: r(w.coverage), raters_sd: r(w.raters_sd) }, agreement: x.agreement },
    coverage: w.coverage,
  };
}

/** Adds one emitted record's outcome for trace `key` to a session's tallies. */
export function tallyTrace(t: Record<string, TraceTally>, key: string, labelled: boolean, coverage: number | null): void {
  const k = (t[key] ??= { labelled: 0, below_min_coverage: 0, without_trace: 0, coverage_sum: 0, coverage_n: 0 });
  if (coverage === null) k.without_trace++;
  else {
    k.coverage_sum += coverage;
    k.coverage_n++;
    if (labelled) k.labelled++;
    else k.below_min_coverage++;
  }
}
