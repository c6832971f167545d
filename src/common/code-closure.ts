/**
 * The code a command runs, found from its entry modules: every module reachable through relative imports (static
 * `from './x.js'`, dynamic `import('./x.js')`, side-effect `import './x.js'`), worker scripts (`new URL('./x.js',
 * import.meta.url)`, `threadFile('x.js', 'area')`, src/common/threads.ts). A fingerprint over this closure changes
 * whenever any code the command can run changes. Before 2026-12-06 the fingerprints hashed hand-kept lists of
 * folders, which drifted from the code: a release's fingerprint left out src/audio and src/face although their warning
 * functions shape a release's `issues`, and extract's left out the src/dataset modules it imports.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)['"](\.{1,2}\/[^'"]+\.js)['"]/g;
const THREAD_FILE = /\bthreadFile\(\s*['"]([\w.-]+\.js)['"]\s*,\s*['"]([\w-]+)['"]\s*\)/g;

/** A module's file: the .js itself (dist/), or its .ts source when running from src/ (tests). */
function moduleFile(jsPath: string): string | null {
  if (existsSync(jsPath)) return jsPath;
  const ts = jsPath.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : null;
}

/** The modules one module names: relative imports and worker scripts, as .js paths. */
function namedModules(file: string, text: string, root: string): string[] {
  const here = dirname(file);
  const named = [...text.matchAll(RELATIVE_IMPORT)].map((m) => join(here, m[1]));
  for (const m of text.matchAll(THREAD_FILE)) named.push(join(root, m[2], m[1]));
  return named;
}

/** The files (relative to `root`, '/'-separated, sorted) reachable from `entries` (paths relative to `root`, as .js). */
export function importClosure(root: string, entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = entries.map((e) => join(root, e));
  while (todo.length) {
    const file = moduleFile(todo.pop()!);
    if (file === null || seen.has(file)) continue;
    seen.add(file);
    todo.push(...namedModules(file, readFileSync(file, 'utf8'), root));
  }
  return [...seen].map((f) => relative(root, f).split(sep).join('/')).sort();
}

/** sha256 over the names and bytes of the closure's files, first 16 hex digits. */
export function closureFingerprint(root: string, entries: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of importClosure(root, entries)) h.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}
