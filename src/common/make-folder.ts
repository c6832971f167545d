/**
 * `mkdir -p` without Node's `{ recursive: true }`: on Node 20 that loops forever, in a libuv thread and (mkdirSync)
 * on the main thread, when mkdir(2) answers ENOENT for a path whose parent exists, as procfs and sysfs do
 * (`-o /proc/xx` ran at ~60 % CPU until SIGKILL, printing nothing). This walk makes each missing folder once, from
 * the nearest existing one down, and throws the OS error of the first step that fails.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `path` and its missing parents; a path that is already a folder is fine. Errors keep their fs code. */
export async function makeFolder(path: string): Promise<void> {
  const abs = resolve(path);
  try {
    await mkdir(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return existingFolder(abs, e);
    const parent = dirname(abs);
    if (code !== 'ENOENT' || parent === abs) throw e;
    await makeFolder(parent);
    // Once more, now that the parent exists; a second ENOENT (procfs) is thrown, never retried.
    await mkdir(abs).catch((again: NodeJS.ErrnoException) => (again.code === 'EEXIST' ? existingFolder(abs, again) : Promise.reject(again)));
  }
}

/** EEXIST is fine when the path is a folder (or a link to one); otherwise the original error is thrown. */
async function existingFolder(abs: string, e: unknown): Promise<void> {
  const st = await stat(abs).catch(() => null);
  if (!st?.isDirectory()) throw e;
}
