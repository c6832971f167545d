/**
 * The one CSV dialect rule of mmprep (manifests, ratings, labels): UTF-8 with or without BOM, RFC 4180 quoting, and
 * the field delimiter given (`--delimiter`) or sniffed from the header line among comma, semicolon and tab (Excel in
 * European locales writes `;`, spreadsheets export tab). Sniffing counts each candidate outside quotes on the first
 * non-blank line and takes the most frequent; a tie or none at all means comma. A delimiter that is not `,` is said
 * on stderr by the commands (csvDialectNote), so a misread file is never silent.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse/sync';
import { decimalNumber } from './decimal.js';
import { InputError } from './errors.js';
import { countNewlines, firstInvalidUtf8 } from './utf8.js';

export type CsvDelimiter = ',' | ';' | '\t';
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

const NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

export function delimiterName(d: string): string {
  return NAMES[d] ?? JSON.stringify(d);
}

export { parseDelimiter } from './delimiter.js';

/** The delimiter of a CSV text: the candidate met most often outside quotes on its first non-blank line (comma on a tie). */
export function sniffDelimiter(text: string): CsvDelimiter {
  const body = text.replace(/^\uFEFF/, '');
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let seen = false;
  for (const ch of body) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (seen) break;
    } else if (!quoted && ch in counts) counts[ch]++;
    if (ch.trim() !== '') seen = true;
  }
  let best: CsvDelimiter = ',';
  for (const d of CSV_DELIMITERS) if (counts[d] > counts[best]) best = d;
  return best;
}

/** The delimiter of a CSV file from its first 64 KiB. */
export async function sniffFileDelimiter(path: string): Promise<CsvDelimiter> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return sniffDelimiter(buf.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await fh.close();
  }
}

/** The stderr line for a file read with a sniffed delimiter other than comma (null for comma or a given delimiter). */
export function csvDialectNote(file: string, delimiter: string, given: boolean): string | null {
  if (given || delimiter === ',') return null;
  return `${file}: read as ${delimiterName(delimiter)}-separated (sniffed from the header; --delimiter to choose)`;
}

/** Characters a one-column header is checked for: the sniffed three, and the pipe some tools write. */
const HINT_DELIMITERS = [',', ';', '\t', '|'];

/**
 * When the header was read as a single column that holds another delimiter ('target;r1;r2' read as comma-separated,
 * after a wrong --delimiter or a sniff that could not tell), the hint naming the delimiter it looks like and the flag
 * to pass; null otherwise.
 */
export function delimiterHint(header: string[], delimiter: string): string | null {
  if (header.length !== 1) return null;
  let best: string | null = null;
  let bestN = 0;
  for (const d of HINT_DELIMITERS) {
    if (d === delimiter) continue;
    const n = header[0].split(d).length - 1;
    if (n > bestN) [best, bestN] = [d, n];
  }
  if (best === null) return null;
  const flag = best === '|' ? `--delimiter '|'` : `--delimiter ${delimiterName(best)}`;
  const shown = header[0].length > 60 ? `${header[0].slice(0, 60)}…` : header[0];
  return `the header is one column ('${shown.replace(/\t/g, '\\t')}') when read as ${delimiterName(delimiter)}-separated: it looks ${delimiterName(best)}-separated; pass ${flag}`;
}

export interface CsvRow {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
}

export interface CsvTable {
  delimiter: string;
  /** True when the delimiter was sniffed (not given). */
  sniffed: boolean;
  header: string[];
  rows: CsvRow[];
}

/** 1-based numbers of lines that are not blank (candidates for the start of a record). */
function nonBlankLines(text: string): number[] {
  const out: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (l.trim() !== '') out.push(i + 1);
  });
  return out;
}

/** What to say of a quoted cell that never closes. */
export const UNCLOSED_QUOTE = 'a quote (") is opened and never closed: close it or remove it';

/**
 * Finds where a quoted cell that never closes begins, text pushed in order: csv-parse reports the line where it ran out
 * of text (a quote opened on line 5 of 49 was reported at 49). RFC 4180 as csv-parse reads it with strict quotes: a
 * quote opens a cell only as its first character; inside, a doubled quote is one quote and a single one closes it.
 */
