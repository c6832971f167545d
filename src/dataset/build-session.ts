/**
 * One session of `mmprep dataset build`: its segments, and a record per segment from the session's feature files,
 * streamed (a sliding window of frames). Runs in the main thread or in a build thread (build-thread.ts); either way the
 * records are the same bytes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError, isMmprepError } from '../common/errors.js';
import { brokenLink } from '../common/make-folder.js';
import { readSyncMap, type SyncMap } from '../sync/clock.js';
import { syncMapWarnings } from './sync-warnings.js';
import type { ManifestSession } from '../batch/manifest.js';
import { sourceTimeMismatch, type SessionMeta } from '../batch/extract-session.js';
import { transcriptLengthWarning } from './transcript-length.js';
import { LOCK_FILE, liveHolder } from '../batch/session-lock.js';
import { FrameCursor, readFrames, timeRange, type Frame } from './frames.js';
import { AUDIO_FIELDS, FACE_FIELDS, requireVoiceFields, type FieldShape } from './features.js';
import { assignTargets, dropPartialMatches, mergeTargetLabels, nearDuplicateSpansWarning, spansHoldingOthers, spansHoldingOthersWarning, type PartialMatch, type DimensionAgreement, type LabelSet, type LabelTargetSpan, type TargetLabel } from './labels.js';
import { buildRecord, type FaceRate, type RecordContext, type RecordLabels, type StreamInfo } from './record.js';
import { makeSegments, type Segment, type SegmentMode } from './segments.js';
import { columnClock, readSessionTranscript } from './transcripts/index.js';
import { checkSpansInside, fmtSpan, transcriptOverlaps, transcriptSpeakers, transcriptWordsWarning, type RecordingExtent } from './transcripts/check.js';
import { AUDIO_STEP_S, checkTranscriptInside, FACE_STEP_S, featuresExtent } from './transcript-fit.js';
import { faceModelOf } from './fingerprint.js';
import { VoicingTap, type ClockFit } from './clock-fit.js';
import { DEFAULT_MIN_TRACE_COVERAGE, sessionTraces, tallyTrace, traceLabel, traceClockAssumedWarnings, traceOutsideWarnings, tracesOnReference, type SessionTrace, type TraceTally } from './trace-labels.js';
import { clockMismatchWarning, declaredRole, planClockCheck, runClockCheck, sessionRoleClocks, spansMatchOnOtherClock } from './clock-check.js';

export interface DatasetSessionOutcome {
  session_id: string;
  speaker_id: string;
  split: string;
  records: number;
  start_s: number | null;
  end_s: number | null;
  /** The span the session's feature streams cover (first frame to last frame + one step), null without streams; `dataset validate` holds records to it. */
  recording: RecordingExtent | null;
  /** Warnings that did not stop the session (overlapping utterances of one speaker, overlapping words). */
  warnings: string[];
  /** The same warnings with their kind (`forced_pick`, `labels_unmatched`, ...: docs/dataset.md "Session warnings"), for a CI; since format_version 3. */
  issues?: SessionIssue[];
  /** What made the session's feature files: meta.json's `made_by` (per stage: options, clock, mmprep version); null when the session failed or its meta.json has none (`made_by_reason` says which). */
  made_by: SessionMeta['made_by'] | null;
  made_by_reason: string | null;
  /** sha256 of the session's transcript file as read (null without one), to tell a re-segmented transcript from the one ratings keyed by record id were made on (ttrial47 W3). */
  transcript_sha256?: string | null;
  /** The manifest role the session's audio features came from (meta.json `sources.audio.role`: `lav_audio`, or `video` for the camera's own sound); null without audio features or record. */
  audio_role: string | null;
  /** The face model that made face.jsonl (face.summary.json: `@vladmandic/human 3.3.6 (wasm)`); null without face features or record. Since format_version 2. */
  face_model?: string | null;
  /**
   * Whether the transcript's and (outside --segments utterance) the rated spans' times fit the clock they were read
   * on better than another role's of sync.json (clock-fit.ts): per file the figures, or why it was not checked; absent
   * when sync.json offers one clock only. Since 2026-12-06.
   */
  clock_check?: { transcript: ClockFit | null; labels: ClockFit | null };
  error: string | null;
}

/** A session warning with its kind: what `dataset validate` fails on by default, or with --fail-on-warnings (docs/dataset.md "Session warnings"). */
export interface SessionIssue {
  kind: string;
  message: string;
}

/** Adds warnings of one kind to the session's outcome: the prose (`warnings`) and the objects (`issues`). */
function warn(outcome: DatasetSessionOutcome, kind: string, messages: readonly string[]): void {
  for (const message of messages) {
    outcome.warnings.push(message);
    (outcome.issues ??= []).push({ kind, message });
  }
}

export interface SessionBuildOptions {
  segments: SegmentMode;
  audioFields: string[];
  faceFields: string[];
  faceRate: FaceRate;
  /** Some session of the manifest has a transcript (when none has, the build is refused with one line instead). */
  someTranscript?: boolean;
  /** Leave out the records whose span holds sync-beep audio (--exclude-sync-beep). */
  excludeSyncBeep?: boolean;
  /** The least share of a record's span a gold trace must cover to label it (--min-trace-coverage; default 0.5). */
  minTraceCoverage?: number;
}

/** The labels one session needs (plain data: it is sent to build threads). */
export interface SessionLabels {
  spans: LabelTargetSpan[];
  /** The labels file that first names the session (for messages about its spans). */
  file: string | null;
  dimensions: Array<{ key: string; categorical: boolean; agreement: DimensionAgreement; byTarget: Map<string, TargetLabel> }>;
  /** Gold-trace dimensions (trace-labels.ts): each record gets the trace's mean over its span. */
  traces?: SessionTrace[];
}

/** The part of a label set that concerns one session: its spans, and targets with a span in it or its segment ids. */
export function sessionLabels(set: LabelSet, sessionId: string): SessionLabels {
  const spans = set.spansBySession.get(sessionId) ?? [];
  const want = new Set(spans.map((x) => x.target));
  const prefix = `${sessionId}/`;
  return {
    spans,
    file: set.sessionFile.get(sessionId) ?? null,
    dimensions: set.dimensions.map((d) => {
      const m = new Map<string, TargetLabel>();
      for (const [t, l] of d.byTarget) if (want.has(t) || t.startsWith(prefix)) m.set(t, l);
      return { key: d.key, categorical: d.categorical, agreement: d.agreement, byTarget: m };
    }),
    traces: sessionTraces(set, sessionId),
  };
}

/** Per-session tallies the build sums up (presence per modality, label targets used per key). */
export interface SessionTally {
  presence: Record<'audio' | 'face' | 'text' | 'labels', number>;
  usedTargets: Record<string, string[]>;
  /** Per label key, the targets merged into another's label on a record (recordLabels): used, but not a record each. */
  mergedTargets?: Record<string, string[]>;
  /** Per gold-trace key, the records labelled, below the minimum coverage, without a trace (trace-labels.ts). */
  traces?: Record<string, TraceTally>;
}

export function newTally(): SessionTally {
  return { presence: { audio: 0, face: 0, text: 0, labels: 0 }, usedTargets: {} };
}

