/**
 * Before a build reads anything: every feature file it would use must be listed in its session's meta.json and have
 * been written on the clock the session has now (the sync.json beside it, by hash, or source time when there is none).
 * A file left by another run, or made before `extract --only sync` changed the clock, would pair words with the wrong
 * frames; such files are refused (exit 2) with the session and file named, and so is a file whose bytes no longer
 * match the sha256 meta.json recorded for it (edited after extraction) or one meta.json lists that is missing (deleted
 * after extraction: the session's records were built without that modality, exit 0). A session whose media file is
 * not the one its features were extracted from (replaced, or still being written: ttrial51 F5) fails alone, as a
 * session extract failed does (left out with its reason, exit 4): one upload must not hold back a release.
 */
import { createHash } from 'node:crypto';
import { sha256File } from '../common/sha256.js';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../common/errors.js';
import type { ManifestSession } from '../batch/manifest.js';
import { clockId, type SessionMeta } from '../batch/extract-session.js';
import { missingFileHint } from '../batch/missing-file-hint.js';

/** The feature files a build reads. */
export const BUILD_FEATURE_FILES = ['audio.jsonl', 'face.jsonl'] as const;

function short(clock: string): string {
  return clock.replace(/sha256:([0-9a-f]{12})[0-9a-f]+/, 'sha256:$1…');
}

/**
 * The manifest's media against the inputs meta.json says the features were extracted from (role, size, sha256: as
 * `extract --resume` compares them). A session whose media were replaced after extraction (a re-export, the wrong
 * take copied in, another manifest's session of the same id extracted into the same folder) would pair this
 * manifest's transcript and labels with another recording's frames.
 */
async function inputProblems(s: ManifestSession, meta: SessionMeta, manifestPath: string, changed: string[]): Promise<string[]> {
  if (!Array.isArray(meta.inputs)) return [];
  const out: string[] = [];
  const redo = 'run mmprep extract --resume with this manifest and -o to extract it again';
  for (const m of s.media) {
    const was = meta.inputs.find((i) => i.role === m.role);
    const name = `session ${s.session_id}: ${m.role} ${m.given}`;
    if (!was) {
      out.push(`${name} is not among the inputs its features were extracted from (meta.json: ${meta.inputs.map((i) => i.role).join(', ') || 'none'}); ${redo}`);
      continue;
    }
    // Size first (a stat): a file of another size is refused without reading it; equal sizes cost one full read.
    const size = await stat(m.path).then((st) => st.size, () => null);
    if (size === null) {
      // Not checkable, so not built: before 2026-12-05 a missing file was skipped and the session built without a word.
      // extract's hint (another Unicode form of the name, case, a typo, ...): build said only "does not exist" (ttrial45b).
      const hint = await missingFileHint(m.given, dirname(manifestPath), manifestPath);
      out.push(`${name} does not exist (${m.path})${hint}: the build reads each media file once to check it is the one its features were extracted from (meta.json inputs); put the media where the manifest names them (relative paths are read from the manifest's folder)`);
      continue;
    }
    const now = size !== was.size_bytes ? { size, sha256: '' } : await sha256File(m.path).catch(() => null);
    if (now && (now.size !== was.size_bytes || now.sha256 !== was.sha256)) {
      changed.push(`${name} is not the file its features were extracted from (${was.file}, ${was.size_bytes} bytes, sha256 ${was.sha256.slice(0, 12)}…; now ${now.size} bytes${now.sha256 ? `, sha256 ${now.sha256.slice(0, 12)}…` : ''}); ${redo}`);
    }
  }
  for (const i of meta.inputs) {
    if (!s.media.some((m) => m.role === i.role)) out.push(`session ${s.session_id}: its features were extracted with ${i.role} ${i.file}, which this manifest's row does not have; ${redo}`);
  }
  return out;
}

/** sha256 per role of a session's media, as its meta.json inputs[] recorded them (checked against the files by inputProblems). */
export type MediaHashes = Map<string, Map<string, string>>;

function hashesOf(meta: SessionMeta): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of Array.isArray(meta.inputs) ? meta.inputs : []) if (typeof i.sha256 === 'string' && /^[0-9a-f]{64}$/.test(i.sha256)) out.set(i.role, i.sha256);
  return out;
}

