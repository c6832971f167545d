/**
 * One streaming pass over the PCM: spectral frames (log-mel, RMS, ZCR), Praat-style pitch candidates and the
 * intensity contour are computed as samples arrive; the SampleBuffer keeps only the samples the widest window
 * still needs. Whole-file steps run at the end on per-frame values only: librosa's top_db clip and the DCT, the
 * deltas, the pitch path finder (it needs the global peak) and the syllable nuclei. Past spillAfterFrames the bulky
 * per-frame values go to temp files and those steps run block by block (spill.ts, pitch-spilled.ts,
 * feature-columns.ts): the same values, memory flat in the recording's length.
 */
import { mark } from '../common/timeline.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AudioDecoder, type DecodedAudioInfo, type PrestartedDecode } from '../media/decode-audio.js';
import type { ProbeResult } from '../media/probe.js';
import { deltaFeaturesBoth, deltaRows } from './delta.js';
import { spillMfcc, type FeatureColumns } from './feature-columns.js';
import { IntensityAnalyzer } from './intensity.js';
import { nucleiCandidates, nucleiOf, type NucleiCandidates, type NucleiResult } from './nuclei.js';
import { FEATURE_RESAMPLER, resolveAudioOptions, voiceRateCheck, type AudioOptions } from './options.js';
import { InputError } from '../common/errors.js';
import { PitchAnalyzer, type PitchTrack } from './pitch.js';
import { FrameStore, SampleBuffer } from './sample-buffer.js';
import { MfccKernel, mfccFromLogMel, mfccOfFramesJs, SpectralAnalyzer, topDbFloor } from './spectral.js';
import { SpillFile, SpillStore } from './spill.js';
import type { VoiceAnalysis } from './voice.js';
import { VoiceRecorder, type VoiceSignal } from './voice-signal.js';
import { voiceRateHz } from './voice-rate.js';
import { ToneScanner, type ToneDetection } from '../sync/tone/tone.js';
import { beepSearchSpans } from './beep-search.js';
import type { FrameView } from './jsonl.js';
import type { Functionals } from './functionals.js';
import { ACK_EVERY, PITCH_WORKER_URL, pitchParams, type PrestartedPitchWorker } from './pitch-worker-start.js';

/** Per-frame features of a file (the frame arrays are FrameView's: typed arrays, frame-major). */
export interface AudioFeatures extends FrameView {
  options: AudioOptions;
  nSamples: number;
  nuclei: NucleiResult;
  /** Fraction of samples at or beyond +-0.999 of full scale. */
  clippedRatio: number;
  /** Why no frame has an F0 although it may sound: the signal is shorter than the pitch window (features.ts tooShortForPitch). */
  f0Reason?: string;
  /** Mean sample value (full scale 1): a recorder's DC offset, which RMS and the MFCCs keep as librosa does. */
  dcOffset?: number;
  /** Per frame, 1 where the pitch candidate in range has an equally strong octave above the ceiling (pitch.ts). */
  f0OctaveAbove?: Uint8Array;
  /** Present when decoded from a file. */
  decoded?: DecodedAudioInfo;
  /** Voice quality (options.voice). */
  voice?: VoiceAnalysis;
  /** Tone bursts found in the same pass (AnalyzeOptions.toneHz); times from the first decoded sample. */
  toneBursts?: { toneHz: number; detections: ToneDetection[] };
  /**
   * A long recording's MFCC and deltas in a temp file (AnalyzeOptions.spillAfterFrames; mfcc, delta and delta2 are
   * then empty): read them through it, and close it when done (extractAudio does).
   */
  columns?: FeatureColumns;
  /** With columns: frames whose MFCC and deltas count as NaN in the summary (the sync beep's; sync-beep.ts). */
  columnsMask?: Uint8Array;
  /**
   * With columns: functionals of MFCC and delta series computed while the pitch worker still ran (extract.ts
   * earlyCoefficientFunctionals), with the beep frames they left out; the summary takes those whose mask is its own.
   */
  earlyFunctionals?: { mask: Uint8Array; func: Record<string, Functionals> };
}

const CLIP_LEVEL = 0.999;