export function tallyRecord(t: SessionTally, rec: Record<string, unknown>): void {
  const q = rec.quality as { present: Record<string, boolean> };
  for (const k of Object.keys(t.presence) as Array<keyof SessionTally['presence']>) if (q.present[k]) t.presence[k]++;
  for (const [key, l] of Object.entries(rec.labels as RecordLabels)) (t.usedTargets[key] ??= []).push(l.target);
}

/**
 * Frames of a stream within [a - margin, b + margin), pulled from a cursor into a sliding buffer. `keepFrom` is the
 * earliest time a later call will ask for (frames before it - margin are dropped); it defaults to `a`.
 */
class StreamWindow {
  private buf: Frame[] = [];
  constructor(
    private readonly cur: FrameCursor,
    private readonly tap?: (f: Frame) => void,
  ) {}
  async framesFor(a: number, b: number, margin: number, keepFrom = a): Promise<Frame[]> {
    let k = 0;
    while (k < this.buf.length && this.buf[k].t_s < Math.min(a, keepFrom) - margin) k++;
    if (k > 0) this.buf.splice(0, k);
    for (;;) {
      const f = await this.cur.peek();
      if (!f || f.t_s >= b + margin) break;
      await this.cur.next();
      this.tap?.(f);
      if (f.t_s >= Math.min(a, keepFrom) - margin) this.buf.push(f);
    }
    return this.buf.filter((f) => f.t_s >= a - margin && f.t_s < b + margin);
  }
  /** Reads on to time `t` (for the tap: the clock check scores audio past the last segment). */
  async drainUntil(t: number): Promise<void> {
    for (;;) {
      const f = await this.cur.peek();
      if (!f || f.t_s >= t) break;
      await this.cur.next();
      this.tap?.(f);
    }
    this.buf = [];
  }
  close(): Promise<void> {
    return this.cur.close();
  }
}

/**
 * quality.sync_confidence: the lowest confidence of the streams sync placed on the reference clock; null when it
 * placed none. The reference stream (method 'reference') and a session's only stream (method 'single_stream': "no
 * alignment was measured") carry confidence 1 by construction, not by a measurement: a lav-only session read 1, as if
 * its alignment were certain (ttrial50's session C). Null there, as for a session without sync.json.
 */
export function syncConfidence(map: SyncMap | null): number | null {
  if (!map) return null;
  const placed = map.streams.filter((s) => !UNPLACED_METHODS.has(s.method));
  const c = placed.map((s) => s.confidence).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return c.length ? Math.min(...c) : null;
}

/** sync.json stream methods that place nothing: the reference itself, and a session's only stream. */
const UNPLACED_METHODS = new Set(['reference', 'single_stream']);

async function readJsonIf(path: string): Promise<unknown | null> {
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8'));
}

interface ExtractErrorLine {
  e: { session_id?: unknown; stage?: unknown; reason?: unknown; manifest?: unknown; earlier_output_kept?: unknown };
  name: string;
  line: number;
}

/** The session's line in the features folder's `_errors*.jsonl` (extract's failed sessions: the last one of the first file naming it), or null. */
async function extractErrorOf(featuresDir: string, sessionId: string): Promise<ExtractErrorLine | null> {
  const names = existsSync(featuresDir) ? (await readdir(featuresDir)).filter((n) => /^_errors.*\.jsonl$/.test(n)).sort() : [];
  for (const name of names) {
    const lines = (await readFile(join(featuresDir, name), 'utf8')).split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      let e: ExtractErrorLine['e'] | null = null;
      try {
        e = JSON.parse(lines[i]);
      } catch {
        continue; // a line cut short by a kill: not this session's record
      }
      if (e?.session_id === sessionId) return { e, name, line: i + 1 };
    }
  }
  return null;
}

/**
 * A session built from a folder whose latest extract failed, the earlier run's output kept (`_errors.jsonl`
 * `earlier_output_kept`): its features are that earlier run's, which the build's media check passes when the media
 * are unchanged (a re-extract with another option that failed). Said as a session warning, not silently used
 * (ttrial47 finding 8: extract exit 4, the build exit 0 with no line; Slurm scripts take 4 as "the task did its job").
 */
async function extractFailedWarning(featuresDir: string, sessionId: string): Promise<string[]> {
  const failed = await extractErrorOf(featuresDir, sessionId);
  if (!failed) return [];
  const meta = (await readJsonIf(join(featuresDir, sessionId, 'meta.json')).catch(() => null)) as Partial<SessionMeta> | null;
  const when = typeof meta?.run?.finished_at === 'string' ? `the run that finished at ${meta.run.finished_at}` : 'an earlier run';
  const { e, name, line } = failed;
  return [`the latest mmprep extract of this session failed in its ${String(e.stage)} stage (${String(e.reason)}; ${name} line ${line}), and its folder keeps the earlier run's output: its features are from ${when}, not from that extract; fix that input and extract it again, or, to keep these features, extract it again with the options they were made with (its meta.json \`options\`), which clears that line`];
}

/**
 * Why a session folder has no meta.json: extract failed it (its `_errors*.jsonl` entry: stage and reason, so the
 * user fixes that input; --resume alone would fail it again), or extract did not get to it (killed, another shard).
 */
async function missingMetaReason(featuresDir: string, sessionId: string): Promise<string> {
  const failed = await extractErrorOf(featuresDir, sessionId);
  if (failed) {
    const { e, name, line } = failed;
    const by = typeof e.manifest === 'string' ? ` (manifest ${e.manifest})` : '';
    return `features missing: mmprep extract${by} failed this session in its ${String(e.stage)} stage (${String(e.reason)}; ${name} line ${line}); fix that input, then run mmprep extract --resume with the same manifest and -o`;
  }
  if (!existsSync(join(featuresDir, sessionId))) return notStartedReason(featuresDir, sessionId);
  const holder = liveHolder(join(featuresDir, sessionId));
  // A build started before every shard ended (CI): --resume would only wait for that run.
  if (holder) return `features incomplete (no meta.json yet: an mmprep extract run is working on this session now, pid ${holder.pid} on host ${holder.host} since ${holder.started_at}, ${LOCK_FILE} in its folder); build again when that run (every shard of the job) has ended`;
  return 'features incomplete (no meta.json: extract did not finish this session, and no _errors.jsonl there names it); run mmprep extract --resume with the same manifest and -o to make it';
}

/**
 * A session without a folder in the features folder: extract has not started it. While another session's lock there
 * is live, a run of the job is still going (ttrial43: a build during a sharded run told every session not yet reached
 * to run extract --resume, which starts a second run beside the job's).
 */
async function notStartedReason(featuresDir: string, sessionId: string): Promise<string> {
  const entries = existsSync(featuresDir) ? await readdir(featuresDir, { withFileTypes: true }) : [];
  for (const e of entries) {
    const holder = e.isDirectory() ? liveHolder(join(featuresDir, e.name)) : null;
    if (holder) return `features missing: no folder ${sessionId} in ${featuresDir} (extract has not started this session) while an mmprep extract run is working in that folder now (session ${e.name}, pid ${holder.pid} on host ${holder.host}); build again when that run (every shard of the job) has ended`;
  }
  // The id re-cased in the manifest (s01 -> S01) after extract: the folder of the old case is there (trial 2026-12-06 M5).
  const twin = entries.find((e) => e.isDirectory() && e.name !== sessionId && e.name.toLowerCase() === sessionId.toLowerCase());
  if (twin) return `features missing: no folder ${sessionId} in ${featuresDir}, but there is ${twin.name}: the session id's case differs from the one extract ran with (ids are case-sensitive folder names); write the id as ${twin.name} in the manifest, or run mmprep extract again for ${sessionId}`;
  return `features missing: no folder ${sessionId} in ${featuresDir} (extract has not run this session); run mmprep extract with the same manifest and -o (--resume skips the sessions already done), or check that --features is the folder extract wrote`;
}

