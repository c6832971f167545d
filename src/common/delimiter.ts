/**
 * The `--delimiter` option's values, apart from the CSV reader (csv.ts re-exports them): cli/run.ts needs them for
 * every command's options, and loading csv.ts would load csv-parse (~15 files) into commands that read no CSV.
 */
import { InputError } from './errors.js';

/** `--delimiter` values: one character, or comma / semicolon / tab / '\t' by name. */
export function parseDelimiter(v: string): string {
  const t = v.toLowerCase();
  if (t === 'comma') return ',';
  if (t === 'semicolon') return ';';
  if (t === 'tab' || v === '\\t') return '\t';
  if (v.length !== 1) throw new InputError(`--delimiter must be one character or comma, semicolon or tab, got '${v}'`);
  return v;
}
