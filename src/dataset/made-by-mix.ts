/**
 * Sessions of one release whose features were made with different extract options or mmprep versions (from each
 * session's meta.json `made_by`, kept in manifest.json's `sessions`): a face track analysed at `--face-fps 2` is
 * interpolated onto the same 10 ms grid as one analysed at every frame, and nothing in the records tells them apart.
 * Said on stderr by `dataset build` and under "Known gaps" in the dataset card; not refused (a deliberate mix is
 * possible), but never silent.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestSession } from '../batch/manifest.js';
import type { DatasetSessionOutcome } from './build-session.js';
import { FORMAT_VERSION, shapingStages } from './fingerprint.js';

/** The stages whose files go into the records. */
const RECORD_STAGES = ['audio', 'face'] as const;

/** The options and the mmprep that made a stage's files; `code` is the fingerprint (the version is the same across commits). */
function madeByText(rec: { options: unknown; version: string | null; build?: string | null; ffmpeg?: string | null; models?: string }): string {
  if (rec === UNRECORDED) return 'not recorded (meta.json without made_by: an older mmprep)';
  const opts = rec.options === null ? 'options not recorded (an older mmprep)' : JSON.stringify(rec.options) === '{}' ? 'default options' : JSON.stringify(rec.options);
  // The ffmpeg build and face models (src/batch/toolchain.ts): shards on machines with another ffmpeg decode differently.
  const tools = `${rec.ffmpeg ? ` ffmpeg ${rec.ffmpeg}` : ''}${rec.models ? ` models ${rec.models}` : ''}`;
  return `${opts}, mmprep ${rec.version ?? 'unknown'}${rec.build ? ` code ${rec.build}` : ''}${tools}`;
}

/** The made_by of a session whose meta.json has none (made_by_reason says so). */
const UNRECORDED = { options: null, version: null, build: null };

/**
 * One line per stage whose sessions' features were made in more than one way, each way with its sessions; the sync
 * stage too since format 3 (shapingStages: sessions synced with and without `--pick` had no line, ttrial45b).
 */
export function mixedMadeByNotes(sessions: readonly DatasetSessionOutcome[], formatVersion: number = FORMAT_VERSION): string[] {
  const notes: string[] = [];
  for (const stage of shapingStages(formatVersion) as ReadonlyArray<'sync' | (typeof RECORD_STAGES)[number]>) {
    const groups = new Map<string, string[]>();
    for (const s of sessions) {
      // A session whose meta.json has no made_by at all (an older mmprep) is a way of its own: beside recorded ones
      // it went unnamed, exit 0, though nothing says its options match. One without this stage is missingStageWarnings'.
      const rec = s.error ? undefined : s.made_by === null ? UNRECORDED : s.made_by?.[stage];
      if (!rec) continue;
      const key = madeByText(withoutRowOptions(rec));
      groups.set(key, [...(groups.get(key) ?? []), s.session_id]);
    }
    if (groups.size < 2) continue;
    const ways = [...groups].map(([k, ids]) => `${k} (${ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, … ${ids.length} sessions` : ids.join(', ')})`);
    notes.push(`${stage === 'sync' ? 'the sessions of this release were synced' : `${stage} features of this release were extracted`} in ${groups.size} different ways: ${ways.join('; ')}; the records do not say which, so ${sameWayAdvice(sessions, stage)}`);
  }
  return notes;
}

/**
 * A stage record without the options its session's manifest row chose (made_by.sync.row_options: `--ends both` or
 * `--pick first` given to one session in the column sync_options, as README advises): a deliberate per-session choice,
 * not a mix to undo. A new user's trial (2026-12-06, ttrial50 R4): the row's `--ends both` made the release "synced
 * in 2 different ways ... extract every session with the same options", failing `--fail-on-warnings`. A forced pick
 * is still told by its own warning (forced_pick).
 */
function withoutRowOptions<R extends { options: unknown; row_options?: unknown }>(rec: R): R {
  const row = rec.row_options as Record<string, unknown> | undefined;
  if (!row || rec.options === null || typeof rec.options !== 'object') return rec;
  const own = Object.entries(rec.options as Record<string, unknown>).filter(([k, v]) => !(k in row) || JSON.stringify(row[k]) !== JSON.stringify(v));
  return { ...rec, options: Object.fromEntries(own) };
}

/**
 * What to make the same, from the parts that differ among the ways: a mix of ffmpeg builds alone was told to use "the
 * same options ... one set of flags" (ttrial43: two shards on machines with different ffmpeg builds).
 */
function sameWayAdvice(sessions: readonly DatasetSessionOutcome[], stage: 'sync' | (typeof RECORD_STAGES)[number]): string {
  const recs = sessions.flatMap((s) => (s.error ? [] : [s.made_by === null ? UNRECORDED : s.made_by?.[stage]])).filter((r) => r !== undefined).map((r) => (r === UNRECORDED ? r : withoutRowOptions(r)));
  const differ = (f: (r: (typeof recs)[number]) => unknown) => new Set(recs.map((r) => JSON.stringify(f(r) ?? null))).size > 1;
  const advice: string[] = [];
  if (recs.includes(UNRECORDED) || differ((r) => r.options)) advice.push('with the same options (mmprep extract --resume with one set of flags redoes the others)');
  if (differ((r) => [r.version, r.build])) advice.push('with one mmprep (its code fingerprint, `build`, in each session\'s meta.json made_by)');
  if (differ((r) => ('ffmpeg' in r ? r.ffmpeg : null))) advice.push('with one ffmpeg build (the fingerprint of the ffmpeg and ffprobe extract ran: the same MMPREP_FFMPEG/MMPREP_FFPROBE, or the same ffmpeg on PATH, on every machine of the job; `mmprep doctor` names a machine\'s)');
  if (differ((r) => ('models' in r ? r.models : null))) advice.push('with one set of face models (the same @vladmandic/human install)');
  return `extract every session ${advice.length ? advice.join(', ') : 'the same way'}`;
}

function sessionList(ids: string[]): string {
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, … ${ids.length} sessions` : ids.join(', ');
}

