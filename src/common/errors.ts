/**
 * Exit codes and the error types that carry them. Documented in README.md ("Exit codes").
 */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  BAD_INPUT: 2,
  GATE_FAILED: 3,
  BATCH_FAILED: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface InputLocation {
  file?: string;
  line?: number;
  column?: number | string;
}

/** Base class: an error whose message is fit to show a user on one line. */
export class MmprepError extends Error {
  readonly exitCode: ExitCode;
  readonly location: InputLocation;
  constructor(message: string, exitCode: ExitCode, location: InputLocation = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.location = location;
  }

  /** `file:line: column X: message`, one line. */
  toLine(): string {
    const { file, line, column } = this.location;
    let where = '';
    if (file !== undefined) where += file;
    if (line !== undefined) where += `${where ? ':' : 'line '}${line}`;
    if (column !== undefined) where += `${where ? ', ' : ''}column ${column}`;
    const msg = this.message.replace(/\s*\n\s*/g, ' ');
    return where ? `${where}: ${msg}` : msg;
  }
}

/** Bad usage or bad input: exit 2. */
export class InputError extends MmprepError {
  /** Further refusals of the same run, each its own line after this one's (sync: one line per refused stream). */
  readonly also: InputError[];
  constructor(message: string, location: InputLocation = {}, options?: { cause?: unknown }, also: InputError[] = []) {
    super(message, EXIT.BAD_INPUT, location, options);
    this.also = also;
  }
}

/** A quality gate (agreement threshold, dataset check) failed: exit 3. */
export class GateError extends MmprepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.GATE_FAILED, {}, options);
  }
}

/** A batch finished but some items failed: exit 4. */
export class BatchError extends MmprepError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.BATCH_FAILED, {}, options);
  }
}

export function isMmprepError(e: unknown): e is MmprepError {
  return e instanceof MmprepError;
}

/**
 * Error codes of a path that cannot be written (a file where a folder is needed, a folder, no permission, a full or
 * read-only disk, a place such as /proc where no file can be created, …): every OS error a user's choice of output
 * path can cause. Raised only for output steps (src/common/atomic.ts), so ENOENT here never means a missing input.
 */
const UNWRITABLE_REASON: Record<string, string> = {
  ENOENT: 'no such folder, or no file can be created there',
  EEXIST: 'a file is in the way where a folder is needed',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links in the path',
  EMLINK: 'too many entries in the folder',
  ENXIO: 'no such device',
  ENODEV: 'no such device',
  EINVAL: 'the file system does not accept this name',
  ETXTBSY: 'the file is busy',
  EBUSY: 'the file is busy',
};

/** An output path that cannot be written: bad input (exit 2), `cannot write <path>: <reason>; choose another path`. */
export class OutputPathError extends InputError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot write ${path}: ${reason}; choose another path`, {}, options);
    this.path = path;
  }
}

/** The OutputPathError for a failed write of `path` (e an fs error), or null when e is not about the path. */
export function unwritableOutput(path: string, e: unknown): OutputPathError | null {
  if (e instanceof OutputPathError) return e;
  const code = (e as NodeJS.ErrnoException | null)?.code;
  const reason = code !== undefined ? UNWRITABLE_REASON[code] : undefined;
  return reason === undefined ? null : new OutputPathError(path, reason, { cause: e });
}

/** Why an input file could not be read, by its OS error code, with what to do. */
const UNREADABLE_REASON: Record<string, string> = {
  EACCES: 'permission denied; give the user mmprep runs as read access (ls -l, chmod, chown) or check the mount',
  EPERM: 'permission denied; give the user mmprep runs as read access (ls -l, chmod, chown) or check the mount',
  ENOENT: 'no such file (moved, renamed or deleted while the run went on?); put it back and run again',
  EIO: 'input/output error; a failing disk or a network mount that dropped: check the storage, then run again',
  ESTALE: 'stale file handle (a network mount that changed under the run); remount, then run again',
  ENOTCONN: 'the mount is not connected; remount, then run again',
  EISDIR: 'it is a folder, not a file',
};

/**
 * The InputError for an input read that failed with an OS error (`cannot read <path>: <reason>; <what to do>`), or null
 * when e is not an OS error of a path: a file that a run could read when it began and cannot now (permissions changed,
 * a mount dropped) is the input's problem, not mmprep's internal error (a new user's batch on a cluster).
 */
export function unreadableInput(e: unknown): InputError | null {
  const err = e as NodeJS.ErrnoException | null;
  if (!err || typeof err.code !== 'string' || typeof err.path !== 'string') return null;
  // Outputs are written through src/common/atomic.ts (OutputPathError): an OS error of a read is one of these calls.
  if (!['open', 'read', 'stat', 'lstat', 'fstat', 'access', 'scandir', 'realpath'].includes(err.syscall ?? '')) return null;
  const reason = UNREADABLE_REASON[err.code];
  return reason === undefined ? null : new InputError(`cannot read ${err.path}: ${reason}`, {}, { cause: e });
}

/** The reason of UNREADABLE_REASON for ffmpeg's or ffprobe's words for the same OS errors (strerror), or null. */
export function unreadableReasonOfText(text: string): string | null {
  if (/Permission denied|Operation not permitted/.test(text)) return UNREADABLE_REASON.EACCES;
  if (/No such file or directory/.test(text)) return UNREADABLE_REASON.ENOENT;
  if (/Input\/output error/.test(text)) return UNREADABLE_REASON.EIO;
  return null;
}
