/**
 * Reads a long CSV of continuous annotation traces (FEELtrace, GTrace, CARMA, a joystick or slider sampled at the
 * rater's own rate): `target,rater,time_s,arousal,valence` (one column per dimension) or
 * `target,rater,dimension,time_s,rating`. Each (dimension, target, rater) becomes one trace sorted by time; a time
 * given twice in one trace is refused with both lines. Errors are one line `file:line, column C: problem: what to do`.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { InputError } from '../../common/errors.js';
import { decimalNumber } from '../../common/decimal.js';
import { looksLikeDecimalComma, parseDecimal, sniffFileDelimiter, thousandsPointMessage } from '../../common/csv.js';
import { shellWord } from '../../common/shell.js';
import { refuseOtherFormat } from '../read.js';

export interface Trace {
  /** Sample times in seconds, ascending, no repeats. */
  time: number[];
  /** The rating at each time. */
  value: number[];
}

export interface TraceDimension {
  name: string;
  /** Target ids in order of first appearance. */
  targets: string[];
  /** Rater ids in order of first appearance (in this dimension). */
  raters: string[];
  /** traces[target][rater]: that rater's trace of that target, or null (not rated). */
  traces: Array<Array<Trace | null>>;
}

export interface TraceTable {
  dimensions: TraceDimension[];
  /** The header names of the columns read. */
  columns: { target: string; rater: string; time: string; ratings: string[]; dimension: string | null };
  /** Said on stderr (times sorted within a trace). */
  notes: string[];
}

export interface ReadTracesOptions {
  targetColumn?: string;
  raterColumn?: string;
  timeColumn?: string;
  ratingColumn?: string;
  dimensionColumn?: string;
  delimiter?: string;
  /** Cell values that mean a missing sample besides '' and NA. */
  naValues?: string[];
  excludeRaters?: string[];
  /** Numbers are written with a decimal comma ('0,35', a European export). */
  decimalComma?: boolean;
}

/** Time columns as the ratings reader detects them (read.ts TRACE_TIME), in seconds unless named in ms. */
export const TRACE_TIME_NAMES = ['time_s', 't_s', 'time', 'timestamp', 't', 'time_ms', 't_ms', 'frametime'];
const TIME_NAMES = TRACE_TIME_NAMES;
/** Rater columns of a trace file (dataset build's raw-trace check reads the same names). */
export const TRACE_RATER_NAMES = ['rater', 'annotator', 'coder'];

/**
 * A header name as the column lists match it: trimmed, lower case, a unit in brackets written as a suffix, as
 * annotation tools label it (`Time (ms)` -> `time_ms`, `Time [s]` -> `time_s`; isMs reads the unit either way).
 */
export function traceColumnKey(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s*[([]\s*(ms|s)\s*[)\]]$/, '_$1');
}
const isMs = (name: string) => /(^|_)ms$|\(ms\)/i.test(name.trim());

interface Columns {
  target: number;
  rater: number;
  time: number;
  dimension: number;
  ratings: number[];
}