/**
 * The level at or beyond which a sample counts as clipped: 0.999 of the largest value the source's codec can hold.
 * An 8-bit or G.711 recording's largest value is below full scale as ffmpeg decodes it (pcm_u8 and pcm_s8 127/128;
 * mu-law 32124/32768 = 0.980, A-law 32256/32768 = 0.984, ITU-T G.711's top codes), so at 0.999 of full scale its
 * clipping went uncounted until 2026-12-07: a telephone recording with 7 % of its samples at the top code read
 * `clipped_ratio` 0 at --sr 8000, with no warning. Unknown or other codecs: full scale.
 */
export function clipLevelOf(codec: string | null | undefined): number {
  const top = codec === 'pcm_mulaw' ? 32124 / 32768 : codec === 'pcm_alaw' ? 32256 / 32768 : codec === 'pcm_u8' || codec === 'pcm_s8' ? 127 / 128 : 1;
  return CLIP_LEVEL * top;
}

export interface AnalyzeOptions {
  /**
   * Run the pitch analysis in a worker thread (default true when the compiled worker is available, i.e. when
   * running from dist/). Results are identical either way.
   */
  threads?: boolean;
  /**
   * After a successful analysis: the pitch worker (idle once its track arrived) for the caller to reuse, its
   * listeners removed; the caller then terminates it. Not called without a pitch worker.
   */
  reuseWorker?: (w: Worker) => void;
  /**
   * Asked when the pitch worker is sent the end: true when reuseWorker will give it a JSONL job (jsonl-job.ts), whose
   * code it then loads in its wait for the job instead of after the job came (the job's thread is the critical path).
   */
  recordsNext?: () => boolean;
  /**
   * Also run sync's tone-burst detector at this frequency over the same samples (sync-beep.ts), so the sync beep is
   * found without a second decode; skipped when the tone is above a quarter of the sample rate.
   */
  toneHz?: number;
  /**
   * The spans of samples (from the first decoded one) where the tone detector looks for onsets (sync-beep.ts
   * beepSearchSpans: the file's ends, as `mmprep sync` searches), asked at the first chunk; undefined: the whole stream.
   */
  toneSpans?: () => Array<[number, number]> | undefined;
  /** computeAudioFeatures: the seconds searched for the tone at each end of the file (beep-search.ts); 0 or unset: the whole file. */
  toneSearchS?: number;
  /**
   * The chunks are the caller's to give away (each its own whole ArrayBuffer, not used after it was analysed): the
   * pitch worker receives them without a copy. Set by computeAudioFeatures for the decoder's chunks, unless the
   * decoder reuses one buffer (read at each chunk); a caller's own chunks (e.g. subarrays of one array) are always copied.
   */
  ownChunks?: boolean;
  /** The number of frames expected (e.g. from the container's duration), asked at the first chunk; null: unknown. */
  framesHint?: () => number | null;
  /**
   * The decoded stream (codec and its own sample rate), asked at the first chunk: the tone detector (toneHz) then
   * allows for a lossy codec's pre-echo as `mmprep sync` does (ToneScanner.forStream), and the clipping count takes
   * the codec's largest value as full scale (clipLevelOf). Unset: judged as PCM.
   */
  toneStream?: () => { codec?: string | null; sample_rate_hz?: number | null } | undefined;
  /** computeAudioFeatures: called once the decoder has probed the file, before the first chunk. */
  onOpen?: (info: DecodedAudioInfo) => void;
  /** computeAudioFeatures: the file's ffprobe run, when the caller started it earlier (else the decoder runs it). */
  probed?: Promise<ProbeResult>;
  /** A pitch worker the caller started early (pitch-worker-start.ts; used when threads are on, else disposed of). */
  pitchWorker?: PrestartedPitchWorker | null;
  /** computeAudioFeatures: an ffmpeg decode the caller started beside that ffprobe run (the caller disposes of it). */
  prestarted?: PrestartedDecode | null;
  /**
   * Past this many frames the bulky per-frame stores go to temp files (spill.ts: log-mel bands, pitch candidates and
   * backpointers, then the MFCC and deltas as AudioFeatures.columns), so memory stays flat in the recording's length;
   * the outputs are the same bytes. Undefined: everything in memory. With options.voice also the signal the voice
   * measures read (past as many frames' samples), the voice pitch candidates and the per-frame voice series.
   */
  spillAfterFrames?: number;
  /**
   * With options.voice: asked at the first chunk, a second decode of the same stream at another rate for the voice
   * measures to read (computeAudioFeatures: the file's own rate, voice-rate.ts), run once the other features are in;
   * null or unset: the voice measures read the analysed chunks.
   */
  voiceSource?: () => VoiceSource | null;
  /**
   * Called once the MFCC and deltas are computed and the tone search has ended, while the pitch track is still awaited
   * (`trackIn` resolves when it is in): extractAudio computes part of the summary there, on a thread that would wait.
   */
  beforeTrack?: (pre: { columns?: FeatureColumns; nFrames: number; detections: ToneDetection[] | null }, trackIn: Promise<unknown>) => void;
}

