/**
 * A fast path for plain CSV files: no quote ("), no carriage return, no UTF-16 BOM, a one-byte ASCII delimiter, and
 * every non-empty line with as many delimiters as the first. For such a file csv-parse (bom, skip_empty_lines, strict
 * quotes: read.ts csvOptions) gives each non-empty line split at each delimiter, a leading UTF-8 BOM dropped, and
 * never an error; this reads the same rows with a loop over the file's chunks. csv-parse's state machine per byte,
 * its field buffers and its stream of row objects cost ~1 s CPU and much of the GC on bench-agreement's 1M ratings.
 * A file found not plain on the way (NotPlainCsv) is read again by csv-parse from its start (read.ts), whose errors
 * and line numbers the messages use. test/agreement-plain-csv.test.ts compares the two on fuzzed files.
 */
import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
/** Chunks of 1 MiB: fewer carried partial lines than the stream's 64 KiB default. */
const CHUNK = 1 << 20;
/** V8 makes a substring of 13 or more characters a view that keeps its whole chunk alive (SlicedString::kMinLength):
 *  such cells are copied out of the Buffer instead (ids are kept for the whole run). */
const SHORT_CELL = 13;

/** The file is not plain CSV (found on the way): read it with csv-parse instead. */
export class NotPlainCsv extends Error {}

/** The byte of a delimiter the fast path can split at (-1: not one). */
export function plainDelimiterByte(delimiter: string): number {
  const d = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  return d > 0 && d < 0x80 && d !== QUOTE && d !== CR && d !== LF ? d : -1;
}

/** Bytes of a UTF-8 BOM at the start of the file's first chunk (0 or 3). */
function bomLength(buf: Buffer): number {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
}

function utf16Bom(buf: Buffer): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
}

/** Splits whole lines, checking each line's number of cells (the first non-empty line sets it). */
class LineSplitter {
  /** Cells per line (-1: no line yet). */
  cells = -1;
  constructor(
    private readonly d: number,
    private readonly onRow: (row: string[]) => void,
  ) {}

  /** A row to onRow, its number of cells checked against the first line's. */
  private emit(row: string[]): void {
    if (this.cells < 0) this.cells = row.length;
    else if (row.length !== this.cells) throw new NotPlainCsv();
    this.onRow(row);
  }

  /** ASCII text of whole lines (the last may lack its LF): cells as substrings, long ones copied from `buf`. */
  ascii(buf: Buffer, from: number, to: number): void {
    const text = buf.latin1Slice(from, to);
    const cell = (s: number, e: number) => (e - s < SHORT_CELL ? text.slice(s, e) : buf.latin1Slice(from + s, from + e));
    let row: string[] = [];
    let start = 0;
    let lineStart = 0;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      const c = i < n ? text.charCodeAt(i) : LF;
      if (c === this.d) {
        row.push(cell(start, i));
        start = i + 1;
      } else if (c === LF) {
        if (i > lineStart) {
          row.push(cell(start, i));
          this.emit(row);
          row = [];
        }
        start = lineStart = i + 1;
      }
    }
  }

  /** UTF-8 bytes of whole lines: each cell decoded on its own (cells end at ASCII bytes, so at character ends). */
  utf8(buf: Buffer, from: number, to: number): void {
    let row: string[] = [];
    let start = from;
    let lineStart = from;
    for (let i = from; i <= to; i++) {
      const b = i < to ? buf[i] : LF;
      if (b === this.d) {
        row.push(buf.utf8Slice(start, i));
        start = i + 1;
      } else if (b === LF) {
        if (i > lineStart) {
          row.push(buf.utf8Slice(start, i));
          this.emit(row);
          row = [];
        }
        start = lineStart = i + 1;
      }
    }
  }

  lines(buf: Buffer, from: number, to: number): void {
    if (buf.indexOf(QUOTE, from) >= 0 || buf.indexOf(CR, from) >= 0) throw new NotPlainCsv();
    if (isAscii(buf.subarray(from, to))) this.ascii(buf, from, to);
    else this.utf8(buf, from, to);
  }
}

/**
 * Every row of a plain CSV file, in order, as csv-parse would give them; throws NotPlainCsv at the first line that
 * shows the file is not plain (rows before it were given to onRow: the caller starts again).
 */
export async function forEachPlainRow(path: string, delimiter: string, onRow: (row: string[]) => void): Promise<void> {
  const d = plainDelimiterByte(delimiter);
  if (d < 0) throw new NotPlainCsv();
  const split = new LineSplitter(d, onRow);
  let carry: Buffer | null = null;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    if (first && utf16Bom(chunk)) throw new NotPlainCsv();
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const from = first ? bomLength(buf) : 0;
    first = false;
    const end = buf.lastIndexOf(LF) + 1;
    if (end > from) split.lines(buf.subarray(0, end), from, end);
    carry = end < buf.length ? buf.subarray(Math.max(end, from)) : null;
  }
  if (carry !== null) split.lines(carry, 0, carry.length);
}
