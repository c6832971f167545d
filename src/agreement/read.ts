/**
 * Reading ratings from CSV with csv-parse: UTF-8 with or without BOM, quoted fields, any column order, long format
 * (target, rater, rating [, dimension] [, order]) or wide (one row per target, one column per rater).
 *
 * Line numbers: csv-parse's per-record `info` costs ~3x the parse time on a million rows, so records are counted
 * instead and the exact line of a bad record is found by a second, informed pass only when an error is reported.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { decimalNumber } from '../common/decimal.js';
import { shellWord } from '../common/shell.js';
import { InputError } from '../common/errors.js';
import { checkUtf8File, delimiterHint, looksLikeDecimalComma, sniffFileDelimiter, thousandsPointMessage, UNCLOSED_QUOTE, UnclosedQuoteScan, unnamedColumnMessage, unnamedColumns, unnamedColumnsNote } from '../common/csv.js';
import type { RatingsDimension, RatingsTable } from './types.js';
import { editDistanceAtMost1, labelRecords, raterRecords, spellingKey, variantRecords } from './variants.js';
import { labelTypoPairs } from './label-typos.js';
import { excludedText, excludeSet, resolveExcluded } from './exclude.js';
import { freeTextRater, textRater } from './text-rater.js';
import { raterTypoPairs } from './typos.js';
import { scaleMix } from './scale-mix.js';
import { offRangeScan, type FarRating } from './off-range.js';
import { looksLikeCode, missingCode } from './missing-codes.js';
import { summaryColumn } from './summary-column.js';
import { rowNumberColumn } from './row-number-column.js';
import { countsTable } from './counts-table.js';
import { isoDateMs, nonIsoOrderMessage } from './order-dates.js';
import { isDateTime, RepeatCopies } from './repeat-copies.js';
import { forEachPlainRow } from './plain-csv.js';

export { editDistanceAtMost1 };

export interface ReadRatingsOptions {
  /** 'auto' (default): long when the header has the target, rater and rating columns, else wide. */
  format?: 'auto' | 'long' | 'wide';
  /** Target id column (default 'target'; wide files: the first column when no column has this name). */
  targetColumn?: string;
  /** Rater id column of long files (default 'rater'). */
  raterColumn?: string;
  /** Rating column of long files (default 'rating'). */
  ratingColumn?: string;
  /** Dimension column (default: 'dimension' when present). */
  dimensionColumn?: string;
  /** Order/time/sequence column for drift (default: the first of order, sequence, seq, time, t_s, timestamp present). */
  orderColumn?: string;
  /** Ratings are category labels rather than numbers. */
  categorical?: boolean;
  /** Field delimiter (default: sniffed among , ; tab from the header line, src/common/csv.ts). */
  delimiter?: string;
  /** Ratings written with a decimal comma ('3,5'). */
  decimalComma?: boolean;
  /** Ordered category labels (low < mid < high): fixes the order for weighted kappa, ordinal alpha and AC2; a label
   *  outside the list is an error. Implies `categorical`. */
  levels?: string[];
  /** Occasion column of a test-retest design (default: 'occasion' when present). */
  occasionColumn?: string;
  /** Repeated (target, rater) rows are successive occasions 1, 2, … in file order instead of an error. */
  repeated?: boolean;
  /** Cell values that mean a missing rating besides '' and NA (`--na 99,-1`; numbers match numerically: 99 is 99.0). */
  naValues?: string[];
  /** Columns another reader takes (dataset build's session_id, start_s, end_s): in a wide file neither a rater nor the
   *  guessed target column. */
  metaColumns?: string[];
  /** Raters a dimension needs (default 2; dataset build's labels take 1: one annotator's labels, agreement null). */
  minRaters?: 1 | 2;
  /** Rater ids whose ratings are skipped (`--exclude-rater`; wide files: those columns); an id not in the file is refused. */
  excludeRaters?: string[];
  /** Each excludeRaters value may list ids separated by commas (the CLI): a value the file has as one id is that id. */
  excludeRaterLists?: boolean;
  /** The command offers --exclude-rater (default true; dataset build's labels: false, so advice says to remove the column). */
  excludeFlag?: boolean;
  /** The numeric rating scale's ends, lowest first (`--scale 1,7`): a rating outside is refused, and the reversed_scale
   *  recode uses them instead of the lowest and highest rating in the file. */
  scale?: [number, number];
}

/** "1" and "1.0" are the same label: numeric-looking labels are compared as numbers (issue 14). */
function labelKey(s: string): string {
  const v = parseNumber(s);
  return Number.isFinite(v) ? `\u0000${v}` : s;
}

/** Category order: --levels as given, else numerically when every label is a number, else by code unit. */
function orderLabels(labels: string[], levels: string[] | undefined): { categories: string[]; remap: Int32Array; ordered: boolean } {
  if (levels) return { categories: levels, remap: Int32Array.from(levels, (_, i) => i), ordered: true };
  const allNumeric = labels.every((l) => Number.isFinite(parseNumber(l)));
  const sorted = labels
    .map((l, i) => ({ l, i }))
    .sort((a, b) => (allNumeric ? parseNumber(a.l) - parseNumber(b.l) : a.l < b.l ? -1 : a.l > b.l ? 1 : 0));
  const remap = new Int32Array(labels.length);
  sorted.forEach((x, k) => (remap[x.i] = k));
  return { categories: sorted.map((x) => x.l), remap, ordered: allNumeric };
}

/**
 * A label outside --levels that is no spelling of a level: add it, or leave its ratings out with --na, which is what
 * scikit-learn's cohen_kappa_score(labels=...) does with such items (--levels itself refuses rather than drop them).
 */
function otherLabelHint(label: string): string {
  const na = /^[^\s,'"]+$/.test(label) ? `--na ${label}` : '--na';
  return `: add it to --levels, or leave its ratings out with ${na}`;
}

/** A numeric rating outside the scale --scale declares (a typo, or a code for a missing rating). */
function offScaleMessage(v: number, [lo, hi]: [number, number]): string {
  const code = looksLikeCode(v) ? `; a code for a missing rating? pass --na ${v}` : '';
  return `rating ${v} is outside the scale ${lo} to ${hi} that --scale declares${code}; correct the rating, or declare the scale the file uses`;
}

const ORDER_NAMES = ['order', 'sequence', 'seq', 'time', 't_s', 'time_s', 'time_ms', 't_ms', 'timestamp'];
/** Cells that mean "no rating". */
/** A number written with a typographic minus or dash (`−0,7`, `–1`): told "use --categorical" before (ttrial48a K6). */
function unicodeMinus(s: string): boolean {
  return /^[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/.test(s) && Number.isFinite(parseNumber(('-' + s.slice(1)).replace(',', '.')));
}

/** A cell holding a JSON array or object (`["a","b"]`, `{"choices": ["a"]}`): several labels, not one. */
function isJsonList(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c !== 0x5b && c !== 0x7b) return false;
  if (!/[\]}]$/.test(s)) return false;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

function isMissing(s: string): boolean {
  return s === '' || s === 'NA';
}

/**
 * Other spellings of "missing" that lab exports use (R's NA in lower case, SPSS/Excel's N/A and #N/A, NaN, null, a
 * lone '.', '-' or '?'). They are refused, not read: as a label one would silently become a category of its own.
 */
function missingMarkerLike(s: string): boolean {
  // a number's first character (nearly every rating) starts none of them; '-' alone does
  const c = s.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) return false;
  return /^(?:n\/?a|#n\/?a|nan|null|[.?-])$/i.test(s);
}

/** Append-only typed arrays: a million ratings without boxed numbers or a copy from a JS array. */
class GrowI32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
class GrowF64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

class DimBuilder {
  targets: string[] = [];
  raters: string[] = [];
  tIndex = new Map<string, number>();
  rIndex = new Map<string, number>();
  target = new GrowI32();
  rater = new GrowI32();
  value = new GrowF64();
  order = new GrowF64();
  record = new GrowI32();
  /** Test-retest: occasion code per rating (codes index `occNames`). */
  occ = new GrowI32();
  occNames: string[] = [];
  occIndex = new Map<string, number>();
  /** --repeated: ratings so far per (target, rater). */
  seen = new Map<string, number>();
  /** Long files: rater ids met on rows whose rating is empty (a rater with only such rows has no rating at all). */
  emptyRowRaters = new Set<string>();
  constructor(readonly name: string) {}
  occasionId(name: string): number {
    let i = this.occIndex.get(name);
    if (i === undefined) {
      i = this.occNames.length;
      this.occNames.push(name);
      this.occIndex.set(name, i);
    }
    return i;
  }
  /** Occasion of a rating: the occasion column's value, or the count of earlier ratings of (target, rater). */
  occasionOf(cell: string | null, t: number, r: number): number {
    if (cell !== null) return this.occasionId(cell);
    const key = `${t},${r}`;
    const c = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, c);
    return this.occasionId(String(c));
  }
  private lastT = '';
  private lastTi = -1;
  targetId(id: string): number {
    // Long files list a target's ratings together: skip the hash lookup for a repeat.
    if (id === this.lastT && this.lastTi >= 0) return this.lastTi;
    this.lastT = id;
    let i = this.tIndex.get(id);
    if (i === undefined) {
      i = this.targets.length;
      this.targets.push(id);
      this.tIndex.set(id, i);
    }
    this.lastTi = i;
    return i;
  }
  raterId(id: string): number {
    let i = this.rIndex.get(id);
    if (i === undefined) {
      i = this.raters.length;
      this.raters.push(id);
      this.rIndex.set(id, i);
    }
    return i;
  }
}

function csvOptions(delimiter: string): CsvOptions {
  return { bom: true, delimiter, skip_empty_lines: true, relax_quotes: false };
}

