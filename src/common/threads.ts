/**
 * Worker threads (dataset build/validate, batch extract, face inference): where a thread's compiled script is and
 * which Node flags it gets.
 */
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

/**
 * The compiled script of a worker thread (`script` in src/`area`/, e.g. `build-thread.js` in `dataset`): in dist/
 * beside its module, or, when running from src/ (tests), the one in dist/`area`/ (a thread needs the compiled
 * JavaScript). Throws when neither exists (a source checkout that was never built).
 */
export function threadFile(script: string, area: string): URL {
  const here = new URL(`../${area}/${script}`, import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(`../../dist/${area}/${script}`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  throw new Error(`worker module ${area}/${script} not found: run \`npm run build\` first`);
}

const NO_REQUIRE_ESM = '--no-experimental-require-module';

/**
 * A thread's Node flags: the parent's, minus those that only apply to a main entry (`node --input-type=module -e
 * ...`), plus `--no-experimental-require-module` where Node has require(esm) (20.19+). piscina loads its script with
 * `require()` first: Node 20.20 then instantiates the ES module graph synchronously (ModuleWrap::InstantiateSync),
 * and a thread terminated in that window aborts the whole process ("FATAL ERROR: v8::Module::IsGraphAsync", no exit
 * code): it happened when an interrupt aborted running sessions, piscina started replacement threads and the pool
 * was destroyed as they loaded. Without require(esm), piscina falls back to `import()`, whose asynchronous
 * instantiation ends quietly when the thread is terminated.
 */
export function threadExecArgv(parentArgv: string[] = process.execArgv): string[] {
  const inherited = workerAcceptedFlags(withoutMainEntry(parentArgv));
  const hasRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
  return hasRequireEsm && !inherited.includes(NO_REQUIRE_ESM) ? [...inherited, NO_REQUIRE_ESM] : inherited;
}

const MAIN_ENTRY_WITH_VALUE = new Set(['-e', '--eval', '-p', '--print']);

/** The flags that only apply to a main entry (`node --input-type=module -e CODE`), CODE included, left out. */
function withoutMainEntry(argv: string[]): string[] {
  return argv.filter((a, i) => !a.startsWith('--input-type') && !MAIN_ENTRY_WITH_VALUE.has(a) && !MAIN_ENTRY_WITH_VALUE.has(argv[i - 1]));
}

const acceptedByWorker = new Map<string, string[]>();

/**
 * The parent's flags a worker thread accepts. V8 options (`node --max-old-space-size=8192`, `--stack-trace-limit=20`)
 * and per-process options are refused in a worker's execArgv (Node's worker_threads docs; ERR_WORKER_INVALID_EXEC_ARGV),
 * which failed every threaded command with exit 1. They already apply to the whole process, so they are left out:
 * when the whole list is refused, each flag is tried alone (a value word after a refused flag goes with it). Tried on
 * a worker terminated at once; the answer is kept for the process.
 */
function workerAcceptedFlags(argv: string[]): string[] {
  const key = argv.join('\0');
  let kept = acceptedByWorker.get(key);
  if (kept === undefined) {
    kept = workerAccepts(argv) ? argv : [];
    if (kept.length === 0 && argv.length > 0) {
      let lastKept = true;
      for (const a of argv) {
        const isValue = !a.startsWith('-');
        lastKept = isValue ? lastKept : workerAccepts([a]);
        if (lastKept) kept.push(a);
      }
    }
    acceptedByWorker.set(key, kept);
  }
  return kept;
}

/** Whether a worker thread starts with these flags (Node refuses bad ones in the Worker constructor). */
function workerAccepts(flags: string[]): boolean {
  if (flags.length === 0) return true;
  try {
    void new Worker('', { eval: true, execArgv: flags, stdout: true, stderr: true }).terminate();
    return true;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    return false;
  }
}