/** The signal of the voice measures at `sampleRate` (mono, as the analysed chunks). */
export interface VoiceSource {
  sampleRate: number;
  chunks: () => AsyncIterable<Float32Array>;
}

const WORKER_URL = PITCH_WORKER_URL;
/** Chunks the main thread may have handed to the pitch worker before waiting for it (bounds memory; >= ACK_EVERY). */
const MAX_IN_FLIGHT = 3 * ACK_EVERY;

/** The pitch stage: in-process, or in a worker thread with bounded chunks in flight. */
interface PitchStage {
  /** `give`: the chunk may be transferred (not copied) to the worker; the caller does not use it afterwards. */
  feed(chunk: Float32Array, buf: SampleBuffer, give: boolean): Promise<void>;
  end(buf: SampleBuffer): Promise<PitchTrack>;
  minNeeded(): number;
  close(): void;
  /** After the track arrived: the worker, if any, goes to `to` (its listeners removed) instead of being terminated. */
  handOver(to: (w: Worker) => void): void;
}

/** Praat's global peak: the largest excursion from the signal's mean (of the buffer's running min / max / sum). */
function globalPeakOf(buf: SampleBuffer): number {
  const n = buf.total ?? 0;
  const mean = n > 0 ? buf.sum / n : 0;
  return n > 0 ? Math.max(buf.max - mean, mean - buf.min) : 0;
}

function inProcessPitch(o: AudioOptions, spillAfter?: number): PitchStage {
  const pitch = new PitchAnalyzer(pitchParams(o, spillAfter));
  return {
    feed: async (_c, buf) => pitch.pump(buf),
    end: async (buf) => {
      pitch.pump(buf);
      return pitch.finish(globalPeakOf(buf));
    },
    minNeeded: () => pitch.minNeeded(),
    close: () => undefined,
    handOver: () => undefined,
  };
}

/**
 * Share of the pitch frames the main thread computes in worker mode (null: none, the worker computes every frame).
 * It was 1 block of 64 frames in 16 when the main thread's streaming work was the spectral features and intensity
 * alone (issue 15, 05:23 UTC); since then the main thread also runs the sync beep search over every sample (~0.25 CPU
 * s per 10 minutes), and it became the longer thread: per-thread CPU on 10 min of speech, main 1.44-1.65 s against
 * the pitch worker's 1.19-1.28 s (13 runs, 2026-11-30 20:32-20:47 UTC). Its share also paid the pitch code's cold
 * start and compiles a second time (in-process, one thread, buffering included: 0.175 CPU s for 1/16 of the frames
 * in a fresh process, 0.116 s warm) and the merge of the two shares. Results do not depend on which thread computes
 * a frame.
 */
const MAIN_SHARE: { block: number; every: number } | null = null;

/** The main thread's view of the pitch worker: chunks not yet acknowledged, its result and its failure. */
interface PitchWorkerState {
  inFlight: number;
  /** Resumes a feed() waiting for acknowledgements. */
  wake: (() => void) | null;
  failure: Error | null;
  result: ((t: PitchTrack) => void) | null;
  reject: ((e: Error) => void) | null;
  done: boolean;
}

