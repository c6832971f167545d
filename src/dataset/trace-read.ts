/**
 * Gold-trace files for `dataset build --labels`: the gold trace of each target as `mmprep agreement FILE --traces
 * --gold gold.csv` writes it (header `target,dimension,time_s,gold,sd,n_raters`, one row per grid time; `session_id`
 * for `target`, and files without `sd`/`n_raters` or `dimension`, are read too; `.jsonl`: one object per row with the
 * same fields). A file of the raters' own traces (a `rater` column beside a time column: the raw FEELtrace export) is
 * refused: the gold trace is made first, by mmprep agreement, not averaged silently here.
 */
import { basename } from 'node:path';
import { parseDecimal, readCsvText, readTextFile } from '../common/csv.js';
import { InputError } from '../common/errors.js';
import { irregularStep, medianStep } from './trace-window.js';
import { TRACE_RATER_NAMES, TRACE_TIME_NAMES, traceColumnKey } from '../agreement/traces/read.js';

/** One session's gold samples of one dimension, in file order (times strictly increasing), with their file lines. */
export interface TraceSamples {
  t: number[];
  v: number[];
  sd: number[] | null;
  lines: number[];
}

export interface TraceDimension {
  file: string;
  dimension: string;
  /** The median step between consecutive samples (s): the grid step. */
  step_s: number;
  /** session id (the file's target) -> its samples. */
  bySession: Map<string, TraceSamples>;
  samples: number;
  /** The largest n_raters of the file's rows of this dimension (null without the column). */
  max_raters: number | null;
  /** Notes about the trace (an irregular step), each naming file:line. */
  notes: string[];
}

// The names mmprep agreement --traces reads (src/agreement/traces/read.ts), so a raw export it reads is recognised here
// (until 2026-12-08 this list lacked t_s, t_ms, coder and `Time (ms)`: such an export was read as ratings, with advice
// that led to "pass --traces", an option dataset build has not). A bare `t` counts only beside a rater column (a wide
// ratings sheet may have a rater 't').
const TIME_COLUMNS = [...TRACE_TIME_NAMES, 'frame_time'];
const RATER_COLUMNS = [...TRACE_RATER_NAMES, 'rater_id', 'annotator_id', 'coder_id'];

type Kind = 'gold' | 'raw' | null;

/** What a header names: a gold trace, the raters' own traces, or neither (a ratings file). */
export function traceKind(header: string[]): Kind {
  const h = header.map(traceColumnKey);
  const has = (c: string) => h.includes(c);
  if ((has('target') || has('session_id')) && has('time_s') && has('gold')) return 'gold';
  // Rated spans (start_s/end_s) are ratings, whatever else the file has: a long ratings file may carry a time or
  // timestamp column, the order agreement reads for drift (refused as raw traces on 2026-12-08's main).
  if (has('start_s') || has('end_s')) return null;
  // long (a rater column) or wide (RECOLA's `FrameTime;FM1;FF1;…`: one column per rater): a time column is a trace
  const rater = RATER_COLUMNS.some(has);
  if (TIME_COLUMNS.some((c) => has(c) && (c !== 't' || rater))) return 'raw';
  return null;
}

/** The header of a CSV or JSONL labels file (a JSONL's first object's keys). */
async function headerOf(file: string, text: string, delimiter: string | undefined): Promise<string[]> {
  if (/\.jsonl$/i.test(file)) {
    const first = text.split(/\r?\n/).find((l) => l.trim() !== '');
    try {
      const o = first ? JSON.parse(first) : null;
      return o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : [];
    } catch {
      return [];
    }
  }
  return readCsvText(text, file, { delimiter }).header;
}

/** The refusal of a file of the raters' own traces (kind 'raw'). */
function rawTraceRefusal(file: string, header: string[]): InputError {
  const rater = header.find((c) => RATER_COLUMNS.includes(traceColumnKey(c)));
  const time = header.find((c) => TIME_COLUMNS.includes(traceColumnKey(c))) ?? 'time';
  const shape = rater ? `a '${rater}' column and a '${time}' column: one row per rater and time` : `a '${time}' column and no gold column: one column per rater?`;
  return new InputError(
    `this looks like the raters' own continuous traces (${shape}), not labels of records: make the gold trace first with \`mmprep agreement ${basename(file)} --traces --gold gold.csv\` and give gold.csv to --labels (dataset build does not average raters' traces itself)`,
    { file, line: 1 },
  );
}

/** Rows of a CSV or JSONL file as {line, cell(name)} (names lower-case). */
function rowsOf(file: string, text: string, delimiter: string | undefined): Array<{ line: number; get: (c: string) => string | undefined }> {
  if (/\.jsonl$/i.test(file)) {
    const out: Array<{ line: number; get: (c: string) => string | undefined }> = [];
    text.split(/\r?\n/).forEach((l, i) => {
      if (l.trim() === '') return;
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(l);
      } catch {
        throw new InputError('not a JSON object (a .jsonl gold trace has one object per line)', { file, line: i + 1 });
      }
      const lower = new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v === null || v === undefined ? '' : String(v)]));
      out.push({ line: i + 1, get: (c) => lower.get(c) });
    });
    return out;
  }
  const table = readCsvText(text, file, { delimiter });
  const idx = new Map(table.header.map((h, i) => [h.replace(/^\uFEFF/, '').trim().toLowerCase(), i]));
  return table.rows.map((r) => ({ line: r.line, get: (c: string) => (idx.has(c) ? r.cells[idx.get(c)!] : undefined) }));
}

