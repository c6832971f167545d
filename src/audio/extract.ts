/**
 * `mmprep audio` as a library: features of one file -> frame records (JSONL or CSV, written atomically or to
 * stdout) and a summary JSON (duration, voicing, speaking rate, pauses, F0 statistics, openSMILE-style functionals).
 */
import { mark } from '../common/timeline.js';
import { AtomicWriter, writeFileAtomic } from '../common/atomic.js';
import { openRecordSink, toJsonText, type OutputFormat } from '../common/records.js';
import { VERSION } from '../common/version.js';
import { writeStdout } from '../common/stdout.js';
import type { Clock } from '../sync/clock.js';
import { computeAudioFeatures, type AnalyzeOptions, type AudioFeatures } from './features.js';
import { functionals, percentileSorted, type Functionals } from './functionals.js';
import { streamedFunctionals, type SeriesReader } from './functionals-stream.js';
import { roundSig, roundTime } from './format.js';
import type { Worker } from 'node:worker_threads';
import { JsonlHelper } from './jsonl-helper.js';
import { unwritableOutput } from '../common/errors.js';
import { voiceRateHz } from './voice-rate.js';
import { digitalSilenceRuns, type DigitalSilenceRuns } from './silent-stream.js';
import { jsonlBlock, rmsDb, VOICE_FRAME_FIELDS, voiceFrame, type FrameView } from './jsonl.js';
import { chunkView, type ColumnKind, type FeatureColumns } from './feature-columns.js';
import { spilledJsonlBlocks } from './jsonl-spilled.js';
import { SPILL_BLOCK_FRAMES, SpillFile } from './spill.js';
export { rmsDb, VOICE_FRAME_FIELDS, jsonlBlock };
import { resolveAudioOptions, SPILL_AFTER_S, spillAfterFrames as spillFrames, type AudioOptions } from './options.js';
import type { DecodedAudioInfo, PrestartedDecode } from '../media/decode-audio.js';
import type { ProbeResult } from '../media/probe.js';
import type { PrestartedPitchWorker } from './pitch-worker-start.js';
import { checkStereoChannels, type ChannelCheck } from './channel-check.js';
import { beepFrames, marginOf, markSyncBeeps, summarizeWithoutSyncBeeps, syncBeepRecord } from './sync-beep.js';
import { BEEP_SEARCH_S } from './beep-search.js';
import { checkSpeakingRate, pitchRangeWarnings } from './pitch-range.js';

/** One frame record, as written (before rounding). */
export interface AudioFrameRecord {
  t_s: number;
  t_src_s?: number;
  mfcc: number[];
  delta: number[] | null;
  delta2: number[] | null;
  delta_reason?: string;
  f0_hz: number | null;
  voiced: boolean | null;
  voiced_prob: number | null;
  rms: number;
  rms_db: number;
  zcr: number;
  /** With --voice (Praat's voice measures; see docs/audio.md). */
  jitter_local?: number | null;
  shimmer_local?: number | null;
  hnr_db?: number | null;
  f1_hz?: number | null;
  f2_hz?: number | null;
  f3_hz?: number | null;
  b1_hz?: number | null;
  b2_hz?: number | null;
  b3_hz?: number | null;
  voice_reason?: string | null;
  /** When the file has a sync beep (sync-beep.ts): on every record. */
  sync_beep?: boolean;
  pitch_reason?: string | null;
}

export interface AudioSummary {
  file: string;
  mmprep_version: string;
  duration_s: number;
  n_samples: number;
  sample_rate_hz: number;
  hop_s: number;
  n_frames: number;
  source: {
    stream_index: number | null;
    codec: string | null;
    sample_rate_hz: number | null;
    channels: number | null;
    audio_streams: number | null;
    /** `--channel N`: the one channel analysed. */
    channel?: number;
    /** A stereo stream averaged: how alike its two channels are (audio/channel-check.ts). */
    channel_check?: ChannelCheck;
    /** ffmpeg's error messages while decoding (damaged packets; 0 for a clean file; a warning when not). */
    decode_errors?: number;
  };
  resampled: boolean;
  downmixed: boolean;
  notes: string[];
  clipped_ratio: number;
  /** Mean sample value of the analysed signal (full scale 1); a DC offset beyond DC_NOTE_OFFSET is warned about. */
  dc_offset: number;
  /** Stretches of digital silence inside the stream (silent-stream.ts), when any lasts 1 s or more. */
  digital_silence?: DigitalSilenceRuns;
  t_start_s: number;
  voiced_ratio: number;
  n_voiced_frames: number;
  n_syllables: number;
  /** null with speaking_rate_reason when the sound is not speech-like in its voicing (pitch-range.ts). */
  speaking_rate_syl_s: number | null;
  articulation_rate_syl_s: number | null;
  speaking_rate_reason: string | null;
  phonation_time_s: number;
  n_pauses: number;
  mean_pause_s: number | null;
  nuclei_times_s: number[];
  f0_mean_hz: number | null;
  f0_sd_hz: number | null;
  f0_min_hz: number | null;
  f0_max_hz: number | null;
  f0_p5_hz: number | null;
  f0_p95_hz: number | null;
  f0_range_hz: number | null;
  f0_mean_st: number | null;
  f0_sd_st: number | null;
  f0_range_st: number | null;
  f0_reason: string | null;
  /** Share of the voiced frames whose F0 has an octave above the ceiling as strong (a voice above it; pitch-range.ts). */
  f0_above_ceiling_ratio: number | null;
  functionals: Record<string, Functionals>;
  /** With --voice: Praat voice-report figures of the whole file. */
  voice?: VoiceSummary;
  params: AudioOptions;
}

/** Per-file voice measures in Praat's terms (null = undefined, see reasons). */
export interface VoiceSummary {
  floor_hz: number;
  ceiling_hz: number;
  /** Praat's maximum formant the formants were found under (--formant-ceiling-hz). */
  formant_ceiling_hz: number;
  n_pulses: number;
  jitter_local: number | null;
  jitter_local_absolute_s: number | null;
  jitter_rap: number | null;
  jitter_ppq5: number | null;
  jitter_ddp: number | null;
  shimmer_local: number | null;
  shimmer_local_db: number | null;
  shimmer_apq3: number | null;
  shimmer_apq5: number | null;
  shimmer_apq11: number | null;
  shimmer_dda: number | null;
  hnr_mean_db: number | null;
  hnr_voice_report_db: number | null;
  f1_median_hz: number | null;
  f2_median_hz: number | null;
  f3_median_hz: number | null;
  b1_median_hz: number | null;
  b2_median_hz: number | null;
  b3_median_hz: number | null;
  /** Why some figures are null (null when all are defined). */
  reasons: string[] | null;
}

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

