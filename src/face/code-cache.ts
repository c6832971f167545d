/**
 * A V8 code cache for the large bundles every face worker compiles: tfjs's three ES2017 builds and Human's patched
 * bundle (~3.3 MB of JavaScript, backend.ts compileModule). Without it each worker (and each run) parses all of them
 * and compiles every function it calls on its first frames; with it V8 deserialises the bytecode instead.
 *
 * Node 20 has no `module.enableCompileCache()` (Node 22), so this follows its approach with the API Node 20 has:
 * `vm.Script` with `cachedData` (consumed) and `script.createCachedData()` (produced after the engine's first frames,
 * so the functions those frames compiled lazily are in it; V8's "code caching after execute").
 * - Where: `$MMPREP_CACHE_DIR`, else `$XDG_CACHE_HOME/mmprep`, else `~/.cache/mmprep`, in `v8-code/`; a folder that
 *   is not the user's own or that others may write to is not used (a cache file is code this process runs).
 * - Key (the file's name): sha256 of the compiled text (so Human's substitutions are in it), the file's path, Node's
 *   and V8's versions, the architecture and the process's flags (V8 rejects data made under other flags anyway).
 * - Written atomically (a temp file renamed into place), once per key; before writing, the oldest files beyond
 *   KEEP_FILES are removed (each update of Node or of the packages makes new keys; ~1.3 MB per set of four).
 * - Data V8 rejects (`cachedDataRejected`: another V8 or flags, a damaged file), an unreadable or unwritable folder,
 *   or `MMPREP_CODE_CACHE=0` all mean a normal compile: the same code runs either way, so the output never depends on
 *   the cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import NodeModule from 'node:module';

/** What happened to one bundle's cache in this thread (for tests). */
export type CodeCacheState = 'off' | 'used' | 'rejected' | 'missing';

interface Pending {
  script: vm.Script;
  path: string;
}

/** Cache files kept in the folder (four per Node build, flags and package versions in use). */
const KEEP_FILES = 24;

/** Scripts compiled in this thread without usable cache data: their data is written by saveCodeCaches(). */
const pending: Pending[] = [];
/** Per compiled file: what its cache did (the last compile of that file in this thread). */
export const codeCacheStates = new Map<string, CodeCacheState>();

/** The cache folder, or null when caching is off or the folder cannot be trusted or made. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.MMPREP_CODE_CACHE === '0') return null;
  const base = env.MMPREP_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mmprep');
  const dir = join(base, 'v8-code');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const own = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return own && (st.mode & 0o022) === 0 ? dir : null;
  } catch {
    return null;
  }
}

/** The cache file's name for `wrapped` compiled as `file` by this Node build under this process's flags. */
function cacheKey(file: string, wrapped: string): string {
  const h = createHash('sha256');
  for (const part of [file, process.version, process.versions.v8, process.arch, process.execArgv.join(' '), process.env.NODE_OPTIONS ?? '']) h.update(part + '\0');
  h.update(wrapped);
  return h.digest('hex').slice(0, 32) + '.bin';
}

function readData(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Compiles `code` as the CommonJS module `file` (Node's own wrapper), with the code cache when there is one, and
 * returns the module function (exports, require, module, __filename, __dirname). `dir`: the cache folder (null: none).
 */
export function compileCommonJs(file: string, code: string, dir = codeCacheDir()): (...args: unknown[]) => unknown {
  const wrapped = NodeModule.wrap(code);
  if (!dir) {
    codeCacheStates.set(file, 'off');
    return new vm.Script(wrapped, { filename: file }).runInThisContext() as (...args: unknown[]) => unknown;
  }
  const path = join(dir, cacheKey(file, wrapped));
  const cachedData = readData(path);
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const state: CodeCacheState = cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'used';
  codeCacheStates.set(file, state);
  if (state !== 'used') pending.push({ script, path });
  return script.runInThisContext() as (...args: unknown[]) => unknown;
}

/** A temp file older than this was left by a process killed between its write and rename. */
const STALE_TMP_MS = 3600_000;

/**
 * Removes the oldest cache files (by modification time) so that KEEP_FILES - 4 remain before four more are written,
 * and temp files a killed process left (older than STALE_TMP_MS: a live writer renames its own within milliseconds).
 */
function pruneCodeCache(dir: string): void {
  try {
    const names = readdirSync(dir);
    for (const f of names.filter((n) => n.endsWith('.tmp'))) if (Date.now() - statSync(join(dir, f)).mtimeMs > STALE_TMP_MS) rmSync(join(dir, f), { force: true });
    const files = names
      .filter((f) => f.endsWith('.bin'))
      .map((f) => ({ path: join(dir, f), at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const f of files.slice(KEEP_FILES - 4)) rmSync(f.path, { force: true });
  } catch {
    /* another process pruned it first, or the folder went away */
  }
}

/**
 * Writes the cache data of the scripts compiled without it (called once an engine has analysed its first frames, so
 * the functions they compiled are included). Failures are ignored: the next run compiles normally again.
 */
export function saveCodeCaches(): void {
  if (pending.length > 0) pruneCodeCache(dirname(pending[0].path));
  for (const { script, path } of pending.splice(0)) {
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      renameSync(tmp, path);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}
