/**
 * `mmprep dataset build`: session manifest + extract's feature folders (+ ratings files) -> a JSONL dataset release.
 * Sessions are processed one at a time and their feature files streamed, so memory stays flat in the number of
 * sessions (and, for non-overlapping segments, in session length). Output is built in a temp folder beside OUT and
 * renamed into place at the end; nothing partial is left. Same inputs and options -> byte-identical files.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { BatchError, InputError, isMmprepError } from '../common/errors.js';
import { writeFileAtomic } from '../common/atomic.js';
import { toJsonText } from '../common/records.js';
import { VERSION } from '../common/version.js';
import { readSyncMap, type SyncMap } from '../sync/clock.js';
import { readManifest, type ManifestSession } from './manifest.js';
import { DEFAULT_AUDIO_FEATURES, DEFAULT_FACE_FEATURES, parseFeatureList } from './features.js';
import { FrameCursor, readFrames, timeRange, type Frame } from './frames.js';
import { assignTargets, readLabelFiles, type LabelSet } from './labels.js';
import { buildRecord, type FaceRate, type RecordLabels, type StreamInfo } from './record.js';
import { makeSegments, parseSegmentMode, segmentModeText, type Segment, type SegmentMode } from './segments.js';
import { SplitShardWriter, type ShardFile } from './shards.js';
import { DEFAULT_SPLIT, parseSplits, splitOf, type SplitSpec } from './splits.js';
import { datasetSchema } from './schema.js';
import { datasetCard } from './card.js';
import { readSessionTranscript } from './transcripts/index.js';

export interface BuildOptions {
  features: string;
  labels?: string[];
  segments?: string;
  audioFeatures?: string;
  faceFeatures?: string;
  faceRate?: FaceRate;
  split?: string;
  gzip?: boolean;
  shardMb?: number;
  out: string;
  /** Called after each session (progress). */
  onSession?: (s: DatasetSessionOutcome) => void;
}

export interface DatasetSessionOutcome {
  session_id: string;
  speaker_id: string;
  split: string;
  records: number;
  start_s: number | null;
  end_s: number | null;
  error: string | null;
}

export interface DatasetManifest {
  format: 'mmprep-dataset';
  format_version: 1;
  tool: { name: 'mmprep'; version: string };
  source: { manifest: string; manifest_sha256: string; labels: Array<{ file: string; sha256: string }> };
  options: Record<string, unknown>;
  counts: { records: number; sessions: number; sessions_failed: number; per_split: Record<string, { records: number; sessions: number; speakers: number }> };
  presence: Record<string, number>;
  labels: Array<{ key: string; file: string; dimension: string; categorical: boolean; agreement: unknown; targets: number; targets_used: number }>;
  sessions: DatasetSessionOutcome[];
  files: ShardFile[];
  extra_files: Array<{ path: string; bytes: number; sha256: string }>;
}