function voiceSummary(f: AudioFeatures): VoiceSummary {
  const v = f.voice!;
  const { jitter: j, shimmer: s, hnrMeanDb, hnrVoiceReportDb, nPulses, formantMediansHz: fm, bandwidthMediansHz: bm } = v.file;
  const out: VoiceSummary = {
    floor_hz: v.options.floor,
    ceiling_hz: v.options.ceiling,
    formant_ceiling_hz: v.options.formantCeiling ?? 5500,
    n_pulses: nPulses,
    jitter_local: orNull(j.local),
    jitter_local_absolute_s: orNull(j.localAbsolute),
    jitter_rap: orNull(j.rap),
    jitter_ppq5: orNull(j.ppq5),
    jitter_ddp: orNull(j.ddp),
    shimmer_local: orNull(s.local),
    shimmer_local_db: orNull(s.localDb),
    shimmer_apq3: orNull(s.apq3),
    shimmer_apq5: orNull(s.apq5),
    shimmer_apq11: orNull(s.apq11),
    shimmer_dda: orNull(s.dda),
    hnr_mean_db: orNull(hnrMeanDb),
    hnr_voice_report_db: orNull(hnrVoiceReportDb),
    f1_median_hz: orNull(fm[0]),
    f2_median_hz: orNull(fm[1]),
    f3_median_hz: orNull(fm[2]),
    b1_median_hz: orNull(bm[0]),
    b2_median_hz: orNull(bm[1]),
    b3_median_hz: orNull(bm[2]),
    reasons: null,
  };
  const reasons: string[] = [];
  if (!v.pitch) reasons.push(`the signal is shorter than the voice pitch window (${(3 / v.options.floor).toFixed(3)} s)`);
  if (!v.harmonicity) reasons.push(`hnr_mean_db: the signal is shorter than the harmonicity window (${(5.5 / v.options.floor).toFixed(3)} s)`);
  if (!v.formants) reasons.push('formant medians: the signal is shorter than the formant window (0.05 s)');
  if (nPulses < 3) reasons.push(`fewer than 3 glottal pulses (${nPulses}): jitter and shimmer need sustained voicing`);
  else {
    const nullJ = (['jitter_local', 'jitter_rap', 'jitter_ppq5'] as const).filter((k) => out[k] === null);
    const nullS = (['shimmer_local', 'shimmer_apq3', 'shimmer_apq5', 'shimmer_apq11'] as const).filter((k) => out[k] === null);
    if (nullJ.length || nullS.length) reasons.push(`${[...nullJ, ...nullS].join(', ')}: too few consecutive periods within Praat's limits (0.0001-0.02 s, period factor 1.3, amplitude factor 1.6)`);
  }
  if (out.hnr_mean_db === null && v.harmonicity) reasons.push('hnr_mean_db: no sounding frame');
  if (out.hnr_voice_report_db === null && v.pitch) reasons.push('hnr_voice_report_db: no voiced frame in the voice pitch analysis');
  if (out.f1_median_hz === null && v.formants) reasons.push('formant medians: no voiced frame with formants');
  out.reasons = reasons.length ? reasons : null;
  return out;
}

/** Semitones re 100 Hz (Praat's convention). */
const st = (f: number) => 12 * Math.log2(f / 100);

/**
 * Presentation time of the first decoded sample on the file's timeline: the stream's start_time as ffprobe reports it,
 * which is how the sync scan (src/sync/tone/scan-audio.ts) and the video decoder count time. A sync clock maps these
 * times, so with a clock t_src_s = start + frame time. Without one, t_s keeps librosa's frames_to_time convention
 * (0 at the first sample). The two differ only for streams that do not start at 0 (MPEG-TS, some MP4 edits).
 */
export function sourceStart(f: AudioFeatures): number {
  // The first decoded sample's time (probe.ts firstSampleTime: start_time, but for Opus in WebM the first frame's).
  const s = f.decoded ? (f.decoded.firstSampleS ?? f.decoded.stream.start_time_s) : undefined;
  return s !== null && s !== undefined && Number.isFinite(s) ? s : 0;
}

/** Frame records of computed features (lazily, one object per frame; a spilled file's a block at a time). */
export function* audioFrameRecords(f: AudioFeatures, clock?: Clock): Generator<AudioFrameRecord> {
  const t0 = sourceStart(f);
  const cols = f.columns;
  const step = cols ? SPILL_BLOCK_FRAMES : Math.max(1, f.nFrames);
  for (let a = 0; a < f.nFrames; a += step) {
    const b = Math.min(f.nFrames, a + step);
    const v = cols ? chunkView(f, cols, a, b) : f;
    for (let i = a; i < b; i++) yield frameRecord(f, v, i, i - (v.first ?? 0), clock, t0);
  }
}

/** Frame i's record; `v` holds its per-frame values at index j (f itself, or a block of a spilled file). */
function frameRecord(f: AudioFeatures, v: FrameView, i: number, j: number, clock: Clock | undefined, t0: number): AudioFrameRecord {
  const k = f.options.nMfcc;
  const t = (i * f.hop) / f.sampleRate;
  const rec: AudioFrameRecord = clock ? ({ t_s: clock(t0 + t), t_src_s: t0 + t } as AudioFrameRecord) : ({ t_s: t } as AudioFrameRecord);
  rec.mfcc = Array.from(v.mfcc.subarray(j * k, j * k + k));
  rec.delta = v.delta ? Array.from(v.delta.subarray(j * k, j * k + k)) : null;
  rec.delta2 = v.delta2 ? Array.from(v.delta2.subarray(j * k, j * k + k)) : null;
  if (!v.delta) rec.delta_reason = f.deltaReason ?? 'unavailable';
  rec.f0_hz = v.f0[j] > 0 ? v.f0[j] : null;
  rec.voiced = v.f0[j] > 0;
  rec.voiced_prob = v.voicedProb[j];
  rec.rms = v.rms[j];
  rec.rms_db = rmsDb(v.rms[j]);
  rec.zcr = v.zcr[j];
  if (f.voice) {
    const { values, reason } = voiceFrame(v, j);
    VOICE_FRAME_FIELDS.forEach((key, m) => (rec[key] = Number.isNaN(values[m]) ? null : values[m]));
    rec.voice_reason = reason;
  }
  if (f.syncBeep) syncBeepRecord(rec, f.syncBeep, i);
  return rec;
}

