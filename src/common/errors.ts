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
  constructor(message: string, location: InputLocation = {}, options?: { cause?: unknown }) {
    super(message, EXIT.BAD_INPUT, location, options);
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
