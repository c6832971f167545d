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

/** The parent's Node flags minus those that only apply to a main entry (`node --input-type=module -e ...`). */
export function threadExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval');
}