/** A frame record rounded as written (times to microseconds, other floats to d significant digits). */
export function roundRecord(r: AudioFrameRecord, d: number): AudioFrameRecord {
  const R = (v: number) => roundSig(v, d);
  const out: AudioFrameRecord = { t_s: roundTime(r.t_s) } as AudioFrameRecord;
  if (r.t_src_s !== undefined) out.t_src_s = roundTime(r.t_src_s);
  out.mfcc = r.mfcc.map(R);
  out.delta = r.delta && r.delta.map(R);
  out.delta2 = r.delta2 && r.delta2.map(R);
  if (r.delta_reason !== undefined) out.delta_reason = r.delta_reason;
  out.f0_hz = r.f0_hz === null ? null : R(r.f0_hz);
  out.voiced = r.voiced;
  out.voiced_prob = r.voiced_prob === null ? null : R(r.voiced_prob);
  out.rms = R(r.rms);
  out.rms_db = R(r.rms_db);
  out.zcr = R(r.zcr);
  if (r.voice_reason !== undefined) {
    for (const k of VOICE_FRAME_FIELDS) out[k] = r[k] === null || r[k] === undefined ? null : R(r[k]);
    out.voice_reason = r.voice_reason;
  }
  if (r.sync_beep !== undefined) Object.assign(out, { sync_beep: r.sync_beep, pitch_reason: r.pitch_reason });
  return out;
}

/**
 * Writes the frame records to `out` (atomically; stdout when undefined or '-'). Returns the record count. `helper`:
 * a JSONL helper thread started earlier (extractAudio), used when the records are long enough and closed after.
 * `posted`: called once the helper has its frames (or none is used), so that the caller's own work (the summary)
 * runs while the helper formats.
 */
export async function writeAudioFrames(f: AudioFeatures, out: string | undefined, format: OutputFormat = 'jsonl', clock?: Clock, helper?: JsonlHelper | null, posted: () => void = () => undefined): Promise<number> {
  const d = f.options.digits;
  // A closed stdout (`mmprep audio x | head`) ends the output quietly instead of crashing on EPIPE.
  const toStdout = out === undefined || out === '-';
  let stdoutGone = false;
  let stdoutError: Error | null = null;
  const onStdoutError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') stdoutGone = true;
    else stdoutError = e;
  };
  if (toStdout) process.stdout.on('error', onStdoutError);
  try {
    return await writeFrames(f, out, format, clock, d, helper, () => {
      if (stdoutError) throw stdoutError;
      return stdoutGone;
    }, posted);
  } finally {
    posted();
    helper?.close();
    if (toStdout) process.stdout.off('error', onStdoutError);
  }
}

const toStdoutPath = (out: string | undefined) => out === undefined || out === '-';

async function writeFrames(f: AudioFeatures, out: string | undefined, format: OutputFormat, clock: Clock | undefined, d: number, started: JsonlHelper | null | undefined, gone: () => boolean, posted: () => void): Promise<number> {
  if (f.columns && format !== 'csv') return writeSpilledJsonl(f, f.columns, out, clock, started, gone, posted);
  if (format === 'csv') {
    posted();
    const sink = await openRecordSink(out, 'csv');
    try {
      for (const r of audioFrameRecords(f, clock)) {
        if (gone()) break;
        await sink.write(d > 0 ? roundRecord(r, d) : r);
      }
      await sink.close();
    } catch (e) {
      await sink.abort();
      if (toStdoutPath(out) && (e as NodeJS.ErrnoException).code === 'EPIPE') return f.nFrames;
      throw e;
    }
    return f.nFrames;
  }
  const toStdout = out === undefined || out === '-';
  const n = f.nFrames;
  // The helper thread formats the last frames while this thread formats the first ones (and, in extractAudio,
  // computes the summary): started before the first await so that it overlaps with the caller's work.
  const h = !clock && n >= HELPER_MIN_FRAMES ? (started ?? JsonlHelper.start()) : null;
  const split = h ? Math.floor(n * HELPER_SPLIT) : n;
  const helper = h ? formatInWorker(h, f, split, n) : null;
  helper?.catch(() => undefined); // awaited below; avoid an unhandled rejection while this thread works
  posted();
  const w = toStdout ? null : await new AtomicWriter(out).open();
  const write = async (s: string | Uint8Array) => {
    if (w) await w.write(s);
    else if (!gone()) await writeStdout(s);
  };
  try {
    const t0 = sourceStart(f);
    for (let i = 0; i < split; i += BLOCK_FRAMES) {
      if (gone()) break;
      await write(jsonlBlock(f, i, Math.min(split, i + BLOCK_FRAMES), clock, t0));
    }
    if (helper) {
      const rest = await helper;
      if (!gone()) await write(rest);
    }
    if (w) await w.commit();
  } catch (e) {
    if (w) await w.abort();
    throw e;
  }
  return n;
}

/**
 * The output file (atomically, written synchronously) or stdout (waiting for it to drain); `gone`: stdout's reader
 * left. write(b): b may be reused once the promise resolves (a copy goes to stdout).
 */