export class UnclosedQuoteScan {
  private line = 1;
  private openLine = 0;
  private inQuote = false;
  /** Inside a quoted cell, a quote just read: it closes the cell unless another quote follows. */
  private quoteSeen = false;
  private cellStart = true;

  constructor(private readonly delimiter: string) {}

  push(text: string): void {
    for (const ch of text) {
      if (this.inQuote && this.quoteSeen) {
        this.quoteSeen = false;
        if (ch === '"') continue;
        this.inQuote = false;
      } else if (this.inQuote) {
        this.quoteSeen = ch === '"';
      } else if (ch === '"' && this.cellStart) {
        this.inQuote = true;
        this.openLine = this.line;
      }
      if (!this.inQuote) this.cellStart = ch === this.delimiter || ch === '\n' || ch === '\r' || ch === '\uFEFF';
      if (ch === '\n') this.line++;
    }
  }

  /** The 1-based line where the unclosed quoted cell begins; undefined when every quote closed. */
  openedAt(): number | undefined {
    return this.inQuote && !this.quoteSeen ? this.openLine : undefined;
  }
}

/**
 * Parses a whole CSV text (small files: manifests, label spans). Blank lines are skipped; each row carries the line
 * where it starts. Malformed CSV throws InputError naming the file and line.
 */
export function readCsvText(text: string, file: string, opts: { delimiter?: string } = {}): CsvTable {
  const delimiter = opts.delimiter ?? sniffDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: false }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      const scan = new UnclosedQuoteScan(delimiter);
      scan.push(text);
      throw new InputError(`not valid CSV: ${UNCLOSED_QUOTE}`, { file, line: scan.openedAt() ?? err.lines });
    }
    throw new InputError(`not valid CSV (${err.message.replace(/^Invalid [^:]*: /, '')})`, { file, line: err.lines });
  }
  if (records.length === 0) return { delimiter, sniffed: opts.delimiter === undefined, header: [], rows: [] };
  const starts = nonBlankLines(text);
  const rows: CsvRow[] = [];
  // info.lines is the line where a record ends; the next record starts on the next non-blank line.
  let prevEnd = records[0].info.lines;
  let k = 0;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    while (k < starts.length && starts[k] <= prevEnd) k++;
    const line = k < starts.length && starts[k] <= info.lines ? starts[k] : info.lines;
    prevEnd = info.lines;
    rows.push({ line, cells: record });
  }
  return { delimiter, sniffed: opts.delimiter === undefined, header: records[0].record.map((c) => c.trim()), rows };
}

/** A number written with a decimal comma ('3,5', '-0,25'): the hint for --decimal-comma. */
export function looksLikeDecimalComma(s: string): boolean {
  return /^\s*[-+]?\d+,\d+\s*$/.test(s);
}

/**
 * Under --decimal-comma a point is a thousands separator in the same locales (German, French Excel: 1.000 = one
 * thousand), so '1.000' or '12.500' may mean 1000 or 12500 as well as 1 or 12.5: the message that refuses such a
 * cell, or null. A point not followed by exactly three digits per group ('3.5', '0.125') is read as a decimal point.
 */
export function thousandsPointMessage(s: string, decimalComma: boolean | undefined): string | null {
  const t = s.trim();
  if (!decimalComma || !/^[-+]?[1-9]\d{0,2}(\.\d{3})+$/.test(t)) return null;
  const digits = t.replace(/\./g, '');
  return `'${t}' is ambiguous under --decimal-comma: a point there may be a thousands separator (${digits}) or a decimal point (${Number(t)}); write ${digits} or ${t.replace('.', ',')}`;
}

/**
 * Reads '3,5' as 3.5 when decimalComma is set (after a thousands-free check); else the plain decimal (decimal.ts), NaN
 * for anything else: Number() read a cell '0x10' as 16 and '0b11' as 3.
 */
export function parseDecimal(s: string, decimalComma = false): number {
  const t = s.trim();
  return decimalNumber(decimalComma && looksLikeDecimalComma(t) ? t.replace(',', '.') : t);
}