/** A session's feature files as the build reads them: sync map, transcript, audio and face streams with their ranges. */
interface SessionFeatures {
  syncMap: SyncMap | null;
  /** The media files whose features the release carries (meta.json `sources`) or whose clocks time its transcript or labels; null when meta.json does not say (an older mmprep). */
  sourceFiles: string[] | null;
  utterances: Awaited<ReturnType<typeof readSessionTranscript>>;
  /** A TextGrid whose own length is not its clock role's recording's (transcript-length.ts): its warning, or none. */
  transcriptLength: string[];
  audioPath: string | null;
  facePath: string | null;
  aRange: Awaited<ReturnType<typeof timeRange>> | null;
  fRange: Awaited<ReturnType<typeof timeRange>> | null;
  audioInfo: StreamInfo | null;
  faceInfo: StreamInfo | null;
  recording: RecordingExtent | null;
  made_by: SessionMeta['made_by'] | null;
  audioRole: string | null;
  faceModel: string | null;
  /** The audio and face stages' warnings about their recordings (stageWarnings), for the release's feature streams. */
  stageWarnings: { audio: string[]; face: string[] };
}

/**
 * The warnings extract said about the recordings whose features the release carries, recomputed from the stages'
 * summaries with the functions extract says them with (src/audio/source-warnings.ts audioSourceWarnings,
 * src/face/summary-warnings.ts faceSummaryWarnings: pure, summary in, lines out), so a release of features extracted
 * by an older mmprep gets them too. They sat in audio.summary.json `notes` only: two speakers' channels averaged into
 * one track, an 8 kHz lav among 16 kHz ones, a damaged camera file gave a release with issues [] and a card saying
 * nothing (ttrial47 W5). A summary that is missing or lacks the fields (synthetic test folders) gives none.
 */
async function stageWarnings(dir: string, meta: Partial<SessionMeta> | null, audio: boolean, face: boolean): Promise<{ audio: string[]; face: string[] }> {
  const read = async (name: string) => (await readJsonIf(join(dir, name)).catch(() => null)) as Record<string, unknown> | null;
  const out = { audio: [] as string[], face: [] as string[] };
  const a = audio ? await read('audio.summary.json') : null;
  if (a && typeof a.source === 'object' && a.source !== null && typeof a.sample_rate_hz === 'number') {
    const file = meta?.sources?.audio?.file ?? 'the audio';
    const { audioSourceWarnings } = await import('../audio/source-warnings.js');
    out.audio = audioSourceWarnings(a as unknown as Parameters<typeof audioSourceWarnings>[0], file).map((w) => `audio: ${file}: ${w}`);
  }
  const f = face ? await read('face.summary.json') : null;
  if (f && typeof f.frames_analysed === 'number' && typeof f.frames_with_face === 'number') {
    const file = meta?.sources?.face?.file ?? 'the video';
    const { faceSummaryWarnings } = await import('../face/summary-warnings.js');
    out.face = faceSummaryWarnings(f as unknown as Parameters<typeof faceSummaryWarnings>[0]).map((w) => `face: ${file}: ${w}`);
  }
  return out;
}

/** Reads what a session's extract folder holds (refused when extract did not finish it or meta.json is not JSON). */
async function readSessionFeatures(s: ManifestSession, dir: string, opt: SessionBuildOptions): Promise<SessionFeatures> {
  if (!existsSync(join(dir, 'meta.json'))) {
    const link = await brokenLink(dir);
    throw new InputError(link ? `the session folder is ${link}: remove it, or point it at the session's extract folder` : await missingMetaReason(dirname(dir), s.session_id), { file: dir });
  }
  const syncPath = join(dir, 'sync.json');
  const syncMap = existsSync(syncPath) ? await readSyncMap(syncPath) : null;
  const utterances = await readSessionTranscript(s, syncPath);
  const meta = (await readJsonIf(join(dir, 'meta.json')).catch(() => {
    throw new InputError('meta.json is not valid JSON', { file: join(dir, 'meta.json') });
  })) as Partial<SessionMeta> | null;

  const audioPath = join(dir, 'audio.jsonl');
  const facePath = join(dir, 'face.jsonl');
  const hasAudio = existsSync(audioPath);
  const hasFace = existsSync(facePath);
  if (hasAudio) await requireVoiceFields(audioPath, opt.audioFields);
  const aRange = hasAudio ? await timeRange(audioPath) : null;
  const fRange = hasFace ? await timeRange(facePath) : null;
  const audioInfo: StreamInfo | null = aRange ? { step: aRange.step ?? AUDIO_STEP_S } : null;
  const faceInfo: StreamInfo | null = fRange ? { step: fRange.step ?? FACE_STEP_S } : null;
  const recording = featuresExtent(aRange, fRange);
  if (utterances && recording && s.transcript) await checkTranscriptInside(s, utterances, recording, syncPath);
  const made_by = meta && typeof meta.made_by === 'object' && meta.made_by !== null ? meta.made_by : null;
  const unaligned = hasAudio && hasFace && meta ? sourceTimeMismatch(meta.outputs ?? [], meta.sources, s.media.map((m) => m.path)) : null;
  if (unaligned) throw new InputError(unaligned, { file: dir });
  const audioRole = hasAudio && typeof meta?.sources?.audio?.role === 'string' ? meta.sources.audio.role : null;
  const faceModel = hasFace ? faceModelOf(await readFile(join(dir, 'face.summary.json'), 'utf8').catch(() => null)) : null;
  // The features' files, and the files whose clocks time the transcript and labels (transcript_clock, labels_clock).
  const clockFiles = (['transcript_clock', 'labels_clock'] as const).map((c) => s.media.find((m) => m.role === (s.meta[c] ?? '').trim())?.path);
  const sourceFiles = meta?.sources ? [hasAudio && opt.audioFields.length ? meta.sources.audio?.file : undefined, hasFace && opt.faceFields.length ? meta.sources.face?.file : undefined, ...clockFiles].filter((x): x is string => typeof x === 'string') : null;
  const stage = await stageWarnings(dir, meta, hasAudio && opt.audioFields.length > 0, hasFace && opt.faceFields.length > 0);
  const transcriptLength = await transcriptLengthWarning(s, meta?.inputs);
  return { made_by, audioRole, faceModel, sourceFiles, stageWarnings: stage, syncMap, utterances, transcriptLength, audioPath: hasAudio ? audioPath : null, facePath: hasFace ? facePath : null, aRange, fRange, audioInfo, faceInfo, recording };
}

/** Session extent on the reference clock: every stream's frames (with their half-frame) and the transcript. */
function sessionExtent(f: SessionFeatures): { start_s: number; end_s: number } | null {
  const lo: number[] = [];
  const hi: number[] = [];
  if (f.aRange && f.audioInfo) lo.push(f.aRange.first - f.audioInfo.step / 2), hi.push(f.aRange.last + f.audioInfo.step / 2);
  if (f.fRange && f.faceInfo) lo.push(f.fRange.first - f.faceInfo.step / 2), hi.push(f.fRange.last + f.faceInfo.step / 2);
  for (const u of f.utterances ?? []) lo.push(u.start_s, ...u.words.map((w) => w.start_s)), hi.push(u.end_s, ...u.words.map((w) => w.end_s));
  return lo.length ? { start_s: Math.min(...lo), end_s: Math.max(...hi) } : null;
}

