/**
 * `mkdir -p` without Node's `{ recursive: true }`: on Node 20 that loops forever, in a libuv thread and (mkdirSync)
 * on the main thread, when mkdir(2) answers ENOENT for a path whose parent exists, as procfs and sysfs do
 * (`-o /proc/xx` ran at ~60 % CPU until SIGKILL, printing nothing). This walk makes each missing folder once, from
 * the nearest existing one down, and throws the OS error of the first step that fails.
 */
import { lstat, mkdir, readlink, stat } from 'node:fs/promises';
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

/**
 * What `path` is when it cannot be used as a folder because it is a symbolic link that leads nowhere: one that loops (ELOOP: `s02
 * -> s02`, or two links naming each other) or whose target does not exist; null for anything else (a link to a
 * folder, inside or outside the parent, is followed as that folder). Before, extract said "a file of that name is in
 * the way" and dataset build "no meta.json: run mmprep extract --resume", which then failed the same way.
 */
export async function brokenLink(path: string): Promise<string | null> {
  const l = await lstat(path).catch(() => null);
  if (!l?.isSymbolicLink()) return null;
  const target = await readlink(path).catch(() => '?');
  const err = await stat(path).then(
    () => null,
    (e: NodeJS.ErrnoException) => e.code ?? 'error',
  );
  if (err === null) return null;
  const what = err === 'ELOOP' ? 'a symbolic link that loops' : err === 'ENOENT' ? 'a symbolic link to a path that does not exist' : `a symbolic link that cannot be followed (${err})`;
  return `${what} (-> ${target})`;
}
