/**
 * What shaped a dataset release, and its fingerprint (manifest.json `format_version` 2, since 2026-12-02): the
 * mmprep version and a fingerprint of the code that builds releases (`tool.build`), the record schema's version
 * (`schema_version`), the build options, and each distinct way the sessions' features were extracted (`extract`:
 * stage, options, mmprep version and code of extract's meta.json `made_by`, and for the face stage the face model
 * of face.summary.json). `fingerprint` is the sha256 of those, so two releases with the same fingerprint were made
 * the same way (their data may still differ: other inputs; the files' sha256 say that). Before, manifest.json
 * recorded only the version, which stayed 0.1.0 across a thousand commits, and `dataset validate` compared a
 * release with the schema and card of its own build, so a release of an older mmprep failed after an upgrade.
 * The ffmpeg build and face models are in `extract` when extract's meta.json recorded them (src/batch/toolchain.ts).
 */
import { createHash } from 'node:crypto';
import { closureFingerprint } from '../common/code-closure.js';
import { CODE_ROOT } from '../common/version.js';
import type { DatasetSessionOutcome } from './build-session.js';

/** The manifest.json layouts (and dataset cards) this mmprep writes (the last) and validates. */
export const FORMAT_VERSIONS = [1, 2, 3] as const;
/**
 * 3 since 2026-12-06: `extract` has the sync stage's ways too (its options, such as a forced `--pick`, change the
 * session's clock: a release synced with `--pick strongest` had the fingerprint of one synced without, ttrial45b), and
 * sessions[].issues (warnings with their kind).
 */
export const FORMAT_VERSION = 3;

/** The extract stages whose ways a release of this format records in `extract` (and its fingerprint covers). */
export function shapingStages(formatVersion: number): readonly string[] {
  return formatVersion >= 3 ? ['sync', 'audio', 'face'] : ['audio', 'face'];
}
/** The record schemas (src/dataset/schema.ts) this mmprep writes (the last) and validates; format 1 releases are schema 1. */
export const SCHEMA_VERSIONS = [1, 2, 3, 4] as const;
/**
 * 2 since 2026-12-04: quality.sync_beep, sync_beep_ratio, pose_gimbal_lock_ratio (schema.ts qualitySchema).
 * 3 since 2026-12-06 (ttrial50): a `description` on every field of schema.json (field-docs.ts); a word's means of
 * boolean fields named `<field>_ratio` (words[].audio.voiced_ratio, was `voiced`) with frame counts (audio n, face n
 * and n_missing); quality.face_detection_rate over the span's time (a dropped-frame gap counts as no face); the
 * card's records without a face split into "no video" and "no face in view".
 * 4 since 2026-12-08: a label from a continuous gold trace (`dataset build --labels` of `agreement --traces --gold`'s
 * file; manifest.json labels[].kind `trace`) has its own shape, gold {mean, sd, n_samples, coverage, raters_sd}: an
 * mmprep of schema 3 would fail such a release's schema check with advice that does not fit, so it is told to use a
 * newer one. Records without a trace label are as in schema 3.
 */
export const SCHEMA_VERSION = 4;

/** What each record schema changed, for `dataset validate` to say of a release of an older one (what a reader must mind). */
const SCHEMA_CHANGES: Record<number, string> = {
  2: 'quality.sync_beep, sync_beep_ratio and pose_gimbal_lock_ratio are absent',
  3: "a word's mean of a boolean field has the frame field's name (words[].audio.voiced is a share of the word, 0-1; schema 3 calls it voiced_ratio), words have no frame counts (n, n_missing), quality.face_detection_rate divides by the video frames that exist (a dropped-frame gap is not counted as no face), and schema.json has no descriptions",
  4: 'no label comes from a continuous gold trace (labels[].kind `trace`, a label with gold mean, sd, n_samples, coverage and raters_sd over the record)',
};

/** How a release of record schema `version` differs from this mmprep's (newest change last); '' when it is this one's. */
export function olderSchemaText(version: number): string {
  const changes = Object.entries(SCHEMA_CHANGES).filter(([v]) => Number(v) > version).map(([v, text]) => `before schema ${v}, ${text}`);
  return changes.length ? `record schema ${version}, older than this mmprep's ${SCHEMA_VERSION} (checked against schema ${version}, as built): ${changes.join('; ')}` : '';
}