/** The outcome's start_s/end_s: the session extent widened to the label spans and the segments. */
function setOutcomeExtent(outcome: DatasetSessionOutcome, range: { start_s: number; end_s: number }, spans: LabelTargetSpan[], segments: Segment[]): void {
  for (const sp of spans) (range.start_s = Math.min(range.start_s, sp.start_s)), (range.end_s = Math.max(range.end_s, sp.end_s));
  outcome.start_s = Math.round(range.start_s * 1e6) / 1e6;
  outcome.end_s = Math.round(range.end_s * 1e6) / 1e6;
  for (const g of segments) (outcome.start_s = Math.min(outcome.start_s, g.start_s)), (outcome.end_s = Math.max(outcome.end_s, g.end_s));
}

/**
 * Per dimension, the label of the segment's targets that have one: one target's, or those of several merged
 * (mergeTargetLabels: every rater's rating, the gold recomputed; one rater on two of them is refused). `merged` lists,
 * per key, the targets whose labels were merged into another's (for the tally of targets used, and a warning).
 */
function recordLabels(labels: SessionLabels | null, targets: string[], seg: Segment, minTraceCoverage: number): { labels: RecordLabels; merged: Array<{ key: string; targets: string[] }>; traces: Array<{ key: string; coverage: number | null }> } {
  const record = seg.id;
  const recLabels: RecordLabels = {};
  const merged: Array<{ key: string; targets: string[] }> = [];
  const traces: Array<{ key: string; coverage: number | null }> = [];
  if (!labels) return { labels: recLabels, merged, traces };
  for (const d of labels.dimensions) {
    const parts = targets.map((t) => d.byTarget.get(t)).filter((l): l is TargetLabel => l !== undefined);
    if (parts.length === 0) continue;
    const l = mergeTargetLabels(parts, d.categorical, { record, key: d.key, file: labels.file ?? 'labels' });
    recLabels[d.key] = { target: l.target, gold: l.gold, ratings: l.ratings, agreement: d.agreement };
    if (parts.length > 1) merged.push({ key: d.key, targets: parts.map((p) => p.target) });
  }
  for (const x of labels.traces ?? []) {
    const t = traceLabel(x, seg.start_s, seg.end_s, minTraceCoverage);
    if (t.label) recLabels[x.key] = t.label;
    traces.push({ key: x.key, coverage: t.coverage });
  }
  return { labels: recLabels, merged, traces };
}

/**
 * The span whose frames each segment's record reads: the segment widened to cover its words, so that a word crossing a
 * `fixed:` window's or a label span's edge is averaged over its whole span, as in the window where it lies whole
 * (its values were averaged over the part inside the window: rms 45 % off, trial 29). `keep[i]`: the earliest start of
 * segments i.. (fixed windows sorted by start can still reach back further through a long word).
 */
function readSpans(segments: Segment[]): [number[], number[], number[]] {
  const lo = segments.map((s) => Math.min(s.start_s, ...s.words.map((w) => w.start_s)));
  const hi = segments.map((s) => Math.max(s.end_s, ...s.words.map((w) => w.end_s)));
  const keep = lo.slice();
  for (let i = keep.length - 2; i >= 0; i--) keep[i] = Math.min(keep[i], keep[i + 1]);
  return [lo, hi, keep];
}

/** Ids of some records (the first few named, and how many). */
class IdList {
  n = 0;
  readonly ids: string[] = [];
  add(id: string): void {
    if (this.n++ < 5) this.ids.push(id);
  }
  text(): string {
    return this.ids.join(', ') + (this.n > this.ids.length ? ', …' : '');
  }
}

/** What the session's records say about it, for its warnings (counts and the first ids: memory flat in its length). */
class RecordNotes {
  readonly unheld: string[] = [];
  readonly voiced: number[] = [];
  /** Records with text whose audio holds no voiced frame (voiced_ratio 0). */
  readonly unvoicedWorded = new IdList();
  readonly beep = new IdList();
  /** Records whose audio is at least BEEP_HEAVY sync beep (a span on the beep rather than over it). */
  readonly beepHeavy = new IdList();
  readonly gimbal = new IdList();
  /** Records without an audio frame (quality.present.audio false), for a session with audio: audioUnheldWarning. */
  readonly noAudio = new IdList();
  gimbalAll = 0;
  total = 0;
  /** Rated targets of records --exclude-sync-beep left out (they count as matching no segment). */
  readonly excludedTargets = new IdList();
  /** Records with a label that merges several targets' (`s01/u0000: clip0 + s01_u0`), the first few named. */
  readonly merged = new IdList();
  /** Per label key, the targets of emitted records' merged labels (each is used, not unmatched). */
  readonly mergedUsed: Record<string, string[]> = {};
  /** Per gold-trace key, what the emitted records got. */
  readonly traces: Record<string, TraceTally> = {};
  add(rec: Record<string, unknown>): void {
    const q = rec.quality as { voiced_ratio: number | null; sync_beep_ratio: number | null; pose_gimbal_lock_ratio: number | null };
    const id = rec.id as string;
    this.total++;
    if (faceUnheld(rec)) this.unheld.push(id);
    if (q.voiced_ratio !== null) this.voiced.push(q.voiced_ratio);
    if (q.voiced_ratio === 0 && typeof rec.text === 'string' && rec.text.trim() !== '') this.unvoicedWorded.add(id);
    if ((q.sync_beep_ratio ?? 0) > 0) this.beep.add(id);
    if ((q.sync_beep_ratio ?? 0) >= BEEP_HEAVY) this.beepHeavy.add(id);
    if ((q.pose_gimbal_lock_ratio ?? 0) > 0) this.gimbal.add(id);
    if (q.pose_gimbal_lock_ratio === 1) this.gimbalAll++;
    if ((rec.quality as { present?: { audio?: boolean } }).present?.audio === false) this.noAudio.add(id);
  }
}

/** A label span whose audio is at least this share sync beep lies on the beep (the 0.25 s beep in a 0.4 s span: 0.6, trial29 SILENT-2). */
const BEEP_HEAVY = 0.25;

