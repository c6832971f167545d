/**
 * Session manifests (CSV with a sniffed , ; or tab delimiter, or JSONL): one row per session with `session_id`,
 * `speaker_id`, media files by role in columns named `video`, `*_video` or `*_audio`, an optional `transcript` and
 * `transcript_clock`, and further metadata columns (kept as strings). Column names are matched in any case; a column
 * that looks like a misspelt role or known column is a problem with a "did you mean" unless it starts with `meta_`
 * or is allowed by name. Paths resolve against the manifest's folder. Everything, transcripts included, is validated
 * before any work starts and every problem is reported at once with its line number (ManifestError: exit 2).
 */
import { open, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { readTextFile, csvDialectNote, delimiterHint, delimiterName, readCsvText, unnamedColumnMessage, unnamedColumns, unnamedColumnsNote, type CsvRow, type CsvTable } from '../common/csv.js';
import { InputError } from '../common/errors.js';
import { shellWord } from '../common/shell.js';
import { duplicateTopLevelKey } from '../common/json-keys.js';
import { missingFileHint } from './missing-file-hint.js';
import { copiedRowNotes, extraVideoNotes, markSharedVideos, sameSpeakerMediaNotes, sharedMediaNotes, sharedTranscriptNotes, speakerSpellingNotes } from './manifest-shared.js';
import { unsafeSessionIdReason } from './session-id.js';
import { parseRowSyncOptions, type RowSyncOptions } from './row-options.js';

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
  /**
   * Set when the session's video file is also another speaker's session's video (manifest-shared.ts markSharedVideos):
   * those sessions, `'dyB' (speaker 'spk_b')`. The face stage does not analyse it (whose face is whose is not known).
   */
  video_shared_with?: string[];
  /** The row's own sync options (column `sync_options`, row-options.ts): they replace the command line's for this session. */
  sync_options?: RowSyncOptions;
}