/** The 1-based line on which data record `rec` (0-based, header excluded) starts: a second pass with `info`. */
async function lineOfRecord(path: string, rec: number, delimiter: string): Promise<number | undefined> {
  const parser = createReadStream(path).pipe(parse({ ...csvOptions(delimiter), info: true }));
  let i = -1;
  try {
    for await (const r of parser as AsyncIterable<{ info: { lines: number } }>) {
      if (i === rec) {
        parser.destroy();
        return r.info.lines;
      }
      i++;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The 1-based lines on which the data records `recs` start (one informed pass; only when a warning needs them). */
async function linesOfRecords(path: string, recs: number[], delimiter: string): Promise<Map<number, number>> {
  const lines = new Map<number, number>();
  if (recs.length === 0) return lines;
  const want = new Set(recs);
  const last = recs.reduce((m, r) => Math.max(m, r), -1);
  const parser = createReadStream(path).pipe(parse({ ...csvOptions(delimiter), info: true }));
  let i = -1;
  for await (const r of parser as AsyncIterable<{ info: { lines: number } }>) {
    if (want.has(i)) lines.set(i, r.info.lines);
    if (i++ >= last) {
      parser.destroy();
      break;
    }
  }
  return lines;
}

/** Each dimension's source (layout, columns, the lines its spelling warnings point at): src/agreement/variants.ts. */
async function withSources(table: RatingsTable, path: string, delimiter: string): Promise<RatingsTable> {
  const typoRecords = (d: RatingsDimension) => [...(table.format === 'long' ? raterTypoPairs(d).flatMap(({ rare }) => raterRecords(d, rare.index)) : []), ...labelTypoPairs(d).flatMap(({ rare }) => labelRecords(d, rare))];
  const headerRecords = table.header_records ?? [];
  const lines = await linesOfRecords(path, [...headerRecords, ...table.dimensions.flatMap((d) => [...variantRecords(d), ...typoRecords(d), ...(d.far_ratings ?? []).map((f) => f.record)])].sort((a, b) => a - b), delimiter);
  const { target, rater, rating } = table.columns;
  for (const d of table.dimensions) d.source = { format: table.format, target, rater, rating, lines, ...(headerRecords.length ? { headerRecords } : {}) };
  return table;
}

/** An error in data record `rec`: resolves the line lazily. */
class RecordError extends Error {
  constructor(
    message: string,
    readonly rec: number,
    readonly column: string,
    /** Another record the message refers to as '{FIRST}' (its line is filled in). */
    readonly firstRec?: number,
  ) {
    super(message);
  }
}

/** Names a user may give the rater column of a long file ('raters', 'coder', 'rater_id', 'annotator', …). */
const RATER_WORDS = ['rater', 'annotator', 'coder', 'judge', 'observer', 'reviewer', 'assessor', 'evaluator', 'scorer', 'labeler', 'labeller'];
function looksLikeRaterName(h: string): boolean {
  const w = h.toLowerCase().replace(/[^a-z]/g, '').replace(/(id|name)$/, '').replace(/s$/, '');
  return RATER_WORDS.includes(w) || editDistanceAtMost1(w, 'rater');
}

/**
 * Auto format: a header with target and rating columns but no rater column is a long file with a misnamed rater
 * column far more often than a wide file whose raters are called 'rating' and 'raters' (trial: `target,raters,rating`
 * read as wide gave 2 raters and ICC 0). Refused with the fix rather than guessed.
 */
function refuseMisspeltRater(header: string[], ti: number, ri: number, vi: number, raterColumn: string | undefined, path: string): void {
  if (ri >= 0) return;
  if (raterColumn !== undefined) {
    throw new InputError(`no rater column '${raterColumn}' in the header (header has ${header.map((h) => `'${h}'`).join(', ')})`, { file: path, line: 1 });
  }
  if (ti < 0 || vi < 0) return;
  const like = header.map((h, i) => ({ h, i })).filter(({ h, i }) => i !== ti && i !== vi && looksLikeRaterName(h));
  // No rater-like column at all (an export that dropped the annotator): read as wide, 'rating' became the one rater
  // and the refusal was 'fewer than two raters' on the file's last line (trial8 item 2).
  if (like.length === 0) throw new InputError(noRaterColumnMessage(header, ti, vi), { file: path, line: 1 });
  if (like.length !== 1) return;
  const name = like[0].h;
  throw new InputError(
    `no 'rater' column; did you mean '${name}'? (--rater-col ${/^[\w.-]+$/.test(name) ? name : JSON.stringify(name)}; or --format wide if every column but the target is a rater)`,
    { file: path, line: 1, column: like[0].i + 1 },
  );
}

/** A header with 'target' and 'rating' but nothing naming who rated: the long layout with its rater column missing. */
function noRaterColumnMessage(header: string[], ti: number, vi: number): string {
  const cols = header.map((h) => `'${h}'`).join(', ');
  return (
    `no 'rater' column: the header (${cols}) has the long layout's '${header[ti]}' and '${header[vi]}' columns ` +
    `(one rating per row) but none naming who gave each rating; add the annotator column ('rater'), or name it ` +
    `with --rater-col NAME (or --format wide if '${header[vi]}' is a rater of a wide file)`
  );
}

const RATING_WORDS = /rating|score|value|grade|response|answer|label|rank|level|valence|arousal|emotion/i;

/**
 * Auto format: a header without 'target' and 'rater' columns but with one column named like a rater column
 * ('coder', 'annotator', 'rater_id') is a long file whose columns have other names (trial: `item;coder;score` was
 * read as wide, and the error on the first rater name suggested `--target-col coder`). Refused with the flags that
 * read it; a wide sheet of raters named in a series ('coder1', 'coder2') is not matched, --format wide overrides.
 */
function refuseLongWithoutRoleNames(header: string[], roleCols: number[], path: string): void {
  const like = header.map((h, i) => i).filter((i) => looksLikeRaterName(header[i]));
  if (like.length !== 1) return;
  const rater = header[like[0]];
  if (header.some((h, i) => i !== like[0] && h !== '' && nameStem(h) === nameStem(rater))) return;
  const rest = header.map((h, i) => i).filter((i) => i !== like[0] && header[i] !== '' && !roleCols.includes(i));
  if (like[0] === 0 && looksLikeTargetIds(rest.map((i) => header[i]))) throw new InputError(ratersAsRowsMessage(header, 0, null), { file: path, line: 1, column: 1 });
  const ratingAt = rest.findIndex((i) => RATING_WORDS.test(header[i]));
  const flags =
    rest.length === 2
      ? [missingColumnFlag('target', header[rest[ratingAt === 0 ? 1 : 0]]), missingColumnFlag('rater', rater), missingColumnFlag('rating', header[rest[ratingAt === 0 ? 0 : 1]])].join(' ')
      : `--target-col … ${missingColumnFlag('rater', rater)} --rating-col …`;
  throw new InputError(
    `no 'target' or 'rater' column, but '${rater}' is named like the rater column of a long file (one rating per row): pass ${flags} (or --format wide if '${rater}' is a rater of a wide file)`,
    { file: path, line: 1, column: like[0] + 1 },
  );
}

/**
 * A sheet with one row per rater and one column per target (irr's kripp.alpha layout, `name,s01_u00,s01_u01,…`) was
 * read as targets rated by raters named like targets (a ninth trial: "7 targets, 60 raters", ICC(2,1) 0.100 instead of
 * 0.178, exit 0). Told by its first column (named like a rater column, or holding ids like rater ids) beside other
 * columns named like target ids; refused with how to transpose it.
 */
function ratersAsRowsMessage(header: string[], col: number, ids: string[] | null): string {
  const others = header.filter((h, i) => i !== col && h !== '');
  const rows = ids === null ? '' : ` (${quoteList(ids.slice(0, 3))}${ids.length > 3 ? ', …' : ''}: ${ids.length} rows)`;
  const read = ids === null ? '' : `, and would analyse ${ids.length} targets rated by ${others.length} raters`;
  return (
    `each row looks like one rater's ratings: column '${header[col]}' names the raters${rows} and the other ${others.length} columns are named like targets (${quoteList(others.slice(0, 3))}, …); ` +
    `agreement reads one row per target and one column per rater${read}: transpose the sheet (a spreadsheet's Paste Special > Transpose; R t(); pandas df.set_index('${header[col]}').T) and run again; if the rows really are targets, pass --target-col ${shellWord(header[col])}`
  );
}

/** Column names like target ids: 5 or more, each with a digit, an id word (`clip1`) or two numbers (`s01_u00`) in all. */
function looksLikeTargetIds(names: string[]): boolean {
  if (names.length < 5 || !names.every((h) => /\d/.test(h))) return false;
  if (names.every((h) => /^Q(ID)?\d+([_.]\d+)*$/i.test(h))) return true; // Qualtrics' question ids
  return names.every((h) => /\d\D+\d/.test(h)) || names.every((h) => looksLikeIdColumn(h.replace(/\d+/g, ' ')) && !looksLikeRaterName(h.replace(/\d+/g, '')));
}

/** A cell value like a rater's id: initials (`A`, `JS`, `B2`), or a rater word with a number (`rater1`, `coder_2`). */
const looksLikeRaterId = (id: string) => /^[A-Z]{1,3}\d{0,2}$/.test(id) || /^R_[A-Za-z0-9]{5,}$/.test(id) || /^r\d{1,3}$/i.test(id) || (/\d/.test(id) && looksLikeRaterName(id.replace(/\d+/g, '')));

/** A wide file (target column not given) whose rows are raters: refused (see ratersAsRowsMessage). */
function refuseRatersAsRows(layout: RatingsLayout, targetIds: string[], opts: ReadRatingsOptions, path: string): void {
  if (layout.format !== 'wide' || opts.targetColumn !== undefined) return;
  const names = layout.raterCols.map((c) => layout.header[c]);
  const first = layout.header[layout.ti];
  // 'rater1' beside 'rater2' is a sheet of rater columns only (refuseRatingsAsTargetIds), not a column of rater ids
  const byName = looksLikeRaterName(first) && !names.some((h) => nameStem(h) === nameStem(first));
  if (!byName && !(targetIds.length >= 2 && targetIds.every(looksLikeRaterId) && looksLikeTargetIds(names))) return;
  throw new InputError(ratersAsRowsMessage(layout.header, layout.ti, targetIds), { file: path, line: 1, column: layout.header[layout.ti] });
}

/**
 * A 'rater' column without 'target' and 'rating' columns (`clip,rater,valence,arousal`: one rating column per
 * dimension) was read as a wide file whose raters are 'rater', 'valence' and 'arousal': it stopped on "non-numeric
 * rating 'r1' (use --categorical for labels)", and --categorical then read the rater ids as labels. Refused with the
 * flags that read it.
 */
function refuseRaterColumnAsWide(header: string[], ri: number, roleCols: number[], path: string): void {
  const rest = header.map((_, i) => i).filter((i) => i !== ri && header[i] !== '' && !roleCols.includes(i));
  if (rest.length < 2) return;
  const target = rest.find((i) => looksLikeIdColumn(header[i])) ?? rest[0];
  const ratings = rest.filter((i) => i !== target).map((i) => header[i]);
  const read = `${missingColumnFlag('target', header[target])} ${missingColumnFlag('rating', ratings[0])}`;
  const what =
    ratings.length === 1
      ? `pass ${read}`
      : `a rating column per dimension (${ratings.map((h) => `'${h}'`).join(', ')})? agreement reads one rating column: run it once per column (${read}, then ${missingColumnFlag('rating', ratings[1])}${ratings.length > 2 ? ', …' : ''}), or write the file as target,rater,dimension,rating`;
  throw new InputError(`a 'rater' column but no 'target' and 'rating' columns: a long file (one row per rater and target)? ${what}`, { file: path, line: 1, column: ri + 1 });
}

/** Two column names equal up to one typo (case and non-letters ignored): 'targte' and 'target', 'dimenson' and 'dimension'. */
function sameWordUpToOneEdit(a: string, b: string): boolean {
  const w = (x: string) => x.toLowerCase().replace(/[^a-z]/g, '');
  return w(a) !== '' && editDistanceAtMost1(w(a), w(b));
}

/** The option naming a column of a long file (`--target-col targte`), quoted for the shell when the name needs it. */
function missingColumnFlag(role: string, name: string): string {
  const flag = role === 'target' ? '--target-col' : role === 'rater' ? '--rater-col' : role === 'rating' ? '--rating-col' : `--${role}-col`;
  return `${flag} ${/^[\w.-]+$/.test(name) ? name : JSON.stringify(name)}`;
}

/**
 * A long file without a dimension (occasion) column but with a column one typo away from it ('dimenson'): refused
 * with the fix. Read as an extra column, it silently pooled valence and arousal into one dimension (or stopped on a
 * "duplicate rating" that blamed test-retest).
 */
function refuseMisspeltOptionalColumn(header: string[], used: number[], role: 'dimension' | 'occasion', path: string): void {
  const i = header.findIndex((h, k) => !used.includes(k) && sameWordUpToOneEdit(h, role));
  if (i < 0) return;
  throw new InputError(`no '${role}' column; did you mean '${header[i]}'? (rename it, or pass ${missingColumnFlag(role, header[i])}; if it is not the ${role}, give it another name)`, { file: path, line: 1, column: i + 1 });
}

/** `--order-col created_att` (or --dimension-col, --occasion-col) naming no column: the header's column one typo away. */
function refuseAbsentColumn(role: 'order' | 'dimension' | 'occasion', name: string, header: string[], path: string): never {
  const close = header.findIndex((h) => sameWordUpToOneEdit(h, name));
  const hint = close >= 0 ? `; did you mean '${header[close]}'? (${missingColumnFlag(role, header[close])})` : ` (header has ${header.map((h) => `'${h}'`).join(', ')})`;
  throw new InputError(`no ${role} column '${name}' in the header${hint}`, { file: path, line: 1, ...(close >= 0 ? { column: close + 1 } : {}) });
}

function findColumn(header: string[], name: string): number {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return header.findIndex((h) => h.toLowerCase() === lower);
}

/** Plain decimal notation only (src/common/decimal.ts; spaces around allowed): Number('') is 0, Number('0x1f') 31 and
 *  Number('Infinity') infinite. */
function parseNumber(s: string): number {
  const v = Number(s);
  if (!Number.isFinite(v)) return NaN;
  // Fast path: short plain integers / decimals (the common case) need no regex.
  let plain = s.length > 0 && s.length < 16;
  for (let i = 0; plain && i < s.length; i++) {
    const c = s.charCodeAt(i);
    plain = (c >= 48 && c <= 57) || c === 46 || (i === 0 && c === 45);
  }
  if (plain && s !== '.' && s !== '-') return v;
  return decimalNumber(s.trim());
}

/** The line where a ratings file's unclosed quoted cell begins (csv-parse names the last line). */
async function lineOfUnclosedQuote(path: string, delimiter: string): Promise<number | undefined> {
  const scan = new UnclosedQuoteScan(delimiter);
  for await (const chunk of createReadStream(path, { encoding: 'utf8' }) as AsyncIterable<string>) scan.push(chunk);
  return scan.openedAt();
}

/** csv-parse's error as the problem and what to do (its own text, "Invalid Record Length: expect 7, got 8 on line 5",
 * says neither); the line is given by the caller. */
function csvProblem(code: string, message: string): string {
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
    const m = /expect (\d+), got (\d+)/.exec(message);
    const cells = m ? `this row has ${m[2]} cells, the header ${m[1]} columns` : 'this row has another number of cells than the header';
    return `${cells}: give every row one cell per header column (quote a cell that holds the delimiter)`;
  }
  if (code === 'CSV_QUOTE_NOT_CLOSED') return UNCLOSED_QUOTE;
  if (code === 'INVALID_OPENING_QUOTE') {
    const cell = /value is "(.*)"$/.exec(message)?.[1];
    return `a quote (") inside a cell that does not start with one${cell ? ` (after '${cell}')` : ''}: quote the whole cell and double the quote in it ("r""1"), or remove the stray quote`;
  }
  return `${message}: fix the file (a spreadsheet's "Save as CSV" writes it well-formed)`;
}

/**
 * csv-parse's errors: codes 'CSV_…' and, in csv-parse 5, 'INVALID_OPENING_QUOTE' (a stray quote was an internal
 * error, exit 1, and --json printed nothing; ttrial44b R1). Every one is bad input.
 */
function isCsvErrorCode(code: string): boolean {
  return code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE';
}

/**
 * A file in another format given as ratings (a Label Studio JSON export, a Praat TextGrid): named, with what to export
 * instead; csv-parse stopped on its first quote (ttrial44b R1).
 */
export async function refuseOtherFormat(path: string, csv = 'one row per rating with columns target, rater, rating (or one row per target and a column per rater)'): Promise<void> {
  const fh = await open(path, 'r');
  const buf = Buffer.alloc(256);
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0).finally(() => fh.close());
  const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (/^(\[\s*[{\]]|\{\s*")/.test(head)) {
    throw new InputError(`the file looks like JSON (a Label Studio or other tool's JSON export?), not CSV: export CSV from the tool (Label Studio: Export, CSV), or write ${csv}`, { file: path, line: 1 });
  }
  if (/^File type = "ooTextFile"/.test(head)) {
    throw new InputError(`the file is a Praat TextGrid, not CSV: agreement reads ${csv}; write the TextGrid's labels so (e.g. a Praat or tgt script), one target per interval`, { file: path, line: 1 });
  }
}

/**
 * Reads a ratings CSV. Throws InputError naming the file, line and column for: an empty file, a header without the
 * needed columns, a non-numeric rating (without `categorical`), a non-numeric order value, a duplicate
 * (target, rater, dimension), a dimension with fewer than two raters.
 */
export async function readRatings(path: string, opts: ReadRatingsOptions = {}): Promise<RatingsTable> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new InputError('not a regular file', { file: path });
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('no such file: check the path (relative to the current folder)', { file: path });
    throw new InputError(`cannot read ratings file (${code ?? (e as Error).message})`, { file: path });
  }
  await checkUtf8File(path);
  await refuseOtherFormat(path);
  await refuseSepLine(path);
  const delimiter = opts.delimiter ?? (await sniffFileDelimiter(path));
  try {
    return await withSources(await readRatingsUnchecked(path, opts, delimiter), path, delimiter);
  } catch (e) {
    if (e instanceof RecordError) {
      const line = await lineOfRecord(path, e.rec, delimiter);
      let msg = e.message;
      if (e.firstRec !== undefined) msg = msg.replace('{FIRST}', `line ${(await lineOfRecord(path, e.firstRec, delimiter)) ?? '?'}`);
      throw new InputError(msg, { file: path, line, column: e.column });
    }
    const ce = e as { code?: string; lines?: number; message: string };
    if (typeof ce.code === 'string' && isCsvErrorCode(ce.code)) {
      if (ce.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && /expect 1,/.test(ce.message)) await refuseTitleLine(path, opts, delimiter);
      const line = ce.code === 'CSV_QUOTE_NOT_CLOSED' ? ((await lineOfUnclosedQuote(path, delimiter)) ?? ce.lines) : ce.lines;
      throw new InputError(`malformed CSV: ${csvProblem(ce.code, ce.message)}`, { file: path, line });
    }
    throw e;
  }
}

/** Where each column of a ratings file is, resolved from its header line (-1: absent). */
interface RatingsLayout {
  header: string[];
  format: 'long' | 'wide';
  /** Target, rater, rating, dimension, order and occasion columns. */
  ti: number;
  ri: number;
  vi: number;
  di: number;
  oi: number;
  oc: number;
  /** Wide files: the rater columns. */
  raterCols: number[];
  /** Columns with no name in the header (Excel's trailing ';;'): ignored while empty, refused on a cell with data. */
  unnamed: number[];
  /** Wide files: the target column is the first one because no column is named as the target (not --target-col). */
  targetGuessed?: boolean;
  /** Wide files: rater columns left out (--exclude-rater). */
  excludedCols: number[];
  /** Long files: the columns no role reads (said in a note; a repeat that differs in one of them is refused). */
  unused: number[];
  /** `--target-col a,b`: the columns whose cells, joined with '/', are a target's id. */
  targetCols?: number[];
  /** Wide files: the note that the target column is not the first (idColumnNotFirst). */
  idMovedNote?: string;
  /** Wide files whose columns are named RATER_DIMENSION (or DIMENSION_RATER): each column's rater and dimension. */
  split?: { rater: string[]; dim: string[]; note: string };
}

/** The order column: `--order-col`, else the first of ORDER_NAMES in the header (-1: none). */
function findOrderColumn(header: string[], opts: ReadRatingsOptions, path: string): number {
  if (opts.orderColumn !== undefined) {
    const oi = findColumn(header, opts.orderColumn);
    if (oi < 0) refuseAbsentColumn('order', opts.orderColumn, header, path);
    return oi;
  }
  let oi = -1;
  for (const n of ORDER_NAMES) {
    oi = findColumn(header, n);
    if (oi >= 0) break;
  }
  return oi;
}

/** Long when asked for, or (auto) when the header has target and rater columns; a long file needs all three columns. */
function chooseFormat(header: string[], opts: ReadRatingsOptions, ti: number, ri: number, vi: number, path: string, otherRoles: number[]): 'long' | 'wide' {
  const want = opts.format ?? 'auto';
  if (want === 'auto') refuseMisspeltRater(header, ti, ri, vi, opts.raterColumn, path);
  // auto: 'rater' and 'rating' columns are a long file even without a target column (no wide file has raters so
  // named): a misspelt target column is then refused below, not read as a wide file of two raters
  const longish = ti >= 0 || (ri >= 0 && vi >= 0 && opts.targetColumn === undefined);
  // a wide file has no rater or rating column: --rater-col/--rating-col ask for a long file (they were ignored)
  const askedLong = opts.raterColumn !== undefined || opts.ratingColumn !== undefined;
  if (want === 'auto' && !askedLong && ti < 0 && ri < 0) refuseLongWithoutRoleNames(header, otherRoles, path);
  if (want === 'auto' && !askedLong && ti < 0 && ri >= 0 && vi < 0 && opts.targetColumn === undefined) refuseRaterColumnAsWide(header, ri, otherRoles, path);
  if (!(want === 'long' || (want === 'auto' && ((longish && ri >= 0) || askedLong)))) return 'wide';
  const missing = [
    { i: ti, name: opts.targetColumn ?? 'target', role: 'target', given: opts.targetColumn !== undefined },
    { i: ri, name: opts.raterColumn ?? 'rater', role: 'rater', given: opts.raterColumn !== undefined },
    { i: vi, name: opts.ratingColumn ?? 'rating', role: 'rating', given: opts.ratingColumn !== undefined },
  ].filter(({ i }) => i < 0);
  if (missing.length > 0) {
    const m = missing[0];
    const close = missing.length === 1 ? header.findIndex((h, i) => ![ti, ri, vi].includes(i) && sameWordUpToOneEdit(h, m.name)) : -1;
    if (close >= 0) {
      // the flag of the column's role, with the header's spelling (ttrial44b R2: it was '--valance-col valence')
      const fix = `${m.given ? '' : 'rename it, or '}pass ${missingColumnFlag(m.role, header[close])}`;
      throw new InputError(`no '${m.name}' column; did you mean '${header[close]}'? (${fix})`, { file: path, line: 1, column: close + 1 });
    }
    throw new InputError(
      `long format needs columns ${missing.map(({ name }) => `'${name}'`).join(', ')} (header has ${header.map((h) => `'${h}'`).join(', ')}; set --target-col/--rater-col/--rating-col)`,
      { file: path, line: 1 },
    );
  }
  return 'long';
}

function refuseDuplicateColumns(header: string[], path: string): void {
  const seen = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (h === '') continue;
    const first = seen.get(h);
    // 'Valence;Valence;Valence;Arousal;…': a merged header cell over a block of raters, filled across (ttrial48a I1c)
    const block = header[i + 1] === h && header.filter((x) => x === h).length >= 3;
    const hint = block
      ? `; '${h}' over ${header.filter((x) => x === h).length} columns looks like a merged header cell over a block of raters: name each column by its rater, and give the blocks (dimensions) in the long layout (target,rater,dimension,rating) or in files of their own`
      : '';
    if (first !== undefined)
      throw new InputError(
        `duplicate column name '${h}' in the header (columns ${first + 1} and ${i + 1}): rename one (two raters or columns cannot share a name), or delete the copied column${hint}`,
        { file: path, line: 1, column: String(i + 1) },
      );
    seen.set(h, i);
  }
}

/** dataset build's span columns: a header with all three is a labels file for it (docs/dataset.md "Labels"). */
const SPAN_COLUMNS = ['session_id', 'start_s', 'end_s'];

/**
 * The columns that are neither raters nor the guessed target of a wide file: `metaColumns`, else start_s and end_s
 * when the header has both, with session_id when present (a wide sheet made for dataset build: start_s and end_s
 * were read as two raters).
 */
function metaColumnsOf(header: string[], opts: ReadRatingsOptions): number[] {
  if (opts.metaColumns !== undefined) return opts.metaColumns.map((n) => findColumn(header, n)).filter((i) => i >= 0);
  const [si, ai, bi] = SPAN_COLUMNS.map((n) => findColumn(header, n));
  return ai >= 0 && bi >= 0 ? [ai, bi, ...(si >= 0 ? [si] : [])] : [];
}

/** Last words of a column name that say it describes the target, not a rater's rating (`speaker_id`, `duration_s`). */
const METADATA_WORDS = new Set(['id', 'session', 'speaker', 'participant', 'subject', 'age', 'gender', 'sex', 'group', 'condition', 'start', 'end', 'begin', 'stop', 'onset', 'offset', 'duration', 'dur', 'length', 'len', 'trial', 'block']);
const UNIT_WORDS = new Set(['s', 'ms', 'sec', 'secs', 'seconds']);

/** Words of a column name that say it summarises the raters' ratings (`Mean`, `avg_rating`, `SD`, `consensus`). */
const SUMMARY_WORDS = new Set(['mean', 'average', 'avg', 'median', 'sd', 'std', 'stdev', 'stddev', 'sum', 'total', 'majority', 'consensus', 'gold', 'agreement']);

/** A count of the row's ratings (`n_raters`, `num_ratings`, `rating_count`, `nvotes`): the sheet's, not a rater's. */
const COUNTED_WORDS = new Set(['raters', 'rater', 'ratings', 'rating', 'annotators', 'annotator', 'annotations', 'coders', 'judges', 'votes', 'vote', 'rated']);
const COUNT_FIRST_WORDS = new Set(['n', 'num', 'number', 'no', 'nb']);

/** `n_raters`, `number_of_ratings`, `RatingCount`; not `Rater No 1` (a rater's column: a number word, not first). */
function looksLikeCountColumn(name: string): boolean {
  const words = columnWords(name);
  if (words.length === 0 || words.some((w) => /^\d+$/.test(w))) return false;
  if (words.some((w) => /^n(raters|ratings|annotators|votes|rated)$/.test(w))) return true;
  const counts = COUNT_FIRST_WORDS.has(words[0]) || words.includes('count') || words.includes('counts');
  return counts && words.some((w) => COUNTED_WORDS.has(w));
}

function columnWords(name: string): string[] {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** Words that end a running number's name (`clip_no`, `Item Nr`, `idx`, `row`); `Unnamed: 0` is pandas' re-saved index. */
const INDEX_WORDS = new Set(['no', 'nr', 'num', 'idx', 'index', 'row', 'rownum', 'seq']);

/** `clip_no`, `item_nr`, `index`, `#`, `Unnamed: 0`; not `Rater No 1` (a number after the word: a rater's column). */
function looksLikeIndexColumn(name: string): boolean {
  if (/^\s*(#|n°|no\.)\s*$/i.test(name)) return true;
  const words = columnWords(name);
  if (words[0] === 'unnamed') return true;
  return words.length > 0 && INDEX_WORDS.has(words[words.length - 1]);
}

function looksLikeMetadataColumn(name: string): boolean {
  const words = columnWords(name);
  if (words.length > 1 && UNIT_WORDS.has(words[words.length - 1])) words.pop();
  return words.length > 0 && METADATA_WORDS.has(words[words.length - 1]);
}

/**
 * A wide file reads every column but the target as a rater: a numeric column describing the targets (`speaker_id`
 * 1, 2, 4, a clip's `duration`) was averaged into the gold labels and the ICC as one more rater (trial: ICC(2,1)
 * 0.34 instead of 0.84, exit 0). Refused naming the column; a rater is not named like that.
 */
function refuseMetadataRaters(header: string[], raterCols: number[], ti: number, path: string): void {
  const asRater = (c: number) => `column '${header[c]}' would be read as a rater (a wide file's columns other than the target '${header[ti]}' are raters)`;
  // A summary the sheet computed (a 'Mean' column) read as one more rater raised ICC(2,1) from 0.865 to 0.908 (psych::ICC, session 21).
  const sum = raterCols.find((c) => columnWords(header[c]).some((w) => SUMMARY_WORDS.has(w)));
  if (sum !== undefined)
    throw new InputError(
      `${asRater(sum)}, but it is named like a summary of the ratings (a mean, SD, total or consensus computed in the sheet), which would count as one more rater and raise the agreement: remove it from the sheet, or rename it if it really is a rater`,
      { file: path, line: 1, column: header[sum] },
    );
  // A count of each row's ratings ('n_raters' 2, 3, 3) read as a rater pulled the gold means toward 2-3 and ICC(2,1) to 0.46 from 0.855 (session 24).
  const count = raterCols.find((c) => looksLikeCountColumn(header[c]));
  if (count !== undefined)
    throw new InputError(`${asRater(count)}, but it is named like a count of the row's ratings (how many raters rated it), which would be averaged into the gold labels and the agreement as one more rater: remove it from the sheet, or rename it if it really is a rater`, {
      file: path,
      line: 1,
      column: header[count],
    });
  // A running number ('clip_no' 1..8) read as a rater was averaged into every gold label (trial 2026-12-06).
  const index = raterCols.find((c) => looksLikeIndexColumn(header[c]));
  if (index !== undefined)
    throw new InputError(`${asRater(index)}, but it is named like a running number (an item or row number, or an index a spreadsheet or pandas wrote), which would be averaged into the gold labels and the agreement as one more rater: remove it from the sheet, or rename it if it really is a rater`, {
      file: path,
      line: 1,
      column: header[index],
    });
  const i = raterCols.find((c) => looksLikeMetadataColumn(header[c]));
  if (i === undefined) return;
  throw new InputError(
    `${asRater(i)}, but it is named like information about the targets: remove it from the sheet (or give the ratings in the long layout: target,rater,rating), or rename it if it really is a rater`,
    { file: path, line: 1, column: header[i] },
  );
}

/**
 * A title above the header (an Excel export with "Ratings export 2026-11" in A1 and the column names in row 2): line 1
 * has one named cell, the first, and no other (a ratings header names at least a target and a rater or two raters).
 * Before, the reader took the title for the header and refused line 2 with "column 2 has no name", or "this row has 4
 * cells, the header 1 columns", neither of which says the header is on the wrong line.
 */
function refuseTitleRow(header: string[], opts: ReadRatingsOptions, path: string, next: string[]): void {
  const named = header.filter((h) => h !== '');
  if (named.length !== 1 || header[0] === '' || next.filter((c) => c.trim() !== '').length < 2) return;
  const roles = [opts.targetColumn ?? 'target', opts.raterColumn ?? 'rater', opts.ratingColumn ?? 'rating'];
  if (roles.some((r) => r.toLowerCase() === header[0].toLowerCase())) return;
  const shown = header[0].length > 60 ? `${header[0].slice(0, 60)}…` : header[0];
  throw new InputError(
    `line 1 ('${shown}') looks like a title, not a header: it names one column and the rows below hold more; the column names (target, rater, rating, or target and one column per rater) must be on line 1: delete the title row(s) above them (in the sheet, or the CSV's first line)`,
    { file: path, line: 1 },
  );
}

/** A one-cell title line with no delimiter at all ('Ratings export 2026-11' above a comma header): csv-parse refuses
 *  line 2 before the reader sees line 1, so line 1 is read again here, alone. */
async function refuseTitleLine(path: string, opts: ReadRatingsOptions, delimiter: string): Promise<void> {
  const parser = createReadStream(path).pipe(parse({ ...csvOptions(delimiter), relax_column_count: true, to_line: 2 }));
  const rows: string[][] = [];
  try {
    for await (const r of parser as AsyncIterable<string[]>) if (rows.push(r) === 2) break;
  } catch {
    return;
  } finally {
    parser.destroy();
  }
  if (rows.length === 2) refuseTitleRow(rows[0].map((h) => h.trim()), opts, path, rows[1]);
}

/** Line 2 is the rest of the header (an Excel header over two rows): every cell text, where line 1 names fewer columns. */
function twoHeaderRows(header: string[], row: string[]): boolean {
  const cells = row.map((c) => c.trim());
  const named = header.filter((h) => h !== '').length;
  return cells.every((c) => c !== '' && !Number.isFinite(parseNumber(c.replace(',', '.')))) && named < cells.length;
}

function twoHeaderRowsMessage(header: string[], row: string[]): string {
  return (
    `lines 1 and 2 look like one header over two rows (line 1: ${quoteList(header)} over merged cells; line 2: ${quoteList(row.slice(0, 4).map((c) => c.trim()))}, …): ` +
    `agreement reads a header of one line: write the file in the long layout (target,rater,dimension,rating), or each block (${quoteList(header)}) to a file of its own with line 2 as its header`
  );
}

/** Excel's delimiter line (`sep=;` above the header): read as the header, line 2 was "malformed CSV … 4 cells, the header 2". */
async function refuseSepLine(path: string): Promise<void> {
  const fh = await open(path, 'r');
  const buf = Buffer.alloc(64);
  let n = 0;
  try {
    n = (await fh.read(buf, 0, 64, 0)).bytesRead;
  } finally {
    await fh.close();
  }
  const first = buf.toString('utf8', 0, n).replace(/^\uFEFF/, '').split(/\r?\n/)[0].trim();
  if (/^"?sep=.?"?$/i.test(first))
    throw new InputError(`line 1 ('${first}') is Excel's delimiter line, not the header: delete it, so that the column names are on line 1 (the delimiter is found without it, or give it with --delimiter)`, { file: path, line: 1 });
}

/** A cell of line 1 that is a value, not a name: a clock time (`00:00:02.147`) or a decimal number (`2.147`). */
const valueLike = (h: string) => /^\d{1,2}:\d{2}(:\d{2})?([.,]\d+)?$/.test(h) || /^-?\d+[.,]\d+$/.test(h);

/**
 * Line 1 holds data (an ELAN export without its column headers: `valence_AK, 00:00:02.147, 2.147, …`): read as
 * names, its times became raters and the refusal was "non-numeric rating '00:00:06.227'". Two or more cells like
 * values: refused, saying the header is missing. Whole numbers are not counted (raters may be named 1, 2, 3).
 */
function refuseHeaderless(header: string[], path: string): void {
  const values = header.filter(valueLike);
  if (values.length < 2) return;
  throw new InputError(
    `line 1 holds values, not column names (${quoteList(values.slice(0, 3))}): the file has no header line (an ELAN export without column headers?): add a line of column names above the data (e.g. target and one column per rater, or target,rater,rating; for ELAN export with "Include column headers") and run again`,
    { file: path, line: 1, column: header.indexOf(values[0]) + 1 },
  );
}

/** The header line: which column holds what, long or wide; refuses a header that cannot be read as asked. */
function readHeader(row: string[], opts: ReadRatingsOptions, path: string, delimiter: string): RatingsLayout {
  const header = row.map((h) => h.trim());
  const hint = delimiterHint(header, delimiter);
  if (hint) throw new InputError(hint, { file: path, line: 1, column: 1 });
  refuseHeaderless(header, path);
  let ti = findColumn(header, opts.targetColumn ?? 'target');
  const targetCols = compositeTarget(header, opts.targetColumn, ti, path);
  if (targetCols) ti = targetCols[0];
  const ri = findColumn(header, opts.raterColumn ?? 'rater');
  const vi = findColumn(header, opts.ratingColumn ?? 'rating');
  const di = findColumn(header, opts.dimensionColumn ?? 'dimension');
  if (opts.dimensionColumn !== undefined && di < 0) refuseAbsentColumn('dimension', opts.dimensionColumn, header, path);
  const oi = findOrderColumn(header, opts, path);
  const oc = findColumn(header, opts.occasionColumn ?? 'occasion');
  if (opts.occasionColumn !== undefined && oc < 0) refuseAbsentColumn('occasion', opts.occasionColumn, header, path);
  const unnamed = unnamedColumns(header);
  const meta = metaColumnsOf(header, opts);
  const format = chooseFormat(header, opts, ti, ri, vi, path, [di, oi, oc, ...meta]);
  let raterCols: number[] = [];
  let idMovedNote: string | undefined;
  if (format === 'long') {
    const used = [ti, ri, vi, di, oi, oc];
    if (di < 0) refuseMisspeltOptionalColumn(header, used, 'dimension', path);
    if (oc < 0 && !opts.repeated) refuseMisspeltOptionalColumn(header, used, 'occasion', path);
  }
  if (format === 'wide') {
    if (opts.targetColumn === undefined && ti < 0) {
      ti = Math.max(0, header.findIndex((_, i) => !meta.includes(i)));
      const moved = idColumnNotFirst(header, ti, [di, oi, oc, ...meta, ...unnamed]);
      if (moved >= 0) {
        idMovedNote = `column '${header[moved]}' is read as the target ids (named like ids; the first column '${header[ti]}' is not), every other column as a rater; if '${header[ti]}' holds the ids, pass --target-col ${shellWord(header[ti])}`;
        ti = moved;
      }
    }
    if (ti < 0) throw new InputError(`no target column '${opts.targetColumn}' in the header`, { file: path, line: 1 });
    raterCols = header.map((_, i) => i).filter((i) => i !== ti && i !== di && i !== oi && i !== oc && !unnamed.includes(i) && !meta.includes(i));
  }
  refuseDuplicateColumns(header, path);
  const split = format === 'wide' && di < 0 ? raterDimensionColumns(header, raterCols, path) : null;
  // --exclude-rater names a rater: a column's, or with RATER_DIMENSION columns the rater part of theirs
  const nameOf = (c: number) => (split ? split.rater[c] : header[c]);
  const excluded = excludeSet(opts.excludeRaters, opts.excludeRaterLists);
  let excludedCols = raterCols.filter((c) => excluded.has(nameOf(c)));
  if (format === 'wide') {
    const meant = resolveExcluded(excluded, opts.excludeRaters, Boolean(opts.excludeRaterLists), new Set(excludedCols.map(nameOf)), [...new Set(raterCols.map(nameOf))], path);
    excludedCols = excludedCols.filter((c) => meant.has(nameOf(c)));
    raterCols = raterCols.filter((c) => !meant.has(nameOf(c)));
    if (opts.targetColumn === undefined) refuseSurveyRows(header, ti, raterCols, path);
    refuseAttachedColumns(header, raterCols, opts.excludeFlag ?? true, path);
    refuseMetadataRaters(header, raterCols, ti, path);
  }
  const targetGuessed = format === 'wide' && opts.targetColumn === undefined && findColumn(header, 'target') < 0;
  const unused = format === 'long' ? header.map((_, i) => i).filter((i) => ![ti, ri, vi, di, oi, oc, ...(targetCols ?? [])].includes(i) && !unnamed.includes(i)) : [];
  return { header, format, ti, ri, vi, di, oi, oc, raterCols, unnamed, targetGuessed, excludedCols, unused, ...(split ? { split } : {}), ...(targetCols ? { targetCols } : {}), ...(idMovedNote ? { idMovedNote } : {}) };
}

/** Whole words of a column name that say it holds the targets' ids (`stimulus`, `clip_id`, `video`), wherever it stands. */
const ID_NAME_WORDS = new Set(['id', 'ids', 'target', 'targets', 'item', 'items', 'clip', 'clips', 'stim', 'stimulus', 'stimuli', 'video', 'videos', 'segment', 'utterance', 'utt', 'file', 'filename', 'sample', 'excerpt', 'image', 'sentence', 'track', 'song', 'scene', 'movie', 'audio', 'key']);

/**
 * A wide sheet whose first column is not named like ids but exactly one other column is (`Anna,Ben,Carl,stimulus`,
 * ids 101-120 last): that column is the target. Read with the first column as the ids, Anna's ratings were the
 * targets and 'stimulus' a rater (a new user's trial, 2026-12-06: ICC(2,1) 0.155 for psych's 0.925, exit 0; with
 * 1-7 ratings "duplicate rating of target '2' … a row given twice?"). Said in a note. -1: none moved.
 */
function idColumnNotFirst(header: string[], first: number, notRaters: number[]): number {
  const isIdName = (h: string) => {
    const words = columnWords(h);
    return words.length > 0 && words.length <= 2 && ID_NAME_WORDS.has(words[words.length - 1]);
  };
  if (looksLikeIdColumn(header[first]) || header[first] === '') return -1;
  const ids = header.map((_, i) => i).filter((i) => i !== first && !notRaters.includes(i) && isIdName(header[i]) && !looksLikeRaterName(header[i]));
  return ids.length === 1 ? ids[0] : -1;
}

/** A first column that names a survey's respondents (Qualtrics `ResponseId`, Google Forms `Timestamp`, `participant`). */
const RESPONDENT_COLUMN = /^(response ?id|respondent( ?id)?|participant( ?id)?|participant ?(no|nr|number)|timestamp|zeitstempel|marca temporal|horodateur|e-?mail( address)?|email ?adresse|worker ?id|prolific[_ ]?pid|submission ?id|subject( ?id)?)$/i;
/** Qualtrics' own respondent id column, which no ratings sheet has: with it the rows are respondents wherever it stands. */
const SURVEY_ID_COLUMN = /^(response ?id|responseid)$/i;
/** Column names of survey questions: Qualtrics `Q1`, `Q1_1`, `QID12`; Google Forms grids `Clip 1 [Valence]`. */
const isQuestionName = (h: string) => /^Q(ID)?\d+([_.]\d+)*$/i.test(h) || /\[.+\]\s*$/.test(h);
/** Three or more question columns, beside at most two others (Google Forms' `Email Address`, a name). */
const looksLikeQuestions = (names: string[]) => {
  const n = names.filter(isQuestionName).length;
  return n >= 3 && n >= names.length - 2;
};

/**
 * A survey export (Qualtrics, Google Forms, a `participant` per row): one row per respondent, one column per question
 * (clip), so the respondents are the raters and the columns the targets. Read as a wide sheet it swapped them
 * (a new user's trial, 2026-12-06: "6 targets × 12 raters", ICC(2,1) 0.015 for psych's 0.681, exit 0), and the
 * full Qualtrics export was told to remove 'ResponseId', which led there. Refused naming the layout and the transpose.
 */
function refuseSurveyRows(header: string[], ti: number, raterCols: number[], path: string): void {
  const names = raterCols.map((c) => header[c]);
  const surveyId = [ti, ...raterCols].find((c) => SURVEY_ID_COLUMN.test(header[c]));
  const byFirst = RESPONDENT_COLUMN.test(header[ti]) && (looksLikeQuestions(names) || looksLikeTargetIds(names));
  if (surveyId === undefined && !byFirst) return;
  const col = surveyId ?? ti;
  const questions = names.filter(isQuestionName);
  const shown = questions.length > 0 ? questions : names;
  const qualtrics = surveyId !== undefined ? " (and Qualtrics' extra header rows and its other metadata columns)" : '';
  throw new InputError(
    `each row looks like one respondent's answers (a survey export: column '${header[col]}' names the respondents, and ${shown.length} columns are questions, ${quoteList(shown.slice(0, 3))}, …): ` +
      `the respondents are the raters and the questions the targets, but agreement reads one row per target and one column per rater: ` +
      `delete the columns that are not ratings${qualtrics}, transpose the sheet (Paste Special > Transpose; R t(); pandas df.set_index('${header[col]}').T) so that each respondent is a column, and run again`,
    { file: path, line: 1, column: header[col] },
  );
}

/** Words a column beside a rater's names for something that is not a rating of the target (`Anna_conf`, `Ben RT`). */
const ATTACHED_WORDS = new Set(['conf', 'confidence', 'certainty', 'certain', 'sure', 'sureness', 'rt', 'latency', 'time', 'ms', 'comment', 'comments', 'note', 'notes', 'remark', 'remarks']);
/** Alone, or after any name: not 'rt' (a rater's initials 'RT'). */
const STANDALONE_WORDS = new Set(['conf', 'confidence', 'certainty', 'sureness', 'latency']);

/**
 * A column per rater beside their rating that holds something else (`Anna,Anna_conf,Ben,Ben_conf`: a confidence, a
 * response time, a comment): read as raters they entered every figure (a new user's trial, 2026-12-06: "6 raters",
 * ICC(2,1) 0.174 for psych's 0.836 over 3, exit 0, and the hint said to exclude the real rater Anna). Told by its name:
 * another rater column's name followed by such a word, or a confidence word alone. Refused naming them all.
 */
function refuseAttachedColumns(header: string[], raterCols: number[], excludeFlag: boolean, path: string): void {
  const names = raterCols.map((c) => header[c]);
  const attached = raterCols.filter((c) => {
    const words = columnWords(header[c]);
    const last = words[words.length - 1];
    if (words.length === 0 || !ATTACHED_WORDS.has(last)) return false;
    if (words.length === 1) return STANDALONE_WORDS.has(last);
    const owner = words.slice(0, -1).join(' ');
    return STANDALONE_WORDS.has(last) || names.some((n) => n !== header[c] && columnWords(n).join(' ') === owner);
  });
  if (attached.length === 0) return;
  const list = attached.map((c) => header[c]);
  const fix = excludeFlag ? `leave them out with --exclude-rater ${shellWord(list.join(','))} (or remove them from the sheet)` : 'remove them from the file';
  throw new InputError(
    `column${list.length > 1 ? 's' : ''} ${quoteList(list)} would be read as rater${list.length > 1 ? 's' : ''}, but ${list.length > 1 ? 'are' : 'is'} named like a rater's confidence, response time or comment beside their rating, not a rating of the targets; read as raters they would enter every figure: ${fix}`,
    { file: path, line: 1, column: list[0] },
  );
}

/**
 * `--target-col session,target`: a target is named by several columns (target ids that repeat in every session), its
 * id their cells joined with '/' ('s01/u00'). Null for one column.
 */
function compositeTarget(header: string[], name: string | undefined, ti: number, path: string): number[] | null {
  if (name === undefined || ti >= 0 || !name.includes(',')) return null;
  const cols = name.split(',').map((n) => n.trim());
  const at = cols.map((n) => findColumn(header, n));
  const missing = cols.filter((_, k) => at[k] < 0);
  if (missing.length > 0) throw new InputError(`no target column ${quoteList(missing)} in the header (--target-col ${name})`, { file: path, line: 1 });
  return at;
}

/** Splits of a column name at the first and at the last separator ('_', '-', '.', ' '). */
function nameSplits(h: string): [string, string][] {
  const out: [string, string][] = [];
  for (const at of [h.search(/[_.\- ]/), Math.max(...['_', '.', '-', ' '].map((c) => h.lastIndexOf(c)))])
    if (at > 0 && at < h.length - 1 && !out.some(([a]) => a.length === at)) out.push([h.slice(0, at), h.slice(at + 1)]);
  return out;
}

/** A dimension's name: a word of 3 or more letters (`valence`, `arousal`), never a rater's (`A`, `r1`, `lab2`). */
const dimensionWord = (w: string) => /^[A-Za-z]{3,}$/.test(w);

/** A number, or a pass or occasion code (`t1`, `pass2`, `run_1`): beside a word, as often the word's pass as a rater of it. */
const PASS_CODE = /^(\d+|(t|p|pass|run|time|session|visit|wave|rep|round|occasion)[_-]?\d+)$/i;

/**
 * Rating dimensions a sheet names its columns by (`valence_1`: rater 1 of valence); any other word beside a bare number
 * may be a rater's name. Words that are also given names (joy, hope, grace) are left out: `Joy_1, Joy_2` may be a
 * rater Joy's two passes.
 */
const DIMENSION_NAMES = new Set([
  'valence', 'arousal', 'dominance', 'pleasure', 'activation', 'intensity', 'tension', 'energy', 'emotion', 'mood', 'sentiment', 'stress', 'pain',
  'quality', 'naturalness', 'clarity', 'intelligibility', 'fluency', 'loudness', 'pitch', 'tempo', 'similarity', 'realism', 'overall', 'mos',
  'engagement', 'interest', 'attention', 'anger', 'happiness', 'sadness', 'fear', 'disgust', 'surprise', 'severity', 'accuracy', 'relevance',
  'contempt', 'trust', 'anticipation', 'amusement', 'pride', 'shame', 'guilt', 'boredom', 'confusion', 'frustration', 'excitement', 'calmness',
  'relief', 'warmth', 'competence', 'politeness', 'friendliness', 'expressiveness', 'annoyance', 'nervousness', 'humor', 'humour',
]);

/**
 * WORD_NUMBER words read as dimensions: at least half of them known dimension names. Read as passes, every word would
 * be a rater's name, and a rater is not named 'anger': `joy_1, joy_2, anger_1, anger_2` are dimensions joy and anger
 * (tagree48 refused them, asking for the long layout, because 'joy' is not a known word).
 */
function knownDimensions(words: string[]): boolean {
  const known = words.filter((w) => DIMENSION_NAMES.has(w.toLowerCase())).length;
  return known > 0 && 2 * known >= words.length;
}

/**
 * Columns WORD_NUMBER (`Anna_1, Anna_2, Ben_1, Ben_2`) whose words are not rating dimensions: raters Anna and Ben
 * each rating twice (passes 1, 2) as often as dimensions Anna and Ben rated by raters 1 and 2. Read as dimensions,
 * each rater's test-retest agreement passed a --min-icc 0.75 gate that the raters' agreement (0.551) fails (a new
 * user's trial, 2026-12-06). Refused with the layouts that say which.
 */
function refuseWordNumberSplit(header: string[], raterCols: number[], words: string[], numbers: string[], path: string): never {
  // The rename that reads them as dimensions: a rater id that is no bare number or pass code ('1' -> 'r1').
  const ids = numbers.map((n, k) => (/^\d+$/.test(n) ? `r${n}` : `r${k + 1}`));
  const renamed = words.slice(0, 2).flatMap((w) => ids.slice(0, 2).map((id) => `${w}_${id}`));
  throw new InputError(
    `columns ${quoteList(raterCols.slice(0, 4).map((c) => header[c]))}, … pair the words ${quoteList(words.slice(0, 4))} with the numbers or pass codes ${quoteList(numbers.slice(0, 4))}: ` +
      `raters ${words.slice(0, 2).join(', ')} each rating ${numbers.length} times (passes), or dimensions ${words.slice(0, 2).join(', ')} rated by raters ${numbers.slice(0, 2).join(', ')}? It cannot be told which (such columns are read as dimensions only when at least half of the words are known ones: valence, arousal, anger, …): ` +
      `if they are dimensions, rename the columns with rater ids that are no bare numbers (${renamed.join(', ')}, …), which are read as DIMENSION_RATER (or write the file long, as target,rater,dimension,rating); ` +
      `if they are passes, write the file long, as target,rater,occasion,rating (test-retest; for the raters' agreement keep one pass, one column per rater)`,
    { file: path, line: 1, column: header[raterCols[0]] },
  );
}

/**
 * Wide columns named RATER_DIMENSION (`A_valence`, `A_arousal`, `B_valence`, …) or DIMENSION_RATER: one column per
 * rater and dimension. Read as one column per rater was "14 raters" pooling valence and arousal into one ICC (a
 * ninth trial, exit 0); now each column is its rater's rating in its dimension, every dimension analysed on its own.
 * Only a full grid (every rater in every dimension, 2 or more of each) whose one side is words (the dimensions);
 * both sides words (`Anna_valence`) is refused with the long layout that says which is which.
 */
function raterDimensionColumns(header: string[], raterCols: number[], path: string): RatingsLayout['split'] | null {
  if (raterCols.length < 4) return null;
  for (const pick of [0, 1]) {
    const parts = raterCols.map((c) => nameSplits(header[c])[pick] ?? nameSplits(header[c])[0]);
    if (parts.some((p) => p === undefined)) return null;
    const left = new Set(parts.map((p) => p[0]));
    const right = new Set(parts.map((p) => p[1]));
    if (left.size < 2 || right.size < 2 || left.size * right.size !== raterCols.length || new Set(parts.map((p) => p.join('\u0000'))).size !== raterCols.length) continue;
    const words = [[...left].every(dimensionWord), [...right].every(dimensionWord)];
    if (words[0] === words[1]) {
      if (!words[0]) continue;
      throw new InputError(
        `columns ${quoteList(raterCols.slice(0, 4).map((c) => header[c]))}, … name ${left.size} x ${right.size} pairs of words: one rater per column in each of several dimensions? It cannot be told which word is the rater: write the file as target,rater,dimension,rating (one rating per row); if every column is a rater of one dimension, rename them`,
        { file: path, line: 1, column: header[raterCols[0]] },
      );
    }
    const di = words[0] ? 0 : 1;
    const dims = [...(di === 0 ? left : right)];
    const raters = [...(di === 0 ? right : left)];
    if (raters.every((r) => PASS_CODE.test(r)) && !knownDimensions(dims)) refuseWordNumberSplit(header, raterCols, dims, raters, path);
    const rater: string[] = [];
    const dim: string[] = [];
    raterCols.forEach((c, k) => ([rater[c], dim[c]] = [parts[k][1 - di], parts[k][di]]));
    const note = `columns named ${di === 0 ? 'DIMENSION_RATER' : 'RATER_DIMENSION'} (${quoteList(raterCols.slice(0, 3).map((c) => header[c]))}, …) are read as ${raters.length} raters (${quoteList(raters.slice(0, 4))}${raters.length > 4 ? ', …' : ''}) in ${dims.length} dimensions (${quoteList(dims)}), each dimension analysed on its own`;
    return { rater, dim, note };
  }
  return null;
}

/** The data records of a ratings file as they are read, per dimension; `rec` is the current record (0-based). */
class RatingsAccumulator {
  readonly dims = new Map<string, DimBuilder>();
  /** Labels in order of first appearance (categorical). */
  readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  readonly categorical: boolean;
  /** --levels declared the labels (a numeric label such as 99 is then on the scale by declaration). */
  readonly levelsGiven: boolean;
  /** Ratings carry an occasion (occasion column or --repeated). */
  readonly withOccasions: boolean;
  /** Raters a dimension needs (ReadRatingsOptions.minRaters). */
  readonly minRaters: number;
  /** The declared numeric scale (ReadRatingsOptions.scale). */
  readonly scale: [number, number] | undefined;
  rec = -1;
  nMissing = 0;
  /** The first record with an empty dimension cell (-1: none); refused when other records name a dimension. */
  emptyDimensionRec = -1;
  /** The last wide record whose only cell is its first ('Arousal;;;'): a block's title when the header follows it. */
  private titleRow: { rec: number; text: string } | null = null;

  /**
   * The header again right below a one-cell row ('Arousal;;;'): a second block of the sheet (another dimension) under
   * its title. Read as joined exports, the duplicate message offered --repeated, which read arousal as a retest of
   * valence, exit 0 (ttrial48a). Refused naming the title.
   */
  private refuseTitledBlock(): void {
    const t = this.titleRow;
    const between = t === null ? [] : Array.from({ length: this.rec - t.rec - 1 }, (_, k) => t.rec + 1 + k);
    if (t === null || !between.every((r) => this.emptyRows.includes(r))) return;
    throw new RecordError(
      `row '${t.text}' and the header again below it ({FIRST}) start a second block of the sheet (another dimension?) under the first: agreement reads one block per file: write each block to a file of its own, or the whole sheet in the long layout with a dimension column (target,rater,dimension,rating)`,
      t.rec,
      this.layout.header[this.layout.ti],
      this.rec,
    );
  }
  /** Records whose every cell is empty (Excel's `;;;` rows below the data): skipped, and said in a note. */
  readonly emptyRows: number[] = [];
  /** Records that repeat the header (exports joined one after another): skipped, and said in a note. */
  readonly headerRows: number[] = [];

  /** `--na` values, keyed as labels are (numbers numerically). */
  private readonly na: Set<string>;
  /** --exclude-rater: id -> ratings skipped; the ids met in the rater column (long files). */
  readonly excluded: Map<string, number>;
  readonly excludedMet = new Set<string>();
  /** The command offers --exclude-rater (advice names it, else says to remove the column). */
  readonly excludeFlag: boolean;

  constructor(
    readonly layout: RatingsLayout,
    private readonly opts: ReadRatingsOptions,
  ) {
    this.na = new Set((opts.naValues ?? []).map((s) => labelKey(s.trim())));
    this.categorical = Boolean(opts.categorical) || opts.levels !== undefined;
    this.levelsGiven = opts.levels !== undefined;
    this.withOccasions = layout.oc >= 0 || Boolean(opts.repeated);
    this.minRaters = opts.minRaters ?? 2;
    this.excludeFlag = opts.excludeFlag ?? true;
    this.scale = opts.scale;
    this.excluded = excludeSet(opts.excludeRaters, opts.excludeRaterLists);
    for (const c of layout.excludedCols) this.excludedMet.add(layout.split ? layout.split.rater[c] : layout.header[c]);
    if (opts.levels) opts.levels.forEach((l, i) => this.labelIndex.set(labelKey(l), i));
  }

  private dimOf(name: string): DimBuilder {
    let d = this.dims.get(name);
    if (!d) {
      d = new DimBuilder(name);
      this.dims.set(name, d);
    }
    return d;
  }

  private labelCode(s: string, column: string): number {
    const key = labelKey(s);
    let i = this.labelIndex.get(key);
    if (i === undefined) {
      const levels = this.opts.levels;
      if (levels) {
        // 'Strongly disagree' for 'strongly disagree' (a sixth trial): name the level it is a spelling of
        const twin = levels.find((l) => spellingKey(l) === spellingKey(s));
        // 'hapy' for 'happy' (ttrial44b S3): a level one edit away, when only one is
        const near = twin === undefined ? levels.filter((l) => editDistanceAtMost1(spellingKey(l), spellingKey(s))) : [];
        const hint =
          twin !== undefined ? `: it differs from '${twin}' only in case, spaces, '-' or '_' (write '${twin}')` : near.length === 1 ? `: did you mean '${near[0]}'? (one letter apart: correct the label)` : otherLabelHint(s);
        throw new RecordError(`label '${s.length > 40 ? s.slice(0, 40) + '…' : s}' is not one of --levels (${levels.join(', ')})${hint}`, this.rec, column);
      }
      i = this.labels.length;
      this.labels.push(s);
      this.labelIndex.set(key, i);
    }
    return i;
  }

  /** An empty cell, NA, or one of `--na`. */
  isNa(s: string): boolean {
    return isMissing(s) || (this.na.size > 0 && this.na.has(labelKey(s)));
  }

  private readValue(cell: string, column: string): number {
    let s = cell.trim();
    if (isJsonList(s))
      throw new RecordError(
        `rating '${s.length > 60 ? s.slice(0, 60) + '…' : s}' is a JSON list or object (a multi-select field, e.g. Label Studio's Choices with choice="multiple"), not one label: agreement reads one label per rating; multi-label ratings need an agreement per label: write one yes/no column (or rating) per label and run each, or keep one choice per rating`,
        this.rec,
        column,
      );
    if (missingMarkerLike(s) && this.labelIndex.get(labelKey(s)) === undefined) {
      throw new RecordError(`rating '${s}' looks like a missing-value marker: write a missing rating as an empty cell or NA, or pass --na ${shellWord(s)} to read it as missing`, this.rec, column);
    }
    if (this.categorical) return this.labelCode(s, column);
    const thousands = thousandsPointMessage(s, this.opts.decimalComma);
    if (thousands) throw new RecordError(`rating ${thousands}`, this.rec, column);
    if (this.opts.decimalComma && looksLikeDecimalComma(s)) s = s.replace(',', '.');
    const v = parseNumber(s);
    if (Number.isFinite(v) && this.opts.scale && (v < this.opts.scale[0] || v > this.opts.scale[1])) throw new RecordError(offScaleMessage(v, this.opts.scale), this.rec, column);
    if (!Number.isFinite(v)) {
      const idHint = this.layout.targetGuessed && looksLikeIdColumn(column) && !looksLikeRaterName(column) ? `column '${column}' looks like the target ids: pass --target-col ${shellWord(column)}; ` : '';
      const notes = this.layout.raterCols.length > 0 && NOTES_WORDS.test(column.trim()) ? `column '${column}' looks like notes, not a rater's ratings: ${this.excludeFlag ? `leave it out with --exclude-rater ${shellWord(column)}` : 'remove it from the file'}, or ` : '';
      const email = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/.test(s) ? `column '${column}' holds e-mail addresses, not ratings: a survey export with one row per respondent? then transpose it so that each respondent is a column; else remove the column; or ` : '';
      const hint = idHint + notes + email + (unicodeMinus(s) ? `a Unicode minus '${s[0]}' (U+${s.charCodeAt(0).toString(16).toUpperCase()}), not '-'? replace it with '-' in the file (e.g. sed 's/${s[0]}/-/g'), or --categorical for labels` : looksLikeDecimalComma(s) ? 'a decimal comma? use --decimal-comma, or --categorical for labels' : 'use --categorical for labels');
      throw new RecordError(`non-numeric rating '${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}' (${hint})`, this.rec, column);
    }
    return v;
  }

  private readOrder(row: string[]): number {
    const { oi, header } = this.layout;
    if (oi < 0) return NaN;
    const s = row[oi].trim();
    if (s === '') return NaN;
    let v = parseNumber(s);
    if (!Number.isFinite(v)) {
      v = isoDateMs(s); // ISO 8601 dates only: Date.parse read '03.11.2026' month first
      if (!Number.isFinite(v)) throw new RecordError(nonIsoOrderMessage(s), this.rec, header[oi]);
    }
    return v;
  }

  /**
   * A record that is the header again (two exports joined with `cat` or copy-paste; a BOM may lead it): skipped. One
   * whose target cell is the target column's name but whose other cells are not the header's (the second export has
   * its columns in another order, so its ratings would go to the wrong raters) is refused. Before, a numeric file
   * stopped on "non-numeric rating 'r1'", and a categorical one read the header as a target rated 'r1', 'r2' by
   * every rater (a sixth new user's trial).
   */
  private isHeaderAgain(row: string[]): boolean {
    const { header, ti } = this.layout;
    // a data row's target cell is not the target column's name (both checks below need it to be): said without
    // copying the row (a map per row was ~0.07 s CPU on bench-agreement's 1M ratings)
    const cell = row[ti].charCodeAt(0) === 0xfeff && ti === 0 ? row[0].slice(1) : row[ti];
    if (cell.trim().toLowerCase() !== header[ti].toLowerCase()) return false;
    const cells = row.map((c, i) => (i === 0 ? c.replace(/^\uFEFF/, '') : c).trim());
    if (cells.length === header.length && cells.every((c, i) => c === header[i])) return true;
    if (cells[ti].toLowerCase() !== header[ti].toLowerCase()) return false;
    const names = new Set(header.filter((h) => h !== '').map((h) => h.toLowerCase()));
    const named = cells.filter((c, i) => i !== ti && c !== '' && names.has(c.toLowerCase())).length;
    if (named === 0) return false;
    throw new RecordError(
      `this row is a header again (files joined?) with other columns than line 1 (${quoteList(cells)} against ${quoteList(header)}): the ratings below it would be read under line 1's columns; give every joined part line 1's columns in line 1's order`,
      this.rec,
      header[ti],
    );
  }

  /** One data record: a rating (long) or a row of ratings (wide). */
  addRecord(row: string[]): void {
    const { header, unnamed, di, ti } = this.layout;
    this.rec++;
    if (row.every((c) => c.trim() === '')) {
      this.emptyRows.push(this.rec);
      return;
    }
    if (this.isHeaderAgain(row)) {
      this.refuseTitledBlock();
      this.headerRows.push(this.rec);
      return;
    }
    // stops at the first other cell with data (nearly every row), so a data row costs one cell
    if (this.layout.format === 'wide' && row[ti].trim() !== '' && row.every((c, i) => i === ti || c.trim() === '')) this.titleRow = { rec: this.rec, text: row[ti].trim() };
    for (const c of unnamed) if (row[c].trim() !== '') throw new RecordError(this.rec === 0 && twoHeaderRows(header, row) ? twoHeaderRowsMessage(header, row) : unnamedColumnMessage(c, row[c].trim()), this.rec, String(c + 1));
    const { targetCols } = this.layout;
    const targetId = targetCols ? (targetCols.some((c) => row[c].trim() === '') ? '' : targetCols.map((c) => row[c].trim()).join('/')) : row[ti].trim();
    if (targetId === '') throw new RecordError('empty target id: write the id of the rated target in this cell, or delete the row', this.rec, header[ti]);
    if (this.layout.format === 'wide' && SUMMARY_ROW.test(targetId))
      throw new RecordError(
        `row '${targetId}' looks like a summary the sheet computed below the ratings (a mean, SD or total of each rater's column), not a target: read as one it would be one more target rated by every rater, in the figures and the gold labels: delete the summary rows and run again`,
        this.rec,
        header[ti],
      );
    const order = this.readOrder(row);
    if (this.layout.split) return this.addSplitRecord(row, targetId, order);
    if (di >= 0 && row[di].trim() === '' && this.emptyDimensionRec < 0) this.emptyDimensionRec = this.rec;
    const d = this.dimOf(di >= 0 ? row[di].trim() : '');
    if (this.layout.format === 'long') this.addLongRecord(d, row, targetId, order);
    else this.addWideRecord(d, row, targetId, order);
  }

  private addLongRecord(d: DimBuilder, row: string[], targetId: string, order: number): void {
    const { header, ri, vi } = this.layout;
    const cell = row[vi];
    if (this.leftOut(row[ri].trim(), cell)) return;
    if (this.isNa(cell.trim())) {
      this.nMissing++;
      d.targetId(targetId);
      const who = row[ri].trim();
      if (who !== '') d.emptyRowRaters.add(who);
      return;
    }
    const raterId = row[ri].trim();
    if (raterId === '') throw new RecordError(`empty rater id (rating '${cell.trim()}'): write the id of the rater who gave it in this cell, or delete the row`, this.rec, header[ri]);
    const v = this.readValue(cell, header[vi]);
    this.push(d, row, d.targetId(targetId), d.raterId(raterId), v, order);
  }

  private addWideRecord(d: DimBuilder, row: string[], targetId: string, order: number): void {
    const { header, raterCols, excludedCols } = this.layout;
    for (const c of excludedCols) this.leftOut(header[c], row[c]);
    const t = d.targetId(targetId);
    for (const c of raterCols) {
      const r = d.raterId(header[c]);
      const cell = row[c];
      if (this.isNa(cell.trim())) {
        this.nMissing++;
        continue;
      }
      this.push(d, row, t, r, this.readValue(cell, header[c]), order);
    }
  }

  /** A wide row of RATER_DIMENSION columns: each cell its rater's rating in its dimension. */
  private addSplitRecord(row: string[], targetId: string, order: number): void {
    const { header, split, raterCols, excludedCols } = this.layout;
    for (const c of excludedCols) this.leftOut(split!.rater[c], row[c]);
    for (const c of raterCols) {
      const d = this.dimOf(split!.dim[c]);
      const t = d.targetId(targetId);
      const r = d.raterId(split!.rater[c]);
      if (this.isNa(row[c].trim())) {
        this.nMissing++;
        continue;
      }
      this.push(d, row, t, r, this.readValue(row[c], header[c]), order);
    }
  }

  /** A cell of a rater --exclude-rater names: counted (a rating) and skipped. */
  private leftOut(raterId: string, cell: string): boolean {
    const n = this.excluded.get(raterId);
    if (n === undefined) return false;
    this.excludedMet.add(raterId);
    if (!this.isNa(cell.trim())) this.excluded.set(raterId, n + 1);
    return true;
  }

  /** --repeated read a repeat that differs in an unused column: the warning said once. */
  repeatNote: string | undefined;
  /** --repeated without an occasion column: repeats that copy their first row (a duplicated export, ttrial44b W3). */
  readonly repeatCopies = new RepeatCopies();

  /** The duplicated-export check of --repeated: refused here (RecordError), or a note for the table. */
  repeatCopiesNote(): string | null {
    const { unused, oi, header } = this.layout;
    const v = this.repeatCopies.verdict(unused.length > 0 || oi >= 0, oi >= 0 ? header[oi] : null);
    if (v === null) return null;
    if (v.kind === 'refuse') throw new RecordError(v.message, v.rec, oi >= 0 ? header[oi] : header[this.layout.ti], v.firstRec);
    return v.message;
  }
  /** Long files with unused columns: each (dimension, target, rater)'s first record and its unused cells. */
  private readonly firstUnused = new Map<string, { rec: number; cells: string[]; order: string | null }>();

  /**
   * A second rating of one (target, rater) whose row differs from the first in a column no role reads (`session`
   * beside target ids u00..u09 repeated in every session): the two are different targets (or dimensions, or occasions)
   * that the file names by that column too. Read as duplicates, the hint was --repeated, which then analysed 10
   * targets as test-retest across the sessions, exit 0 (a ninth trial). Refused with the flags that read it.
   */
  private refuseRepeatDifferingInUnused(d: DimBuilder, row: string[], t: number, r: number): void {
    const { unused, header, oc, ti, oi } = this.layout;
    if (unused.length === 0 || oc >= 0) return;
    const key = `${d.name}\u0000${t}\u0000${r}`;
    const cells = unused.map((c) => row[c].trim());
    const order = oi >= 0 ? row[oi].trim() : null;
    const first = this.firstUnused.get(key);
    if (first === undefined) {
      this.firstUnused.set(key, { rec: this.rec, cells, order });
      return;
    }
    // at another time of the order column: a trace's samples or a retest, which the duplicate check names (traceHint)
    if (order !== first.order) return;
    const k = cells.findIndex((c, j) => c !== first.cells[j]);
    if (k < 0) return;
    const col = header[unused[k]];
    const tcol = this.layout.targetCols ? this.layout.targetCols.map((c) => header[c]).join(',') : header[ti];
    if (!this.opts.repeated && TRACE_TIME.test(col.trim()) && [cells[k], first.cells[k]].every((c) => Number.isFinite(parseNumber(c))))
      // a trace's time column not named like the order column ('t', 'frame', 'Time (ms)'): the hint --target-col 't,target'
      // made every sample a target (ttrial48a H2-H4: ICC on 44 of 1284 "targets", exit 0)
      throw new RecordError(
        `target '${d.targets[t]}' by rater '${d.raters[r]}' is rated again (first on {FIRST}) at another '${col}' (${cells[k]} here, ${first.cells[k]} there): samples of a continuous trace over time? ` +
          `agreement compares one rating per target and rater: pass --traces to read continuous traces (mean r, CCC, alpha, reaction lags, a gold trace), or average each trace over its target, or cut the traces into windows on one time grid and make each window a target (e.g. '${d.targets[t]}@0-1s'); ` +
          `if '${col}' is not a time but names a test-retest occasion, pass --occasion-col ${shellWord(col)}`,
        this.rec,
        col,
        first.rec,
      );
    if (this.opts.repeated) {
      // --repeated asked for repeats as occasions: read, and said (the column may be the occasion misspelt)
      this.repeatNote ??= `warning: --repeated reads target '${d.targets[t]}' by rater '${d.raters[r]}' again as a second occasion, but its rows differ in column '${col}' ('${first.cells[k]}', then '${cells[k]}'), which is not read: if '${col}' and '${tcol}' together name a target, pass --target-col ${shellWord(`${col},${tcol}`)} instead; if '${col}' is the occasion, --occasion-col ${shellWord(col)}`;
      return;
    }
    throw new RecordError(
      `target '${d.targets[t]}' by rater '${d.raters[r]}' is rated again (first on {FIRST}) with another '${col}' ('${cells[k]}' here, '${first.cells[k]}' there), a column agreement does not read: ` +
        `if a target is named by '${col}' and '${tcol}' together, pass --target-col ${shellWord(`${col},${tcol}`)}; if '${col}' names a dimension, --dimension-col ${shellWord(col)}; if it names a test-retest occasion, --occasion-col ${shellWord(col)}`,
      this.rec,
      col,
      first.rec,
    );
  }

  private push(d: DimBuilder, row: string[], t: number, r: number, v: number, order: number): void {
    const { oc } = this.layout;
    if (this.layout.format === 'long') this.refuseRepeatDifferingInUnused(d, row, t, r);
    if (this.opts.repeated && oc < 0) {
      const time = this.layout.oi >= 0 && isDateTime(row[this.layout.oi].trim()) ? row[this.layout.oi].trim() : null;
      this.repeatCopies.see(`${d.name}\u0000${t}\u0000${r}`, this.rec, row, time);
    }
    if (this.withOccasions) d.occ.push(d.occasionOf(oc >= 0 ? row[oc].trim() : null, t, r));
    d.target.push(t);
    d.rater.push(r);
    d.value.push(v);
    d.order.push(order);
    d.record.push(this.rec);
  }
}

type CsvParser = ReturnType<typeof parse>;

/** Every parsed row to `onRow`: 'readable' + read() rather than for-await, no promise per record (a third of the parse time on 1M rows). */
function forEachRow(source: ReadStream, parser: CsvParser, onRow: (row: string[]) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    parser.on('readable', () => {
      try {
        let row: string[] | null;
        while ((row = parser.read() as string[] | null) !== null) onRow(row);
      } catch (e) {
        source.destroy();
        parser.destroy();
        reject(e);
      }
    });
    parser.on('end', resolve);
    parser.on('error', (e) => {
      source.destroy();
      reject(e);
    });
    source.on('error', reject);
  });
}

/**
 * The file's records in a RatingsAccumulator (null: no line at all). A plain file is split by plain-csv.ts; should
 * that stop for any reason (a line that is not plain, or an error in a record), the file is read again from its start
 * by csv-parse, so that every message (and which error comes first) is csv-parse's.
 */
async function readRecords(path: string, opts: ReadRatingsOptions, delimiter: string): Promise<RatingsAccumulator | null> {
  let acc: RatingsAccumulator | null = null;
  const onRow = (row: string[]) => {
    if (acc) {
      if (acc.rec < 0) refuseTitleRow(acc.layout.header, opts, path, row);
      acc.addRecord(row);
    } else acc = new RatingsAccumulator(readHeader(row, opts, path, delimiter), opts);
  };
  try {
    await forEachPlainRow(path, delimiter, onRow);
    return acc;
  } catch {
    acc = null;
  }
  const source = createReadStream(path);
  await forEachRow(source, source.pipe(parse(csvOptions(delimiter))), onRow);
  return acc;
}

async function readRatingsUnchecked(path: string, opts: ReadRatingsOptions, delimiter: string): Promise<RatingsTable> {
  const acc = await readRecords(path, opts, delimiter);
  if (acc === null) throw new InputError('empty file (no header, no ratings)', { file: path });
  if (acc.rec < 0 || acc.emptyRows.length + acc.headerRows.length === acc.rec + 1) throw new InputError(`no ratings (the file has a header only${acc.rec >= 0 ? ' and rows of empty cells' : ''})`, { file: path, line: 2 });
  if (acc.emptyDimensionRec >= 0 && acc.dims.size > 1) {
    const named = [...acc.dims.keys()].filter((k) => k !== '');
    throw new RecordError(
      `empty dimension cell (other rows name ${quoteList(named.slice(0, 3))}${named.length > 3 ? ', …' : ''}): write the dimension of this rating, or delete the row`,
      acc.emptyDimensionRec,
      acc.layout.header[acc.layout.di],
    );
  }
  refuseRatersAsRows(acc.layout, [...new Set([...acc.dims.values()].flatMap((d) => d.targets))], opts, path);
  refuseRatingsAsTargetIds(acc.layout, [...acc.dims.values()].flatMap((d) => d.targets), path);
  const raters = [...new Set([...acc.dims.values()].flatMap((d) => d.raters))];
  const excluded = resolveExcluded(acc.excluded, opts.excludeRaters, Boolean(opts.excludeRaterLists), acc.excludedMet, raters, path);
  const copiesNote = acc.repeatCopiesNote();
  const table = withExcludedNote(() => ratingsTable(path, acc, opts.levels), excluded, path);
  if (copiesNote) table.notes = [...(table.notes ?? []), copiesNote];
  if (excluded.size > 0) table.excluded_raters = [...excluded].map(([rater, n_ratings]) => ({ rater, n_ratings }));
  if (acc.emptyRows.length > 0) table.notes = [...(table.notes ?? []), await emptyRowsNote(path, acc.emptyRows, delimiter)];
  if (acc.headerRows.length > 0) {
    table.notes = [...(table.notes ?? []), await headerRowsNote(path, acc.headerRows, delimiter)];
    table.header_records = acc.headerRows;
  }
  return table;
}

/**
 * "fewer than two raters" after --exclude-rater left some out says so, naming the file only: no row or column of it is
 * at fault (before, the line pointed at the last rating of the one rater left).
 */
function withExcludedNote<T>(f: () => T, excluded: Map<string, number>, path: string): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof RecordError) || excluded.size === 0 || !e.message.startsWith('fewer than two raters')) throw e;
    const left = excludedText([...excluded].map(([rater, n_ratings]) => ({ rater, n_ratings })));
    throw new InputError(`${e.message.replace(FEW_RATERS_HINT, '')} after the others were ${left}: agreement needs two or more raters; leave fewer out`, { file: path });
  }
}