/** A session's problems, and those of them that are a media file changed since extraction (the session then fails alone). */
interface SessionProblems {
  problems: string[];
  changed: string[];
}

async function problemsOf(s: ManifestSession, featuresDir: string, hashes: MediaHashes, manifestPath: string): Promise<SessionProblems> {
  const dir = join(featuresDir, s.session_id);
  let meta: SessionMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as SessionMeta;
  } catch {
    return { problems: [], changed: [] }; // no or broken meta.json: that session fails on its own (exit 4) with its reason
  }
  hashes.set(s.session_id, hashesOf(meta));
  const syncPath = join(dir, 'sync.json');
  const syncSha = existsSync(syncPath) ? createHash('sha256').update(await readFile(syncPath)).digest('hex') : null;
  const now = clockId(syncSha);
  const out: string[] = [];
  const changed: string[] = [];
  if (BUILD_FEATURE_FILES.some((f) => existsSync(join(dir, f)))) out.push(...(await inputProblems(s, meta, manifestPath, changed)));
  // sync.json itself is not the one extract wrote (copied in from another session's folder, edited): every feature is
  // then "made on another clock", and redoing them with --only audio/face fails on the foreign clock (a new user's
  // trial); the sync stage must run again.
  const syncListed = (meta.outputs ?? []).find((o) => o.file === 'sync.json');
  const syncReplaced = syncSha !== null && typeof syncListed?.sha256 === 'string' && syncListed.sha256 !== syncSha;
  if (syncReplaced) out.push(`session ${s.session_id}: sync.json changed after extraction (its sha256 is not the one meta.json lists: copied from another session's folder, or edited?); run mmprep extract for this session with the sync stage (no --only, or --only sync,audio,face)`);
  for (const f of BUILD_FEATURE_FILES) {
    const p = join(dir, f);
    const entry = (meta.outputs ?? []).find((o) => o.file === f);
    const name = `session ${s.session_id}: ${f}`;
    // A file meta.json lists but that is gone (deleted by hand, a partial copy): its records were built without it, exit 0.
    if (!existsSync(p)) {
      if (entry) out.push(`${name} is listed in meta.json but missing (deleted or not copied after extraction); run mmprep extract --resume with the same manifest and -o to make it again`);
      continue;
    }
    if (!entry) out.push(`${name} is not listed in meta.json (left by another run); run mmprep extract again for this session`);
    else if (entry.clock === undefined) out.push(`${name}: meta.json does not say which clock it was made on (an older mmprep); run mmprep extract again`);
    else if (entry.clock !== now && !syncReplaced) out.push(`${name} was made on ${short(entry.clock ?? 'no clock')} but the session's clock is now ${short(now)}; run mmprep extract --only ${f.replace('.jsonl', '')} for this session`);
    else if (typeof entry.sha256 === 'string' && (await sha256File(p)).sha256 !== entry.sha256) {
      out.push(`${name} changed after extraction (sha256 differs from meta.json); re-extract it (mmprep extract --only ${f.replace('.jsonl', '')})`);
    }
  }
  return { problems: out, changed };
}

/**
 * Throws InputError (exit 2) listing every feature file not listed in meta.json, made on another clock, changed since or
 * missing, and every media file that is missing or of roles other than the features'. Returns each session's media
 * sha256 by role (from meta.json inputs[]; split grouping joins byte-identical copies under other paths with them),
 * and the sessions a media file of which is not the one its features were extracted from, with the reason they fail
 * alone (their other problems too: the session is not built, so they do not refuse the build).
 */
export async function checkFeatureFiles(sessions: ManifestSession[], featuresDir: string, manifestPath: string): Promise<{ hashes: MediaHashes; changedInputs: Map<string, string> }> {
  const problems: string[] = [];
  const hashes: MediaHashes = new Map();
  const changedInputs = new Map<string, string>();
  for (const s of sessions) {
    const found = await problemsOf(s, featuresDir, hashes, manifestPath);
    if (found.changed.length === 0) problems.push(...found.problems);
    else changedInputs.set(s.session_id, [...found.changed, ...found.problems].map((p) => p.replace(`session ${s.session_id}: `, '')).join('; '));
  }
  if (problems.length) throw new InputError(`${problems.length} problem${problems.length > 1 ? 's' : ''} with the extracted features or their media: ${problems.join('; ')}`, { file: featuresDir });
  return { hashes, changedInputs };
}
