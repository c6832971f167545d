/**
 * What to do about a manifest cell that names no file: a Windows path (`media\cam.mp4`) whose '/' form exists, a
 * name that exists in another case (`S02_LAV.flac` for `s02_lav.flac`: Linux names are case-sensitive), else
 * nothing (the line already names the cell and the path).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The name in `path`'s folder equal to its name but for case, else null. */
async function otherCase(path: string): Promise<string | null> {
  try {
    const want = basename(path).toLowerCase();
    return (await readdir(dirname(path))).find((n) => n.toLowerCase() === want) ?? null;
  } catch {
    return null;
  }
}

/** A short parenthesised hint for `given` (as written in the manifest, `base` the manifest's folder). */
export async function missingFileHint(given: string, base: string): Promise<string> {
  if (given.includes('\\')) {
    const slashed = given.replace(/\\/g, '/');
    if (await isFile(isAbsolute(slashed) ? slashed : resolve(base, slashed))) return ` (a Windows path? '${slashed}' exists: write '/' between folders)`;
  }
  const path = isAbsolute(given) ? given : resolve(base, given);
  const near = await otherCase(path);
  return near !== null ? ` (did you mean '${near}'? file names are case-sensitive here)` : '';
}