let build: string | null = null;

/**
 * A fingerprint of the code that builds releases: sha256 over the names and bytes of every module `dataset build` can
 * run (its import closure: records, labels and agreement, the manifest reader, the sync map, and the audio and face
 * code whose warnings shape a release's `issues`), first 16 hex digits (as src/common/version.ts codeBuild does for
 * extract's code).
 */
export function datasetCodeBuild(): string {
  build ??= closureFingerprint(CODE_ROOT, ['dataset/build.js']);
  return build;
}

/** One way a release's audio or face features were extracted, and how many sessions' features it made. */
export interface ExtractWay {
  stage: string;
  options: unknown;
  version: string | null;
  build: string | null;
  /** The fingerprint of the ffmpeg/ffprobe build that decoded the media (meta.json made_by, src/batch/toolchain.ts); absent when extract did not record it. */
  ffmpeg?: string | null;
  /** The fingerprint of the face models and tfjs packages (face stage; meta.json made_by); absent when not recorded. */
  models?: string;
  /** Face stage: the face model of face.summary.json (`@vladmandic/human 3.3.6 (wasm)`); null when not recorded. */
  model?: string | null;
  sessions: number;
}

/** JSON with object keys sorted, so the same value always gives the same text (and hash). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The ffmpeg build and face models fingerprints a stage record has (src/batch/toolchain.ts; absent before 2026-12-02). */
function toolchainOf(rec: { ffmpeg?: string | null; models?: string } | undefined): Pick<ExtractWay, 'ffmpeg' | 'models'> {
  return { ...(rec?.ffmpeg !== undefined ? { ffmpeg: rec.ffmpeg } : {}), ...(rec?.models !== undefined ? { models: rec.models } : {}) };
}

/** The distinct ways the built sessions' features were extracted (meta.json made_by; sync too since format 3), in a fixed order. */
export function extractWays(sessions: readonly DatasetSessionOutcome[], formatVersion: number = FORMAT_VERSION): ExtractWay[] {
  const stages = shapingStages(formatVersion);
  const ways = new Map<string, ExtractWay>();
  for (const s of sessions) {
    if (s.error) continue;
    // A meta.json without made_by (an older mmprep) is a way of its own: 'not recorded'.
    for (const stage of s.made_by === null ? ['not recorded'] : stages) {
      const rec = s.made_by?.[stage as 'sync' | 'audio' | 'face'];
      if (!rec && s.made_by !== null) continue; // the session has no files of this stage
      const way: ExtractWay = { stage, options: rec?.options ?? null, version: rec?.version ?? null, build: rec?.build ?? null, ...toolchainOf(rec), ...(stage === 'face' ? { model: s.face_model ?? null } : {}), sessions: 0 };
      const key = canonicalJson({ ...way, sessions: 0 });
      const have = ways.get(key) ?? way;
      have.sessions++;
      ways.set(key, have);
    }
  }
  const order = (a: [string, ExtractWay]) => `${a[1].stage}\0${a[0]}`;
  return [...ways.entries()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)).map(([, w]) => w);
}

/** What the fingerprint is of: the fields of manifest.json that say how the release was shaped. */
export interface Shaping {
  format_version: number;
  schema_version: number;
  tool: { name: string; version: string; build?: string };
  options: unknown;
  extract: ExtractWay[];
}

/**
 * The fingerprint of a release's shaping: `sha256:` and 64 hex digits over its canonical JSON. Frozen for format 2:
 * `dataset validate` recomputes it for every format 2 release, so a change here needs a new format_version.
 */
export function shapingFingerprint(s: Shaping): string {
  const { format_version, schema_version, tool, options, extract } = s;
  return `sha256:${createHash('sha256').update(canonicalJson({ format_version, schema_version, tool, options, extract })).digest('hex')}`;
}

/** The face model that made a session's face.jsonl, from its face.summary.json (`@vladmandic/human 3.3.6 (wasm)`), or null. */
export function faceModelOf(summaryText: string | null): string | null {
  if (summaryText === null) return null;
  try {
    const s = JSON.parse(summaryText) as { human_version?: unknown; backend?: unknown };
    return typeof s.human_version === 'string' ? `@vladmandic/human ${s.human_version}${typeof s.backend === 'string' ? ` (${s.backend})` : ''}` : null;
  } catch {
    return null;
  }
}