/** Streams the frames around each segment from the feature files and emits its record (but those --exclude-sync-beep leaves out); returns what the records say for the session's warnings. */
async function emitRecords(segments: Segment[], targetsOf: string[][], f: SessionFeatures, ctx: RecordContext, labels: SessionLabels | null, emit: (rec: Record<string, unknown>) => Promise<void>, excludeBeep: boolean, voicing?: { tap: VoicingTap; until: number }, minTraceCoverage = DEFAULT_MIN_TRACE_COVERAGE): Promise<RecordNotes> {
  const notes = new RecordNotes();
  const { audioInfo, faceInfo } = f;
  const drop = ['faces', ...(ctx.faceFields.includes('landmarks') ? [] : ['landmarks'])];
  const pick = (names: string[], all: Record<string, FieldShape>) => Object.fromEntries(names.map((n) => [n, all[n]]));
  const aw = f.audioPath && audioInfo ? new StreamWindow(new FrameCursor(readFrames(f.audioPath, { fields: pick(ctx.audioFields, AUDIO_FIELDS), gridStep: audioInfo.step })), voicing && ((fr) => voicing.tap.push(fr))) : null;
  const fw = f.facePath ? new StreamWindow(new FrameCursor(readFrames(f.facePath, { drop, fields: pick(ctx.faceFields, FACE_FIELDS) }))) : null;
  const [lo, hi, keep] = readSpans(segments);
  try {
    for (const [i, seg] of segments.entries()) {
      const aF = aw && audioInfo ? await aw.framesFor(lo[i], hi[i], audioInfo.step, keep[i]) : null;
      const fF = fw && faceInfo ? await fw.framesFor(lo[i], hi[i], 2.5 * faceInfo.step, keep[i]) : null;
      const labelled = recordLabels(labels, targetsOf[i], seg, minTraceCoverage);
      const rec = buildRecord(seg, ctx, aF, fF, labelled.labels);
      notes.add(rec);
      if (!(excludeBeep && (rec.quality as { sync_beep: boolean | null }).sync_beep === true)) {
        await emit(rec);
        if (labelled.merged.length) notes.merged.add(`${seg.id}: ${[...new Set(labelled.merged.flatMap((m) => m.targets))].join(' + ')}`);
        for (const m of labelled.merged) (notes.mergedUsed[m.key] ??= []).push(...m.targets);
        for (const x of labelled.traces) tallyTrace(notes.traces, x.key, x.key in (rec.labels as RecordLabels), x.coverage);
      } else for (const t of new Set([...Object.values(rec.labels as RecordLabels).map((l) => l.target), ...labelled.merged.flatMap((m) => m.targets)])) notes.excludedTargets.add(t);
    }
    if (aw && voicing) await aw.drainUntil(voicing.until);
  } finally {
    await aw?.close();
    await fw?.close();
  }
  return notes;
}

/**
 * Records over the sync beep (a 1 kHz tone marked in audio.jsonl, not speech): kept and marked (quality.sync_beep), or
 * left out with --exclude-sync-beep. Before, a window or label span over it took the tone's MFCC and rms as speech
 * features with no mark (trial29 SILENT-3).
 */
function syncBeepWarning(n: RecordNotes, excluded: boolean): string[] {
  if (n.beep.n === 0) return [];
  const head = `sync beep: ${n.beep.n} of ${n.total} records (${n.beep.text()}) hold audio frames of the sync beep (a 1 kHz tone, not speech; quality.sync_beep, sync_beep_ratio its share of the span)`;
  const targets = n.excludedTargets.n ? `; their rated targets (${n.excludedTargets.text()}) are counted as matching no segment` : '';
  return [excluded ? `${head}: left out (--exclude-sync-beep)${targets}` : `${head}: filter them on quality.sync_beep, or build with --exclude-sync-beep to leave them out`];
}

/**
 * Records whose label merges the ratings of several targets (recordLabels): said, as the dimension's agreement
 * figures count those targets apart (each with the raters who named it so), and the ratings file may hold two
 * exports that name one span differently.
 */
function mergedLabelsWarning(n: RecordNotes): string[] {
  if (n.merged.n === 0) return [];
  return [`labels: ${n.merged.n} record(s) have labels that merge the ratings of several rated targets falling on one record (${n.merged.text()}): each such label carries every rater's rating and the gold of them all, under the first target's id; the agreement figures (ICC, alpha) count those targets apart, each with only the raters who named it so: give one span one target id in the labels file (two exports naming it differently?) for them to pair the raters`];
}

/**
 * Records whose face frames have yaw and pitch null for gimbal lock (roll past 60 degrees): a camera rotated 90 degrees
 * gave yaw/pitch null in every record, face_found true, and no word why (trial29 SILENT-5).
 */
function gimbalLockWarning(n: RecordNotes): string[] {
  if (n.gimbal.n === 0) return [];
  return [`face: ${n.gimbal.n} of ${n.total} records (${n.gimbal.text()}; ${n.gimbalAll} in every face frame) have yaw_deg and pitch_deg null in face frames for gimbal lock (the face rolled past 60 degrees: a camera rotated 90 degrees, or a tilted head; face.jsonl pose_gimbal_lock): their share is quality.pose_gimbal_lock_ratio, and --face-features pose_gimbal_lock carries the per-frame flag`];
}

/**
 * Label spans that fall on unvoiced audio (2 or more label records with a voiced_ratio, all 0) or on the sync beep (at
 * least BEEP_HEAVY of a span's audio): ratings timed on another clock read as the reference's. Camera-clock ratings
 * without labels_clock made records 7.3 s early, all unvoiced, the 'clap' label on the beep, exit 0 and no word
 * (trial29 SILENT-2); the same guard as unvoicedUtterancesWarning for a transcript.
 */
function offClockLabelsWarning(n: RecordNotes, s: ManifestSession, file: string | null): string[] {
  const unvoiced = n.voiced.length >= 2 && n.voiced.every((v) => v === 0);
  if (!unvoiced && n.beepHeavy.n === 0) return [];
  const what = [unvoiced ? `none of its ${n.voiced.length} label spans falls on voiced audio (voiced_ratio 0 in every labels record)` : '', n.beepHeavy.n ? `${n.beepHeavy.n} label span(s) (${n.beepHeavy.text()}) lie on the sync beep (at least ${BEEP_HEAVY * 100} % of their audio)` : ''].filter(Boolean);
  return [`manifest line ${s.line}: ${what.join(', and ')}: are the start_s/end_s of ${file ? basename(file) : 'the labels file'} timed on another clock, the camera's say (give it in the labels_clock column, e.g. video), or of another session? check it`];
}

/**
 * --segments labels: a label span may run past the recording's ends by the allowance checkSpansInside grants; its
 * record is clipped to the recording (after its targets are assigned on the whole span), as nothing was recorded
 * there: a span 17.0-18.3 s of a recording ending at 17.93 s kept its end, with features for 17.0-17.93 only and no
 * flag (trial29 MINOR-3). A warning names the clipped records.
 */
function clipToRecording(segments: Segment[], rec: RecordingExtent, what = 'label span(s)'): { segments: Segment[]; warnings: string[] } {
  const clipped = new IdList();
  const beyond = new IdList();
  const out = segments.map((g) => {
    const a = Math.max(g.start_s, rec.start_s);
    const b = Math.min(g.end_s, rec.end_s);
    if (a === g.start_s && b === g.end_s) return g;
    clipped.add(`${g.id} ${fmtSpan(g.start_s, g.end_s)}`);
    for (const w of g.words) if (w.start_s >= rec.end_s || w.end_s <= rec.start_s) beyond.add(`"${w.word}" ${fmtSpan(w.start_s, w.end_s)} in ${g.id}`);
    return { ...g, start_s: Math.round(a * 1e6) / 1e6, end_s: Math.round(b * 1e6) / 1e6 };
  });
  // A word wholly beyond the recording stays in its record's words with null means and n 0 (ttrial58d: named nowhere).
  const words = beyond.n ? `; ${beyond.n} of their words lie wholly beyond it (${beyond.text()}): kept in the records' words, with null means and n 0` : '';
  const w = clipped.n ? [`${clipped.n} ${what} run past the recording (${fmtSpan(rec.start_s, rec.end_s)}; within the allowed margin): their records are clipped to it (${clipped.text()}), as nothing was recorded beyond it${words}`] : [];
  return { segments: out, warnings: w };
}