/** Listens to the worker's acknowledgements, result, error and exit (an exit before the result is a failure). */
function watchPitchWorker(w: Worker): PitchWorkerState {
  const s: PitchWorkerState = { inFlight: 0, wake: null, failure: null, result: null, reject: null, done: false };
  w.on('message', (m: { ack?: number; track?: PitchTrack }) => {
    if (m.ack) {
      s.inFlight -= m.ack;
      const f = s.wake;
      s.wake = null;
      f?.();
    } else if (m.track) {
      s.done = true;
      s.result?.(m.track);
    }
  });
  w.on('error', (e) => {
    s.failure = e;
    s.wake?.();
    s.reject?.(e);
  });
  w.on('exit', (code) => {
    if (s.done || s.failure) return;
    s.failure = new Error(`pitch worker exited (code ${code}) before returning its result`);
    s.wake?.();
    s.reject?.(s.failure);
  });
  return s;
}

/**
 * The pitch stage in a worker: `started` (else a new one); `reading`: the parameters (JSON) that worker reads the
 * file with itself (PrestartedPitchWorker.readWav), which must be this analysis's: then no chunks are sent.
 */
function workerPitch(o: AudioOptions, spillAfter?: number, started?: Worker | null, reading: string | null = null, recordsNext?: () => boolean): PitchStage {
  const params = pitchParams(o, spillAfter);
  const workerParams = MAIN_SHARE ? { ...params, share: { ...MAIN_SHARE, main: false } } : params;
  const reads = reading !== null && !!started;
  if (reads && (reading !== JSON.stringify(workerParams) || MAIN_SHARE)) throw new Error('internal error: the pitch worker reads the file with other parameters than the analysis has');
  const w = started ?? new Worker(WORKER_URL, { workerData: workerParams });
  if (started && !reads) w.postMessage({ params: workerParams });
  const mine = MAIN_SHARE ? new PitchAnalyzer({ ...params, share: { ...MAIN_SHARE, main: true } }) : null;
  const s = watchPitchWorker(w);
  let handed = false;
  return {
    async feed(chunk, buf, give) {
      if (s.failure) throw s.failure;
      if (reads) return;
      const whole = give && chunk.buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
      const copy = whole ? chunk : chunk.slice();
      s.inFlight++;
      w.postMessage({ chunk: copy }, [copy.buffer as ArrayBuffer]);
      mine?.pump(buf);
      while (s.inFlight > MAX_IN_FLIGHT && !s.failure) await new Promise<void>((res) => (s.wake = res));
      if (s.failure) throw s.failure;
    },
    // With a share: this thread's last frames, then its share goes to the worker, which merges the two shares and
    // runs the path finder while this thread computes the MFCCs and deltas (the caller does not await before that).
    end: (buf) => new Promise<PitchTrack>((res, rej) => {
      if (s.failure) return rej(s.failure);
      s.result = res;
      s.reject = rej;
      // The worker keeps no min / max / sum (this thread's buffer has them, from the same chunks in the same order).
      if (!mine) return w.postMessage({ end: true, globalPeak: globalPeakOf(buf), recordsNext: recordsNext?.() === true });
      mine.pump(buf);
      const globalPeak = globalPeakOf(buf);
      const main = mine.frames();
      const transfer = [main.nCand.buffer, main.freq.buffer, main.strength.buffer, main.localPeak.buffer] as ArrayBuffer[];
      w.postMessage({ end: true, main, n: mine.next, globalPeak }, transfer);
    }),
    // Without a share this thread keeps no samples for the pitch analysis (the worker has its own buffer).
    minNeeded: () => (mine ? mine.minNeeded() : Infinity),
    close: () => {
      s.done = true;
      if (!handed) void w.terminate();
    },
    handOver: (to) => {
      if (!s.done || s.failure || handed) return;
      handed = true;
      for (const ev of ['message', 'error', 'exit'] as const) w.removeAllListeners(ev);
      to(w);
    },
  };
}

/** The pitch stage of run.threads (default: when the compiled worker exists), in the caller's early worker if given. */
function pitchStage(o: AudioOptions, spill: number | undefined, run: AnalyzeOptions): PitchStage {
  const threads = run.threads ?? existsSync(fileURLToPath(WORKER_URL));
  const reading = run.pitchWorker?.reading ?? null;
  const started = threads ? run.pitchWorker?.take() : null;
  run.pitchWorker?.dispose();
  return threads ? workerPitch(o, spill, started, reading, run.recordsNext) : inProcessPitch(o, spill);
}