/** A number cell of a gold-trace row, or the refusal naming file, line and column. */
function numberCell(cell: string | undefined, column: string, file: string, line: number, decimalComma: boolean | undefined): number {
  const v = parseDecimal(cell ?? '', decimalComma);
  if (Number.isFinite(v)) return v;
  throw new InputError(`${column} must be a number, got '${cell ?? ''}' (a gold trace writes no row for a grid time without a gold value)`, { file, line, column });
}

/** Appends one row's sample to its series, refusing a time not after the series' previous one. */
function addSample(series: TraceSamples, t: number, v: number, sd: number, line: number, file: string, where: string): void {
  const k = series.t.length;
  if (k > 0 && !(t > series.t[k - 1]))
    throw new InputError(`time_s ${t} of ${where} is not after ${series.t[k - 1]} on line ${series.lines[k - 1]}: a gold trace's times increase within each target and dimension (sort the file by target, dimension, time_s; a time given twice?)`, { file, line, column: 'time_s' });
  series.t.push(t);
  series.v.push(v);
  series.sd?.push(sd);
  series.lines.push(line);
}

/** The irregular-step note of a dimension: the first step that is not a whole number of grid steps, named. */
function irregularNote(d: TraceDimension): string[] {
  let n = 0;
  let first = '';
  for (const [sid, s] of d.bySession)
    for (let i = 1; i < s.t.length; i++) {
      const step = s.t[i] - s.t[i - 1];
      if (!irregularStep(step, d.step_s)) continue;
      if (n++ === 0) first = `line ${s.lines[i]} ('${sid}') is ${Number(step.toFixed(6))} s after line ${s.lines[i - 1]}`;
    }
  if (n === 0) return [];
  return [`${basename(d.file)}: the gold trace of ${d.dimension} changes its grid: ${n} step(s) are not a whole number of its ${Number(d.step_s.toFixed(6))} s grid step (the median); ${first}: the window means weight each sample by its own cell, but check the file (two exports of different rates joined?)`];
}

/** Reads a gold-trace file into one TraceDimension per dimension (file order). */
async function readGoldTrace(file: string, text: string, o: { delimiter?: string; decimalComma?: boolean }): Promise<TraceDimension[]> {
  const stem = basename(file).replace(/\.[^.]*$/, '');
  const byDim = new Map<string, TraceDimension>();
  for (const { line, get } of rowsOf(file, text, o.delimiter)) {
    const target = (get('target') ?? get('session_id') ?? '').trim();
    if (target === '') throw new InputError(`empty ${get('target') === undefined ? 'session_id' : 'target'}: each row of a gold trace names the session it is of`, { file, line });
    const dimension = (get('dimension') ?? '').trim() || stem;
    const t = numberCell(get('time_s'), 'time_s', file, line, o.decimalComma);
    const v = numberCell(get('gold'), 'gold', file, line, o.decimalComma);
    const sdCell = get('sd');
    const sd = sdCell === undefined || sdCell.trim() === '' || /^na$/i.test(sdCell.trim()) ? NaN : numberCell(sdCell, 'sd', file, line, o.decimalComma);
    const nr = get('n_raters');
    let d = byDim.get(dimension);
    if (!d) byDim.set(dimension, (d = { file, dimension, step_s: 0, bySession: new Map(), samples: 0, max_raters: null, notes: [] }));
    let series = d.bySession.get(target);
    if (!series) d.bySession.set(target, (series = { t: [], v: [], sd: sdCell === undefined ? null : [], lines: [] }));
    addSample(series, t, v, sd, line, file, `'${target}' ${dimension}`);
    d.samples++;
    if (nr !== undefined && nr.trim() !== '') d.max_raters = Math.max(d.max_raters ?? 0, numberCell(nr, 'n_raters', file, line, false));
  }
  if (byDim.size === 0) throw new InputError('a gold trace without a row: nothing to label records with (an empty export?)', { file });
  for (const d of byDim.values()) {
    const step = medianStep([...d.bySession.values()].map((s) => s.t));
    if (step === null || !(step > 0)) throw new InputError(`the gold trace of ${d.dimension} has no two samples of one target: its grid step is unknown, and a single time is no trace`, { file });
    d.step_s = step;
    d.notes = irregularNote(d);
  }
  return [...byDim.values()];
}

/**
 * A labels file read as a trace: its dimensions when its header is a gold trace's, null when it is a ratings file;
 * a file of raters' traces is refused.
 */
export async function readTraceIf(file: string, o: { delimiter?: string; decimalComma?: boolean }): Promise<TraceDimension[] | null> {
  const text = await readTextFile(file);
  const header = await headerOf(file, text, o.delimiter);
  const kind = traceKind(header);
  if (kind === 'raw') throw rawTraceRefusal(file, header);
  return kind === 'gold' ? readGoldTrace(file, text, o) : null;
}