/**
 * A session whose transcript utterances (2 or more with a voiced_ratio) all fall on unvoiced audio, or any of which lies
 * on the sync beep (at least BEEP_HEAVY of its audio): a transcript on another clock read as the reference's (trial29
 * SILENT-1: a camera-clock transcript with an empty transcript_clock landed 7.3 s early, every record voiced_ratio 0,
 * exit 0 and no word; ttrial43: one 1.3 s early, partly on speech, its first utterance 37 % beep, told only to filter the
 * beep), or another session's transcript. The same guard as offClockLabelsWarning for labels.
 */
function offClockTranscriptWarning(n: RecordNotes, s: ManifestSession): string[] {
  const unvoiced = n.voiced.length >= 2 && n.voiced.every((v) => v === 0);
  if (!unvoiced && n.beepHeavy.n === 0) return [];
  const what = [unvoiced ? `none of its ${n.voiced.length} transcript utterances falls on voiced audio (voiced_ratio 0 in every utterance record)` : '', n.beepHeavy.n ? `${n.beepHeavy.n} transcript utterance(s) (${n.beepHeavy.text()}) lie on the sync beep (at least ${BEEP_HEAVY * 100} % of their audio; speech is rarely transcribed over a 1 kHz beep)` : ''].filter(Boolean);
  return [`manifest line ${s.line}: ${what.join(', and ')}: is transcript ${s.transcript} timed on another clock (give it in the transcript_clock column) or the wrong file? check it`];
}

/**
 * Utterance records with words but no voiced audio frame (voiced_ratio 0), when not every one is (that is
 * offClockTranscriptWarning's): words on silence. A camera-clock transcript read as the lav's put D's "seven of clubs"
 * on pure silence while its other utterances still touched speech, exit 0 and no word (ttrial50 W1).
 */
function unvoicedUtterancesWarning(n: RecordNotes, s: ManifestSession): string[] {
  if (n.unvoicedWorded.n === 0 || (n.voiced.length >= 2 && n.voiced.every((v) => v === 0))) return [];
  return [`manifest line ${s.line}: ${n.unvoicedWorded.n} of ${n.total} utterance records with words (${n.unvoicedWorded.text()}) hold no voiced audio (quality.voiced_ratio 0): words on silence or noise; is transcript ${s.transcript} timed on the clock given in transcript_clock, and are these utterances' times right? check them`];
}

/**
 * A session with 2 or more rated spans (labels with session_id/start_s/end_s) of which most match no utterance: the
 * transcript is likely another session's, or timed on another clock, or the labels' times are (a new user's trial: a
 * session built with another session's transcript, its records carrying the other session's words, exit 0 and no word
 * of that session; the rated spans that matched nothing were named only among the first five of the whole build).
 */
export function unmatchedSpansWarning(spans: readonly LabelTargetSpan[], targetsOf: readonly string[][], s: ManifestSession, labelsFile: string | null, otherClock?: () => { role: string; matched: number } | null): string[] {
  // Without a transcript the session has its own warning (no records with --segments utterance).
  if (spans.length < 2 || !s.transcript) return [];
  const used = new Set(targetsOf.flat());
  const unmatched = spans.filter((x) => !used.has(x.target)).map((x) => x.target);
  if (unmatched.length * 2 <= spans.length) return [];
  const shown = unmatched.slice(0, 3).join(', ') + (unmatched.length > 3 ? ', …' : '');
  const file = labelsFile ? basename(labelsFile) : 'the labels file';
  const head = `manifest line ${s.line}: ${unmatched.length} of the ${spans.length} rated spans of this session in ${file} match no transcript utterance (${shown})`;
  const other = otherClock?.();
  if (other) {
    const given = (s.meta.labels_clock ?? '').trim();
    const readOn = given === '' ? `labels_clock is empty: the reference role ${s.ref_role}'s clock` : `labels_clock ${given}`;
    return [`${head}: read on the clock of role ${other.role} instead of the one they were read on (${readOn}), ${other.matched} of the ${spans.length} match one (IoU >= 0.5): were the start_s/end_s timed on ${other.role}'s file? then write ${other.role} in the labels_clock column; otherwise check them`];
  }
  return [`${head}: is transcript ${s.transcript} this session's and on the clock given in transcript_clock, and are the labels' start_s/end_s? check them`];
}

/** The end of the unmatched-spans warning's tail when partial matches were dropped (refuse.ts looks for it). */
export const PARTIAL_MATCHES_DROPPED = 'not attached either, as the spans look shifted';

/** The unmatched-spans warning's tail naming the partial matches dropped (dropPartialMatches), or ''. */
function partialMatchesText(dropped: readonly PartialMatch[]): string {
  if (dropped.length === 0) return '';
  const shown = dropped.slice(0, 3).map((d) => `${d.target} on ${d.record} (IoU ${d.iou.toFixed(2)})`).join(', ') + (dropped.length > 3 ? ', …' : '');
  return `; ${dropped.length === 1 ? 'the one' : `the ${dropped.length}`} that overlap${dropped.length === 1 ? 's' : ''} an utterance only partly (${shown}) ${dropped.length === 1 ? 'is' : 'are'} ${PARTIAL_MATCHES_DROPPED}`;
}

/** A record whose span video frames with a face overlap (face_detection_rate > 0) but whose face frames hold none. */
function faceUnheld(rec: Record<string, unknown>): boolean {
  const q = rec.quality as { face_detection_rate: number | null; present: { face: boolean } };
  return (q.face_detection_rate ?? 0) > 0 && !q.present.face;
}

/**
 * The warning for records faceUnheld: their face is marked absent (present.face false), and why. At --face-fps 5
 * (frames 0.2 s apart) `--segments fixed:0.1 --face-rate native` gave 151 of 315 such records with present.face true
 * and no face, exit 0.
 */
function unheldFaceWarning(ids: string[], total: number, ctx: RecordContext): string[] {
  if (ids.length === 0 || !ctx.faceInfo) return [];
  const step = ctx.faceInfo.step;
  const why =
    ctx.faceRate === 'native'
      ? 'with --face-rate native a record holds the video frames inside its span, and these spans hold none with a face'
      : "none of their audio-grid times lies between two frames with a face or within half a frame interval of one (a span at the video's start or end, or beside frames without a face)";
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
  return [`face: ${ids.length} of ${total} records (${shown}) overlap video frames with a face (quality.face_detection_rate > 0) but hold no face value: ${why}; the face frames are ${Number(step.toFixed(6))} s apart (${Number((1 / step).toFixed(3))} per second), so their face is marked absent (quality.present.face false); for a face in such short spans use ${ctx.faceRate === 'native' ? '--face-rate audio, ' : ''}longer segments or extract with a higher --face-fps`];
}

/**
 * Records of a session with audio that hold no audio frame: spans where its audio has none (a lavalier that stopped
 * before the camera, a transcript's last utterances after it) or shorter than a frame. Their audio and their words'
 * audio means were null with quality.present.audio false and no word on stderr (ttrial58d: a lav cut at 6 s under a
 * 10 s camera, the utterance at 6.6-7.7 s and its words).
 */