/**
 * While the worker ends its pitch frames and path: the MFCCs, deltas, the beep search's last chunk and the syllable
 * nuclei up to their voicing check (no track needed), then the caller's beforeTrack.
 */
function whileTrackRuns(o: AudioOptions, spectral: SpectralAnalyzer, tone: ToneScanner | null, intensity: IntensityAnalyzer, nSamples: number, run: AnalyzeOptions, trackP: Promise<PitchTrack>) {
  const spec = spectralFinish(o, spectral);
  const detections = tone ? tone.finish() : null;
  const nuclei = intensityNuclei(o, intensity, nSamples);
  run.beforeTrack?.({ columns: spec.columns, nFrames: spectral.logmel.length, detections }, trackP);
  return { spec, detections: detections ?? [], nuclei };
}

/**
 * The syllable nuclei of the intensity contour before their voicing check (nuclei.ts nucleiCandidates): found here,
 * while the pitch worker still runs, they were ~15-30 ms of the main thread's work after the track, beside the
 * helper's records (issue 15); only nucleiOf's voicing check waits for the track.
 */
function intensityNuclei(o: AudioOptions, intensity: IntensityAnalyzer, nSamples: number): NucleiCandidates {
  const nI = intensity.db.length;
  const times = new Float64Array(nI);
  for (let k = 0; k < nI; k++) times[k] = intensity.time(k);
  return nucleiCandidates(intensity.db.data.subarray(0, nI), times, nSamples / o.sampleRate, {
    silenceDb: o.nucleiSilenceDb,
    minDipDb: o.nucleiMinDipDb,
    minPauseS: o.nucleiMinPauseS,
    minSoundingS: o.nucleiMinSoundingS,
  });
}

/**
 * The refusal of a signal holding a sample that is not a finite number (a float WAV written with NaN or infinity):
 * every feature whose window holds it would be undefined or made up (MFCC -428 at the log floor, rms null, unvoiced
 * frames, no sounding time, exit 0 before 2026-12-07), so it is refused, as librosa's valid_audio refuses it
 * ("Audio buffer is not finite everywhere"). `start`: the chunk's first sample in the analysed signal.
 */
export class NonFiniteSampleError extends InputError {}

function nonFiniteSamples(chunk: Float32Array, start: number, sr: number): NonFiniteSampleError {
  let i = 0;
  while (i < chunk.length && Number.isFinite(chunk[i])) i++;
  const at = start + i;
  const what = Number.isNaN(chunk[i]) ? 'NaN' : chunk[i] > 0 ? 'infinity' : '-infinity';
  return new NonFiniteSampleError(
    `sample ${at} (${(at / sr).toFixed(3)} s into the audio analysed at ${sr} Hz) is ${what}, not a number a recording can hold: ` +
      `a floating-point file written with invalid values (a division by zero in the program that made it); the features around it would be undefined, ` +
      `so it is refused, as librosa refuses it; write the file again with those samples replaced (e.g. numpy.nan_to_num) or re-export it from the original`,
  );
}