export interface BuildResult {
  out: string;
  manifest: DatasetManifest;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Frames of a stream within [a - margin, b + margin), pulled from a cursor into a sliding buffer. */
class StreamWindow {
  private buf: Frame[] = [];
  constructor(private readonly cur: FrameCursor) {}
  async framesFor(a: number, b: number, margin: number): Promise<Frame[]> {
    // Drop frames nobody needs any more (segments come sorted by start).
    let k = 0;
    while (k < this.buf.length && this.buf[k].t_s < a - margin) k++;
    if (k > 0) this.buf.splice(0, k);
    for (;;) {
      const f = await this.cur.peek();
      if (!f || f.t_s >= b + margin) break;
      await this.cur.next();
      if (f.t_s >= a - margin) this.buf.push(f);
    }
    return this.buf.filter((f) => f.t_s < b + margin);
  }
  close(): Promise<void> {
    return this.cur.close();
  }
}

function syncConfidence(map: SyncMap | null): number | null {
  if (!map) return null;
  const c = map.streams.map((s) => s.confidence).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return c.length ? Math.min(...c) : null;
}

interface Prepared {
  options: {
    segments: SegmentMode;
    audioFields: string[];
    faceFields: string[];
    faceRate: FaceRate;
    splits: SplitSpec[];
    gzip: boolean;
    shardMb: number;
  };
}

function prepare(o: BuildOptions): Prepared['options'] {
  const shardMb = o.shardMb ?? 256;
  if (!(shardMb > 0)) throw new InputError(`--shard-mb must be positive, got ${shardMb}`);
  const faceRate = o.faceRate ?? 'audio';
  if (faceRate !== 'audio' && faceRate !== 'native') throw new InputError(`--face-rate must be audio or native, got '${faceRate}'`);
  const segments = parseSegmentMode(o.segments ?? 'utterance');
  if (segments.kind === 'labels' && !(o.labels && o.labels.length)) throw new InputError('--segments labels needs at least one --labels file');
  return {
    segments,
    audioFields: parseFeatureList(o.audioFeatures ?? DEFAULT_AUDIO_FEATURES, 'audio'),
    faceFields: parseFeatureList(o.faceFeatures ?? DEFAULT_FACE_FEATURES, 'face'),
    faceRate,
    splits: parseSplits(o.split ?? DEFAULT_SPLIT),
    gzip: Boolean(o.gzip),
    shardMb,
  };
}

export async function buildDataset(manifestPath: string, o: BuildOptions): Promise<BuildResult> {
  const opt = prepare(o);
  const featuresDir = resolve(o.features);
  try {
    if (!(await stat(featuresDir)).isDirectory()) throw new Error();
  } catch {
    throw new InputError('--features: not a folder', { file: o.features });
  }
  const manifest = await readManifest(manifestPath, { checkFiles: false });
  const labelFiles = (o.labels ?? []).map((f) => resolve(f));
  const labelSet: LabelSet | null = labelFiles.length ? await readLabelFiles(labelFiles) : null;

  const out = resolve(o.out);
  if (existsSync(out)) {
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes('manifest.json'))
      throw new InputError('output folder exists and is not an mmprep dataset (no manifest.json); refusing to replace it', { file: o.out });
  }
  await mkdir(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.build-${process.pid}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });

  const writer = new SplitShardWriter(tmp, { gzip: opt.gzip, shardBytes: opt.shardMb * 1024 * 1024 });
  const outcomes: DatasetSessionOutcome[] = [];
  const presence = { audio: 0, face: 0, text: 0, labels: 0 };
  const usedTargets = new Map<string, Set<string>>();
  let total = 0;
  try {
    for (const s of manifest.sessions) {
      const split = splitOf(s.speaker_id, opt.splits);
      const outcome: DatasetSessionOutcome = { session_id: s.session_id, speaker_id: s.speaker_id, split, records: 0, start_s: null, end_s: null, error: null };
      try {
        await buildSession(s, featuresDir, opt, labelSet, split, outcome, async (rec) => {
          const q = rec.quality as { present: Record<string, boolean> };
          for (const k of Object.keys(presence) as Array<keyof typeof presence>) if (q.present[k]) presence[k]++;
          for (const [key, l] of Object.entries(rec.labels as RecordLabels)) {
            let set = usedTargets.get(key);
            if (!set) usedTargets.set(key, (set = new Set()));
            set.add(l.target);
          }
          await writer.write(split, JSON.stringify(rec) + '\n');
          outcome.records++;
          total++;
        });
      } catch (e) {
        if (!isMmprepError(e)) throw e;
        outcome.error = e.toLine();
      }
      outcomes.push(outcome);
      o.onSession?.(outcome);
    }
    const files = await writer.close();

    const perSplit: DatasetManifest['counts']['per_split'] = {};
    for (const sp of opt.splits) {
      const ok = outcomes.filter((x) => x.split === sp.name && !x.error);
      perSplit[sp.name] = { records: ok.reduce((a, x) => a + x.records, 0), sessions: ok.length, speakers: new Set(ok.map((x) => x.speaker_id)).size };
    }
    const dm: DatasetManifest = {
      format: 'mmprep-dataset',
      format_version: 1,
      tool: { name: 'mmprep', version: VERSION },
      source: {
        manifest: basename(manifest.path),
        manifest_sha256: await sha256File(manifest.path),
        labels: await Promise.all(labelFiles.map(async (f) => ({ file: basename(f), sha256: await sha256File(f) }))),
      },
      options: {
        segments: segmentModeText(opt.segments),
        audio_features: opt.audioFields,
        face_features: opt.faceFields,
        face_rate: opt.faceRate,
        split: Object.fromEntries(opt.splits.map((x) => [x.name, x.fraction])),
        gzip: opt.gzip,
        shard_mb: opt.shardMb,
      },
      counts: { records: total, sessions: outcomes.filter((x) => !x.error).length, sessions_failed: outcomes.filter((x) => x.error).length, per_split: perSplit },
      presence,
      labels: (labelSet?.dimensions ?? []).map((d) => ({
        key: d.key,
        file: basename(d.file),
        dimension: d.dimension,
        categorical: d.categorical,
        agreement: d.agreement,
        targets: d.byTarget.size,
        targets_used: usedTargets.get(d.key)?.size ?? 0,
      })),
      sessions: outcomes,
      files,
      extra_files: [],
    };
    const schemaText = toJsonText(datasetSchema({ audioFields: opt.audioFields, faceFields: opt.faceFields, faceRate: opt.faceRate, labelKeys: dm.labels.map((l) => l.key) }));
    const cardText = datasetCard(dm);
    await writeFileAtomic(join(tmp, 'schema.json'), schemaText);
    await writeFileAtomic(join(tmp, 'README.md'), cardText);
    for (const name of ['schema.json', 'README.md']) {
      const p = join(tmp, name);
      dm.extra_files.push({ path: name, bytes: (await stat(p)).size, sha256: await sha256File(p) });
    }
    await writeFileAtomic(join(tmp, 'manifest.json'), toJsonText(dm));
    // Swap into place: the old release (if any) goes only once the new one is complete.
    if (existsSync(out)) {
      const old = `${tmp}.old`;
      await rename(out, old);
      await rename(tmp, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, out);
    }
    return { out, manifest: dm };
  } catch (e) {
    await writer.abort();
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Throws a BatchError (exit 4) naming the failed sessions when a build finished with some; for the CLI. */
export function failedSessionsError(m: DatasetManifest): BatchError | null {
  const bad = m.sessions.filter((s) => s.error);
  if (bad.length === 0) return null;
  return new BatchError(`${bad.length} of ${m.sessions.length} sessions failed and are not in the dataset: ${bad.map((b) => `${b.session_id} (${b.error})`).join('; ')}`);
}

async function readJsonIf(path: string): Promise<unknown | null> {
  if (!existsSync(path)) return null;
  return JSON.parse(await readFile(path, 'utf8'));
}

async function buildSession(
  s: ManifestSession,
  featuresDir: string,
  opt: Prepared['options'],
  labelSet: LabelSet | null,
  split: string,
  outcome: DatasetSessionOutcome,
  emit: (rec: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const dir = join(featuresDir, s.session_id);
  if (!existsSync(join(dir, 'meta.json'))) throw new InputError('features incomplete (no meta.json: extract did not finish this session)', { file: dir });
  const syncPath = join(dir, 'sync.json');
  const syncMap = existsSync(syncPath) ? await readSyncMap(syncPath) : null;
  const utterances = await readSessionTranscript(s, syncPath);
  await readJsonIf(join(dir, 'meta.json')).catch(() => {
    throw new InputError('meta.json is not valid JSON', { file: join(dir, 'meta.json') });
  });

  const audioPath = join(dir, 'audio.jsonl');
  const facePath = join(dir, 'face.jsonl');
  const hasAudio = existsSync(audioPath) && opt.audioFields.length >= 0;
  const hasFace = existsSync(facePath);
  const aRange = hasAudio ? await timeRange(audioPath) : null;
  const fRange = hasFace ? await timeRange(facePath) : null;
  const audioInfo: StreamInfo | null = aRange ? { step: aRange.step ?? 0.01 } : null;
  const faceInfo: StreamInfo | null = fRange ? { step: fRange.step ?? 1 / 30 } : null;

  // Session extent on the reference clock: every stream's frames (with their half-frame) and the transcript.
  const lo: number[] = [];
  const hi: number[] = [];
  if (aRange && audioInfo) lo.push(aRange.first - audioInfo.step / 2), hi.push(aRange.last + audioInfo.step / 2);
  if (fRange && faceInfo) lo.push(fRange.first - faceInfo.step / 2), hi.push(fRange.last + faceInfo.step / 2);
  for (const u of utterances ?? []) lo.push(u.start_s, ...u.words.map((w) => w.start_s)), hi.push(u.end_s, ...u.words.map((w) => w.end_s));
  const spans = labelSet?.spansBySession.get(s.session_id) ?? [];
  const range = lo.length ? { start_s: Math.min(...lo), end_s: Math.max(...hi) } : null;

  // Utterance spans cover their words (Whisper's words can run past the segment end).
  const utts = utterances?.map((u) => ({
    ...u,
    start_s: Math.min(u.start_s, ...u.words.map((w) => w.start_s)),
    end_s: Math.max(u.end_s, ...u.words.map((w) => w.end_s)),
  })) ?? null;
  const segments: Segment[] = makeSegments(s.session_id, opt.segments, { utterances: utts, range, labelSpans: spans });
  if (range) {
    for (const sp of spans) (range.start_s = Math.min(range.start_s, sp.start_s)), (range.end_s = Math.max(range.end_s, sp.end_s));
    outcome.start_s = Math.round(range.start_s * 1e6) / 1e6;
    outcome.end_s = Math.round(range.end_s * 1e6) / 1e6;
    for (const g of segments) (outcome.start_s = Math.min(outcome.start_s, g.start_s)), (outcome.end_s = Math.max(outcome.end_s, g.end_s));
  }
  const targetsOf = labelSet ? assignTargets(segments, spans) : segments.map(() => []);

  const drop = ['faces', ...(opt.faceFields.includes('landmarks') ? [] : ['landmarks'])];
  const aw = hasAudio ? new StreamWindow(new FrameCursor(readFrames(audioPath))) : null;
  const fw = hasFace ? new StreamWindow(new FrameCursor(readFrames(facePath, { drop }))) : null;
  const ctx = {
    session_id: s.session_id,
    speaker_id: s.speaker_id,
    split,
    audioFields: opt.audioFields,
    faceFields: opt.faceFields,
    faceRate: opt.faceRate,
    audioInfo,
    faceInfo,
    syncConfidence: syncConfidence(syncMap),
  };
  try {
    for (const [i, seg] of segments.entries()) {
      const aF = aw && audioInfo ? await aw.framesFor(seg.start_s, seg.end_s, audioInfo.step) : null;
      const fF = fw && faceInfo ? await fw.framesFor(seg.start_s, seg.end_s, 2.5 * faceInfo.step) : null;
      const labels: RecordLabels = {};
      if (labelSet) {
        for (const d of labelSet.dimensions) {
          for (const t of targetsOf[i]) {
            const l = d.byTarget.get(t);
            if (l) {
              labels[d.key] = { target: t, gold: l.gold, ratings: l.ratings, agreement: d.agreement };
              break;
            }
          }
        }
      }
      await emit(buildRecord(seg, ctx, aF, fF, labels));
    }
  } finally {
    await aw?.close();
    await fw?.close();
  }
}