function audioUnheldWarning(n: RecordNotes, f: Pick<SessionFeatures, 'aRange' | 'audioInfo'>): string[] {
  if (n.noAudio.n === 0 || !f.aRange || !f.audioInfo) return [];
  const half = f.audioInfo.step / 2;
  const covers = fmtSpan(Math.round((f.aRange.first - half) * 1e6) / 1e6, Math.round((f.aRange.last + half) * 1e6) / 1e6);
  return [`audio: ${n.noAudio.n} of ${n.total} records (${n.noAudio.text()}) hold no audio frame: the session's audio covers ${covers} on the reference clock and these spans lie outside it (or are shorter than one ${f.audioInfo.step} s frame), so their audio and their words' audio means are null (quality.present.audio false): did the audio recorder stop early or start late? filter on quality.present.audio`];
}

/**
 * The labels files' spans of a session on its reference clock: they are taken as timed on it unless the manifest's
 * `labels_clock` names the role they were timed on (ratings made while watching the camera file), as a transcript's
 * `transcript_clock` does (docs/dataset.md "Labels"). Unmapped, such spans made records offset by the camera's lag.
 */
async function spansOnReference(s: ManifestSession, syncPath: string, spans: LabelTargetSpan[]): Promise<LabelTargetSpan[]> {
  if (spans.length === 0) return spans;
  const clock = await columnClock(s, syncPath, 'labels_clock');
  return clock ? spans.map((x) => ({ ...x, start_s: clock(x.start_s), end_s: clock(x.end_s) })) : spans;
}

/**
 * The session with the reference role its features were extracted on (meta.json `ref_role`: `extract --ref-role video`
 * puts every time on the camera's clock). The manifest alone gives the default role (the first *_audio), so a
 * transcript or labels timed on the lav (`transcript_clock` lav_audio) was taken as already on the reference clock:
 * 0.62 s off on the demo's s01, exit 0.
 */
async function asExtracted(s: ManifestSession, dir: string): Promise<ManifestSession> {
  const meta = (await readJsonIf(join(dir, 'meta.json')).catch(() => null)) as Partial<SessionMeta> | null;
  const role = meta?.ref_role;
  return typeof role === 'string' && role !== s.ref_role && s.media.some((m) => m.role === role) ? { ...s, ref_role: role } : s;
}

/**
 * An empty `transcript_clock`/`labels_clock` means "the reference clock". When extract ran with another --ref-role
 * than the manifest's default (the first *_audio), that is another clock than the one the manifest was written
 * against: a transcript made from the lav (ASR of the lav file) was read on the camera's clock, every record off by
 * the camera's lag (0.62 s on the demo's s01), exit 0. Said as a warning of the session; naming the role silences it.
 */
function referenceChangedWarnings(given: ManifestSession, s: ManifestSession, hasSpans: boolean, hasTrace = false): string[] {
  if (s.ref_role === given.ref_role) return [];
  const empty = (c: string) => ['', 'reference'].includes((given.meta[c] ?? '').trim());
  const what: string[] = [];
  if (given.transcript && empty('transcript_clock')) what.push(`its transcript's times (transcript_clock is empty)`);
  if (hasSpans && empty('labels_clock')) what.push(`its labels' start_s/end_s (labels_clock is empty)`);
  if (hasTrace && empty('labels_clock')) what.push(`its gold trace's time_s (labels_clock is empty)`);
  if (what.length === 0) return [];
  return [`its features were extracted on the clock of role ${s.ref_role} (extract --ref-role ${s.ref_role}), not the manifest's default reference ${given.ref_role}, so ${what.join(' and ')} are read as timed on ${s.ref_role}; if they were timed on ${given.ref_role} (an ASR of that file, ratings made while listening to it), write ${given.ref_role} in the clock column, else ${s.ref_role}, to say so`];
}

/**
 * What a session's inputs say before its records are made, into its outcome: where its features came from (recording,
 * made_by, audio role, face model, transcript hash) and the warnings of its transcript, clocks, sync map and stages.
 */
async function noteInputs(given: ManifestSession, s: ManifestSession, f: SessionFeatures, featuresDir: string, labels: SessionLabels | null, opt: SessionBuildOptions, outcome: DatasetSessionOutcome): Promise<void> {
  outcome.recording = f.recording;
  outcome.made_by = f.made_by;
  outcome.audio_role = f.audioRole;
  outcome.face_model = f.faceModel;
  outcome.transcript_sha256 = s.transcript ? createHash('sha256').update(await readFile(s.transcript)).digest('hex') : null;
  outcome.made_by_reason = f.made_by ? null : "the session's meta.json has no made_by (made by an older mmprep): run mmprep extract again to record it";
  warn(outcome, 'extract_failed', await extractFailedWarning(featuresDir, s.session_id));
  if (f.utterances && s.transcript) {
    warn(outcome, 'transcript_speakers', transcriptSpeakers(f.utterances, s.transcript, s.speaker_id));
    warn(outcome, 'transcript_overlap', transcriptOverlaps(f.utterances, s.transcript));
    warn(outcome, 'transcript_words', transcriptWordsWarning(f.utterances, s.transcript));
  }
  warn(outcome, 'reference_changed', referenceChangedWarnings(given, s, (labels?.spans.length ?? 0) > 0, (labels?.traces ?? []).some((x) => x.series)));
  for (const w of syncMapWarnings(f.syncMap, f.sourceFiles)) warn(outcome, w.code, [w.message]);
  warn(outcome, 'audio_stage', f.stageWarnings.audio);
  warn(outcome, 'face_stage', f.stageWarnings.face);
  if (f.utterances?.length === 0 && opt.segments.kind === 'utterance')
    warn(outcome, 'empty_transcript', [`transcript ${s.transcript}: no utterances (an empty export?), so the session gives no records with --segments utterance; check the transcript, or use --segments fixed:LEN for its features without text`]);
  // An empty transcript cell: the session's features were extracted and it counted as built, with 0 records and no word.
  if (!s.transcript && opt.segments.kind === 'utterance' && opt.someTranscript)
    warn(outcome, 'no_transcript', [`no transcript (its manifest row's transcript cell is empty), so the session gives no records with --segments utterance and none of its features are in the release; give its transcript, or build with --segments fixed:LEN to include its features without text`]);
}

