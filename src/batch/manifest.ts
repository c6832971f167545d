/**
 * Session manifests (CSV or JSONL): one row per session with `session_id`, `speaker_id`, media files by role in
 * columns named `video`, `*_video` or `*_audio`, an optional `transcript`, and any further metadata columns (kept as
 * strings). Paths resolve against the manifest's folder. Everything is validated before any work starts and every
 * problem is reported at once with its line number (ManifestError, an InputError: exit 2).
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError } from '../common/errors.js';
import { unsafeSessionIdReason } from './session-id.js';

export type MediaKind = 'audio' | 'video';

export interface ManifestMedia {
  /** The column name, e.g. `video`, `camera_audio`, `lav_audio`. */
  role: string;
  kind: MediaKind;
  /** Absolute path. */
  path: string;
  /** The column the path came from (same as role). */
  column: string;
  /** The path as written in the manifest. */
  given: string;
}

export interface ManifestSession {
  session_id: string;
  speaker_id: string;
  /** 1-based line of the manifest where the session's row starts. */
  line: number;
  /** Media in column order (only the non-empty cells). */
  media: ManifestMedia[];
  /** The role whose clock is the session's reference clock. */
  ref_role: string;
  /** Absolute path of the transcript, when given. */
  transcript?: string;
  /** Every other column, as text (empty cells kept as ''). */
  meta: Record<string, string>;
}

export interface Manifest {
  /** Absolute path of the manifest file. */
  path: string;
  format: 'csv' | 'jsonl';
  /** Media role columns in the order they appear. */
  roles: string[];
  /** Metadata columns in the order they appear. */
  metaColumns: string[];
  sessions: ManifestSession[];
}

export interface ManifestProblem {
  file: string;
  line?: number;
  column?: string;
  message: string;
}

