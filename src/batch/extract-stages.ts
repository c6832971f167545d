/**
 * The per-session stages of `mmprep extract` behind one small interface, so the orchestrator (pool, resume, errors,
 * progress) does not depend on how each capability is called. Each stage adapter calls the library of its capability
 * (src/sync, src/audio, src/face) and writes its files into the session folder on the session's reference clock.
 */
import { cellRenamer, errorWithCellNames, mapForLines, mapWithCellNames } from './sync-names.js';
import { join } from 'node:path';
import { InputError } from '../common/errors.js';
import { shellWord, siblingName } from '../common/shell.js';
import { clockOf, findSyncEntry, type Clock, type SyncMap } from '../sync/clock.js';
import type { ManifestMedia, ManifestSession, MediaKind } from './manifest.js';
import type { ProbeResult } from '../media/probe.js';

export const STAGE_NAMES = ['sync', 'audio', 'face'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Options that change what a stage writes (recorded in meta.json and compared by --resume). */
export interface StageOptions {
  /** tfjs backend for face inference (face's default when undefined). */
  backend?: string;
  /** Analyse video at this frame rate (every frame when undefined). */
  faceFps?: number;
  /** Faces tracked per frame (face's default when undefined). */
  maxFaces?: number;
  /** Voice quality in the audio stage (jitter, shimmer, HNR, formants: `mmprep audio --voice`); off when undefined. */
  voice?: boolean;
  /** Pitch floor and ceiling of the audio stage's F0, Hz (`mmprep audio --f0-floor/--f0-ceiling`; 65 and 600 when undefined). */
  f0Floor?: number;
  f0Ceiling?: number;
  /** Sync beep frequency, Hz (sync's default when undefined). */
  toneHz?: number;
  /** Seconds searched for the pulse at each end (sync's default when undefined). */
  searchS?: number;
  /** Pulses at the start only or at both ends (sync's default when undefined). */
  ends?: 'start' | 'both';
  /** How sync chooses among pulses of similar strength (none: the session fails as ambiguous). */
  pick?: 'first' | 'strongest';
  /** Sync: a camera's picture or sound without a pulse takes the other's clock (sync's --share-camera-clock). */
  shareCameraClock?: boolean;
  /** Sync: the session had one pulse, paired across the halves of whole files (sync's --one-pulse). */
  onePulse?: boolean;
  /** Sync: a microphone without a usable beep placed by its content, to about ±9 ms (sync's --fallback; default xcorr; none: refused). */
  fallback?: 'xcorr' | 'none';
}

export interface StageContext {
  session: ManifestSession;
  /** The session's output folder (exists). */
  dir: string;
  options: StageOptions;
  /** The session's sync map once the sync stage ran (or an existing sync.json when sync is not among the stages). */
  syncMap: SyncMap | null;
  /** Worker threads face inference may use for this session. */
  faceWorkers: number;
  /**
   * The session's ffprobe reading of a media file (read once per file per session: each ffprobe run of Debian's build
   * costs ~0.2 CPU s, mostly its start-up). Absent: the stage probes the file itself.
   */
  probe?: (path: string) => Promise<ProbeResult>;
}

export interface StageResult {
  /** File names written into the session folder. */
  files: string[];
  /** Seconds of media this stage processed (for throughput figures). */
  media_s?: number;
  /** Returned by the sync stage: the map later stages apply. */
  syncMap?: SyncMap;
  warnings?: string[];
  /** Why the stage wrote nothing although it was asked to run (reported, recorded in meta.json; --strict fails). */
  notProduced?: string;
  /**
   * The session has no input for this stage: its row leaves the stage's role empty (README: "an empty cell means the
   * session has no such recording"). Not a warning and not failed by --strict (ttrial51 F2: an audio-only session of a
   * mixed archive got a warning on every run, and --strict failed it); meta.json `not_applicable` records it.
   */
  notApplicable?: string;
  /** Why the files it wrote hold nothing of what was asked (a face track without a face in any frame): a warning, and
   *  with --strict a failed session as for notProduced. */
  emptyOutput?: string;
  /** The role, file and stream kind the stage analysed (recorded in meta.json). */
  source?: { role: string; file: string; stream: MediaKind };
}

export type StageFn = (ctx: StageContext) => Promise<StageResult>;
export type StageTable = Partial<Record<StageName, StageFn>>;

/** Which options each stage reads: only those of the stages run are recorded in meta.json and compared by --resume. */
export const STAGE_OPTION_KEYS: Record<StageName, Array<keyof StageOptions>> = {
  sync: ['toneHz', 'searchS', 'ends', 'pick', 'shareCameraClock', 'onePulse', 'fallback'],
  audio: ['voice', 'toneHz', 'searchS', 'f0Floor', 'f0Ceiling'],
  face: ['backend', 'faceFps', 'maxFaces'],
};

/** The files a stage writes (what --resume checks and what a rolled-back session loses). */
export const STAGE_FILES: Record<StageName, string[]> = {
  sync: ['sync.json'],
  audio: ['audio.jsonl', 'audio.summary.json'],
  face: ['face.jsonl', 'face.summary.json'],
};

/**
 * The clock that maps a stream's time onto the session's reference clock: from the session's sync map when there is
 * one (an error when sync found no offset for the stream), else none (times stay source times; meta.json says so).
 */
export function clockFor(ctx: StageContext, m: ManifestMedia): Clock | undefined {
  if (!ctx.syncMap) return undefined;
  const e = findSyncEntry(ctx.syncMap, ctx.dir, m.path, m.kind, 0);
  if (!e) throw new InputError(`${m.role}: the session's sync map has no ${m.kind} stream of this file`, { file: m.given });
  if (e.offset_s === null) throw new InputError(`${m.role}: sync found no offset for its ${m.kind} stream (${e.method}), so it cannot be put on the reference clock`, { file: m.given });
  return clockOf(e);
}

/**
 * sync.json from every media file of the session (each file once, all its audio and video streams), with the
 * reference role's file as the reference (src/sync).
 */
/** A sync refusal that advises a flag: in a batch the flag goes in that session's row (manifest column sync_options). */
export function withRowOptionHint(e: unknown): unknown {
  if (e instanceof Error && /\b(rerun|run again|retry) with --(pick|share-camera-clock|ends|search-s|one-pulse|fallback)\b/.test(e.message) && !e.message.includes('sync_options')) {
    e.message += "; in a batch, give that flag to this session only in the manifest's sync_options column (README \"extract\")";
  }
  return e;
}

/**
 * A session whose only media file holds its picture and its sound (a clip of a corpus such as RAVDESS or CREMA-D) and
 * has no sync pulse: the refusal now says that such a session needs no sync stage. A trial's 48 clips all failed in
 * sync, exit 4, each line naming the missing pulse and nothing to do (ttrial59c).
 */
export function withOneFileHint(e: unknown, files: readonly string[]): unknown {
  if (files.length === 1 && e instanceof Error && /no usable sync pulse/.test(e.message)) {
    e.message += "; this session is one file, its picture and sound on that file's own clock: with no sync pulse recorded there is nothing to sync, so extract such sessions with --only audio,face (their audio and face features then keep the file's own timestamps; README \"extract\", docs/dataset.md \"A corpus of short clips\")";
  }
  return e;
}

export const syncStage: StageFn = async (ctx) => {
  const { syncSession, writeSyncMap } = await import('../sync/session.js');
  const files = [...new Set(ctx.session.media.map((m) => m.path))];
  const ref = ctx.session.media.find((m) => m.role === ctx.session.ref_role) ?? ctx.session.media[0];
  const o = ctx.options;
  // Texts name the manifest's cells, not absolute paths (sync-names.ts).
  const rename = cellRenamer(ctx.session.media);
  const found = await syncSession(
    files.map((file) => ({ file })),
    {
      ref: ref.path,
      ...(o.toneHz !== undefined ? { toneHz: o.toneHz } : {}),
      ...(o.searchS !== undefined ? { searchS: o.searchS } : {}),
      ...(o.ends !== undefined ? { ends: o.ends } : {}),
      ...(o.pick !== undefined ? { pick: o.pick } : {}),
      ...(o.shareCameraClock ? { shareCameraClock: true } : {}),
      ...(o.onePulse ? { onePulse: true } : {}),
      ...(o.fallback !== undefined ? { fallback: o.fallback } : {}),
      ...(ctx.probe ? { probe: ctx.probe } : {}),
    },
  ).catch((e: unknown) => {
    throw withOneFileHint(withRowOptionHint(errorWithCellNames(e, rename)), files);
  });
  const map = mapWithCellNames(found, rename);
  await writeSyncMap(join(ctx.dir, 'sync.json'), map);
  const told = (await import('../sync/warnings.js')).syncWarningLines(mapForLines(map, rename));
  // A session of one recording of one stream (an audio-only row) has nothing to align: sync.json records it (method
  // single_stream, its warning), but it is not a session warning on every run (ttrial51 F2); `mmprep sync` says it.
  return { files: ['sync.json'], syncMap: map, warnings: told };
};

/**
 * A session of one stream is its own reference clock with nothing aligned (method `single_stream`): said on stderr by
 * `mmprep sync` as its other sync warnings are, in their `<file> <kind> stream <n>: <code>: <message>` form. Not by
 * extract: there it is an audio-only row, with nothing to align (ttrial51 F2); its sync.json records it.
 */
export function singleStreamLines(map: SyncMap): string[] {
  const lines: string[] = [];
  for (const e of map.streams) {
    const ws = Array.isArray(e.warnings) ? (e.warnings as Array<{ code: string; message?: string }>) : [];
    for (const w of ws) if (w.code === 'single_stream') lines.push(`${e.file} ${e.kind} stream ${e.stream}: ${w.code}: ${w.message ?? ''}`.trimEnd());
  }
  return lines;
}

const NO_MEDIA_ROLE = 'the session has no audio or video role';
const NO_VIDEO_ROLE = 'the session has no video role';

/** The audio the audio stage analyses: the reference role when it is audio, else the session's first audio role. */
export function referenceAudio(session: ManifestSession): ManifestMedia | undefined {
  return session.media.find((m) => m.role === session.ref_role && m.kind === 'audio') ?? session.media.find((m) => m.kind === 'audio');
}

/**
 * The sound the audio stage analyses: the reference audio role, else (a camera-only session) the sound of the first
 * video role's file, whose clock is then the reference (ref_role defaults to that video role). Null with the reason
 * when the session has no sound at all.
 */
export async function audioSource(session: ManifestSession, probed?: (path: string) => Promise<ProbeResult>): Promise<{ media: ManifestMedia } | { reason: string }> {
  const audio = referenceAudio(session);
  if (audio) return { media: audio };
  const video = session.media.find((m) => m.role === session.ref_role && m.kind === 'video') ?? session.media.find((m) => m.kind === 'video');
  if (!video) return { reason: NO_MEDIA_ROLE };
  const p = await (probed ?? (await import('../media/probe.js')).probe)(video.path);
  if (!p.streams.some((st) => st.type === 'audio')) return { reason: `no *_audio role and the ${video.role} file has no sound (${video.given})` };
  return { media: { ...video, kind: 'audio' } };
}

/** audio.jsonl + audio.summary.json from the reference audio role, or the camera's own sound (src/audio). */
export const audioStage: StageFn = async (ctx) => {
  const src = await audioSource(ctx.session, ctx.probe);
  if (!('media' in src)) return { files: [], ...(src.reason === NO_MEDIA_ROLE ? { notApplicable: src.reason } : { notProduced: src.reason }) };
  const audio = src.media;
  const clock = clockFor(ctx, audio);
  // Imported when used: a worker that runs only some stages does not load the others' libraries (Human's models).
  const { extractAudio } = await import('../audio/extract.js');
  const { audioSourceWarnings } = await import('../audio/source-warnings.js');
  const { digitalSilenceWarning } = await import('../audio/silent-stream.js');
  const summary = await extractAudio(audio.path, {
    out: join(ctx.dir, 'audio.jsonl'),
    format: 'jsonl',
    summaryPath: join(ctx.dir, 'audio.summary.json'),
    // Named as meta.json's inputs[] name it (the manifest's cell), not by its absolute path.
    name: audio.given,
    ...(ctx.options.voice ? { voice: true } : {}),
    ...(ctx.options.f0Floor !== undefined ? { f0Floor: ctx.options.f0Floor } : {}),
    ...(ctx.options.f0Ceiling !== undefined ? { f0Ceiling: ctx.options.f0Ceiling } : {}),
    // The sync beep in the recording is left out of the audio summary (src/audio/sync-beep.ts) at sync's frequency.
    ...(ctx.options.toneHz !== undefined ? { toneHz: ctx.options.toneHz } : {}),
    // ... and searched where sync searched it (--search-s; sync's default 60 s at each end when not given).
    ...(ctx.options.searchS !== undefined ? { beepSearchS: ctx.options.searchS } : {}),
    ...(clock ? { clock } : {}),
    ...(ctx.probe ? { probed: ctx.probe(audio.path) } : {}),
  });
  const warnings = audioSourceWarnings(summary, audio.given).map((w) => `${audio.given}: ${w}`);
  // features of digital silence hold nothing of a recording, as a face track without a face: --strict fails the session
  const silence = digitalSilenceWarning(summary, audio.given);
  const emptyOutput = silence ? `${audio.given}: ${silence}` : undefined;
  return { files: ['audio.jsonl', 'audio.summary.json'], warnings, ...(emptyOutput ? { emptyOutput } : {}), source: { role: audio.role, file: audio.given, stream: 'audio' } };
};

/**
 * Why the face stage has nothing to analyse when a file under an *_audio role holds a picture, naming it (a phone's .m4a or
 * .mp4 given as phone_audio: trial 2026-12-03 item 8 said only "no video role"). Cover art (a still mjpeg/png stream of
 * a music file) is not a picture to analyse. Null when no file holds one.
 */
async function noVideoRoleReason(session: ManifestSession): Promise<string | null> {
  const { probe } = await import('../media/probe.js');
  for (const m of session.media) {
    const p = await probe(m.path).catch(() => null);
    const v = p?.streams.find((st) => st.type === 'video' && !/^(mjpeg|png|bmp|gif)$/.test(st.codec ?? ''));
    if (!v) continue;
    const name = m.role.replace(/_audio$/, '');
    return `the session has no video role, but ${m.given} (column ${m.role}) holds a picture (video stream ${v.index}, ${v.codec ?? 'unknown codec'}${v.width_px && v.height_px ? `, ${v.width_px}x${v.height_px}` : ''}): to analyse its faces, name the file in a ${name}_video column too`;
  }
  return null;
}

/**
 * Without a sync map, a camera-only session's audio features (from the camera file's own sound) count time from that
 * sound's first sample (librosa's convention: 0 there, src/audio/extract.ts sourceStart), as the sync stage's
 * reference clock does, while face frames keep their presentation times. When the file's sound starts at another time
 * than 0 (a `-c copy` cut at a keyframe, an edit list), the face goes on the sound's clock by the container's own
 * timestamps: t - (the first sample's time). ttrial55: a camera whose sound starts at 0.478 s gave audio and face
 * 0.478 s apart, both "source time", and dataset build paired them (exit 0). Undefined (face on its own times) when
 * the sound comes from another file, the file has none, or it starts at 0.
 */
export async function ownSoundClock(ctx: StageContext, video: ManifestMedia): Promise<Clock | undefined> {
  const src = await audioSource(ctx.session, ctx.probe);
  if (!('media' in src) || src.media.path !== video.path) return undefined;
  const { firstSampleTime, pickStream, probe } = await import('../media/probe.js');
  const p = await (ctx.probe ?? probe)(video.path);
  const t0 = await firstSampleTime(p, pickStream(p, 'audio', 0));
  if (t0 === null || !Number.isFinite(t0) || t0 === 0) return undefined;
  return (t: number) => t - t0;
}

/** face.jsonl + face.summary.json from the session's first video role (src/face). */
export const faceStage: StageFn = async (ctx) => {
  const video = ctx.session.media.find((m) => m.kind === 'video');
  if (!video) {
    // A picture under an *_audio role is a cell to fix (produced nothing); no picture at all: the face stage does not apply.
    const picture = await noVideoRoleReason(ctx.session);
    return { files: [], ...(picture ? { notProduced: picture } : { notApplicable: NO_VIDEO_ROLE }) };
  }
  const shared = ctx.session.video_shared_with;
  if (shared?.length)
    return { files: [], notProduced: `${video.given} is also the video of ${shared.join(', ')}: which face is whose is not known (each session would get the same, largest face); crop the picture per speaker (ffmpeg -i ${shellWord(video.given)} -vf crop=W:H:X:Y ${shellWord(siblingName(video.given, `-${ctx.session.session_id}.mp4`))}) and give each row its own file` };
  const { extractFace } = await import('../face/extract.js');
  const { faceSummaryWarnings } = await import('../face/summary-warnings.js');
  const { isFaceBackend } = await import('../face/backend.js');
  const backend = ctx.options.backend;
  if (backend !== undefined && !isFaceBackend(backend)) throw new InputError(`unknown face backend '${backend}'`);
  const clock = clockFor(ctx, video) ?? (await ownSoundClock(ctx, video));
  const summary = await extractFace(video.path, {
    out: join(ctx.dir, 'face.jsonl'),
    format: 'jsonl',
    summaryPath: join(ctx.dir, 'face.summary.json'),
    name: video.given,
    workers: ctx.faceWorkers,
    // The session threads run one session after another: their face workers stay warm from one to the next.
    keepWorkers: true,
    ...(ctx.probe ? { probed: await ctx.probe(video.path) } : {}),
    ...(clock ? { clock } : {}),
    ...(backend !== undefined ? { backend } : {}),
    ...(ctx.options.faceFps !== undefined ? { fps: ctx.options.faceFps } : {}),
    ...(ctx.options.maxFaces !== undefined ? { maxFaces: ctx.options.maxFaces } : {}),
  });
  if (!summary) throw new Error('face stage: no summary although the records go to a file (extractFace stops early only for stdout)');
  const warnings = faceSummaryWarnings(summary);
  const emptyOutput = summary.frames_analysed > 0 && summary.frames_with_face === 0 ? warnings[0] : undefined;
  return { files: ['face.jsonl', 'face.summary.json'], warnings, ...(emptyOutput ? { emptyOutput } : {}), media_s: summary.duration_s ?? undefined, source: { role: video.role, file: video.given, stream: 'video' } };
};

/** Checks stage options before any session starts (so a bad --backend is one error, not one per session). */
export async function checkStageOptions(stages: readonly StageName[], o: StageOptions): Promise<void> {
  if (stages.includes('audio')) await checkPitchRange(o);
  if (stages.includes('face') && o.backend !== undefined) {
    const { isFaceBackend, loadableBackendCheck, FACE_BACKENDS } = await import('../face/backend.js');
    if (!isFaceBackend(o.backend)) throw new InputError(`--backend: unknown face backend '${o.backend}' (expected ${FACE_BACKENDS.join(', ')})`);
    loadableBackendCheck(o.backend);
  }
}

/** --f0-floor/--f0-ceiling as `mmprep audio` checks them, refused before any session (not one failure per session). */
async function checkPitchRange(o: StageOptions): Promise<void> {
  if (o.f0Floor === undefined && o.f0Ceiling === undefined) return;
  const { resolveAudioOptions } = await import('../audio/options.js');
  try {
    resolveAudioOptions({ f0Floor: o.f0Floor, f0Ceiling: o.f0Ceiling });
  } catch (e) {
    throw new InputError(`--f0-floor/--f0-ceiling: ${(e as Error).message} (defaults 65 and 600 Hz)`);
  }
}

/** The stages this build has. Each capability's adapter is added here when its library exists. */
export async function loadStages(): Promise<StageTable> {
  return { sync: syncStage, audio: audioStage, face: faceStage };
}