export async function buildSession(
  given: ManifestSession,
  featuresDir: string,
  opt: SessionBuildOptions,
  labels: SessionLabels | null,
  split: string,
  outcome: DatasetSessionOutcome,
  emit: (rec: Record<string, unknown>) => Promise<void>,
): Promise<{ mergedUsed: Record<string, string[]>; traces: Record<string, TraceTally> }> {
  const s = await asExtracted(given, join(featuresDir, given.session_id));
  const f = await readSessionFeatures(s, join(featuresDir, s.session_id), opt);
  await noteInputs(given, s, f, featuresDir, labels, opt, outcome);
  const spans = await spansOnReference(s, join(featuresDir, s.session_id, 'sync.json'), labels?.spans ?? []);
  if (labels?.traces?.length) {
    warn(outcome, 'labels_clock_assumed', await traceClockAssumedWarnings(s, join(featuresDir, s.session_id, 'sync.json'), labels.traces));
    labels = { ...labels, traces: await tracesOnReference(s, join(featuresDir, s.session_id, 'sync.json'), labels.traces) };
    const outside = traceOutsideWarnings(labels.traces ?? [], f.recording, s);
    warn(outcome, 'labels_unmatched', outside.filter((w) => w.mostly).map((w) => w.message));
    warn(outcome, 'labels_trace_outside', outside.filter((w) => !w.mostly).map((w) => w.message));
  }
  if (opt.segments.kind === 'labels' && f.recording) checkSpansInside(spans, f.recording, labels?.file ?? 'labels');
  const range = sessionExtent(f);
  // Utterance spans cover their words (Whisper's words can run past the segment end).
  const utts = f.utterances?.map((u) => ({
    ...u,
    start_s: Math.min(u.start_s, ...u.words.map((w) => w.start_s)),
    end_s: Math.max(u.end_s, ...u.words.map((w) => w.end_s)),
  })) ?? null;
  const segments: Segment[] = makeSegments(s.session_id, opt.segments, { utterances: utts, range, labelSpans: spans });
  if (range) setOutcomeExtent(outcome, range, spans, segments);
  const assigned = labels ? assignTargets(segments, spans, labels.file ?? 'labels') : segments.map(() => []);
  // The clocks sync.json gives each role, to tell a transcript or ratings read on the wrong one (clock-check.ts).
  const roles = await sessionRoleClocks(s, join(featuresDir, s.session_id, 'sync.json'));
  const labelsDeclared = roles.find((r) => r.role === declaredRole(s, 'labels_clock'));
  const otherLabelsClock = () => (labels && labelsDeclared ? spansMatchOnOtherClock(segments, labels.spans, labelsDeclared, roles, labels.file ?? 'labels') : null);
  const unmatchedWarning = opt.segments.kind === 'utterance' ? unmatchedSpansWarning(spans, assigned, s, labels?.file ?? null, otherLabelsClock) : [];
  // Most rated spans match nothing (a shifted ratings file): a span overlapping an utterance only partly is not trusted.
  const partial = unmatchedWarning.length ? dropPartialMatches(segments, spans, assigned) : { targetsOf: assigned, dropped: [] };
  const targetsOf = partial.targetsOf;
  if (opt.segments.kind === 'utterance') warn(outcome, 'labels_span_holds', spansHoldingOthersWarning(spansHoldingOthers(segments, spans, targetsOf), labels?.file ?? null));
  if (opt.segments.kind === 'labels') warn(outcome, 'labels_near_duplicate', nearDuplicateSpansWarning(segments, targetsOf));
  // Utterances too (since 2026-12-06: a trial's utterance ending 0.3 s after the recording kept its end, unlike a label
  // span in the same margin, M4): what the margin allows is clipped, with a warning of its own kind.
  const clipWhat = opt.segments.kind === 'labels' ? 'label span(s)' : opt.segments.kind === 'utterance' ? 'utterance(s), widened to their words,' : null;
  const clip = clipWhat && f.recording ? clipToRecording(segments, f.recording, clipWhat) : { segments, warnings: [] };
  warn(outcome, opt.segments.kind === 'labels' ? 'labels_clipped' : 'transcript_clipped', clip.warnings);
  warn(outcome, 'transcript_length', f.transcriptLength);
  const ctx: RecordContext = {
    session_id: s.session_id,
    speaker_id: s.speaker_id,
    split,
    audioFields: opt.audioFields,
    faceFields: opt.faceFields,
    faceRate: opt.faceRate,
    audioInfo: f.audioInfo,
    faceInfo: f.faceInfo,
    syncConfidence: syncConfidence(f.syncMap),
  };
  const plan = f.audioInfo ? await planClockCheck(s, roles, labels?.spans ?? [], opt.segments.kind !== 'utterance') : null;
  const voicing = plan && f.audioInfo ? { tap: new VoicingTap(f.audioInfo.step), until: plan.until } : undefined;
  const notes = await emitRecords(clip.segments, targetsOf, f, ctx, labels, emit, Boolean(opt.excludeSyncBeep), voicing, opt.minTraceCoverage);
  if (plan && voicing) {
    const fits = runClockCheck(plan, voicing.tap.grid());
    outcome.clock_check = fits;
    warn(outcome, 'clock_mismatch', clockMismatchWarning(fits.transcript, plan.transcript, plan.roles, s, 'transcript', null));
    warn(outcome, 'clock_mismatch', clockMismatchWarning(fits.labels, plan.labels, plan.roles, s, 'labels', labels?.file ?? null));
  }
  warn(outcome, 'face_unheld', unheldFaceWarning(notes.unheld, segments.length, ctx));
  warn(outcome, 'audio_unheld', audioUnheldWarning(notes, f));
  warn(outcome, 'sync_beep', syncBeepWarning(notes, Boolean(opt.excludeSyncBeep)));
  warn(outcome, 'gimbal_lock', gimbalLockWarning(notes));
  warn(outcome, 'labels_merged', mergedLabelsWarning(notes));
  if (opt.segments.kind === 'utterance') {
    warn(outcome, 'transcript_off_clock', offClockTranscriptWarning(notes, s));
    warn(outcome, 'transcript_unvoiced', unvoicedUtterancesWarning(notes, s));
    warn(outcome, 'labels_unmatched', unmatchedWarning.map((w) => w + partialMatchesText(partial.dropped)));
  }
  if (opt.segments.kind === 'labels') warn(outcome, 'labels_off_clock', offClockLabelsWarning(notes, s, labels?.file ?? null));
  return { mergedUsed: notes.mergedUsed, traces: notes.traces };
}

export interface SessionJob {
  i: number;
  file: string;
  session: ManifestSession;
  featuresDir: string;
  opt: SessionBuildOptions;
  labels: SessionLabels | null;
  split: string;
  /** The session is not built: it fails with this reason (a media file changed since extraction: feature-check.ts). */
  refused?: string;
}

/** Builds one session into `job.file` (one JSON line per record); a failed session leaves an empty file and its error. */
export async function buildSessionToFile(job: SessionJob): Promise<{ i: number; file: string; outcome: DatasetSessionOutcome; tally: SessionTally }> {
  const s = job.session;
  const outcome: DatasetSessionOutcome = { session_id: s.session_id, speaker_id: s.speaker_id, split: job.split, records: 0, start_s: null, end_s: null, recording: null, warnings: [], issues: [], made_by: null, made_by_reason: 'the session was not built (see error)', audio_role: null, face_model: null, transcript_sha256: null, error: null };
  let tally = newTally();
  const out = createWriteStream(job.file);
  let buf: string[] = [];
  let len = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const text = buf.join('');
    buf = [];
    len = 0;
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    if (job.refused) throw new InputError(job.refused);
    const built = await buildSession(s, job.featuresDir, job.opt, job.labels, job.split, outcome, async (rec) => {
      tallyRecord(tally, rec);
      const line = JSON.stringify(rec) + '\n';
      buf.push(line);
      len += line.length;
      outcome.records++;
      if (len >= 1 << 20) await flush();
    });
    tally.mergedTargets = built.mergedUsed;
    if (Object.keys(built.traces).length) tally.traces = built.traces;
  } catch (e) {
    if (!isMmprepError(e)) throw e;
    outcome.error = e.toLine();
    outcome.records = 0;
    outcome.made_by = null;
    outcome.made_by_reason = 'the session was not built (see error)';
    outcome.audio_role = null;
    tally = newTally();
  }
  if (outcome.error) buf = [];
  else await flush();
  out.end();
  await once(out, 'finish');
  return { i: job.i, file: job.file, outcome, tally };
}

