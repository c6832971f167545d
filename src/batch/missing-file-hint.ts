/**
 * What to do about a manifest cell that names no file: a Windows path (`media\cam.mp4`) whose '/' form exists, a
 * name that exists in another case (`S02_LAV.flac` for `s02_lav.flac`: Linux names are case-sensitive), a relative
 * path written from another folder (the current one, or one above the manifest's: paths are relative to the
 * manifest's folder) with the path that would name it, a folder or file name that exists in the other Unicode form
 * (NFC 'ü' against NFD 'u' + combining diaeresis: macOS writes names decomposed, a typed cell is composed; the two look
 * identical), a name in the same folder within two edits of it (a typo), else nothing (the line already names the cell and the path).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

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

/** Characters that look alike in most fonts (l, 1 and i; o and 0): typing one for another is the commonest typo in ids. */
const LOOK_ALIKE = ['l1i', 'o0'];

function substitutionCost(a: string, b: string): number {
  if (a === b) return 0;
  return LOOK_ALIKE.some((g) => g.includes(a) && g.includes(b)) ? 0.5 : 1;
}

/** Levenshtein distance (Wagner & Fischer 1974), one row at a time; a look-alike substitution costs half. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + substitutionCost(a[i - 1], b[j - 1]));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The one name in `path`'s folder nearest its name within 2 edits (`s04_lav.flca` for `s04_lav.flac`, a typo in the
 * cell or in the file's name on disk; trial8 item 1 named only the missing path), else null: none, or several as near
 * (`c.mp4` beside a.mp4 and b.mp4 is no typo of either: other sessions' files). `s0l_lav.flac` beside s01_, s02_ and
 * s03_lav.flac is one edit from each, but the look-alike 'l' for '1' makes s01_ the nearest.
 */
async function nearName(path: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return null;
  }
  const want = basename(path).toLowerCase();
  const scored = names.map((n) => ({ n, d: editDistance(n.toLowerCase(), want) })).filter(({ d }) => d > 0 && d <= 2);
  const best = Math.min(...scored.map(({ d }) => d));
  const at = scored.filter(({ d }) => d === best);
  return at.length === 1 ? at[0].n : null;
}

/** A short parenthesised hint for `given` (as written in the manifest, `base` the manifest's folder, `manifest` its path). */
export async function missingFileHint(given: string, base: string, manifest?: string): Promise<string> {
  if (given.includes('\\')) {
    const slashed = given.replace(/\\/g, '/');
    if (await isFile(isAbsolute(slashed) ? slashed : resolve(base, slashed))) return ` (a Windows path? '${slashed}' exists: write '/' between folders)`;
  }
  const path = isAbsolute(given) ? given : resolve(base, given);
  const form = await otherUnicodeForm(path);
  if (form !== null) return form;
  const near = await otherCase(path);
  if (near !== null) return ` (did you mean '${near}'? file names are case-sensitive here)`;
  const other = isAbsolute(given) ? '' : await otherFolderHint(given, base, manifest);
  if (other !== '') return other;
  const typo = await nearName(path);
  return typo === null ? '' : ` (did you mean '${typo}'? it is in the same folder: correct the cell or the file's name)`;
}

/** The name in `dir` equal to `name` under Unicode normalization (NFC), or null. */
async function sameUnderNfc(dir: string, name: string): Promise<string | null> {
  const want = name.normalize('NFC');
  try {
    const names = await readdir(dir);
    return names.includes(name) ? name : (names.find((n) => n.normalize('NFC') === want) ?? null);
  } catch {
    return null;
  }
}

/**
 * When `path` names a file once each of its folder and file names is matched in the other Unicode form (trial
 * 2026-12-03 item 6: folder 'Sitzung Jürgen' NFD on disk, NFC in the cell: "no such file", no hint; a file name: a
 * "did you mean" identical to the cell): which names differ and in which form they are on disk. Not opened: the cell
 * must name the file as it is (extract records paths; a second spelling of one file would be two files elsewhere).
 */
async function otherUnicodeForm(path: string): Promise<string | null> {
  const parts = path.split(sep).filter((x) => x !== '');
  let at = path.startsWith(sep) ? sep : '';
  const differ: string[] = [];
  const cellForms = new Set<string>();
  for (const part of parts) {
    const onDisk = part.normalize('NFC') === part && part.normalize('NFD') === part ? part : await sameUnderNfc(at || '.', part);
    if (onDisk === null) return null;
    if (onDisk !== part) {
      differ.push(`'${onDisk}' is ${formOf(onDisk)} on disk, ${formOf(part)} in the cell`);
      cellForms.add(formOf(part));
    }
    at = join(at, onDisk);
  }
  if (differ.length === 0 || !(await isFile(at))) return null;
  // The rename's direction is the cell's form (ttrial43: an NFD cell was told convmv --nfc, which changes nothing).
  const ways = [
    ...(cellForms.size === 1 && !cellForms.has('mixed') ? [`rename it on disk to the cell's form (e.g. convmv --${[...cellForms][0].toLowerCase()})`] : []),
    'copy the name from a file listing into the cell',
    ...(cellForms.has('NFC') ? [] : ['save the manifest in NFC']),
  ];
  const advice = ways.length === 2 ? ways.join(', or ') : `${ways.slice(0, -1).join(', ')}, or ${ways[ways.length - 1]}`;
  return ` (exists with another Unicode form of its name: ${differ.join('; ')}; they look the same but differ in bytes: ${advice})`;
}

function formOf(name: string): string {
  return name === name.normalize('NFD') ? 'NFD' : name === name.normalize('NFC') ? 'NFC' : 'mixed';
}

/** How many folders above the manifest's a relative path is looked up in. */
const PARENTS_SEARCHED = 3;

/**
 * A relative path that names a file from the current folder or a folder above the manifest's (a manifest written in
 * the media folder and moved, or paths typed from where the command runs): the path to write instead.
 */
async function otherFolderHint(given: string, base: string, manifest?: string): Promise<string> {
  // A manifest that is a symbolic link (ttrial55b: link.csv -> m/manifest.csv) reads paths from the link's folder, not
  // its target's, where its media usually are.
  const targetPath = manifest === undefined ? null : await realpath(manifest).catch(() => null);
  const linked = targetPath !== null && dirname(targetPath) !== (await realpath(base).catch(() => base)) ? dirname(targetPath) : null;
  const folders = [...(linked === null ? [] : [linked]), process.cwd()];
  for (let d = dirname(base), i = 0; i < PARENTS_SEARCHED && d !== dirname(d); d = dirname(d), i++) folders.push(d);
  for (const folder of folders) {
    if (folder === base || !(await isFile(resolve(folder, given)))) continue;
    const where = folder === linked ? `the folder of the file the manifest is a symbolic link to, ${folder}` : folder === process.cwd() ? 'the current folder' : `the folder ${folder}`;
    const orLink = folder === linked ? `, or give the manifest by its own path (${targetPath})` : '';
    return ` (paths are relative to the manifest's folder ${base}; it is in ${where}: write '${relative(base, resolve(folder, given))}'${orLink})`;
  }
  return '';
}