export interface Manifest {
  /** Absolute path of the manifest file. */
  path: string;
  format: 'csv' | 'jsonl';
  /** Every column, in the order they appear (roles and known columns in lower case). */
  columns: string[];
  /** Media role columns in the order they appear. */
  roles: string[];
  /** Metadata columns in the order they appear. */
  metaColumns: string[];
  /** The CSV delimiter used (null for JSONL). */
  delimiter: string | null;
  /** Lines worth telling the user (a sniffed delimiter other than comma). */
  notes: string[];
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
  /** 'column' in a CSV manifest, 'field' (an object key) in a JSONL one. */
  readonly columnWord: 'column' | 'field';
  constructor(file: string, problems: ManifestProblem[], format: 'csv' | 'jsonl' = 'csv') {
    const word = format === 'jsonl' ? 'field' : 'column';
    const parts = problems.map((p) => `${p.line !== undefined ? `line ${p.line}` : ''}${p.column !== undefined ? `${p.line !== undefined ? ', ' : ''}${word} ${p.column}` : ''}${p.line !== undefined || p.column !== undefined ? ': ' : ''}${p.message}`);
    super(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the manifest: ${parts.join('; ')}`, { file });
    this.problems = problems;
    this.columnWord = word;
  }

  /** One line per problem: `file:line, column X: problem` (`field X` in a JSONL manifest). */
  lines(): string[] {
    return this.problems.map((p) => {
      let where = p.file;
      if (p.line !== undefined) where += `:${p.line}`;
      if (p.column !== undefined) where += `, ${this.columnWord} ${p.column}`;
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
  /** Parse every transcript and check `transcript_clock` (default: as checkFiles). */
  checkTranscripts?: boolean;
  /** CSV field delimiter (default: sniffed among , ; tab; see src/common/csv.ts). */
  delimiter?: string;
  /** Further columns kept as metadata although they look like a misspelt role or known column (names, any case). */
  allowColumns?: string[];
  /**
   * The sessions whose media and transcript files are checked (default: all). `extract --shard K/N` checks its own
   * share only: a missing or unreadable file in another index's row is that index's refusal, not every index's (a
   * Kubernetes Indexed Job fails an index on exit 2). Problems of the manifest itself (header, ids) refuse every index.
   */
  checkFilesOf?: (sessionId: string) => boolean;
  /**
   * Also check that each media and transcript file can be opened for reading by this user (`extract --check`): a run
   * finds an unreadable file when the session reads it (a failed session, exit 4), the check before submitting lists it.
   */
  checkReadable?: boolean;
}

/** Columns with a fixed meaning (matched in any case). */
export const KNOWN_COLUMNS = ['session_id', 'speaker_id', 'transcript', 'transcript_clock', 'labels_clock', 'sync_options'] as const;
/** File names a metadata column should not hold: media that would silently go unanalysed. */
const MEDIA_EXT = /\.(wav|flac|mp3|m4a|aac|ogg|opus|wma|aiff?|mp4|m4v|mov|mkv|avi|webm|mts|m2ts|ts|mpg|mpeg)$/i;

/** Columns starting with this are always kept as metadata (documented in README and docs/dataset.md). */
export const META_PREFIX = 'meta_';

/** The media kind of a column name (any case): `video`, `<name>_video` or `<name>_audio`; null otherwise. */
export function roleKind(column: string): MediaKind | null {
  const c = column.toLowerCase();
  if (c === 'video' || /^.+_video$/.test(c)) return 'video';
  if (/^.+_audio$/.test(c)) return 'audio';
  return null;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions: 'vidoe' is 1 from 'video'). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** A column name compared by its letters and digits only: case and separators (`_`, space, `.`, `-`) removed. */
const squash = (name: string) => name.toLowerCase().replace(/[_\s.-]+/g, '');

/**
 * What a column that is neither a role nor a known column probably meant, or null when it looks like plain metadata.
 * Names are compared squashed (case and separators removed) by edit distance against the known columns, `video` and
 * the manifest's own roles, nearest first (ties to the shortest name, then alphabetical): an exact squashed match
 * wins ('Lav Audio', 'lavaudio' -> 'lav_audio'); then a name spelling out audio or video beside another word becomes
 * `<word>_audio` ('camaudio' -> 'cam_audio', 'audio_quality' -> 'quality_audio'); then the nearest name within 2
 * edits ('lav_audo', 'vidoe'), a known name it is a prefix of ('session'), a part close to 'audio' or 'video'
 * ('camera' when nothing else is left), a name containing transcript.
 */
export function suggestColumn(column: string, roles: readonly string[] = []): string | null {
  const c = column.toLowerCase();
  const s = squash(column);
  let best: { name: string; d: number } | null = null;
  for (const name of new Set([...KNOWN_COLUMNS, 'video', ...roles.map((r) => r.toLowerCase())])) {
    const d = editDistance(s, squash(name));
    if (!best || d < best.d || (d === best.d && (name.length < best.name.length || (name.length === best.name.length && name < best.name)))) best = { name, d };
  }
  if (best?.d === 0) return best.name;
  const parts = c.split(/[_\s.-]+/).filter(Boolean);
  for (const kind of ['audio', 'video']) {
    const rest = s.includes(kind) ? parts.map((p) => p.replace(kind, '')).filter(Boolean).join('_') : '';
    if (rest.length >= 2) return `${rest}_${kind}`;
  }
  if (best && s.length >= 3 && best.d <= 2) return best.name;
  for (const k of [...KNOWN_COLUMNS, 'video']) if (c.length >= 5 && k.startsWith(c)) return k;
  for (const kind of ['audio', 'video']) {
    const i = parts.findIndex((p) => p.includes(kind) || (p.length >= 3 && editDistance(p, kind) <= 2));
    if (i < 0) continue;
    const rest = parts.filter((_, j) => j !== i).join('_');
    return `${rest || 'camera'}_${kind}`;
  }
  if (c.includes('transcript')) return c.includes('clock') ? 'transcript_clock' : 'transcript';
  return null;
}


interface RawRow {
  line: number;
  cells: Map<string, string>;
  /** JSONL: fields whose value has the wrong type (already a problem; their cell is empty and not judged again). */
  bad?: Set<string>;
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

/** The name a column is known by: lower case for roles and known columns, as written for metadata. */
function canonicalColumn(name: string): string {
  const low = name.toLowerCase();
  return roleKind(low) !== null || (KNOWN_COLUMNS as readonly string[]).includes(low) ? low : name;
}

function parseCsvRows(
  file: string,
  text: string,
  delimiter: string | undefined,
  problems: ManifestProblem[],
): { columns: string[]; rows: RawRow[]; delimiter: string; note?: string | null } {
  let table: CsvTable;
  try {
    table = readCsvText(text, file, { delimiter });
  } catch (e) {
    const err = e as InputError;
    problems.push({ file, line: err.location?.line, message: err.message });
    return { columns: [], rows: [], delimiter: delimiter ?? ',' };
  }
  // One column holding another delimiter: one problem with the flag to pass, not a cascade of missing columns.
  const hint = delimiterHint(table.header, table.delimiter);
  if (hint) {
    problems.push({ file, line: 1, message: hint });
    return { columns: [], rows: [], delimiter: table.delimiter };
  }
  const header = table.header.map(canonicalColumn);
  const unnamed = checkUnnamedColumns(file, header, table.rows, problems);
  const seen = new Map<string, number>();
  header.forEach((c, i) => {
    if (c === '') return; // checkUnnamedColumns: ignored (empty on every row) or refused (holds data)
    else if (seen.has(c.toLowerCase())) problems.push({ file, line: 1, column: c, message: `column name appears twice in the header (names are matched in any case)` });
    else seen.set(c.toLowerCase(), i);
  });
  const rows: RawRow[] = [];
  for (const { line, cells: record } of table.rows) {
    // A row without the trailing unnamed columns Excel added to the header is whole.
    const whole = record.length === header.length || (unnamed.ignored.length > 0 && record.length >= unnamed.named && record.length < header.length);
    if (!whole) {
      const fix = table.sniffed && record.length === 1 ? ` (read as ${delimiterName(table.delimiter)}-separated; choose with --delimiter)` : raggedFix(record, header, table.delimiter);
      problems.push({ file, line, message: `${record.length} fields where the header has ${header.length}${fix}` });
    }
    const cells = new Map<string, string>();
    header.forEach((c, i) => {
      if (c !== '' && !cells.has(c)) cells.set(c, (record[i] ?? '').trim());
    });
    rows.push({ line, cells });
  }
  return { columns: header.filter((c, i) => c !== '' && seen.get(c.toLowerCase()) === i), rows, delimiter: table.delimiter, note: unnamed.note };
}

/** What to do about a row with another number of fields than the header (the delimiter shown as typed). */
function raggedFix(record: string[], header: string[], delimiter: string): string {
  const d = delimiter === '\t' ? 'tab' : `'${delimiter}'`;
  if (record.length < header.length) return `: the row ends after column ${header[record.length - 1] || record.length}; give every column a cell (an empty cell is fine)`;
  if (record.slice(header.length).every((c) => c.trim() === '')) return `: the extra ${record.length - header.length > 1 ? 'cells are' : 'cell is'} empty (a trailing ${d} after the last cell?): remove ${record.length - header.length > 1 ? 'them' : 'it'}`;
  return `: a ${d} inside a cell (put that cell in double quotes) or a column the header does not name (add its name)`;
}

/**
 * Header cells with no name (Excel's trailing `;;`): ignored with a note when empty on every row, else one problem
 * naming the column and the first line with data. `named`: the columns up to the last named one.
 */
function checkUnnamedColumns(file: string, header: string[], rows: CsvRow[], problems: ManifestProblem[]): { ignored: number[]; named: number; note: string | null } {
  const ignored: number[] = [];
  for (const c of unnamedColumns(header)) {
    const withData = rows.find((r) => (r.cells[c] ?? '').trim() !== '');
    if (withData) problems.push({ file, line: withData.line, message: unnamedColumnMessage(c, withData.cells[c].trim()) });
    else ignored.push(c);
  }
  const named = header.reduce((n, h, i) => (h !== '' ? i + 1 : n), 0);
  return { ignored, named, note: ignored.length > 0 ? `${file}: ${unnamedColumnsNote(ignored, header.length)}` : null };
}

/** `not valid JSON (…)` with the column of the error (V8 says "at position N" within the line) and a hint for an
 *  object spread over several lines. */
function jsonSyntaxMessage(line: string, v8: string): string {
  const pos = /at position (\d+)/.exec(v8);
  const where = pos ? ` at column ${Number(pos[1]) + 1}` : '';
  const reason = v8.replace(/ at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
  const t = line.trim();
  const split = !(t.startsWith('{') && t.endsWith('}')) ? '; JSON Lines needs each session object whole on one line' : '';
  return `not valid JSON${where} (${reason})${split}`;
}

/** A value a role, transcript or id field cannot hold (arrays, objects; booleans for paths), else null. */
function jsonValueProblem(key: string, v: unknown): string | null {
  const k = key.toLowerCase();
  const path = roleKind(k) !== null || k === 'transcript';
  const id = k === 'session_id' || k === 'speaker_id' || k === 'transcript_clock' || k === 'labels_clock';
  if (!path && !id) return null;
  if (v === null || v === undefined || typeof v === 'string') return null;
  if (typeof v === 'number' && !path) return null;
  const got = Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
  return `must be a string${path ? ' (a file path relative to the manifest)' : id && !k.endsWith('_clock') ? ' or a number' : ''}, got ${got}`;
}

function parseJsonlRows(file: string, text: string, problems: ManifestProblem[], firstLine: Map<string, number>): { columns: string[]; rows: RawRow[] } {
  const columns: string[] = [];
  const rows: RawRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    // CR, LF or CRLF ends a line (a classic Mac editor's lone CR too; a JSON string cannot hold a raw CR), as in CSV.
    .split(/\r\n|\r|\n/)
    .forEach((l, i) => {
      const line = i + 1;
      if (l.trim() === '') return;
      let obj: unknown;
      try {
        obj = JSON.parse(l);
      } catch (e) {
        problems.push({ file, line, message: jsonSyntaxMessage(l, (e as Error).message) });
        return;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        problems.push({ file, line, message: `not a JSON object (JSON Lines: one session object per line, got ${Array.isArray(obj) ? 'an array' : obj === null ? 'null' : typeof obj})` });
        return;
      }
      // JSON.parse keeps the last of two equal keys: `"lav_audio": "a.flac", "lav_audio": "b.flac"` analysed b alone.
      const twice = duplicateTopLevelKey(l);
      if (twice !== null) problems.push({ file, line, column: twice, message: 'key appears twice in the object (JSON keeps only the last one): keep one' });
      const cells = new Map<string, string>();
      const bad = new Set<string>();
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        const key = canonicalColumn(k.trim());
        const other = columns.find((c) => c.toLowerCase() === key.toLowerCase());
        if (other === undefined) columns.push(key);
        else if (cells.has(other)) {
          problems.push({ file, line, column: key, message: `key appears twice in the object (names are matched in any case)` });
          continue;
        }
        const kind = jsonValueProblem(key, v);
        if (kind) {
          problems.push({ file, line, column: key, message: kind });
          bad.add(other ?? key);
        }
        cells.set(other ?? key, kind ? '' : cellText(v));
        if (!firstLine.has((other ?? key).toLowerCase())) firstLine.set((other ?? key).toLowerCase(), line);
      }
      rows.push({ line, cells, bad });
    });
  return { columns, rows };
}

/** Why a manifest's file cannot be used (null when it can); a media file must also hold bytes (src/media/input-file.ts). */
async function fileProblem(path: string, media = false, readable = false): Promise<string | null> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) return 'is a directory, not a file';
    if (!st.isFile()) return 'not a regular file';
    if (media && st.size === 0) return 'empty file (0 bytes): a copy or recording that did not finish? replace it with the full file';
    if (readable) await (await open(path, 'r')).close();
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return `cannot read (${(e as Error).message})`;
  }
}

/** The manifest's text; an unreadable path or a directory is one InputError. */
async function readManifestText(file: string, abs: string): Promise<string> {
  try {
    const st = await stat(abs);
    if (st.isDirectory()) throw new InputError('is a directory, not a manifest file', { file });
    return await readTextFile(abs, file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such manifest file' : `cannot read the manifest (${(e as Error).message})`, { file });
  }
}

/** The rows of a CSV or JSONL manifest with its columns, delimiter and the notes worth telling the user. */
function manifestRows(
  file: string,
  text: string,
  format: 'csv' | 'jsonl',
  opts: ReadManifestOptions,
  problems: ManifestProblem[],
  firstLine: Map<string, number>,
): { columns: string[]; rows: RawRow[]; delimiter: string | null; notes: string[] } {
  if (format === 'jsonl') return { ...parseJsonlRows(file, text, problems, firstLine), delimiter: null, notes: [] };
  const r = parseCsvRows(file, text, opts.delimiter, problems);
  const notes: string[] = [];
  if (opts.delimiter === undefined) {
    const note = csvDialectNote(file, r.delimiter, false);
    if (note) notes.push(note);
  }
  if (r.note) notes.push(r.note);
  return { columns: r.columns, rows: r.rows, delimiter: r.delimiter, notes };
}

/** What every row of a manifest is judged against, and what is collected while the rows are read. */
interface ManifestScan {
  file: string;
  /** The manifest's folder: relative paths resolve against it. */
  base: string;
  /** The manifest's absolute path (a symbolic link's own, whose target's folder a missing file's hint also looks in). */
  abs: string;
  format: 'csv' | 'jsonl';
  columns: string[];
  roles: string[];
  metaColumns: string[];
  /** --ref-role in lower case. */
  refRole: string | undefined;
  checkFiles: boolean;
  checkTranscripts: boolean;
  checkReadable: boolean;
  problems: ManifestProblem[];
  /** Existence checks of media and transcript files, started while reading and awaited at the end. */
  fileChecks: Array<{ line: number; column: string; given: string; why: Promise<string | null> }>;
  transcriptChecks: Array<{ line: number; path: string }>;
}

/**
 * Metadata columns that look like a misspelt role or known column (a "did you mean"), or hold media files that would
 * go unanalysed; `meta_` columns and --allow-columns are exempt.
 */
function checkMetaColumns(scan: ManifestScan, rows: RawRow[], allowColumns: string[], lineOfColumn: (c: string) => number | undefined): void {
  const { file, problems, roles } = scan;
  const allowed = new Set(allowColumns.map((c) => c.trim().toLowerCase()));
  for (const c of scan.metaColumns) {
    if ((KNOWN_COLUMNS as readonly string[]).includes(c) || c.toLowerCase().startsWith(META_PREFIX) || allowed.has(c.toLowerCase())) continue;
    const guess = suggestColumn(c, roles);
    if (guess)
      problems.push({
        file,
        line: lineOfColumn(c),
        column: c,
        message: `not a media role or a known column: did you mean '${guess}'? (to keep it as metadata, name it '${META_PREFIX}${c}' or pass --allow-columns ${shellWord(c)})`,
      });
    const media = guess ? undefined : rows.find((r) => MEDIA_EXT.test(r.cells.get(c)?.trim() ?? ''));
    if (media)
      problems.push({
        file,
        line: media.line,
        column: c,
        message: `holds a media file ('${media.cells.get(c)?.trim()}') but is not a media role, so it would be ignored: name the column '${c}_audio' or '${c}_video' (or '${META_PREFIX}${c}', or pass --allow-columns ${shellWord(c)}, to keep it as metadata)`,
      });
  }
}

/** The columns every manifest needs (session_id, speaker_id, a media role), and --ref-role among its roles. */
function checkRequiredColumns(scan: ManifestScan, rows: RawRow[], headerLine: number | undefined, refRoleGiven: string | undefined): void {
  const { file, problems, columns, roles } = scan;
  if (rows.length === 0 && problems.length === 0) problems.push({ file, message: 'no sessions (the manifest has no data rows)' });
  if (rows.length > 0 || columns.length > 0) {
    const col = scan.format === 'csv' ? 'column' : 'field';
    if (!columns.includes('session_id')) problems.push({ file, line: headerLine, message: `no 'session_id' ${col}` });
    if (!columns.includes('speaker_id')) problems.push({ file, line: headerLine, message: `no 'speaker_id' ${col}` });
    if (roles.length === 0) problems.push({ file, line: headerLine, message: `no media ${col}s (name them 'video', '<name>_video' or '<name>_audio')` });
  }
  const refRole = scan.refRole;
  if (refRole !== undefined && roles.length > 0 && !roles.includes(refRole)) {
    const near = roleNamed(refRole, roles);
    const advice = near ? `: did you mean --ref-role ${near}?` : ': give one of them';
    problems.push({ file, message: `--ref-role '${refRoleGiven}' is not a media column (media columns: ${roles.join(', ')})${advice}` });
  }
}

/** The one media column `given` names by its stem or start (`lav` for lav_audio, `cam` for cam_video), else null. */
function roleNamed(given: string, roles: string[]): string | null {
  const g = given.toLowerCase();
  const named = roles.filter((r) => r.toLowerCase().replace(/_(audio|video)$/, '') === g || r.toLowerCase().startsWith(g));
  return named.length === 1 ? named[0] : null;
}

/** Session ids seen so far: empty, unsafe as a folder name, duplicate, or equal but for case to an earlier one. */
class SessionIds {
  private readonly byId = new Map<string, number>();
  private readonly byFolded = new Map<string, { id: string; line: number }>();
  constructor(private readonly scan: ManifestScan) {}
  check(id: string, line: number): void {
    const { file, problems } = this.scan;
    if (id === '') {
      problems.push({ file, line, column: 'session_id', message: 'empty session_id' });
      return;
    }
    const why = unsafeSessionIdReason(id);
    if (why) problems.push({ file, line, column: 'session_id', message: `${why}: ${JSON.stringify(id)} is not safe as a folder name` });
    const first = this.byId.get(id);
    if (first !== undefined) {
      problems.push({ file, line, column: 'session_id', message: `duplicate session_id '${id}' (first on line ${first})` });
      return;
    }
    this.byId.set(id, line);
    // Case, and the Unicode form (NFC 'é' vs NFD 'e' + U+0301, as macOS writes names): both collide as folder names.
    const key = id.normalize('NFC').toLowerCase();
    const folded = this.byFolded.get(key);
    const sameText = folded !== undefined && folded.id.normalize('NFC') === id.normalize('NFC');
    const how = sameText
      ? `is '${folded.id}' on line ${folded.line} in another Unicode form (NFC/NFD: an accent as one character or as a combining mark; they look the same and collide as folder names on macOS; save the manifest in NFC)`
      : `differs only in case from '${folded?.id}' on line ${folded?.line} (they collide on case-insensitive file systems)`;
    if (folded) problems.push({ file, line, column: 'session_id', message: `session_id '${id}' ${how}` });
    else this.byFolded.set(key, { id, line });
  }
}

/**
 * One file under two audio (or two video) roles of a session: a copy-paste slip that left the other recording out and
 * analysed one twice (exit 0). A video role and an audio role may name the same file (the camera's own sound).
 */
function sameFileMessage(kind: MediaKind, twin: ManifestMedia, given: string): string {
  return `${given} is also in column ${twin.role}: two ${kind} roles of a session must be two recordings (a copied cell?); name this role's own file, or leave the cell empty when the session has none`;
}

/** A row's media in column order (non-empty cells), each file's existence check started. */
function mediaOfRow(scan: ManifestScan, row: RawRow): ManifestMedia[] {
  const { line, cells } = row;
  const media: ManifestMedia[] = [];
  for (const role of scan.roles) {
    const given = cells.get(role) ?? '';
    if (given === '') continue;
    const p = isAbsolute(given) ? given : resolve(scan.base, given);
    const kind = roleKind(role)!;
    const twin = media.find((m) => m.kind === kind && m.path === p);
    if (twin) scan.problems.push({ file: scan.file, line, column: role, message: sameFileMessage(kind, twin, given) });
    media.push({ role, kind, path: p, column: role, given });
    if (scan.checkFiles) scan.fileChecks.push({ line, column: role, given, why: fileProblem(p, true, scan.checkReadable) });
  }
  const bad = row.bad ?? new Set<string>();
  if (scan.roles.length > 0 && media.length === 0 && !scan.roles.some((r) => bad.has(r))) scan.problems.push({ file: scan.file, line, message: `session has no media (every one of ${scan.roles.join(', ')} is empty)` });
  return media;
}

/** The session's reference role: --ref-role (which must not be empty here), else its first audio role, else its first. */
function refRoleOfRow(scan: ManifestScan, line: number, media: ManifestMedia[]): string {
  const refRole = scan.refRole;
  if (refRole === undefined) return (media.find((m) => m.kind === 'audio') ?? media[0])?.role ?? '';
  if (scan.roles.includes(refRole) && media.length > 0 && !media.some((m) => m.role === refRole)) {
    scan.problems.push({ file: scan.file, line, column: refRole, message: `the reference role '${refRole}' is empty for this session` });
  }
  return refRole;
}

/**
 * The metadata cells of a row; `transcript_clock` and `labels_clock` (lower case) must name a media role of the
 * session or 'reference' (the clock a transcript's, or the labels files' span times, were taken on).
 */
function metaOfRow(scan: ManifestScan, row: RawRow, media: ManifestMedia[], transcript: string | undefined): Record<string, string> {
  const { file, problems } = scan;
  const line = row.line;
  const meta: Record<string, string> = {};
  for (const c of scan.metaColumns) meta[c] = row.cells.get(c) ?? '';
  for (const column of ['transcript_clock', 'labels_clock'] as const) {
    const clockRole = (meta[column] ?? '').trim().toLowerCase();
    if (clockRole === '') continue;
    meta[column] = clockRole;
    if (column === 'transcript_clock' && transcript === undefined) problems.push({ file, line, column, message: `transcript_clock '${clockRole}' is given but the session has no transcript` });
    else if (clockRole !== 'reference' && !media.some((m) => m.role === clockRole))
      problems.push({ file, line, column, message: `${column} '${clockRole}' is not a media role of this session (use 'reference' or one of: ${media.map((m) => m.role).join(', ') || 'none'})` });
  }
  return meta;
}

/**
 * Speaker ids that are the same text in two Unicode forms (NFC 'é' and NFD 'e' + U+0301: they look the same) would be
 * two speakers to dataset build, whose splits are by speaker: a person landed in val and test, exit 0, told only that
 * the ids "differ only in case, spaces, '-' or '_'" (ttrial43). Refused, as such session ids are (SessionIds).
 */
function checkSpeakerForms(scan: ManifestScan, sessions: readonly ManifestSession[]): void {
  const first = new Map<string, ManifestSession>();
  for (const s of sessions) {
    if (s.speaker_id === '') continue;
    const key = s.speaker_id.normalize('NFC');
    const f = first.get(key);
    if (f === undefined) first.set(key, s);
    else if (f.speaker_id !== s.speaker_id)
      scan.problems.push({ file: scan.file, line: s.line, column: 'speaker_id', message: `speaker_id '${s.speaker_id}' is '${f.speaker_id}' on line ${f.line} in another Unicode form (NFC/NFD: an accent as one character or as a combining mark; they look the same but would count as two speakers, so one person could land in two splits; save the manifest in NFC)` });
  }
}

/** One row as a session; its problems go to `scan.problems`, its file checks are started. */
function sessionOfRow(scan: ManifestScan, ids: SessionIds, row: RawRow): ManifestSession {
  const { file, problems, columns, base } = scan;
  const { line, cells } = row;
  const bad = row.bad ?? new Set<string>();
  const id = cells.get('session_id') ?? '';
  if (columns.includes('session_id') && !bad.has('session_id')) ids.check(id, line);
  const speaker = cells.get('speaker_id') ?? '';
  if (columns.includes('speaker_id') && speaker === '' && !bad.has('speaker_id')) problems.push({ file, line, column: 'speaker_id', message: 'empty speaker_id' });
  const media = mediaOfRow(scan, row);
  let transcript: string | undefined;
  const t = cells.get('transcript') ?? '';
  if (t !== '') {
    transcript = isAbsolute(t) ? t : resolve(base, t);
    if (scan.checkFiles) scan.fileChecks.push({ line, column: 'transcript', given: t, why: fileProblem(transcript, false, scan.checkReadable) });
  }
  const ref_role = refRoleOfRow(scan, line, media);
  const meta = metaOfRow(scan, row, media, transcript);
  if (transcript !== undefined && scan.checkTranscripts) scan.transcriptChecks.push({ line, path: transcript });
  const sync_options = syncOptionsOfRow(scan, line, meta.sync_options ?? '');
  return { session_id: id, speaker_id: speaker, line, media, ref_role, ...(transcript !== undefined ? { transcript } : {}), meta, ...(sync_options ? { sync_options } : {}) };
}

/** The row's `sync_options` cell as options; null when empty or wrong (its problem then in `scan.problems`). */
function syncOptionsOfRow(scan: ManifestScan, line: number, cell: string): RowSyncOptions | null {
  if (cell.trim() === '') return null;
  const r = parseRowSyncOptions(cell);
  if ('problem' in r) {
    scan.problems.push({ file: scan.file, line, column: 'sync_options', message: `${r.problem}; write the flags as on mmprep sync's command line, e.g. --pick first --share-camera-clock` });
    return null;
  }
  return r.options;
}

/**
 * A missing transcript with no look-alike beside it: the column is optional, so an empty cell is the other way out
 * (a new user's trial: a session recorded without a transcript was told only "no such file").
 */
function optionalCellHint(column: string): string {
  return column === 'transcript' ? " (if the session has no transcript, leave the cell empty: its features are made without one, and dataset build says so)" : '';
}

/** The file checks' outcomes as problems; returns the `line:column` cells whose file is missing. */
async function settleFileChecks(scan: ManifestScan): Promise<Set<string>> {
  const missing = new Set<string>();
  for (const c of scan.fileChecks) {
    const why = await c.why;
    const hint = why === 'no such file' ? (await missingFileHint(c.given, scan.base, scan.abs)) || optionalCellHint(c.column) : '';
    if (why) scan.problems.push({ file: scan.file, line: c.line, column: c.column, message: `${why}: ${c.given}${hint}` });
    if (why) missing.add(`${c.line}:${c.column}`);
  }
  return missing;
}

/** Drops the file checks of rows whose session `wanted` leaves out (ReadManifestOptions.checkFilesOf). */
function keepFileChecksOf(scan: ManifestScan, sessions: readonly ManifestSession[], wanted: (sessionId: string) => boolean): void {
  const lines = new Set(sessions.filter((s) => wanted(s.session_id)).map((s) => s.line));
  // The checks already started settle unread: a file of another index's row may be unreadable right now.
  for (const c of scan.fileChecks) if (!lines.has(c.line)) void c.why.catch(() => undefined);
  scan.fileChecks = scan.fileChecks.filter((c) => lines.has(c.line));
  scan.transcriptChecks = scan.transcriptChecks.filter((t) => lines.has(t.line));
}

/** Transcripts are parsed now, not hours later at `dataset build` (those already missing are not parsed). */
async function checkTranscriptsParse(scan: ManifestScan, missing: Set<string>): Promise<void> {
  if (!scan.transcriptChecks.length) return;
  const { readTranscript } = await import('../dataset/transcripts/index.js');
  for (const t of scan.transcriptChecks) {
    if (missing.has(`${t.line}:transcript`)) continue;
    try {
      await readTranscript(t.path);
    } catch (e) {
      const why = e instanceof InputError ? e.toLine() : (e as Error).message;
      scan.problems.push({ file: scan.file, line: t.line, column: 'transcript', message: `not a transcript mmprep reads: ${why}` });
    }
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
  const text = await readManifestText(file, abs);
  const format = opts.format ?? detectFormat(abs, text);
  const problems: ManifestProblem[] = [];
  /** JSONL: the line of the first object with each key (lower case), where a problem of that field is reported. */
  const firstLine = new Map<string, number>();
  const { columns, rows, delimiter, notes } = manifestRows(file, text, format, opts, problems, firstLine);
  const roles = columns.filter((c) => roleKind(c) !== null);
  const metaColumns = columns.filter((c) => roleKind(c) === null && c !== 'session_id' && c !== 'speaker_id' && c !== 'transcript');
  const checkFiles = opts.checkFiles ?? true;
  const scan: ManifestScan = {
    file,
    base: dirname(abs),
    abs,
    format,
    columns,
    roles,
    metaColumns,
    refRole: opts.refRole?.toLowerCase(),
    checkFiles,
    checkTranscripts: opts.checkTranscripts ?? checkFiles,
    checkReadable: Boolean(opts.checkReadable),
    problems,
    fileChecks: [],
    transcriptChecks: [],
  };
  // CSV: the header line. JSONL: the first object (for a missing field) or the first object with the field.
  const firstRowLine = rows[0]?.line;
  const lineOfColumn = (c: string) => (format === 'csv' ? 1 : (firstLine.get(c.toLowerCase()) ?? firstRowLine));
  checkMetaColumns(scan, rows, opts.allowColumns ?? [], lineOfColumn);
  checkRequiredColumns(scan, rows, format === 'csv' ? 1 : firstRowLine, opts.refRole);
  const ids = new SessionIds(scan);
  const sessions = rows.map((row) => sessionOfRow(scan, ids, row));
  checkSpeakerForms(scan, sessions);
  const copied = copiedRowNotes(file, sessions);
  notes.push(...copied.notes, ...sharedMediaNotes(file, scan.base, sessions, copied.copies), ...sameSpeakerMediaNotes(file, scan.base, sessions, copied.copies));
  markSharedVideos(sessions, copied.copies);
  notes.push(...extraVideoNotes(file, sessions));
  notes.push(...sharedTranscriptNotes(file, scan.base, sessions, copied.copies));
  notes.push(...speakerSpellingNotes(file, sessions));
  if (opts.checkFilesOf) keepFileChecksOf(scan, sessions, opts.checkFilesOf);
  await checkTranscriptsParse(scan, await settleFileChecks(scan));
  if (problems.length > 0) {
    // List problems by line, then in the order they were found (deterministic).
    const order = new Map(problems.map((p, i) => [p, i]));
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || order.get(a)! - order.get(b)!);
    throw new ManifestError(file, problems, format);
  }
  return { path: abs, format, delimiter, notes, columns, roles, metaColumns, sessions };
}
