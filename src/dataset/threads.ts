/**
 * Worker threads of `dataset build` and `dataset validate`: where the thread's script is and which Node flags it gets.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled script of a dataset worker thread (`build-thread.js`, `validate-thread.js`): beside this module in
 * dist/, or, when running from src/ (tests), the one in dist/dataset/ (a thread needs the compiled JavaScript).
 */
export function threadFile(script: string): URL {
  const here = new URL(`./${script}`, import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL(`../../dist/dataset/${script}`, import.meta.url);
}

/** The parent's Node flags minus those that only apply to a main entry (`node --input-type=module -e ...`). */
export function threadExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--input-type') && a !== '-e' && a !== '--eval');
}
