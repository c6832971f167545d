/**
 * Record output: JSONL (default) or CSV, to a file (atomically) or to stdout.
 * JSON: NaN and ±Infinity become null (JSON.stringify's own rule). CSV: nested arrays and objects are flattened into
 * columns `name_0`, `name_1`, `obj_key`; the header comes from the first record; null is an empty cell.
 */
import { writeStdout } from './stdout.js';
import { AtomicWriter } from './atomic.js';

export type OutputFormat = 'jsonl' | 'csv';

export function parseFormat(v: string): OutputFormat {
  if (v === 'jsonl' || v === 'csv') return v;
  throw new Error(`unknown format '${v}' (expected jsonl or csv)`);
}

export function flattenRecord(rec: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (Array.isArray(rec)) {
    rec.forEach((v, i) => flattenRecord(v, prefix ? `${prefix}_${i}` : String(i), out));
  } else if (rec !== null && typeof rec === 'object') {
    for (const [k, v] of Object.entries(rec as Record<string, unknown>)) flattenRecord(v, prefix ? `${prefix}_${k}` : k, out);
  } else {
    out[prefix] = rec;
  }
  return out;
}

export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface RecordSink {
  write(rec: unknown): Promise<void>;
  /** Finish: rename into place (file) or flush (stdout). */
  close(): Promise<void>;
  /** Error path: remove the temp file; nothing partial is left. */
  abort(): Promise<void>;
}

type Writer = { write(s: string): Promise<void>; commit(): Promise<void>; abort(): Promise<void> };

/** Stdout: a closed reader (EPIPE) drops the rest silently here; see src/common/stdout.ts for what mmprep does then. */
function stdoutWriter(): Writer {
  return { write: writeStdout, commit: async () => undefined, abort: async () => undefined };
}

/** Buffers small writes into ~64 KiB blocks: one syscall per block rather than per record. */
class BufferedSink implements RecordSink {
  private buf: string[] = [];
  private size = 0;
  private header: string[] | null = null;
  constructor(
    private readonly out: Writer,
    private readonly format: OutputFormat,
  ) {}

  async write(rec: unknown): Promise<void> {
    let line: string;
    if (this.format === 'jsonl') {
      line = JSON.stringify(rec) + '\n';
    } else {
      const flat = flattenRecord(rec);
      if (!this.header) {
        this.header = Object.keys(flat);
        this.push(this.header.map(csvCell).join(',') + '\n');
      }
      line = this.header.map((k) => csvCell(flat[k])).join(',') + '\n';
    }
    this.push(line);
    if (this.size >= 65536) await this.flush();
  }

  private push(s: string) {
    this.buf.push(s);
    this.size += s.length;
  }

  private async flush() {
    if (this.buf.length === 0) return;
    const s = this.buf.join('');
    this.buf = [];
    this.size = 0;
    await this.out.write(s);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.out.commit();
  }

  async abort(): Promise<void> {
    this.buf = [];
    await this.out.abort();
  }
}

/** A sink writing to `path` (atomic: temp file + rename on close) or to stdout when path is undefined or '-'. */
export async function openRecordSink(path: string | undefined, format: OutputFormat = 'jsonl'): Promise<RecordSink> {
  if (path === undefined || path === '-') return new BufferedSink(stdoutWriter(), format);
  const w = await new AtomicWriter(path).open();
  return new BufferedSink({ write: (s) => w.write(s), commit: () => w.commit(), abort: () => w.abort() }, format);
}

/** Writes all records of an (async) iterable to a sink; aborts the sink on error. */
export async function writeRecords(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  path: string | undefined,
  format: OutputFormat = 'jsonl',
): Promise<number> {
  const sink = await openRecordSink(path, format);
  let n = 0;
  try {
    for await (const r of records) {
      await sink.write(r);
      n++;
    }
    await sink.close();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return n;
}

/** Stable JSON: object keys in insertion order, 2-space indent, trailing newline (for summaries and reports). */
export function toJsonText(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}