interface FrameSink {
  write(b: Uint8Array): Promise<void>;
  /** The output file's descriptor for positional writes (null: stdout, a device or a FIFO) and such a write. */
  fd: number | null;
  writeAt(b: Uint8Array, position: number): void;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

async function openFrameSink(out: string | undefined, gone: () => boolean): Promise<FrameSink> {
  const w = toStdoutPath(out) ? null : await new AtomicWriter(out as string).open();
  const toStdout = async (s: Uint8Array) => {
    if (!gone()) await writeStdout(Buffer.from(s));
  };
  return {
    write: async (s) => (w ? w.writeSync(s) : toStdout(s)),
    fd: w ? w.positionalFd() : null,
    writeAt: (b, position) => w!.writeAtSync(b, position),
    commit: async () => void (w && (await w.commit())),
    abort: async () => void (w && (await w.abort())),
  };
}

/**
 * writeFrames of a long recording whose MFCC and deltas are in a temp file (feature-columns.ts), block by block
 * (memory stays bounded by the blocks; the bytes are writeFrames's). Into a file: the helper writes the first frames
 * straight into it (helperFirst); to stdout, a device or a FIFO, this thread writes the first frames and the helper's
 * are copied after them (helperLast).
 */
async function writeSpilledJsonl(f: AudioFeatures, cols: FeatureColumns, out: string | undefined, clock: Clock | undefined, started: JsonlHelper | null | undefined, gone: () => boolean, posted: () => void): Promise<number> {
  const n = f.nFrames;
  const h = !clock && n >= HELPER_MIN_FRAMES ? (started ?? JsonlHelper.start()) : null;
  const sink = await openFrameSink(out, gone);
  try {
    if (h && sink.fd !== null) await helperFirst(f, cols, h, sink, sink.fd, out as string, posted);
    else await helperLast(f, cols, h, sink, clock, gone, posted);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return n;
}

/**
 * The helper formats frames [0, split) straight into the output's temp file from byte 0 while this thread formats
 * the last HELPER_SPLIT of them into a temp file of its own, copied after the helper's bytes once their count is
 * known: less than half the bytes the other order copies, and the copy was the command's tail (issue 15).
 */
async function helperFirst(f: AudioFeatures, cols: FeatureColumns, h: JsonlHelper, sink: FrameSink, fd: number, out: string, posted: () => void): Promise<void> {
  const n = f.nFrames;
  const split = n - Math.floor(n * HELPER_SPLIT);
  const part = SpillFile.create();
  try {
    const helper = formatSpilledInWorker(h, f, cols, fd, 0, split, true);
    helper.catch(() => undefined);
    posted();
    let mine = 0;
    for (const b of spilledJsonlBlocks(f, cols, split, n, BLOCK_FRAMES)) {
      part.write(b, mine);
      mine += b.length;
    }
    mark('own records formatted');
    const theirs = await helper.catch((e: unknown) => Promise.reject(unwritableOutput(out, e) ?? e));
    mark('helper records in');
    await copySpilled(part, mine, (b, at) => sink.writeAt(b, theirs + at));
  } finally {
    part.close();
  }
}

/** This thread formats frames [0, split) into the sink, the helper the rest into a temp file, copied after them. */
async function helperLast(f: AudioFeatures, cols: FeatureColumns, h: JsonlHelper | null, sink: FrameSink, clock: Clock | undefined, gone: () => boolean, posted: () => void): Promise<void> {
  const n = f.nFrames;
  const split = h ? Math.floor(n * HELPER_SPLIT) : n;
  const part = h ? SpillFile.create() : null;
  try {
    const helper = h && part ? formatSpilledInWorker(h, f, cols, part.fd, split, n) : null;
    helper?.catch(() => undefined);
    posted();
    for (const b of spilledJsonlBlocks(f, cols, 0, split, BLOCK_FRAMES, clock, sourceStart(f))) {
      if (gone()) break;
      await sink.write(b);
    }
    mark('own records formatted');
    if (helper && part) await copySpilled(part, await helper, (b) => sink.write(b), gone);
  } finally {
    part?.close();
  }
}

/** The first `length` bytes of a temp file to `put` (b: those from byte `at`), 1 MB at a time through one buffer. */
async function copySpilled(part: SpillFile, length: number, put: (b: Uint8Array, at: number) => Promise<void> | void, gone: () => boolean = () => false): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(COPY_BYTES, length));
  for (let at = 0; at < length && !gone(); at += COPY_BYTES) {
    const b = buf.subarray(0, Math.min(COPY_BYTES, length - at));
    part.read(b, at);
    await put(b, at);
  }
}

const COPY_BYTES = 1 << 20;

/**
 * formatInWorker for a spilled file: the helper gets its range of the in-memory arrays (views of those in shared
 * memory, copies of the others) and reads the columns itself.
 */
function formatSpilledInWorker(helper: JsonlHelper, f: AudioFeatures, cols: FeatureColumns, partFd: number, from: number, to: number, output = false): Promise<number> {
  const moved: ArrayBuffer[] = [];
  const part = <T extends Float32Array | Uint8Array>(a: T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a.subarray(from, to) as T;
    const c = a.slice(from, to) as T;
    moved.push(c.buffer as ArrayBuffer);
    return c;
  };
  const none = new Float64Array(0);
  const view: FrameView = {
    options: { nMfcc: f.options.nMfcc, digits: f.options.digits },
    sampleRate: f.sampleRate,
    hop: f.hop,
    nFrames: f.nFrames,
    first: from,
    mfcc: none,
    delta: null,
    delta2: null,
    deltaReason: f.deltaReason,
    f0: part(f.f0),
    voicedProb: part(f.voicedProb),
    rms: part(f.rms),
    zcr: part(f.zcr),
    syncBeep: f.syncBeep && { mask: part(f.syncBeep.mask), reason: f.syncBeep.reason },
    // The voice series are read from the columns' file (chunkView); only the voiced flags travel.
    voice: f.voice && { options: f.voice.options, frameVoiced: part(f.voice.frameVoiced), jitterLocal: none, shimmerLocal: none, hnrDb: none, formantHz: none, bandwidthHz: none },
  };
  return helper.formatToFile(view, from, to, cols.ref, partFd, BLOCK_FRAMES, moved, output);
}

/** Frames per written block (about 64 kB of JSONL). */
const BLOCK_FRAMES = 96;
/** Below this many frames one thread formats everything (a worker's start-up would cost more than it saves). */
const HELPER_MIN_FRAMES = 6000;
/**
 * Share of the frames this thread formats; the helper takes the rest (this thread also computes the summary). It
 * balances the two threads' CPU from the track to their last record on the 10-minute bench file (docs/benchmarks-history.md):
 * 0.3 in session 40 (at 0.2 the helper's part was the longer by ~30 ms, at 0.4 this thread's); 0.35 since the records
 * are formatted by WebAssembly (session 46, 4 rounds: the helper's part 95-105 CPU ms at 0.3, 90-92 at 0.35, this
 * thread's track-to-summary 66-95 and 74-80).
 */
const HELPER_SPLIT = 0.35;

/**
 * Formats frames [from, to) in the helper thread. It receives copies of the per-frame arrays' range [from, to),
 * transferred (not cloned twice), and nothing else.
 */
function formatInWorker(helper: JsonlHelper, f: AudioFeatures, from: number, to: number): Promise<Buffer> {
  const moved: ArrayBuffer[] = [];
  const part = <T extends Float64Array | Float32Array | Uint8Array>(a: T, width = 1): T => {
    const c = a.slice(from * width, to * width) as T;
    moved.push(c.buffer as ArrayBuffer);
    return c;
  };
  const k = f.options.nMfcc;
  const v = f.voice;
  const view: FrameView = {
    options: { nMfcc: k, digits: f.options.digits },
    sampleRate: f.sampleRate,
    hop: f.hop,
    nFrames: f.nFrames,
    first: from,
    mfcc: part(f.mfcc, k),
    delta: f.delta && part(f.delta, k),
    delta2: f.delta2 && part(f.delta2, k),
    deltaReason: f.deltaReason,
    f0: part(f.f0),
    voicedProb: part(f.voicedProb),
    rms: part(f.rms),
    zcr: part(f.zcr),
    voice: v && { options: v.options, frameVoiced: part(v.frameVoiced), jitterLocal: part(v.jitterLocal), shimmerLocal: part(v.shimmerLocal), hnrDb: part(v.hnrDb), formantHz: part(v.formantHz, 3), bandwidthHz: part(v.bandwidthHz, 3) },
    syncBeep: f.syncBeep && { mask: part(f.syncBeep.mask), reason: f.syncBeep.reason },
  };
  return helper.format(view, from, to, moved);
}