/** Every problem found in a manifest; `message` is one line, `problems` has them one by one. */
export class ManifestError extends InputError {
  readonly problems: ManifestProblem[];
  constructor(file: string, problems: ManifestProblem[]) {
    const parts = problems.map((p) => `${p.line !== undefined ? `line ${p.line}` : ''}${p.column !== undefined ? `${p.line !== undefined ? ', ' : ''}column ${p.column}` : ''}${p.line !== undefined || p.column !== undefined ? ': ' : ''}${p.message}`);
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the manifest: ${parts.join('; ')}`, { file });
    this.problems = problems;
  }

  /** One line per problem: `file:line, column X: problem`. */
  lines(): string[] {
    return this.problems.map((p) => {
      let where = p.file;
      if (p.line !== undefined) where += `:${p.line}`;
      if (p.column !== undefined) where += `, column ${p.column}`;
      return `${where}: ${p.message}`;
    });
  }
}

export interface ReadManifestOptions {
  /** The role whose clock is the reference (default: the first non-empty `*_audio` role of each session, else its first video role). */
  refRole?: string;
  /** Force the format (default: by extension, .csv or .jsonl/.ndjson, else sniffed from the first character). */
  format?: 'csv' | 'jsonl';
  /** Check that media and transcript files exist (default true). */
  checkFiles?: boolean;
}

export function roleKind(column: string): MediaKind | null {
  if (column === 'video' || /^.+_video$/.test(column)) return 'video';
  if (/^.+_audio$/.test(column)) return 'audio';
  return null;
}

interface RawRow {
  line: number;
  cells: Map<string, string>;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function detectFormat(path: string, text: string): 'csv' | 'jsonl' {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

function parseCsvRows(file: string, text: string, problems: ManifestProblem[]): { columns: string[]; rows: RawRow[] } {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: false }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (e) {
    const err = e as Error & { lines?: number };
    problems.push({ file, line: err.lines, message: `not valid CSV (${err.message.replace(/^Invalid [^:]*: /, '')})` });
    return { columns: [], rows: [] };
  }
  if (records.length === 0) return { columns: [], rows: [] };
  // info.lines is the line where the record ends; a record starts after the previous one ended (blank lines skipped).
  const header = records[0].record.map((c) => c.trim());
  const seen = new Map<string, number>();
  header.forEach((c, i) => {
    if (c === '') problems.push({ file, line: 1, message: `column ${i + 1} of the header has no name` });
    else if (seen.has(c)) problems.push({ file, line: 1, column: c, message: 'column name appears twice in the header' });
    else seen.set(c, i);
  });
  const rows: RawRow[] = [];
  let prevEnd = records[0].info.lines;
  const lineStarts = computeRowStartLines(text);
  let k = 0;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r];
    while (k < lineStarts.length && lineStarts[k] <= prevEnd) k++;
    const line = k < lineStarts.length && lineStarts[k] <= info.lines ? lineStarts[k] : info.lines;
    prevEnd = info.lines;
    if (record.length !== header.length) {
      problems.push({ file, line, message: `${record.length} fields where the header has ${header.length}` });
    }
    const cells = new Map<string, string>();
    header.forEach((c, i) => {
      if (c !== '' && !cells.has(c)) cells.set(c, (record[i] ?? '').trim());
    });
    rows.push({ line, cells });
  }
  return { columns: header.filter((c, i) => c !== '' && header.indexOf(c) === i), rows };
}

/** 1-based numbers of lines that are not blank (candidates for the start of a record). */
function computeRowStartLines(text: string): number[] {
  const out: number[] = [];
  text.split(/\r\n|\n|\r/).forEach((l, i) => {
    if (l.trim() !== '') out.push(i + 1);
  });
  return out;
}

function parseJsonlRows(file: string, text: string, problems: ManifestProblem[]): { columns: string[]; rows: RawRow[] } {
  const columns: string[] = [];
  const rows: RawRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((l, i) => {
      const line = i + 1;
      if (l.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(l);
      } catch (e) {
        problems.push({ file, line, message: `not valid JSON (${(e as Error).message})` });
        return;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        problems.push({ file, line, message: 'not a JSON object' });
        return;
      }
      const cells = new Map<string, string>();
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        const key = k.trim();
        if (!columns.includes(key)) columns.push(key);
        cells.set(key, cellText(v));
      }
      rows.push({ line, cells });
    });
  return { columns, rows };
}

async function fileProblem(path: string): Promise<string | null> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) return 'is a directory, not a file';
    if (!st.isFile()) return 'not a regular file';
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return `cannot read (${(e as Error).message})`;
  }
}

/**
 * Reads and validates a manifest. Throws ManifestError (an InputError, exit 2) listing every problem with its line:
 * unreadable or empty manifest, missing columns, missing media or transcript files, duplicate session ids (also ids
 * that differ only in case, which collide on case-insensitive file systems), ids unsafe as folder names, sessions
 * without any media, a reference role a session does not have.
 */
export async function readManifest(path: string, opts: ReadManifestOptions = {}): Promise<Manifest> {
  const file = path;
  const abs = resolve(path);
  const base = dirname(abs);
  let text: string;
  try {
    const st = await stat(abs);
    if (st.isDirectory()) throw new InputError('is a directory, not a manifest file', { file });
    text = await readFile(abs, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such manifest file' : `cannot read the manifest (${(e as Error).message})`, { file });
  }
  const format = opts.format ?? detectFormat(abs, text);
  const problems: ManifestProblem[] = [];
  const { columns, rows } = format === 'csv' ? parseCsvRows(file, text, problems) : parseJsonlRows(file, text, problems);

  const roles = columns.filter((c) => roleKind(c) !== null);
  const metaColumns = columns.filter((c) => roleKind(c) === null && c !== 'session_id' && c !== 'speaker_id' && c !== 'transcript');
  if (rows.length === 0 && problems.length === 0) problems.push({ file, message: 'no sessions (the manifest has no data rows)' });
  if (rows.length > 0 || columns.length > 0) {
    if (!columns.includes('session_id')) problems.push({ file, line: format === 'csv' ? 1 : undefined, message: "no 'session_id' column" });
    if (!columns.includes('speaker_id')) problems.push({ file, line: format === 'csv' ? 1 : undefined, message: "no 'speaker_id' column" });
    if (roles.length === 0) problems.push({ file, line: format === 'csv' ? 1 : undefined, message: "no media columns (name them 'video', '<name>_video' or '<name>_audio')" });
  }
  if (opts.refRole !== undefined && roles.length > 0 && !roles.includes(opts.refRole)) {
    problems.push({ file, message: `--ref-role '${opts.refRole}' is not a media column (media columns: ${roles.join(', ')})` });
  }

  const checkFiles = opts.checkFiles ?? true;
  const byId = new Map<string, number>();
  const byFolded = new Map<string, { id: string; line: number }>();
  const sessions: ManifestSession[] = [];
  const fileChecks: Array<{ line: number; column: string; given: string; why: Promise<string | null> }> = [];

  for (const row of rows) {
    const { line, cells } = row;
    const id = cells.get('session_id') ?? '';
    if (columns.includes('session_id')) {
      if (id === '') problems.push({ file, line, column: 'session_id', message: 'empty session_id' });
      else {
        const why = unsafeSessionIdReason(id);
        if (why) problems.push({ file, line, column: 'session_id', message: `${why}: ${JSON.stringify(id)} is not safe as a folder name` });
        const first = byId.get(id);
        if (first !== undefined) problems.push({ file, line, column: 'session_id', message: `duplicate session_id '${id}' (first on line ${first})` });
        else {
          byId.set(id, line);
          const folded = byFolded.get(id.toLowerCase());
          if (folded) problems.push({ file, line, column: 'session_id', message: `session_id '${id}' differs only in case from '${folded.id}' on line ${folded.line} (they collide on case-insensitive file systems)` });
          else byFolded.set(id.toLowerCase(), { id, line });
        }
      }
    }
    const speaker = cells.get('speaker_id') ?? '';
    if (columns.includes('speaker_id') && speaker === '') problems.push({ file, line, column: 'speaker_id', message: 'empty speaker_id' });

    const media: ManifestMedia[] = [];
    for (const role of roles) {
      const given = cells.get(role) ?? '';
      if (given === '') continue;
      const p = isAbsolute(given) ? given : resolve(base, given);
      media.push({ role, kind: roleKind(role)!, path: p, column: role, given });
      if (checkFiles) fileChecks.push({ line, column: role, given, why: fileProblem(p) });
    }
    if (roles.length > 0 && media.length === 0) problems.push({ file, line, message: `session has no media (every one of ${roles.join(', ')} is empty)` });

    let transcript: string | undefined;
    const t = cells.get('transcript') ?? '';
    if (t !== '') {
      transcript = isAbsolute(t) ? t : resolve(base, t);
      if (checkFiles) fileChecks.push({ line, column: 'transcript', given: t, why: fileProblem(transcript) });
    }

    let ref_role = '';
    if (opts.refRole !== undefined) {
      ref_role = opts.refRole;
      if (roles.includes(opts.refRole) && media.length > 0 && !media.some((m) => m.role === opts.refRole)) {
        problems.push({ file, line, column: opts.refRole, message: `the reference role '${opts.refRole}' is empty for this session` });
      }
    } else {
      ref_role = (media.find((m) => m.kind === 'audio') ?? media[0])?.role ?? '';
    }

    const meta: Record<string, string> = {};
    for (const c of metaColumns) meta[c] = cells.get(c) ?? '';
    sessions.push({ session_id: id, speaker_id: speaker, line, media, ref_role, ...(transcript !== undefined ? { transcript } : {}), meta });
  }
  for (const c of fileChecks) {
    const why = await c.why;
    if (why) problems.push({ file, line: c.line, column: c.column, message: `${why}: ${c.given}` });
  }
  if (problems.length > 0) {
    // List problems by line, then in the order they were found (deterministic).
    const order = new Map(problems.map((p, i) => [p, i]));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || order.get(a)! - order.get(b)!);
    throw new ManifestError(file, problems);
  }
  return { path: abs, format, roles, metaColumns, sessions };
}
