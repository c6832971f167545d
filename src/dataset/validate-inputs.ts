/**
 * `dataset validate --inputs DIR`: the build's inputs against the sha256 manifest.json's `source` records for them
 * (the session manifest and each labels file, by file name). A release's checksums say its own files are the ones the
 * build wrote; they say nothing of what it was built from: a labels file corrected after the build (or a release built
 * from another copy of the ratings) passed every check. A named input that differs, or is in none of the folders,
 * fails the `inputs` check (exit 3); a DIR that is not a folder is bad input (exit 2). Each session's transcript (the
 * file the session manifest's row names) is checked against manifest.json's `sessions[].transcript_sha256` too: a
 * transcript edited after the build passed "the release is of these inputs" (ttrial50), its records' text and word
 * times being the old file's.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { sha256File } from '../common/sha256.js';
import { InputError } from '../common/errors.js';
import { readManifest } from '../batch/manifest.js';
import type { DatasetManifest } from './build.js';
import type { Check } from './validate-scan.js';

/** The inputs manifest.json names with their sha256: the session manifest first, then the labels files. */
function namedInputs(m: DatasetManifest): Array<{ file: unknown; sha256: unknown; what: string }> | null {
  const s = m.source as DatasetManifest['source'] | undefined;
  if (!s || typeof s !== 'object') return null;
  return [{ file: s.manifest, sha256: s.manifest_sha256, what: 'session manifest' }, ...(Array.isArray(s.labels) ? s.labels : []).map((l) => ({ file: l?.file, sha256: l?.sha256, what: 'labels file' }))];
}

/** Refuses (exit 2) an --inputs value that is not a folder, before anything is checked. */
export function checkInputDirs(dirs: readonly string[]): void {
  for (const d of dirs) {
    if (!existsSync(d)) throw new InputError('no such folder (--inputs): give the folder holding the session manifest and labels files the release was built from', { file: d });
    if (!statSync(d).isDirectory()) throw new InputError('is a file, not a folder (--inputs takes the folder holding the inputs, not one input)', { file: d });
  }
}

/** Each named input, looked up by its file name in the first of `dirs` that has it, against its recorded sha256. */
export async function checkInputs(m: DatasetManifest, dirs: readonly string[], c: Check): Promise<string> {
  const inputs = namedInputs(m);
  if (inputs === null) {
    c.fail('manifest.json', "manifest.json records no source (the inputs' names and sha256): not written by mmprep dataset build, or edited; --inputs cannot be checked");
    return '';
  }
  for (const inp of inputs) {
    const name = inp.file;
    if (typeof name !== 'string' || name === '' || /[/\\]/.test(name) || name === '..' || typeof inp.sha256 !== 'string') {
      c.fail(String(name), `manifest.json's ${inp.what} entry ${JSON.stringify(name)} is not a file name with a sha256: edited after the build; rebuild the release`);
      continue;
    }
    const dir = dirs.find((d) => existsSync(join(d, name)));
    if (dir === undefined) {
      c.fail(name, `${name} (the ${inp.what} manifest.json names) is not in ${dirs.join(' or ')}: give the folder holding it with --inputs`);
      continue;
    }
    const { sha256 } = await sha256File(join(dir, name));
    if (sha256 !== inp.sha256) c.fail(name, `${join(dir, name)}: sha256 ${sha256.slice(0, 12)}… differs from the ${inp.sha256.slice(0, 12)}… manifest.json records for the ${inp.what} the release was built from: the file changed after the build, or it is another copy; rebuild the release from it, or give the folder of the inputs it was built from`);
  }
  const manifestDir = dirs.find((d) => typeof inputs[0].file === 'string' && existsSync(join(d, inputs[0].file)));
  const transcripts = manifestDir === undefined ? 0 : await checkTranscripts(m, join(manifestDir, inputs[0].file as string), c);
  const also = transcripts ? ` and ${transcripts} session transcript${transcripts === 1 ? '' : 's'}` : '';
  return `${inputs.length} input${inputs.length === 1 ? '' : 's'} match the sha256 manifest.json records (${inputs.map((i) => String(i.file)).join(', ')})${also}`;
}

/**
 * The transcripts the session manifest at `manifestPath` names, each against its session's `transcript_sha256` in
 * manifest.json (releases before that field, and sessions without a transcript, are not checked). Returns how many
 * were compared.
 */
async function checkTranscripts(m: DatasetManifest, manifestPath: string, c: Check): Promise<number> {
  const want = new Map((m.sessions ?? []).filter((x) => typeof x.transcript_sha256 === 'string').map((x) => [x.session_id, x.transcript_sha256 as string]));
  if (want.size === 0) return 0;
  let sessions;
  try {
    sessions = (await readManifest(manifestPath, { checkFiles: false, checkTranscripts: false })).sessions;
  } catch (e) {
    c.fail(manifestPath, `cannot read the session manifest to find its transcripts (${(e as Error).message})`);
    return 0;
  }
  let n = 0;
  for (const s of sessions) {
    const sha = want.get(s.session_id);
    if (sha === undefined) continue;
    n++;
    // named as the --inputs folder given, then its path from there (as the manifest's own line names it)
    const shown = s.transcript ? join(dirname(manifestPath), relative(resolve(dirname(manifestPath)), s.transcript)) : '';
    if (!s.transcript || !existsSync(s.transcript)) {
      c.fail(shown || s.session_id, `session ${s.session_id}: ${s.transcript ? `its transcript ${shown} does not exist` : "its row names no transcript"}, where the release was built from one (sha256 ${sha.slice(0, 12)}…): give the folder of the inputs it was built from`);
      continue;
    }
    const { sha256 } = await sha256File(s.transcript);
    if (sha256 !== sha) c.fail(shown, `${shown}: sha256 ${sha256.slice(0, 12)}… differs from the ${sha.slice(0, 12)}… manifest.json records for session ${s.session_id}'s transcript: it changed after the build (the records' text and word times are the old file's), or it is another copy; rebuild the release from it, or give the folder of the inputs it was built from`);
  }
  return n;
}