/** Features of a stream of mono PCM chunks at options.sampleRate. */
export async function analyzePcm(chunks: AsyncIterable<Float32Array> | Iterable<Float32Array>, options: Partial<AudioOptions> = {}, run: AnalyzeOptions = {}): Promise<AudioFeatures> {
  const o = resolveAudioOptions(options);
  const sr = o.sampleRate;
  const spill = run.spillAfterFrames;
  const spectral = new SpectralAnalyzer(o, spill);
  const pitch = pitchStage(o, spill, run);
  const intensity = new IntensityAnalyzer(sr, o.nucleiIntensityFloor);
  const buf = new SampleBuffer();
  buf.clipLevel = CLIP_LEVEL;
  const keep = () => Math.min(spectral.minNeeded(), pitch.minNeeded(), intensity.minNeeded());
  // The signal, kept for the voice measures only: in memory, or past the spill threshold in a temp file.
  let pcm = o.voice ? new VoiceRecorder(spill === undefined ? Infinity : spill * o.hopLength) : null;
  let voiceSrc: VoiceSource | null = null;
  const toneOn = run.toneHz !== undefined && 4 * run.toneHz <= sr;
  let tone: ToneScanner | null = null;
  let first = true;
  try {
    for await (const chunk of chunks) {
      if (first) {
        first = false;
        mark('first chunk');
        buf.clipLevel = clipLevelOf(run.toneStream?.()?.codec);
        // Built once the decoder has opened, so that it knows the stream's codec (as mmprep sync's scanner does).
        if (toneOn) {
          const onsetSpans = run.toneSpans?.();
          tone = ToneScanner.forStream(sr, 0, run.toneStream?.(), { toneHz: run.toneHz, ...(onsetSpans ? { onsetSpans } : {}) });
        }
        const hint = run.framesHint?.();
        if (hint) for (const st of [spectral.logmel, spectral.rms, spectral.zcr]) st.reserve(hint);
        // A long file will spill: an unusable temp folder is refused here, in one line, before the pitch worker meets it.
        if (spill !== undefined && hint && hint > spill) SpillFile.create().close();
        voiceSrc = (o.voice && run.voiceSource?.()) || null;
        // Samples given directly (no decoder): the voice reads them at sr.
        if (o.voice && !run.voiceSource) voiceRateCheck(o, sr, undefined);
        if (voiceSrc) {
          pcm?.close();
          pcm = null;
        }
      }
      pcm?.push(chunk);
      tone?.push(chunk);
      buf.append(chunk, keep());
      // Any NaN or infinite sample makes the running sum non-finite (finite float32 samples cannot overflow a double).
      if (!Number.isFinite(buf.sum)) throw nonFiniteSamples(chunk, buf.end - chunk.length, sr);
      await pitch.feed(chunk, buf, run.ownChunks === true);
      spectral.pump(buf);
      intensity.pump(buf);
    }
    buf.finish();
    spectral.pump(buf);
    intensity.pump(buf);
    mark('stream end');
    const trackP = pitch.end(buf);
    trackP.catch(() => undefined);
    const { spec, detections, nuclei } = whileTrackRuns(o, spectral, toneOn ? tone : null, intensity, buf.total ?? 0, run, trackP);
    mark('before track done');
    const track = await trackP;
    mark('track in');
    const f = finishFeatures(o, buf, spec, spectral, track, nuclei, buf.clipped);
    mark('features done');
    if (toneOn) f.toneBursts = { toneHz: run.toneHz as number, detections };
    if (pcm) f.voice = await voiceOf(pcm.finish(), sr, f, o, spill);
    else if (voiceSrc) f.voice = await voiceOf(await recordVoice(voiceSrc, o, spill), voiceSrc.sampleRate, f, o, spill);
    if (run.reuseWorker) pitch.handOver(run.reuseWorker);
    return f;
  } finally {
    pcm?.close();
    pitch.close();
    if (spectral.logmel instanceof SpillStore) spectral.logmel.close();
  }
}

/** The voice source's signal: in memory, or past as many seconds as `spill` frames in a temp file (VoiceRecorder). */
async function recordVoice(src: VoiceSource, o: AudioOptions, spill: number | undefined): Promise<VoiceSignal> {
  const rec = new VoiceRecorder(spill === undefined ? Infinity : Math.ceil((spill * o.hopLength * src.sampleRate) / o.sampleRate));
  try {
    for await (const c of src.chunks()) rec.push(c);
    return rec.finish();
  } catch (e) {
    rec.close();
    throw e;
  }
}

/**
 * The voice measures of the signal (at `rate`; their frames on the features' grid i * hop / sampleRate s; their
 * per-frame series into the spilled columns when there are), then it is closed.
 */
async function voiceOf(sig: VoiceSignal, rate: number, f: AudioFeatures, o: AudioOptions, spill: number | undefined): Promise<VoiceAnalysis> {
  try {
    // The voice code is loaded only for --voice (its modules cost the start-up of every run ~0.02 CPU s otherwise).
    const { analyzeVoice } = await import('./voice.js');
    const opts = { floor: o.voiceFloor, ceiling: o.voiceCeiling, window: o.voiceWindowS, formantCeiling: o.formantCeilingHz };
    return analyzeVoice(sig, rate, o.hopLength, f.nFrames, opts, f.columns?.voiceSink(), spill, o.sampleRate);
  } finally {
    sig.close();
  }
}

type SpectralResult = Pick<AudioFeatures, 'mfcc' | 'delta' | 'delta2' | 'deltaReason' | 'columns'>;

