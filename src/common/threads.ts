/**
 * Worker threads (dataset build/validate, batch extract, face inference): where a thread's compiled script is and
 * which Node flags it gets.
 */
import { existsSync } from 'node:fs';
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
export function threadExecArgv(): string[] {
  const inherited = process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval');
  const hasRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
  return hasRequireEsm && !inherited.includes(NO_REQUIRE_ESM) ? [...inherited, NO_REQUIRE_ESM] : inherited;
}