/** A stereo stream averaged to mono: how alike its channels are (one speaker per channel is a warning), else null. */
async function stereoCheck(file: string, f: AudioFeatures, probed?: Promise<ProbeResult>): Promise<ChannelCheck | null> {
  const dec = f.decoded;
  if (!dec || dec.sourceChannels !== 2 || dec.channel !== undefined) return null;
  return checkStereoChannels(file, f.options.stream, dec.sampleRate, probed ? await probed : undefined);
}

/** Above this share of samples at or beyond ±0.999 of full scale, the summary notes it (and stderr warns, source-warnings.ts). */
export const CLIPPED_NOTE_RATIO = 0.001;

/** A float PCM codec (pcm_f32le, pcm_f64be, ...): its samples may exceed full scale, and are decoded as they are. */
export function isFloatPcm(codec: string | null): boolean {
  return codec !== null && /^pcm_f(16|24|32|64)/.test(codec);
}

/**
 * An integer recording (or a lossy one) is clipped at full scale by the recorder; a float file keeps samples above
 * it, which are analysed unclipped (the decode is float32 too): saying "clipped" there was wrong.
 */
export function clippingNote(ratio: number, codec: string | null): string {
  const pct = (100 * ratio).toFixed(2);
  if (isFloatPcm(codec)) return `at or above full scale: ${pct} % of samples; a float recording (${codec}) keeps samples above full scale and they were analysed as they are, not clipped (the level was too hot for an integer format, not for the features)`;
  // The stderr warning's text too (source-warnings.ts), so the summary's notes hold it once.
  return `clipped: ${pct} % of samples at full scale (the recording level was too high); spectral features, F0 and voice quality of the loud parts are distorted`;
}

/**
 * An 8-bit PCM recording (pcm_u8, pcm_s8: an old corpus, a legacy recorder's WAV): its quantisation noise (step
 * 1/128 of full scale, about -53 dBFS on a busy signal) fills the quiet frames. librosa reads the same samples, so
 * the numbers are librosa's, but pauses and soft speech measure the format's noise. Measured: the speech fixtures
 * joined (9.7 s) as 8-bit against 16-bit: rms_db p5 -46.8 against -52.2 dB, the quietest 30 % of frames' mfcc_0
 * 31 higher (median), voice measures within 2 %.
 */
export function eightBitNote(codec: string | null): string | null {
  if (codec === null || !/^pcm_[su]8/.test(codec)) return null;
  return `8-bit samples (${codec}): their quantisation noise, about 53 dB below full scale, fills the quiet frames, so the rms_db and MFCCs of pauses and soft speech measure the format's noise (speech as 8-bit against 16-bit: quiet frames' mfcc_0 about 31 higher, rms_db 5th percentile 5 dB higher): compare them only with recordings of the same format, or analyse the 16-bit (or better) original if there is one`;
}

/** |mean sample value| above this (-40 dBFS) is a DC offset worth saying: it sets the floor of quiet frames' rms_db. */
export const DC_NOTE_OFFSET = 0.01;
/** The offset is said only for files at least this long (s): a shorter one's mean is that of a part of a period. */
export const DC_MIN_S = 0.25;

/**
 * A recorder's DC offset: librosa's rms and MFCCs keep it (no mean removal; mmprep equals them), Praat's pitch and
 * intensity (so F0 and the syllables) subtract the mean; said as a note and a warning (source-warnings.ts).
 */
export function dcOffsetNote(dc: number, durationS = Infinity): string | null {
  // A file shorter than a few periods of a low voice has a mean of its own (80 ms of fixtures/audio/wav/cards_001.flac from 0.35 s: 0.0157).
  if (!(Math.abs(dc) > DC_NOTE_OFFSET) || durationS < DC_MIN_S) return null;
  const floorDb = 20 * Math.log10(Math.abs(dc));
  return `DC offset: the mean sample value is ${dc.toFixed(4)} of full scale (a recorder or sound-card fault): rms, rms_db and the MFCCs include it as librosa's do (no quiet frame reads below ${floorDb.toFixed(1)} dB), zcr counts only the swings that cross it (librosa's too: lower, 0 where the sound never reaches across), and with --voice the pulses, jitter, shimmer and formants move as Praat's do; F0 and the syllables do not; remove it before analysing (ffmpeg -i IN -af highpass=f=10 OUT)`;
}

/** The summary's notes: resampling, downmix, clipping, and why fields are null. */
function summaryNotes(f: AudioFeatures, nVoiced: number): string[] {
  const dec = f.decoded;
  const notes: string[] = [];
  if (dec?.resampled) notes.push(`resampled from ${dec.sourceSampleRate} Hz to ${f.sampleRate} Hz by ffmpeg${dec.resampler === 'soxr' ? "'s soxr (HQ, the resampler of librosa.load(path, sr))" : ''}`);
  const voiceRate = f.voice && dec ? voiceRateHz(dec.sourceSampleRate, f.sampleRate, f.options.formantCeilingHz, f.options.voiceCeiling) : f.sampleRate;
  if (voiceRate !== f.sampleRate) notes.push(`--voice: the voice measures read the recording at its own ${voiceRate} Hz, as Praat's voice report does (a second decode); the other features are at ${f.sampleRate} Hz`);
  if (dec?.downmixed) notes.push(`downmixed ${dec.sourceChannels} channels to mono (average of the channels, as librosa.to_mono)`);
  if (dec?.channel !== undefined) notes.push(`analysed channel ${dec.channel} of ${dec.sourceChannels} alone (--channel ${dec.channel})`);
  if (f.clippedRatio > CLIPPED_NOTE_RATIO) notes.push(clippingNote(f.clippedRatio, dec?.stream.codec ?? null));
  const dc = dcOffsetNote(f.dcOffset ?? 0, f.nSamples / f.sampleRate);
  if (dc) notes.push(dc);
  const eight = eightBitNote(dec?.stream.codec ?? null);
  if (eight) notes.push(eight);
  if (!f.delta) notes.push(`delta and delta2 are null: ${f.deltaReason}`);
  if (f.f0Reason) notes.push(f.f0Reason);
  else if (nVoiced === 0) notes.push('no voiced frame: F0 statistics are null');
  return notes;
}

