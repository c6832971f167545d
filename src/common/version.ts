import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package version, read once from package.json (dist/common → ../../package.json). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The folders beside this one whose code makes extract's files (the CLI, dataset and agreement code do not). */
const FEATURE_CODE_DIRS = ['audio', 'batch', 'common', 'face', 'media', 'sync'];

let build: string | null = null;

/**
 * A fingerprint of the code that makes extract's files: sha256 over the names and bytes of the .js/.ts files (not
 * .d.ts) under FEATURE_CODE_DIRS, first 16 hex digits. The version stayed 0.1.0 across a thousand commits, so
 * `extract --resume`, which compared only it, reused features an older mmprep had made after an update that changed
 * them. Computed once per thread (about 2 MB read).
 */
export function codeBuild(): string {
  build ??= codeFingerprint(FEATURE_CODE_DIRS);
  return build;
}

/** sha256 over the names and bytes of the .js/.ts files (not .d.ts) under these folders of src/ (dist/), first 16 hex digits. */
export function codeFingerprint(dirs: readonly string[]): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const h = createHash('sha256');
  for (const dir of dirs) {
    const files = (readdirSync(join(root, dir), { recursive: true }) as string[]).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort();
    for (const f of files) h.update(`${dir}/${f}\0`).update(readFileSync(join(root, dir, f))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}