/**
 * Excel's trailing delimiters (`a;b;c;;`) give header cells with no name. A column with no name and an empty cell on
 * every row is ignored (unnamedColumnsNote says so); one with data is refused (unnamedColumnMessage).
 */
export function unnamedColumns(header: string[]): number[] {
  const out: number[] = [];
  header.forEach((h, i) => {
    if (h.trim() === '') out.push(i);
  });
  return out;
}

/** "ignored 2 empty unnamed column(s) at the end (columns 4-5)": the note for ignored unnamed columns (0-based). */
export function unnamedColumnsNote(columns: number[], nColumns: number): string {
  const atEnd = columns.every((c, k) => c === nColumns - columns.length + k);
  const nums = columns.map((c) => c + 1);
  const list = atEnd && nums.length > 1 ? `${nums[0]}-${nums[nums.length - 1]}` : nums.join(', ');
  return `ignored ${columns.length} empty unnamed column(s)${atEnd ? ' at the end' : ''} (column${nums.length > 1 ? 's' : ''} ${list}; trailing delimiters, as Excel writes)`;
}

/** The refusal of an unnamed column (0-based `column`) that holds `value` on some row. */
export function unnamedColumnMessage(column: number, value: string): string {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return `column ${column + 1} has no name in the header but holds data ('${shown}'): name it in the header, or delete the column`;
}

/**
 * Refuses a CSV/JSONL file that is not UTF-8 (UTF-16 with a BOM excepted: csv-parse reads it), naming the line of
 * the first bad byte. Excel's plain 'CSV' on Windows writes Windows-1252: 'Jörg' was read as 'J\uFFFDrg', silently
 * (rater and target names garbled, labels that then match nothing). Streams in chunks (memory flat in file size).
 */
export async function checkUtf8File(path: string, file = path): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let lines = 0;
  let first = true;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (first && buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) return;
    first = false;
    // a sequence cut by the chunk's end waits for the next chunk
    let end = buf.length;
    let k = end - 1;
    while (k > end - 4 && k > 0 && (buf[k] & 0xc0) === 0x80) k--;
    if (buf[k] >= 0xc0) end = k;
    const whole = buf.subarray(0, end);
    if (!isUtf8(whole)) throw notUtf8(whole, lines, file);
    lines += countNewlines(whole);
    carry = Buffer.from(buf.subarray(end));
  }
  if (carry.length && !isUtf8(carry)) throw notUtf8(carry, lines, file);
}

/**
 * A small CSV or JSONL file's text (a manifest, a labels file's spans): UTF-8 (checked as above), or UTF-16 with a BOM
 * decoded (Excel's 'Unicode Text' export, tab-separated UTF-16LE), so that every reader of a file reads what
 * agreement's csv-parse stream reads. Before, `readFile(…, 'utf8')` made such a manifest "no 'session_id' column", and a
 * labels file's span columns unseen, while its ratings were read (ttrial55b).
 */
export async function readTextFile(path: string, file = path): Promise<string> {
  await checkUtf8File(path, file);
  const buf = await readFile(path);
  const le = buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe;
  const be = buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff;
  if (!le && !be) return buf.toString('utf8');
  const body = Buffer.from(buf.subarray(2));
  if (body.length % 2) throw new InputError(`UTF-16 (byte order mark ${le ? 'FF FE' : 'FE FF'}) with an odd number of bytes: a file cut short? save it again, or as 'CSV UTF-8'`, { file });
  return (be ? body.swap16() : body).toString('utf16le');
}

function notUtf8(buf: Uint8Array, linesBefore: number, file: string): InputError {
  const at = Math.max(0, firstInvalidUtf8(buf));
  const byte = buf[at].toString(16).toUpperCase().padStart(2, '0');
  return new InputError(
    `not UTF-8 (byte 0x${byte} on this line): a spreadsheet saved as plain 'CSV' in a Windows or Mac encoding? save it as 'CSV UTF-8', or convert it (iconv -f windows-1252 -t utf-8)`,
    { file, line: linesBefore + countNewlines(buf.subarray(0, at)) + 1 },
  );
}