/** The whole-file spectral steps: top_db clip and DCT (MFCC), then the deltas. */
function spectralFinish(o: AudioOptions, spectral: SpectralAnalyzer): SpectralResult {
  const nFrames = spectral.logmel.length;
  if (spectral.logmel instanceof SpillStore && spectral.logmel.file !== null) return spectralFinishSpilled(o, spectral.logmel);
  const mfcc = mfccFromLogMel(spectral.logmel, o.nMfcc, o.topDb);
  const both = deltaFeaturesBoth(mfcc, nFrames, o.nMfcc, o.deltaWidth);
  const delta = both ? both[0] : null;
  const delta2 = both ? both[1] : null;
  const deltaReason = delta ? null : `fewer than ${o.deltaWidth} frames (${nFrames}): librosa.feature.delta needs at least width frames`;
  return { mfcc, delta, delta2, deltaReason };
}

/** spectralFinish of a spilled log-mel store: the MFCC and deltas go to a temp file block by block (feature-columns.ts). */
function spectralFinishSpilled(o: AudioOptions, lm: SpillStore): SpectralResult {
  lm.seal();
  const n = lm.length;
  const floor = topDbFloor(lm, o.topDb);
  const kernel = MfccKernel.create(o.nMels, o.nMfcc);
  const mfcc = (d: Float32Array, count: number, out: Float64Array) => (kernel ? kernel.run(d, count, floor, out) : mfccOfFramesJs(d, count, o.nMels, o.nMfcc, floor, out));
  const deltas = (x: Float64Array, x0: number, from: number, to: number, o1: Float64Array, o2: Float64Array) => deltaRows(x, x0, n, o.nMfcc, o.deltaWidth, from, to, o1, o2);
  const columns = spillMfcc(lm, o.nMfcc, o.deltaWidth, mfcc, deltas);
  lm.close();
  const none = new Float64Array(0);
  const has = columns.hasDelta;
  const deltaReason = has ? null : `fewer than ${o.deltaWidth} frames (${n}): librosa.feature.delta needs at least width frames`;
  return { mfcc: none, delta: has ? none : null, delta2: has ? none : null, deltaReason, columns };
}

/** The first n values of a store: a copy, or for a spilled file its own shared memory (the JSONL helper reads it). */
function frameValues(st: FrameStore, n: number, spilled: boolean): Float32Array {
  return spilled && st.data.buffer instanceof SharedArrayBuffer ? st.data.subarray(0, n) : st.data.slice(0, n);
}

/**
 * Why a signal shorter than the pitch analysis window (3 periods of the floor, Praat's To Pitch (ac)) gets no F0, or
 * null: Praat refuses such a sound, and mmprep's zero-padded frames gave a male voice's 10-20 ms clips F0s 4 octaves
 * high (exit 0, before 2026-12-07); its frames are unvoiced.
 */
function tooShortForPitch(nSamples: number, o: AudioOptions): string | null {
  const windowS = 3 / o.f0Floor;
  if (nSamples === 0 || nSamples >= Math.floor(windowS * o.sampleRate)) return null;
  const ms = (s: number) => `${Math.round(s * 1000)} ms`;
  return `the sound (${ms(nSamples / o.sampleRate)}) is shorter than the pitch analysis window (${ms(windowS)}: 3 periods of the ${o.f0Floor} Hz floor), so F0 is not measured and every frame is unvoiced, as Praat's To Pitch refuses such a sound; a higher --f0-floor shortens the window`;
}