/** Functionals of every frame series: MFCC and deltas, F0 (voiced frames), voicing, RMS, ZCR, then voice quality. */
function featureFunctionals(f: AudioFeatures, hopS: number): Record<string, Functionals> {
  if (f.columns) return streamedFeatureFunctionals(f, f.columns, hopS);
  const n = f.nFrames;
  const func: Record<string, Functionals> = {};
  const k = f.options.nMfcc;
  const none = functionals([], 0, hopS);
  for (let j = 0; j < k; j++) func[`mfcc_${j}`] = functionals(f.mfcc, n, hopS, k, j);
  for (const [name, arr] of [['delta', f.delta], ['delta2', f.delta2]] as const) {
    for (let j = 0; j < k; j++) func[`${name}_${j}`] = arr ? functionals(arr, n, hopS, k, j) : none;
  }
  const voicedMask = new Uint8Array(n);
  for (let i = 0; i < n; i++) voicedMask[i] = f.f0[i] > 0 ? 1 : 0;
  const rmsDbs = new Float64Array(n);
  for (let i = 0; i < n; i++) rmsDbs[i] = rmsDb(f.rms[i]);
  func.f0_hz = functionals(f.f0, n, hopS, 1, 0, voicedMask);
  func.voiced_prob = functionals(f.voicedProb, n, hopS);
  func.rms = functionals(f.rms, n, hopS);
  func.rms_db = functionals(rmsDbs, n, hopS);
  func.zcr = functionals(f.zcr, n, hopS);
  if (f.voice) addVoiceFunctionals(func, f.voice, n, hopS);
  return func;
}

/**
 * featureFunctionals of a spilled file, in bounded memory (functionals-stream.ts): each series is read block by block,
 * the coefficient groups from their temp file with the frames of f.columnsMask (the sync beep's) as NaN, as
 * withoutBeepFrames blanks the in-memory rows; unvoiced frames' F0 as NaN (not used). The same values.
 */
function streamedFeatureFunctionals(f: AudioFeatures, cols: FeatureColumns, hopS: number): Record<string, Functionals> {
  const n = f.nFrames;
  const k = f.options.nMfcc;
  const func: Record<string, Functionals> = {};
  const mask = f.columnsMask;
  // Those computed while the pitch worker ran, when they left out the same frames (the same values: the same reader).
  const early = f.earlyFunctionals && sameMask(f.earlyFunctionals.mask, mask) ? f.earlyFunctionals.func : {};
  const coefficient = (kind: ColumnKind, j: number) => early[`${kind}_${j}`] ?? streamedFunctionals(coefficientReader(cols, mask, kind, j), n, hopS);
  const none = functionals([], 0, hopS);
  for (let j = 0; j < k; j++) func[`mfcc_${j}`] = coefficient('mfcc', j);
  for (const name of ['delta', 'delta2'] as const) {
    for (let j = 0; j < k; j++) func[`${name}_${j}`] = cols.hasDelta ? coefficient(name, j) : none;
  }
  // Each reader's loop its own (no shared call of a mapping function: it saw four, so V8 did not inline it, and
  // boxed each value passed and returned, ~10 MB of garbage per 10 minutes in the main thread's tail).
  const of = (x: Float32Array): SeriesReader => (a, b, out) => {
    for (let i = a; i < b; i++) out[i - a] = x[i];
  };
  const f0 = f.f0;
  const rms = f.rms;
  func.f0_hz = streamedFunctionals((a, b, out) => {
    for (let i = a; i < b; i++) out[i - a] = f0[i] > 0 ? f0[i] : NaN;
  }, n, hopS);
  func.voiced_prob = streamedFunctionals(of(f.voicedProb), n, hopS);
  func.rms = streamedFunctionals(of(rms), n, hopS);
  func.rms_db = streamedFunctionals((a, b, out) => {
    for (let i = a; i < b; i++) out[i - a] = rmsDb(rms[i]);
  }, n, hopS);
  func.zcr = streamedFunctionals(of(f.zcr), n, hopS);
  if (f.voice && cols.hasVoice) addStreamedVoiceFunctionals(func, f.voice.frameVoiced, cols, n, hopS);
  return func;
}

/** A coefficient series of the columns' file, the frames of `mask` (the sync beep's) as NaN. */
function coefficientReader(cols: FeatureColumns, mask: Uint8Array | undefined, kind: ColumnKind, j: number): SeriesReader {
  return (a, b, out) => {
    cols.read(kind, j, a, b, out);
    if (mask) for (let i = a; i < b; i++) if (mask[i]) out[i - a] = NaN;
  };
}