/**
 * Sessions whose audio features came from different recording roles (meta.json `sources.audio`, kept as each
 * session's `audio_role` in manifest.json): a camera-only session's features are its camera microphone's sound at
 * a distance, a lavalier session's the speaker's close microphone. Their MFCCs, levels, HNR and voicing are not
 * comparable, and nothing in the records tells them apart: one line naming each role and its sessions, or none.
 */
export function mixedAudioRoleNotes(sessions: readonly DatasetSessionOutcome[]): string[] {
  const groups = new Map<string, string[]>();
  for (const s of sessions) if (!s.error && s.audio_role) groups.set(s.audio_role, [...(groups.get(s.audio_role) ?? []), s.session_id]);
  if (groups.size < 2) return [];
  const name = (role: string) => (role === 'video' || role.endsWith('_video') ? `the camera's own sound (role ${role})` : `role ${role}`);
  const ways = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([role, ids]) => `${name(role)} (${sessionList(ids)})`);
  return [`audio features of this release come from ${groups.size} different microphones: ${ways.join('; ')}; a camera's microphone at a distance and a close lavalier give features that are not comparable (levels, MFCCs, voicing, HNR), and the records do not say which (manifest.json's sessions[].audio_role does): build one release per microphone, or train knowing the mix`];
}

/**
 * Sessions whose face features came from different face models (face.summary.json's human version and backend, kept
 * as each session's `face_model` since format 2): a wasm and a WebGL backend, or two versions of @vladmandic/human,
 * do not give the same landmarks and expression scores, and the records do not say which. One line naming each model
 * and its sessions, or none. A format 1 manifest.json has no face_model, so its card is unchanged.
 */
export function mixedFaceModelNotes(sessions: readonly DatasetSessionOutcome[]): string[] {
  const groups = new Map<string, string[]>();
  for (const s of sessions) {
    if (s.error || s.face_model === undefined || !s.made_by?.face) continue;
    const model = s.face_model ?? 'not recorded (no face.summary.json, or one without human_version)';
    groups.set(model, [...(groups.get(model) ?? []), s.session_id]);
  }
  if (groups.size < 2) return [];
  const ways = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, ids]) => `${model} (${sessionList(ids)})`);
  return [`face features of this release come from ${groups.size} different face models: ${ways.join('; ')}; their landmarks, pose and expression scores are not the same, and the records do not say which (manifest.json's sessions[].face_model and extract do): extract every session with one model and backend`];
}