function finishFeatures(o: AudioOptions, buf: SampleBuffer, spec: SpectralResult, spectral: SpectralAnalyzer, track: PitchTrack, candidates: NucleiCandidates, clipped: number): AudioFeatures {
  const sr = o.sampleRate;
  const nSamples = buf.total ?? 0;
  const nFrames = spectral.logmel.length;
  const { mfcc, delta, delta2, deltaReason, columns } = spec;
  const hopS = o.hopLength / sr;
  const f0Reason = tooShortForPitch(nSamples, o);
  if (f0Reason) track.f0.fill(0);
  const isVoiced = (t: number) => {
    const i = Math.round(t / hopS);
    return i >= 0 && i < track.n && track.f0[i] > 0;
  };
  // The voicing check when first read (by the summary; the candidates were found before the track, whileTrackRuns).
  let nuclei: NucleiResult | undefined;
  return {
    options: o,
    sampleRate: sr,
    hop: o.hopLength,
    nSamples,
    nFrames,
    mfcc,
    delta,
    delta2,
    deltaReason,
    f0: track.f0,
    voicedProb: track.maxStrength,
    f0OctaveAbove: track.octaveAbove,
    rms: frameValues(spectral.rms, nFrames, columns !== undefined),
    zcr: frameValues(spectral.zcr, nFrames, columns !== undefined),
    get nuclei() {
      return (nuclei ??= nucleiOf(candidates, isVoiced));
    },
    clippedRatio: nSamples > 0 ? clipped / nSamples : 0,
    dcOffset: nSamples > 0 ? buf.sum / nSamples : 0,
    ...(f0Reason ? { f0Reason } : {}),
    ...(columns ? { columns } : {}),
  };
}

/**
 * Decodes a media file with ffmpeg (resampled to options.sampleRate, channels averaged) and computes its
 * features in one streaming pass. Bad input raises InputError naming the file.
 */
export async function computeAudioFeatures(file: string, options: Partial<AudioOptions> = {}, run: AnalyzeOptions = {}): Promise<AudioFeatures> {
  const o = resolveAudioOptions(options);
  let info: DecodedAudioInfo | undefined;
  // The decoder (its ffprobe run first) opens on the first read, i.e. after analyzePcm has started the pitch
  // worker, so the worker's start-up overlaps with ffprobe instead of following it.
  // analyzePcm copies each chunk before it asks for the next one (SampleBuffer, ToneScanner, VoiceRecorder; the pitch
  // worker gets a copy unless ownChunks): a direct-read WAV is read into one reused chunk, which it must not give away.
  const analyze: AnalyzeOptions = { ...run, ownChunks: true };
  async function* decoded(): AsyncGenerator<Float32Array> {
    const probed = run.probed ? await run.probed : undefined;
    const dec = await AudioDecoder.open(file, { sampleRate: o.sampleRate, stream: o.stream, ...(o.channel !== undefined ? { channel: o.channel } : {}), detectTruncation: true, probed, prestarted: run.prestarted ?? undefined, copiesChunks: true, resampler: FEATURE_RESAMPLER });
    if (dec.reusesChunks) analyze.ownChunks = false;
    info = dec.info;
    run.onOpen?.(info);
    yield* dec;
  }
  // The log-mel store is allocated once at its final size when the container states the duration.
  const framesHint = () => {
    const d = info?.stream.duration_s;
    return typeof d === 'number' && Number.isFinite(d) && d > 0 ? 2 + Math.ceil((d * o.sampleRate) / o.hopLength) : null;
  };
  // With --voice, a source at another rate is decoded a second time at its own rate for the voice measures (voice-rate.ts).
  const voiceSource = (): VoiceSource | null => {
    const rate = voiceRateHz(info?.sourceSampleRate, o.sampleRate, o.formantCeilingHz, o.voiceCeiling);
    try {
      voiceRateCheck(o, rate, info?.sourceSampleRate);
    } catch (e) {
      throw new InputError(`bad parameters: ${(e as Error).message}`, { file });
    }
    if (!info || rate === o.sampleRate) return null;
    const probed = run.probed;
    const opts = { sampleRate: rate, stream: o.stream, ...(o.channel !== undefined ? { channel: o.channel } : {}) };
    return { sampleRate: rate, chunks: async function* () {
      yield* await AudioDecoder.open(file, { ...opts, probed: probed ? await probed : undefined });
    } };
  };
  // The sync beep is searched where `mmprep sync` searches: the first and last run.toneSearchS seconds (sync-beep.ts).
  const toneSpans = () => beepSearchSpans(info?.stream.duration_s, run.toneSearchS ?? 0, o.sampleRate);
  const f = await analyzePcm(decoded(), o, Object.assign(analyze, { framesHint, toneStream: () => info?.stream, toneSpans, voiceSource })).catch((e: unknown) => {
    throw e instanceof NonFiniteSampleError ? new InputError(e.message, { file }) : e;
  });
  f.decoded = info;
  return f;
}