function findColumn(header: string[], given: string | undefined, names: string[], what: string, flag: string, file: string): number {
  const lower = header.map(traceColumnKey);
  if (given !== undefined) {
    const i = header.findIndex((h) => h.trim().toLowerCase() === given.trim().toLowerCase());
    if (i < 0) throw new InputError(`no column '${given}' (${flag}) in the header (${header.join(', ')})`, { file, line: 1 });
    return i;
  }
  for (const n of names) {
    const i = lower.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** Which column holds what; the rating columns are `--rating-col`, else `rating`, else every other column. */
function columnsOf(header: string[], o: ReadTracesOptions, file: string): Columns {
  const need = (i: number, what: string, flag: string) => {
    if (i < 0) throw new InputError(`no ${what} column in the header (${header.join(', ')}): name it or pass ${flag}`, { file, line: 1 });
    return i;
  };
  const keys = header.map(traceColumnKey);
  if (o.raterColumn === undefined && keys.includes('gold') && keys.includes('time_s') && !TRACE_RATER_NAMES.some((n) => keys.includes(n)))
    throw new InputError(`this is a gold trace (${header.join(', ')}: one row per grid time, as agreement --traces --gold writes it), not the raters' own traces: agreement --traces reads each rater's trace (target, rater, time_s, a column per dimension); give the gold trace to dataset build --labels`, { file, line: 1 });
  const target = need(findColumn(header, o.targetColumn, ['target', 'session', 'session_id', 'clip', 'video'], 'target', '--target-col', file), "'target'", '--target-col');
  const rater = need(findColumn(header, o.raterColumn, TRACE_RATER_NAMES, 'rater', '--rater-col', file), "'rater'", '--rater-col');
  const time = need(findColumn(header, o.timeColumn, TIME_NAMES, 'time', '--time-col', file), `time (${TIME_NAMES.slice(0, 4).join(', ')}, …)`, '--time-col');
  const dimension = findColumn(header, o.dimensionColumn, ['dimension'], 'dimension', '--dimension-col', file);
  const used = new Set([target, rater, time, dimension]);
  let ratings: number[];
  const rating = findColumn(header, o.ratingColumn, ['rating', 'value'], 'rating', '--rating-col', file);
  if (rating >= 0) ratings = [rating];
  else if (dimension >= 0) throw new InputError(`a '${header[dimension]}' column but no 'rating' column: name the column of values 'rating' or pass --rating-col`, { file, line: 1 });
  else ratings = header.map((_, i) => i).filter((i) => !used.has(i));
  if (ratings.length === 0) throw new InputError(`no rating column besides target, rater and time: add one column per dimension (e.g. arousal, valence) or a 'rating' column`, { file, line: 1 });
  if (new Set([target, rater, time, ...ratings]).size !== 3 + ratings.length) throw new InputError(`one column is named for two roles (target, rater, time, rating): pass the --*-col options`, { file, line: 1 });
  return { target, rater, time, dimension, ratings };
}

/** One trace being read: samples in file order with their lines. */
interface Pending {
  time: number[];
  value: number[];
  line: number[];
}

class Builder {
  readonly dims = new Map<string, { targets: Map<string, number>; raters: Map<string, number>; traces: Map<string, Pending> }>();

  add(dim: string, target: string, rater: string, t: number, v: number, line: number): void {
    let d = this.dims.get(dim);
    if (!d) this.dims.set(dim, (d = { targets: new Map(), raters: new Map(), traces: new Map() }));
    if (!d.targets.has(target)) d.targets.set(target, d.targets.size);
    if (!d.raters.has(rater)) d.raters.set(rater, d.raters.size);
    const key = `${d.targets.get(target)}\u0000${d.raters.get(rater)}`;
    let p = d.traces.get(key);
    if (!p) d.traces.set(key, (p = { time: [], value: [], line: [] }));
    p.time.push(t);
    p.value.push(v);
    p.line.push(line);
  }
}

/** Sorts one trace by time (stable); a time given twice is refused naming both lines. Returns whether it was unsorted. */
function finishTrace(p: Pending, where: { file: string; column: string; dim: string; target: string; rater: string }): { trace: Trace; sorted: boolean } {
  const idx = p.time.map((_, i) => i);
  const unsorted = p.time.some((t, i) => i > 0 && t < p.time[i - 1]);
  if (unsorted) idx.sort((a, b) => p.time[a] - p.time[b] || a - b);
  for (let k = 1; k < idx.length; k++) {
    const [a, b] = [idx[k - 1], idx[k]];
    if (p.time[a] === p.time[b]) {
      const [first, second] = p.line[a] < p.line[b] ? [a, b] : [b, a];
      const same = p.value[a] === p.value[b];
      throw new InputError(
        `rater '${where.rater}' has time ${p.time[a]} twice in target '${where.target}'${where.dim === 'rating' ? '' : ` (${where.dim})`} (first on line ${p.line[first]}, ${same ? 'the same value: a row given twice? delete one' : `values ${p.value[first]} there and ${p.value[second]} here: one trace must have one value per time; if these are two passes or two people, give them their own rater ids`})`,
        { file: where.file, line: p.line[second], column: where.column },
      );
    }
  }
  return { trace: { time: idx.map((i) => p.time[i]), value: idx.map((i) => p.value[i]) }, sorted: unsorted };
}

interface ReadState {
  header: string[];
  cols: Columns;
  ms: boolean;
  na: Set<string>;
  exclude: Set<string>;
  seenExcluded: Set<string>;
  decimalComma: boolean;
}

/** A time or rating cell as a number, or NaN; a comma or point that may mean either is refused (common/csv.ts). */
function cellNumber(text: string, st: ReadState, file: string, line: number, column: string): number {
  const thousands = thousandsPointMessage(text, st.decimalComma);
  if (thousands) throw new InputError(thousands, { file, line, column });
  return st.decimalComma ? parseDecimal(text, true) : decimalNumber(text);
}

/** The hint for a cell that failed to parse: a decimal comma without --decimal-comma. */
const commaHint = (text: string, st: ReadState) => (!st.decimalComma && looksLikeDecimalComma(text) ? ` (a decimal comma, as a European export writes? pass --decimal-comma)` : '');

/** One data row into the builder: its samples (one per rating column with a value). */
function readRow(st: ReadState, b: Builder, record: string[], line: number, file: string): void {
  const { header, cols } = st;
  if (record.length !== header.length) throw new InputError(`${record.length} cells where the header has ${header.length}: fix the row (a delimiter inside a value must be quoted)`, { file, line });
  if (record.every((c, i) => c.trim() === header[i])) return; // a header repeated (exports joined)
  const rater = record[cols.rater].trim();
  const target = record[cols.target].trim();
  if (target === '') throw new InputError('an empty target id: fill it in or delete the row', { file, line, column: header[cols.target] });
  if (rater === '') throw new InputError('an empty rater id: fill it in or delete the row', { file, line, column: header[cols.rater] });
  if (st.exclude.has(rater)) {
    st.seenExcluded.add(rater);
    return;
  }
  const tText = record[cols.time].trim();
  const t = cellNumber(tText, st, file, line, header[cols.time]);
  if (!Number.isFinite(t)) throw new InputError(`time '${tText}' is not a number (${st.ms ? 'milliseconds' : 'seconds'})${commaHint(tText, st)}: write it as a decimal number, or pass --time-col for the time column`, { file, line, column: header[cols.time] });
  for (const rc of cols.ratings) {
    const text = record[rc].trim();
    if (st.na.has(text.toLowerCase())) continue;
    const v = cellNumber(text, st, file, line, header[rc]);
    if (!Number.isFinite(v)) throw new InputError(`rating '${text}' is not a number${commaHint(text, st)}: write it as a decimal number (missing: leave it empty or NA, or list it with --na)`, { file, line, column: header[rc] });
    const dim = cols.dimension >= 0 ? record[cols.dimension].trim() : header[rc];
    if (dim === '') throw new InputError('an empty dimension: fill it in or delete the row', { file, line, column: header[cols.dimension] });
    b.add(dim, target, rater, st.ms ? t / 1000 : t, v, line);
  }
}

/** A csv-parse or file error as one line (file:line). */
function readError(e: unknown, file: string): InputError {
  if (e instanceof InputError) return e;
  const err = e as Error & { lines?: number; code?: string };
  if (err.code === 'ENOENT' || err.code === 'EACCES' || err.code === 'EISDIR') return new InputError(`cannot read the file (${err.code})`, { file });
  return new InputError(`malformed CSV: ${err.message.replace(/^Invalid [^:]*: /, '')}`, { file, line: err.lines });
}

/** Reads the whole file (every sample is kept: the traces are resampled per target afterwards). */
export async function readTraces(path: string, o: ReadTracesOptions = {}): Promise<TraceTable> {
  const file = path;
  await refuseOtherFormat(path, 'one row per sample with columns target, rater, time_s and a column per dimension (arousal, valence)').catch((e) => {
    throw e instanceof InputError ? e : readError(e, file);
  });
  const delimiter = o.delimiter ?? (await sniffFileDelimiter(path));
  const parser = createReadStream(path).pipe(parse({ bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, info: true }));
  const b = new Builder();
  let st: ReadState | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (st) {
        readRow(st, b, record, info.lines, file);
        continue;
      }
      const header = record.map((c) => c.trim());
      const cols = columnsOf(header, o, file);
      const na = new Set(['', 'na', 'nan', ...(o.naValues ?? []).map((s) => s.trim().toLowerCase())]);
      st = { header, cols, ms: isMs(header[cols.time]), na, exclude: new Set(o.excludeRaters ?? []), seenExcluded: new Set(), decimalComma: o.decimalComma === true };
    }
  } catch (e) {
    throw readError(e, file);
  }
  if (!st) throw new InputError('the file is empty: expected a header such as target,rater,time_s,arousal,valence', { file });
  const missing = [...st.exclude].filter((r) => !st!.seenExcluded.has(r));
  if (missing.length) throw new InputError(`--exclude-rater ${missing.map((r) => shellWord(r)).join(', ')}: no such rater in the file`, { file });
  return finishTable(b, st.header, st.cols, file);
}