/**
 * Sessions without a stage's features although their manifest row has the media for it (a video role for face; any
 * media for audio): an `extract --only` that left the stage out for them, or a clock change (`--only sync,audio
 * --ref-role video`) that removed their face files. Their records have no face (or audio), and the card blamed "no face
 * detected in the span or no video". One warning per such session, added to its outcome (manifest.json, card) and
 * returned for stderr, also when no session of the release has the stage (a trial's `extract --only sync,audio` gave
 * one line, `presence: no record has face features`, and a card blaming the faces); not for a stage the build was told
 * to leave out (`--face-features none`, `--audio-features none`). Sessions that failed or whose meta.json has no
 * made_by are not judged. A stage that ran and had nothing to analyse (meta.json `not_produced`: a clip without a sound
 * track) is said so, with extract's reason, not as "not extracted, run --only audio" (ttrial59c: that advice for a
 * video without sound would have made nothing again). `notProduced` maps session id -> stage -> that reason.
 */
export function missingStageWarnings(outcomes: DatasetSessionOutcome[], sessions: readonly ManifestSession[], unwanted: ReadonlySet<string> = new Set(), notProduced: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map()): string[] {
  const rows = new Map(sessions.map((s) => [s.session_id, s]));
  const notes: string[] = [];
  for (const stage of RECORD_STAGES) {
    if (unwanted.has(stage)) continue;
    const have = outcomes.filter((o) => !o.error && o.made_by?.[stage]).map((o) => o.session_id);
    const others = have.length ? `, while ${sessionList(have)} of this release have them` : ' (no session of this release has them)';
    for (const o of outcomes) {
      const row = rows.get(o.session_id);
      if (o.error || !o.made_by || o.made_by[stage] || !row) continue;
      const media = stage === 'face' ? row.media.find((m) => m.kind === 'video') : row.media[0];
      if (!media) continue;
      const nothing = notProduced.get(o.session_id)?.get(stage);
      const w = nothing !== undefined
        ? `${notProducedText(stage)}${others}: ${nothing}, so its records have no ${stage}${stage === 'face' ? ' (pass --face-features none if face is not wanted)' : ''}`
        : `${notExtractedText(stage)}${others}: its ${media.role} ${media.given} was not analysed by extract's ${stage} stage on the session's current clock (meta.json lists no ${stage} output: an extract --only without ${stage}, or files removed when the clock changed), so its records have no ${stage}; run mmprep extract with --only ${stage} for it${stage === 'face' ? ', or pass --face-features none if face is not wanted' : ''}`;
      o.warnings.push(w);
      (o.issues ??= []).push({ kind: 'stage_missing', message: w });
      notes.push(`session ${o.session_id}: ${w}`);
    }
  }
  return notes;
}

/** The start of missingStageWarnings' warning for a stage: the card counts the records of the sessions it names. */
export const notExtractedText = (stage: string): string => `no ${stage} features (not extracted)`;
/** The start of its warning for a stage that ran and had nothing to analyse (meta.json `not_produced`). */
export const notProducedText = (stage: string): string => `no ${stage} features (extract's ${stage} stage had nothing to analyse)`;

/**
 * meta.json's `not_produced` reasons of the sessions that lack a stage's features (only those are read): session id ->
 * stage -> reason. A meta.json that cannot be read gives none (the session is judged as before).
 */
export async function notProducedReasons(outcomes: readonly DatasetSessionOutcome[], featuresDir: string): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const o of outcomes) {
    if (o.error || !o.made_by || RECORD_STAGES.every((st) => o.made_by?.[st])) continue;
    const meta = await readFile(join(featuresDir, o.session_id, 'meta.json'), 'utf8').then((t) => JSON.parse(t) as { not_produced?: unknown }, () => null);
    const list = Array.isArray(meta?.not_produced) ? (meta.not_produced as Array<{ stage?: unknown; reason?: unknown }>) : [];
    const byStage = new Map(list.filter((n) => typeof n.stage === 'string' && typeof n.reason === 'string').map((n) => [n.stage as string, n.reason as string]));
    if (byStage.size) out.set(o.session_id, byStage);
  }
  return out;
}