/** Whether two beep masks leave out the same frames (no mask: none). */
function sameMask(a: Uint8Array, b: Uint8Array | undefined): boolean {
  if (!b) return a.every((v) => v === 0);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The MFCC and delta functionals of a spilled file (streamedFeatureFunctionals' coefficient series, in its order, the
 * frames of `mask` left out), computed while the main thread waits for the pitch track: one series at a time, ending
 * once `trackIn` has settled (the summary computes those left, as it computes any after a failed read here).
 */
async function earlyCoefficientFunctionals(cols: FeatureColumns, n: number, k: number, hopS: number, mask: Uint8Array, trackIn: Promise<unknown>): Promise<{ mask: Uint8Array; func: Record<string, Functionals> }> {
  let arrived = false;
  trackIn.then(() => (arrived = true), () => (arrived = true));
  const func: Record<string, Functionals> = {};
  const kinds: ColumnKind[] = cols.hasDelta ? ['mfcc', 'delta', 'delta2'] : ['mfcc'];
  for (const kind of kinds) {
    for (let j = 0; j < k; j++) {
      // A turn of the event loop first: the track's message is taken as soon as it comes.
      await new Promise<void>((res) => setImmediate(res));
      if (arrived) return { mask, func };
      try {
        func[`${kind}_${j}`] = streamedFunctionals(coefficientReader(cols, mask, kind, j), n, hopS);
      } catch {
        return { mask, func };
      }
    }
  }
  return { mask, func };
}

/** addVoiceFunctionals of the voice series in the columns' file: frames not voiced read as NaN (not used). */
function addStreamedVoiceFunctionals(func: Record<string, Functionals>, voiced: Uint8Array, cols: FeatureColumns, n: number, hopS: number): void {
  VOICE_FRAME_FIELDS.forEach((name, j) => {
    const read: SeriesReader = (a, b, out) => {
      cols.read('voice', j, a, b, out);
      for (let i = a; i < b; i++) if (!voiced[i]) out[i - a] = NaN;
    };
    func[name] = streamedFunctionals(read, n, hopS);
  });
}

/** Functionals of the voice-quality series (jitter, shimmer, HNR, formants), over the voice analysis's voiced frames. */
function addVoiceFunctionals(func: Record<string, Functionals>, v: NonNullable<AudioFeatures['voice']>, n: number, hopS: number): void {
  const series: Record<(typeof VOICE_FRAME_FIELDS)[number], [ArrayLike<number>, number, number]> = {
    jitter_local: [v.jitterLocal, 1, 0],
    shimmer_local: [v.shimmerLocal, 1, 0],
    hnr_db: [v.hnrDb, 1, 0],
    f1_hz: [v.formantHz, 3, 0],
    f2_hz: [v.formantHz, 3, 1],
    f3_hz: [v.formantHz, 3, 2],
    b1_hz: [v.bandwidthHz, 3, 0],
    b2_hz: [v.bandwidthHz, 3, 1],
    b3_hz: [v.bandwidthHz, 3, 2],
  };
  for (const k of VOICE_FRAME_FIELDS) func[k] = functionals(series[k][0], n, hopS, series[k][1], series[k][2], v.frameVoiced);
}

type F0Stats = Pick<AudioSummary, 'f0_mean_hz' | 'f0_sd_hz' | 'f0_min_hz' | 'f0_max_hz' | 'f0_p5_hz' | 'f0_p95_hz' | 'f0_range_hz' | 'f0_mean_st' | 'f0_sd_st' | 'f0_range_st' | 'f0_reason'>;

/**
 * F0 statistics in Hz and semitones from the sorted voiced F0 values (mean and sd from the F0 functionals). The
 * values are float32 (the pitch track's), kept as such: half the memory of float64 copies, the same doubles read.
 */
function f0Statistics(voicedF0: Float32Array, fs: Functionals, reason?: string): F0Stats {
  const nv = voicedF0.length;
  if (nv === 0) {
    return { f0_mean_hz: null, f0_sd_hz: null, f0_min_hz: null, f0_max_hz: null, f0_p5_hz: null, f0_p95_hz: null, f0_range_hz: null, f0_mean_st: null, f0_sd_st: null, f0_range_st: null, f0_reason: reason ?? 'no voiced frame' };
  }
  // The semitone sums in sorted order, each term computed as it is added (as the reduce over Array.from(.., st) did).
  let sum = 0;
  for (let i = 0; i < nv; i++) sum += st(voicedF0[i]);
  const mst = sum / nv;
  let dev = 0;
  for (let i = 0; i < nv; i++) dev += (st(voicedF0[i]) - mst) ** 2;
  const sdst = Math.sqrt(dev / nv);
  const p5 = percentileSorted(voicedF0, 0.05);
  const p95 = percentileSorted(voicedF0, 0.95);
  return {
    f0_mean_hz: fs.mean,
    f0_sd_hz: fs.sd,
    f0_min_hz: voicedF0[0],
    f0_max_hz: voicedF0[voicedF0.length - 1],
    f0_p5_hz: p5,
    f0_p95_hz: p95,
    f0_range_hz: p95 - p5,
    f0_mean_st: mst,
    f0_sd_st: sdst,
    f0_range_st: st(p95) - st(p5),
    f0_reason: null,
  };
}

/** Share of the nv voiced frames flagged by the pitch analysis's octaveAboveCeiling (null without voiced frames). */
function aboveCeilingRatio(f: AudioFeatures, nv: number): number | null {
  const above = f.f0OctaveAbove;
  if (nv === 0) return null;
  if (!above) return 0;
  let k = 0;
  for (let i = 0; i < f.nFrames; i++) if (f.f0[i] > 0 && above[i]) k++;
  return k / nv;
}

/** `digital_silence` of the summary, in the records' times (frameRecord's), or nothing. */
function digitalSilenceField(f: AudioFeatures, hopS: number, clock?: Clock): { digital_silence?: DigitalSilenceRuns } {
  const t0 = sourceStart(f);
  const hop = { hopS, halfWindowS: f.options.nFft / 2 / f.sampleRate, durationS: f.nSamples / f.sampleRate };
  const runs = digitalSilenceRuns(f.rms, f.nFrames, hop, (t) => (clock ? clock(t0 + t) : t));
  return runs ? { digital_silence: runs } : {};
}

/** The summary object of computed features. */
export function summarizeAudio(f: AudioFeatures, file: string, clock?: Clock): AudioSummary {
  const n = f.nFrames;
  const sr = f.sampleRate;
  const hopS = f.hop / sr;
  const duration = f.nSamples / sr;
  const voicedF0 = f.f0.filter((v) => v > 0).sort();
  const nv = voicedF0.length;
  const dec = f.decoded;
  const notes = summaryNotes(f, nv);
  const func = featureFunctionals(f, hopS);
  const f0Stats = f0Statistics(voicedF0, func.f0_hz, f.f0Reason);
  const nu = f.nuclei;
  const s: AudioSummary = {
    file,
    mmprep_version: VERSION,
    duration_s: duration,
    n_samples: f.nSamples,
    sample_rate_hz: sr,
    hop_s: hopS,
    n_frames: n,
    source: { stream_index: dec?.stream.index ?? null, codec: dec?.stream.codec ?? null, sample_rate_hz: dec?.sourceSampleRate ?? null, channels: dec?.sourceChannels ?? null, audio_streams: dec?.audioStreams ?? null, decode_errors: dec?.decodeErrors.errors ?? 0, ...(dec?.channel !== undefined ? { channel: dec.channel } : {}) },
    resampled: dec?.resampled ?? false,
    downmixed: dec?.downmixed ?? false,
    notes,
    clipped_ratio: f.clippedRatio,
    dc_offset: f.dcOffset ?? 0,
    ...digitalSilenceField(f, hopS, clock),
    t_start_s: clock ? clock(sourceStart(f)) : 0,
    voiced_ratio: n > 0 ? nv / n : 0,
    n_voiced_frames: nv,
    n_syllables: nu.n_syllables,
    speaking_rate_syl_s: duration > 0 ? nu.n_syllables / duration : 0,
    articulation_rate_syl_s: nu.phonation_time_s > 0 ? nu.n_syllables / nu.phonation_time_s : null,
    speaking_rate_reason: null,
    phonation_time_s: nu.phonation_time_s,
    n_pauses: nu.n_pauses,
    mean_pause_s: nu.pause_durations_s.length ? nu.pause_durations_s.reduce((a, b) => a + b, 0) / nu.pause_durations_s.length : null,
    nuclei_times_s: nu.nuclei_times_s.map((t) => Math.round(t * 1000) / 1000),
    ...f0Stats,
    f0_above_ceiling_ratio: aboveCeilingRatio(f, nv),
    functionals: func,
    ...(f.voice ? { voice: voiceSummary(f) } : {}),
    params: f.options,
  };
  checkSpeakingRate(s);
  return s;
}

export interface ExtractAudioOptions extends Partial<AudioOptions> {
  /** Frame records path; undefined or '-' = stdout; null = do not write frames. */
  out?: string | null;
  format?: OutputFormat;
  /** Summary JSON path (written atomically). */
  summaryPath?: string;
  /**
   * How the summary's `file` names the recording (default: `file` as given). extract passes the manifest's cell as
   * written, as meta.json's inputs[] records it: an absolute path made the same session differ byte-wise under another folder.
   */
  name?: string;
  /** Source time -> reference time (see src/sync/clock.ts); or give syncPath. */
  clock?: Clock;
  /** A sync.json to take the clock of this file's audio stream from. */
  syncPath?: string;
  /** Analyse the sync beep as sound (default: its frames are marked and left out of the summary; sync-beep.ts). */
  keepSyncBeep?: boolean;
  /** The sync beep's frequency (default 1000 Hz). */
  toneHz?: number;
  /** Seconds searched for the sync beep at each end of the file (default 60, as mmprep sync's --search-s; 0 = the whole file; beep-search.ts). */
  beepSearchS?: number;
  /** The file's ffprobe run, started earlier by the caller (the CLI starts it before loading the analysis code). */
  probed?: Promise<ProbeResult>;
  /** The file's ffmpeg decode, started by the caller beside that ffprobe run; disposed of here whatever happens. */
  prestarted?: PrestartedDecode | null;
  /** A pitch worker the caller started before loading this module (pitch-worker-start.ts); disposed of here whatever happens. */
  pitchWorker?: PrestartedPitchWorker | null;
  /**
   * Recordings longer than this (seconds of audio) keep their bulky per-frame values in temp files in os.tmpdir()
   * instead of memory (docs/audio.md "Streaming and memory"; same output bytes). Default SPILL_AFTER_S; Infinity:
   * always in memory; 0: always spilled. With --voice the signal the voice measures read is spilled too.
   */
  spillAfterS?: number;
}

export { SPILL_AFTER_S };

/**
 * A spilled file's MFCC and delta functionals while the pitch worker ends its track (AnalyzeOptions.beforeTrack), the
 * beep's frames from the analysis pass's search left out (the summary checks that they are the ones it leaves out):
 * `result` once the hook has run.
 */
function earlyFunctionalsHook(o: AudioOptions, keepBeep: boolean) {
  const state: { hook: AnalyzeOptions['beforeTrack']; result: ReturnType<typeof earlyCoefficientFunctionals> | null } = { hook: undefined, result: null };
  state.hook = (pre, trackIn) => {
    if (!pre.columns || (pre.detections === null && !keepBeep)) return;
    const hopS = o.hopLength / o.sampleRate;
    const mask = pre.detections && !keepBeep ? beepFrames(pre.detections, 0, pre.nFrames, hopS, marginOf(o, o.sampleRate)).mask : new Uint8Array(pre.nFrames);
    state.result = earlyCoefficientFunctionals(pre.columns, pre.nFrames, o.nMfcc, hopS, mask, trackIn);
  };
  return state;
}

/**
 * Computes the features of `file`, writes the frame records and the summary, and returns the summary. Nothing
 * is written before the whole file has been analysed, so bad input never leaves a partial output.
 */
/**
 * Every warning the command says on stderr about the recording (source-warnings.ts) in the summary's notes too, once:
 * a voice scientist's trial found the 8 kHz formant warning and the two-talker stereo warning on stderr only, the
 * summary's notes and voice.reasons silent while F3 was 14 % low. `file` as the warnings name it (the user's).
 */
async function addWarningsToNotes(summary: AudioSummary, file: string): Promise<void> {
  const { audioSourceWarnings } = await import('./source-warnings.js');
  for (const w of audioSourceWarnings(summary, file)) if (!summary.notes.includes(w)) summary.notes.push(w);
}

export async function extractAudio(file: string, opts: ExtractAudioOptions = {}): Promise<AudioSummary> {
  let clock: Clock | undefined;
  mark('extractAudio');
  try {
    clock = opts.clock ?? (opts.syncPath ? await (await import('../sync/clock.js')).loadClock(opts.syncPath, file, 'audio', opts.stream ?? 0) : undefined);
  } catch (e) {
    opts.prestarted?.dispose();
    opts.pitchWorker?.dispose();
    throw e;
  }
  let helper: JsonlHelper | null = null;
  const resolved = resolveAudioOptions(opts);
  const hop = resolved.hopLength;
  const spillAfterFrames = spillFrames(resolved, opts.spillAfterS ?? SPILL_AFTER_S);
  // The pitch worker becomes the JSONL helper once its track is in, when the records will be long enough to use one.
  let wanted = false;
  const onOpen = (info: DecodedAudioInfo) => {
    const d = info.stream.duration_s;
    wanted = opts.out !== null && (opts.format ?? 'jsonl') === 'jsonl' && !clock && (d === null || d === undefined || (d * info.sampleRate) / hop >= HELPER_MIN_FRAMES);
  };
  const reuseWorker = (w: Worker) => {
    if (wanted) helper = JsonlHelper.adopt(w);
    else void w.terminate();
  };
  const early = earlyFunctionalsHook(resolved, opts.keepSyncBeep === true);
  let f: AudioFeatures | undefined;
  try {
    f = await computeAudioFeatures(file, opts, { ...(opts.keepSyncBeep ? {} : { toneHz: opts.toneHz ?? 1000, toneSearchS: opts.beepSearchS ?? BEEP_SEARCH_S }), onOpen, reuseWorker, recordsNext: () => wanted, probed: opts.probed, prestarted: opts.prestarted, pitchWorker: opts.pitchWorker, spillAfterFrames, beforeTrack: early.hook });
    if (early.result) f.earlyFunctionals = await early.result;
    mark('early work in');
    const beeps = opts.keepSyncBeep ? null : await markSyncBeeps(file, f, { toneHz: opts.toneHz, searchS: opts.beepSearchS ?? BEEP_SEARCH_S });
    mark('beeps marked');
    // Frames first: their writer hands part of the formatting to the helper before its first await, so the summary
    // below is computed while the helper runs.
    let posted = () => undefined as void;
    const handedOver = new Promise<void>((res) => (posted = res));
    const writing = opts.out !== null ? writeAudioFrames(f, opts.out, opts.format ?? 'jsonl', clock, helper, posted) : null;
    writing?.catch(() => undefined);
    // The helper has its frames before the summary takes this thread (the file's writer opens it first).
    if (writing) await Promise.race([handedOver, writing.then(() => undefined, () => undefined)]);
    let summary: AudioSummary;
    try {
      summary = beeps ? summarizeWithoutSyncBeeps(f, opts.name ?? file, clock, beeps) : summarizeAudio(f, opts.name ?? file, clock);
      const check = await stereoCheck(file, f, opts.probed);
      if (check) summary.source.channel_check = check;
      // After the sync beep is left out (its frames are neither voiced nor sounding): said on stderr too (source-warnings.ts).
      summary.notes.push(...pitchRangeWarnings(summary));
      await addWarningsToNotes(summary, opts.name ?? file);
      mark('summary done');
    } finally {
      await writing;
      mark('records done');
    }
    if (opts.summaryPath) await writeFileAtomic(opts.summaryPath, toJsonText(summary));
    mark('summary written');
    return summary;
  } finally {
    f?.columns?.close();
    opts.prestarted?.dispose();
    opts.pitchWorker?.dispose();
    (helper as JsonlHelper | null)?.close();
  }
}