function finishTable(b: Builder, header: string[], cols: Columns, file: string): TraceTable {
  const notes: string[] = [];
  const dimensions: TraceDimension[] = [];
  const timeCol = header[cols.time];
  for (const [name, d] of b.dims) {
    const targets = [...d.targets.keys()];
    const raters = [...d.raters.keys()];
    const traces = targets.map(() => raters.map((): Trace | null => null));
    const unsorted: string[] = [];
    for (const [key, p] of d.traces) {
      const [t, r] = key.split('\u0000').map(Number);
      const { trace, sorted } = finishTrace(p, { file, column: timeCol, dim: name, target: targets[t], rater: raters[r] });
      if (sorted) unsorted.push(`'${raters[r]}' in '${targets[t]}' (from line ${p.line[0]})`);
      traces[t][r] = trace;
    }
    if (unsorted.length) notes.push(`${name}: ${unsorted.length} trace(s) not in time order, sorted by time before resampling: ${unsorted.slice(0, 3).join('; ')}${unsorted.length > 3 ? '; …' : ''}`);
    dimensions.push({ name, targets, raters, traces });
  }
  if (dimensions.length === 0) throw new InputError('no rating in the file (every rating cell empty or NA)', { file });
  const columns = { target: header[cols.target], rater: header[cols.rater], time: timeCol, ratings: cols.ratings.map((i) => header[i]), dimension: cols.dimension >= 0 ? header[cols.dimension] : null };
  return { dimensions, columns, notes };
}
