import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closureFingerprint } from './code-closure.js';

/** The package version, read once from package.json (dist/common → ../../package.json). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

let build: string | null = null;

/** src/ (dist/ when built): the folder above this one. */
export const CODE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A fingerprint of the code that makes extract's files: sha256 over the names and bytes of every module batch
 * extract can run (its import closure, src/common/code-closure.ts), first 16 hex digits. The version stayed 0.1.0
 * across a thousand commits, so `extract --resume`, which compared only it, reused features an older mmprep had made
 * after an update that changed them. Computed once per thread (about 2 MB read).
 */
export function codeBuild(): string {
  build ??= closureFingerprint(CODE_ROOT, ['batch/extract.js']);
  return build;
}