/**
 * A wide sheet's row that summarises the columns above it (`Mean`, `SD`, `Total`, `AVERAGE` under the data): read as
 * a target (a new user's trial, 2026-12-06: 26 targets for 24, the gold labels holding 'Mean' 4.96 and 'SD' 1.94,
 * exit 0; a `Total` row was called "a typo?"). A `Mean` column is refused by its name (refuseMetadataRaters).
 */
const SUMMARY_ROW = /^(mean|means|average|avg|median|sd|s\.d\.|std|std\.? ?dev\.?|stdev|stddev|standard deviation|variance|sum|total|totals|grand (mean|total)|mittelwert|summe|gesamt|moyenne|somme)\s*:?$/i;

/** A header naming a column of target ids. */
const ID_WORDS = /(^|[^a-z])(id|ids|no|nr|num|number|n|idx|index|key|#)([^a-z]|$)|target|item|clip|stim|video|trial|segment|utter|file|name|sample|excerpt|question|code|subject|participant|patient|person|image|photo|picture|sentence|text|track|song|row|case|unit|scene|movie|audio/i;
/**
 * A wide sheet's column of free text beside the raters' (a new user's trial: `r1,r2,r3,notes` was told "use
 * --categorical for labels", which then read the notes as a fourth rater): its name says so.
 */
const NOTES_WORDS = /^(notes?|comments?|remarks?|memos?|observations?|annotations? ?notes?|free ?text|text|description)$/i;

function looksLikeIdColumn(name: string): boolean {
  return ID_WORDS.test(name.trim());
}

/** A column name without case, digits and separators ('Rater_1' -> 'rater'): raters named in a series share it. */
const nameStem = (h: string) => h.toLowerCase().replace(/[\s\d_.#-]+/g, '');

/**
 * A wide file with no target column names its first column the target; when that column holds only numbers and
 * either one of them has a fraction (slider ratings: ids are whole) or its name is one of a series with the other
 * columns ('r1' beside 'r2', 'r3'), it is a rater's ratings read as target ids (a sheet of rater columns only): that
 * rater would silently be left out and the figures computed on the others. Refused; --target-col overrides.
 */
function refuseRatingsAsTargetIds(layout: RatingsLayout, targetIds: string[], path: string): void {
  const name = layout.header[layout.ti];
  if (!layout.targetGuessed || looksLikeIdColumn(name) || targetIds.length === 0) return;
  const values = targetIds.map((id) => parseNumber(id.replace(',', '.')));
  if (!values.every(Number.isFinite)) return;
  const series = nameStem(name) !== '' && layout.raterCols.some((c) => nameStem(layout.header[c]) === nameStem(name));
  if (!series && values.every(Number.isInteger)) return;
  throw new InputError(
    `column '${name}' is read as the target ids (a wide file's first column; no column is named 'target') but holds only numbers, like a rater's ratings: if every column is a rater, add a first column of target ids; if '${name}' holds the ids, pass --target-col ${shellWord(name)}`,
    { file: path, line: 1, column: name },
  );
}

/** "ignored 2 row(s) whose every cell is empty (line 9, ...)": Excel writes such rows (`;;;`) below the data. */
async function emptyRowsNote(path: string, recs: number[], delimiter: string): Promise<string> {
  const first = await lineOfRecord(path, recs[0], delimiter);
  const where = first === undefined ? '' : ` (${recs.length === 1 ? 'line' : 'the first on line'} ${first})`;
  return `ignored ${recs.length} row(s) whose every cell is empty${where}; Excel writes such rows below the data`;
}

const quoteList = (cells: string[]) => cells.filter((c) => c !== '').map((c) => `'${c}'`).join(', ');

/** "ignored 1 row(s) that repeat the header (line 6)": exports joined one after another. */
async function headerRowsNote(path: string, recs: number[], delimiter: string): Promise<string> {
  const first = await lineOfRecord(path, recs[0], delimiter);
  const where = first === undefined ? '' : ` (${recs.length === 1 ? 'line' : 'the first on line'} ${first})`;
  return `ignored ${recs.length} row(s) that repeat the header${where}; exports joined one after another write such rows`;
}

/** The table of a file read to its end: categories in their order, every dimension finished and checked. */
function ratingsTable(path: string, acc: RatingsAccumulator, levels: string[] | undefined): RatingsTable {
  const { header, format, ti, ri, vi, di, oi, unnamed } = acc.layout;
  const catOrder = acc.categorical ? orderLabels(acc.labels, levels) : null;
  const names = [...acc.dims.keys()];
  // a dimension whose name is another's typo ('Valence' beside 'valence') needs two raters even where one is allowed
  const hasTwin = (name: string) => dimensionTwin(name, names) !== null;
  const dimensions = [...acc.dims.values()].map((d) =>
    withSpellingHint(() => finishDimension(d, acc, catOrder, hasTwin(d.name) ? 2 : acc.minRaters), d.name, names, di >= 0 ? header[di] : null),
  );
  return {
    file: path,
    format,
    categorical: acc.categorical,
    columns: {
      target: header[ti],
      rater: format === 'long' ? header[ri] : null,
      rating: format === 'long' ? header[vi] : null,
      dimension: di >= 0 ? header[di] : null,
      order: oi >= 0 ? header[oi] : null,
    },
    n_records: acc.rec + 1 - acc.emptyRows.length - acc.headerRows.length,
    n_missing_cells: acc.nMissing,
    dimensions,
    notes: [
      ...(unnamed.length > 0 ? [unnamedColumnsNote(unnamed, header.length)] : []),
      ...(acc.layout.idMovedNote ? [acc.layout.idMovedNote] : []),
      ...missingWordsNotes(acc.categorical && !levels ? acc.labels : []),
      ...(acc.layout.split ? [acc.layout.split.note] : []),
      ...unusedColumnsNotes(header, acc.layout.unused, oi),
      ...(acc.repeatNote ? [acc.repeatNote] : []),
    ],
  };
}

/**
 * Labels that say a rating is missing (`missing`, `skip`, `unsure`, `don't know`): read as categories they count as
 * agreement or disagreement (a new user's trial, 2026-12-06: α nominal 0.228 for 0.265 with them missing). Not
 * refused, since a task may offer "unsure" as an answer; warned with the --na that reads them as missing. 'none' and
 * 'neutral' are emotion labels and not listed.
 */
const MISSING_WORDS = /^(missing|miss|skip|skipped|unsure|not sure|don'?t know|do not know|dunno|dk|can'?t tell|cannot tell|can'?t say|no answer|no rating|not rated|unrated|n\.?a\.?|unknown|\?+)$/i;

function missingWordsNotes(labels: string[]): string[] {
  const words = labels.filter((l) => MISSING_WORDS.test(l.trim().replace(/\u2019/g, "'")));
  if (words.length === 0) return [];
  return [
    `warning: label(s) ${quoteList(words)} are read as categories, but look like a missing rating written as a word: if they mean no rating, pass --na ${shellWord(words.join(','))} and run again (if they are answers the raters could give, ignore this)`,
  ];
}

/** A long file's columns that no role reads: named, not ignored silently (a ninth trial's `session` column). */
/**
 * The note on unread columns, leaving out those named as facts about the target (`session_id`, `start_s`, `end_s` of
 * the layout `dataset build --labels` reads, `speaker`, `duration_s`): a repeat that differs in one is refused anyway.
 */
function unusedColumnsNotes(header: string[], unused: number[], oi: number): string[] {
  const named = unused.filter((c) => !looksLikeMetadataColumn(header[c]));
  return named.length > 0 ? [unusedColumnsNote(header, named, oi)] : [];
}

/** A trace's time column as named by a trace export: `t`, `frame`, `Time (ms)`, `sample`, `time_s`. */
const TRACE_TIME = /^(t|ts|t_?s|t_?ms|frames?|frame[ _]?(no|nr|idx|index)|samples?|sample[ _]?(no|nr|idx|index)|time|times|time[ _]?\(?(s|ms|sec|secs|seconds)\)?|ms|sec|secs|seconds|position)$/i;

/** A column named as a time (Label Studio's created_at, updated_at, a *_time or date column) that drift could order by. */
const TIME_LIKE = /^(created|updated|submitted|completed|started|finished|modified)(_?at|_?on)?$|(^|[_\s-])(time|date|datetime|timestamp)$|^(time|date)([_\s-]|$)|_at$/i;

function unusedColumnsNote(header: string[], unused: number[], oi: number): string {
  const time = oi < 0 ? unused.find((c) => TIME_LIKE.test(header[c].trim())) : undefined;
  // drift was '—' for every rater, JSON null, with no word why (ttrial44b S1: Label Studio's created_at)
  const drift = time === undefined ? '' : `; '${header[time]}' looks like a time: to see each rater's drift over their work, pass --order-col ${shellWord(header[time])}`;
  return `warning: column${unused.length > 1 ? 's' : ''} ${quoteList(unused.map((c) => header[c]))} ${unused.length > 1 ? 'are' : 'is'} not read (a long file reads the target, rater, rating, dimension, occasion and time/order columns): if one names the targets together with the target column, pass --target-col NAME,TARGET; a dimension, --dimension-col NAME; an occasion, --occasion-col NAME${drift}`;
}

/**
 * Another dimension name this one is likely a typo of: equal once case and separators are ignored ('Valence'), or
 * one letter apart ('valance' beside 'valence', names of 4 or more letters; not names that differ only in digits, as
 * 'item1' and 'item2'). Null when none.
 */
function dimensionTwin(name: string, names: string[]): { name: string; exact: boolean } | null {
  const key = spellingKey(name);
  const exact = names.find((n) => n !== name && spellingKey(n) === key);
  if (exact !== undefined) return { name: exact, exact: true };
  const bare = (k: string) => k.replace(/\d/g, '');
  const near = names.find((n) => n !== name && key.length >= 4 && bare(spellingKey(n)) !== bare(key) && editDistanceAtMost1(spellingKey(n), key));
  return near === undefined ? null : { name: near, exact: false };
}

/**
 * A dimension refused for having fewer than two raters whose name differs from another's only in case or separators
 * ('Valence' beside 'valence': a typo in a few rows) names the dimension column and the other spelling.
 */
function withSpellingHint<T>(finish: () => T, name: string, names: string[], dimensionColumn: string | null): T {
  try {
    return finish();
  } catch (e) {
    const fewRaters = e instanceof RecordError && e.message.startsWith('fewer than two raters');
    const twin = fewRaters ? dimensionTwin(name, names) : null;
    if (twin === null || dimensionColumn === null) throw e;
    const err = e as RecordError;
    const how = twin.exact ? "only in case, spaces, '-' or '_'" : 'by one letter';
    throw new RecordError(`${err.message.replace(FEW_RATERS_HINT, '')}; dimension '${name}' differs from '${twin.name}' ${how}: write one spelling`, err.rec, dimensionColumn, err.firstRec);
  }
}

/**
 * The raters of a dimension that gave at least one rating, with the ratings' rater codes renumbered to them. Wide
 * files register every rater column; a column without a single rating is not a rater of this dimension: it is left
 * out (as pingouin's pivot_table and Krippendorff's pairable values do) and named in `emptyRaters`.
 */
function dropEmptyRaters(d: DimBuilder, format: 'long' | 'wide'): { raters: string[]; rater: Int32Array; emptyRaters: string[] } {
  const rater = d.rater.finish();
  const used = new Int32Array(d.raters.length);
  for (let i = 0; i < rater.length; i++) used[rater[i]] = 1;
  let raters = d.raters;
  const emptyRaters = format === 'wide' ? d.raters.filter((_, r) => !used[r]) : [...d.emptyRowRaters].filter((id) => !d.rIndex.has(id));
  if (used.includes(0)) {
    const newIndex = new Int32Array(d.raters.length).fill(-1);
    raters = [];
    d.raters.forEach((id, r) => {
      if (used[r]) {
        newIndex[r] = raters.length;
        raters.push(id);
      }
    });
    for (let i = 0; i < rater.length; i++) rater[i] = newIndex[rater[i]];
  }
  return { raters, rater, emptyRaters };
}

/** One dimension's typed arrays, categories remapped to their order, checked for duplicates and too few raters. */
function finishDimension(d: DimBuilder, acc: RatingsAccumulator, catOrder: ReturnType<typeof orderLabels> | null, minRaters: number): RatingsDimension {
  const { header, format, ti, ri, oi, oc, raterCols } = acc.layout;
  const value = d.value.finish();
  if (catOrder) for (let i = 0; i < value.length; i++) value[i] = catOrder.remap[value[i]];
  const { raters, rater, emptyRaters } = dropEmptyRaters(d, format);
  const dim: RatingsDimension = {
    name: d.name,
    targets: d.targets,
    raters,
    target: d.target.finish(),
    rater,
    value,
    order: oi >= 0 ? d.order.finish() : null,
    record: d.record.finish(),
    categories: catOrder ? catOrder.categories : null,
    ordered: catOrder ? catOrder.ordered : undefined,
    ...occasionsOf(d, acc.withOccasions),
    empty_raters: emptyRaters,
    ...(acc.scale && !catOrder ? { scale: acc.scale } : {}),
  };
  // A wide file of exactly two rater columns whose targets repeat is most likely a long file read as wide: the
  // hint is to name its columns, not --repeated (which would accept it as a wide test-retest design).
  const longAsWide = format === 'wide' && oc < 0 && raterCols.length === 2;
  const duplicateHint = longAsWide
    ? `; a wide file has one row per target: if this is a long file (one row per rating), name its columns (--rater-col ${header[raterCols[0]]} --rating-col ${header[raterCols[1]]})`
    : undefined;
  checkDimension(dim, format === 'long' ? header[ri] : null, header[ti], duplicateHint, oi >= 0 ? header[oi] : undefined, minRaters, acc.headerRows);
  const offRange = offRangeScan(dim);
  if (offRange.far.length) dim.far_ratings = offRange.far;
  const mix = scaleMix(dim) ?? missingCode(dim, acc.levelsGiven) ?? summaryColumn(dim) ?? (format === 'wide' ? rowNumberColumn(dim) : null) ?? countsTable(dim) ?? textRater(dim, format === 'wide', acc.excludeFlag) ?? freeTextRater(dim, format === 'wide', acc.excludeFlag) ?? offRange.refused;
  if (mix) throw new RecordError(mix.message, dim.record[mix.at], format === 'long' ? header[acc.layout.vi] : dim.raters[dim.rater[mix.at]]);
  return dim;
}

/** Occasion codes renumbered in occasion order (numeric names numerically, else by code unit). */
function occasionsOf(d: DimBuilder, present: boolean): { occasion: Int32Array | null; occasions: string[] } {
  if (!present) return { occasion: null, occasions: [] };
  const { categories, remap } = orderLabels(d.occNames, undefined);
  const occasion = d.occ.finish();
  for (let i = 0; i < occasion.length; i++) occasion[i] = remap[occasion[i]];
  return { occasion, occasions: categories };
}

/** `column 'C'` / `columns 'C', 'D'` (wide files: the rater is the column) or `rater 'r3'` (long files). */
function emptyRatersText(empty: string[], raterColumn: string | null): string {
  const what = raterColumn === null ? 'column' : 'rater';
  return `${what}${empty.length > 1 ? 's' : ''} ${empty.map((r) => `'${r}'`).join(', ')}`;
}

/**
 * Two ratings of one (target, rater) at two values of the time/order column: samples of a continuous trace (FEELtrace,
 * GTrace, a joystick at its own rate), not a test-retest. The hint was `--repeated`, which took each rater's first
 * sample as their rating of the clip and gave ICC 0.95 on 5 clips of 80-200 samples a trace, exit 0 (a sixth new
 * user's trial). Agreement needs one rating per target and rater: the hint says how to make one.
 */
function traceHint(d: RatingsDimension, a: number, b: number, orderColumn: string | undefined): string | null {
  if (!d.order || orderColumn === undefined || /^(order|sequence|seq)$/i.test(orderColumn)) return null;
  const [ta, tb] = [d.order[a], d.order[b]];
  // a time in seconds or frames; not an ISO date (read as ms since 1970: a test-retest's rating dates)
  if (!(Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb && Math.abs(ta) < 1e9 && Math.abs(tb) < 1e9)) return null;
  return (
    `, at ${orderColumn} ${ta} and ${tb}: samples of a continuous trace? agreement compares one rating per target and rater: ` +
    `pass --traces to read continuous traces (mean r, CCC, alpha, reaction lags, a gold trace), or average each trace over its target, or cut the traces into windows on one time grid and make each window a target (e.g. '${d.targets[d.target[a]]}@0-1s'); ` +
    `a test-retest design needs an occasion column or --repeated`
  );
}

/** What to do about a dimension with one rater (replaced by a more precise hint where there is one). */
const FEW_RATERS_HINT = ": agreement compares two or more raters' ratings of the same targets: check the rater column and that every rater's ratings are in this file";

/** Two rows of one (target, rater) with the same rating: most likely a row given twice (pasted, or two exports joined);
 *  with two different ratings, one to delete unless it is a test-retest. */
function sameRatingHint(d: RatingsDimension, a: number, b: number, joined: boolean): string {
  // at two times or dates (a test-retest, a trace) the same rating is not a copied row
  if (d.order && d.order[a] !== d.order[b]) return '';
  const shown = (i: number) => (d.categories ? `'${d.categories[d.value[i]]}'` : String(d.value[i]));
  if (d.value[a] === d.value[b]) return `; the same rating (${shown(a)}) on both lines: a row given twice? delete one`;
  if (joined) return ''; // two labs' exports: each rating is someone's (joinedExportsHint says what to do)
  // ttrial56: an annotation lead's export with one target rated twice (4, then 6) was told only of test-retest
  return `; two different ratings (${shown(a)} there, ${shown(b)} here): if one is a slip or an earlier pass, delete it`;
}

/**
 * Two ratings of one (target, rater) on either side of a row repeating the header: exports joined one after another
 * (two labs' files, each with a rater 'r1'). Before, the line blamed test-retest (occasion column or --repeated).
 */
function joinedExportsHint(headerRows: readonly number[], a: number, b: number, rater: string): string | null {
  if (!headerRows.some((h) => h > a && h < b)) return null;
  return (
    `; the header repeats between the two lines (exports joined one after another): if they are two people who both ` +
    `wrote the id '${rater}', give each an id of their own (e.g. '${rater}-2' in the second export); if it is one rater's work exported twice, keep one copy; ` +
    `if it is one rater's second pass (test-retest), pass --repeated (each export an occasion, in file order)`
  );
}

/** Duplicate (target, rater[, occasion]) within a dimension and fewer than two raters: O(n) with a per-rater marker. */
function checkDimension(
  d: RatingsDimension,
  raterColumn: string | null,
  targetColumn = 'target',
  duplicateHint = '; a test-retest design needs an occasion column or --repeated',
  orderColumn?: string,
  minRaters = 2,
  headerRows: readonly number[] = [],
): void {
  const dimLabel = d.name ? ` in dimension '${d.name}'` : '';
  if (d.raters.length < minRaters || d.raters.length === 0) {
    const rec = d.record.length > 0 ? d.record[d.record.length - 1] : 0;
    const empty = d.empty_raters ?? [];
    const emptyNote = empty.length ? `; ${emptyRatersText(empty, raterColumn)} ${empty.length > 1 ? 'have' : 'has'} no rating in any row` : '';
    // Wide files: the column named is the empty rater column (else the one rater's column).
    const column = raterColumn ?? empty[0] ?? d.raters[0] ?? targetColumn;
    const found = `found ${d.raters.length}${d.raters.length ? `: '${d.raters[0]}'` : ''}`;
    throw new RecordError(`fewer than two raters${dimLabel} (${found})${emptyNote || FEW_RATERS_HINT}`, rec, column);
  }
  const n = d.target.length;
  // Counting sort of ratings by target, then a marker per rater.
  const start = new Int32Array(d.targets.length + 1);
  for (let i = 0; i < n; i++) start[d.target[i] + 1]++;
  for (let t = 0; t < d.targets.length; t++) start[t + 1] += start[t];
  const pos = start.slice(0, d.targets.length);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[pos[d.target[i]]++] = i;
  const nOcc = d.occasion ? Math.max(1, d.occasions?.length ?? 1) : 1;
  const mark = new Int32Array(d.raters.length * nOcc).fill(-1);
  const where = new Int32Array(d.raters.length * nOcc);
  for (let t = 0; t < d.targets.length; t++) {
    for (let j = start[t]; j < start[t + 1]; j++) {
      const i = idx[j];
      // With occasions the marker is per (rater, occasion).
      const r = d.occasion ? d.rater[i] * nOcc + d.occasion[i] : d.rater[i];
      if (mark[r] === t) {
        const first = d.record[where[r]];
        const joined = joinedExportsHint(headerRows, first, d.record[i], d.raters[d.rater[i]]);
        const hint = d.occasion ? '' : sameRatingHint(d, where[r], i, joined !== null) + (joined ?? traceHint(d, where[r], i, orderColumn) ?? duplicateHint);
        throw new RecordError(
          `duplicate rating of target '${d.targets[t]}' by rater '${d.raters[d.rater[i]]}'${dimLabel}${d.occasion ? ` on occasion '${d.occasions![d.occasion[i]]}'` : ''} (first given on {FIRST})${hint}`,
          d.record[i],
          raterColumn ?? d.raters[d.rater[i]],
          first,
        );
      }
      mark[r] = t;
      where[r] = i;
    }
  }
}

/** One in-memory rating of ratingsFromRows (null or '' is a missing rating). */
type RatingRow = { target: string; rater: string; rating: number | string | null; dimension?: string; order?: number };

/** Builds a RatingsTable from in-memory rows (library use: the dataset engineer's records). */
export function ratingsFromRows(rows: Iterable<RatingRow>, opts: { categorical?: boolean; name?: string; scale?: [number, number] } = {}): RatingsTable {
  const categorical = Boolean(opts.categorical);
  const file = opts.name ?? '<rows>';
  const got = collectRows(rows, categorical, file);
  if (got.nRecords === 0) throw new InputError('no ratings', { file });
  const catOrder = categorical ? orderLabels(got.labels, undefined) : null;
  const scale = categorical ? undefined : opts.scale;
  const dimensions = [...got.dims.values()].map((d) => rowsDimension(d, catOrder, got.hasOrder, file, scale));
  return {
    file,
    format: 'long',
    categorical,
    columns: { target: 'target', rater: 'rater', rating: 'rating', dimension: got.dims.size > 1 ? 'dimension' : null, order: got.hasOrder ? 'order' : null },
    n_records: got.nRecords,
    n_missing_cells: got.nMissing,
    dimensions,
  };
}

/** The rows sorted into one builder per dimension; labels numbered in order of first appearance (categorical). */
function collectRows(rows: Iterable<RatingRow>, categorical: boolean, file: string) {
  const dims = new Map<string, DimBuilder>();
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  let rec = -1;
  let nMissing = 0;
  let hasOrder = false;
  for (const row of rows) {
    rec++;
    const dn = row.dimension ?? '';
    let d = dims.get(dn);
    if (!d) dims.set(dn, (d = new DimBuilder(dn)));
    if (row.rating === null || row.rating === '') {
      nMissing++;
      d.targetId(String(row.target));
      d.emptyRowRaters.add(String(row.rater));
      continue;
    }
    const v = categorical ? labelCode(String(row.rating), labels, labelIndex) : numericRating(row.rating, file, rec);
    if (row.order !== undefined) hasOrder = true;
    d.target.push(d.targetId(String(row.target)));
    d.rater.push(d.raterId(String(row.rater)));
    d.value.push(v);
    d.order.push(row.order ?? NaN);
    d.record.push(rec);
  }
  return { dims, labels, nRecords: rec + 1, nMissing, hasOrder };
}

/** A label's number, given in order of first appearance (labels equal under labelKey share one). */
function labelCode(s: string, labels: string[], labelIndex: Map<string, number>): number {
  let c = labelIndex.get(labelKey(s));
  if (c === undefined) {
    c = labels.length;
    labels.push(s);
    labelIndex.set(labelKey(s), c);
  }
  return c;
}

/** A numeric rating (a string is parsed); not a finite number: one line naming the row. */
function numericRating(rating: number | string, file: string, rec: number): number {
  const v = typeof rating === 'number' ? rating : parseNumber(rating);
  if (!Number.isFinite(v)) throw new InputError(`non-numeric rating '${rating}'`, { file, line: rec + 1, column: 'rating' });
  return v;
}

/**
 * The CSV reader's off-range rule (off-range.ts) on in-memory rows, warned only: each rating it would refuse as a
 * slip or warn as far is a far_rating warning (with its row number), never a refusal. Rows are the library's input
 * (property tests scale ratings by any factor, so a 10.000000000000002 beside 1.67 is data there); before
 * 2026-12-03 they were read with no rule at all, a 44 beside 1-7 silently in every figure. `scale` declares the scale.
 */
function offRangeRows(dim: RatingsDimension): FarRating[] {
  return offRangeScan(dim, { refuse: false }).far;
}

/** ratingsFromRows' `scale`: the first rating outside it (in row order) is refused, as --scale refuses a CSV cell. */
function refuseOffScale(dim: RatingsDimension, [lo, hi]: [number, number]): void {
  let at = -1;
  dim.value.forEach((v, i) => {
    if ((v < lo || v > hi) && (at < 0 || dim.record[i] < dim.record[at])) at = i;
  });
  if (at >= 0) throw new RecordError(offScaleMessage(dim.value[at], [lo, hi]).replace('--scale declares', 'the scale option declares'), dim.record[at], 'rating');
}

/** A dimension of ratingsFromRows, labels renumbered in label order, checked (duplicates, two raters) with row numbers. */
function rowsDimension(d: DimBuilder, catOrder: ReturnType<typeof orderLabels> | null, hasOrder: boolean, file: string, scale?: [number, number]): RatingsDimension {
  const remap = catOrder ? catOrder.remap : null;
  const dim: RatingsDimension = {
    name: d.name,
    targets: d.targets,
    raters: d.raters,
    target: d.target.finish(),
    rater: d.rater.finish(),
    value: Float64Array.from(d.value.finish(), (v) => (remap ? remap[v] : v)),
    order: hasOrder ? d.order.finish() : null,
    record: d.record.finish(),
    categories: catOrder ? catOrder.categories : null,
    ordered: catOrder ? catOrder.ordered : undefined,
    empty_raters: [...d.emptyRowRaters].filter((id) => !d.rIndex.has(id)),
    ...(scale ? { scale } : {}),
  };
  try {
    checkDimension(dim, 'rater');
    if (scale) refuseOffScale(dim, scale);
    const mix = scaleMix(dim);
    if (mix) throw new RecordError(mix.message, dim.record[mix.at], 'rating');
    dim.far_ratings = offRangeRows(dim);
    if (dim.far_ratings.length === 0) delete dim.far_ratings;
  } catch (e) {
    if (e instanceof RecordError) {
      const msg = e.firstRec !== undefined ? e.message.replace('{FIRST}', `row ${e.firstRec + 1}`) : e.message;
      throw new InputError(msg, { file, line: e.rec + 1, column: e.column });
    }
    throw e;
  }
  return dim;
}
