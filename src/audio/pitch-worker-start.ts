/**
 * The pitch worker (pitch-worker.ts) started before the analysis code is loaded: `mmprep audio` starts it first, so
 * the thread's start-up (a V8 isolate, Node's bootstrap, the pitch modules: ~80 CPU ms) runs beside the main thread's
 * loading of its own modules instead of after it. The pitch worker's thread is the command's longest (issue 15), so
 * its timeline starting earlier ends the command earlier. It receives its parameters in a first message.
 *
 * A WAV that is read directly (media/wav-direct.ts) the worker reads itself (readWav): its pitch analysis then starts
 * as soon as the worker is up and the parameters are known, not when the main thread, after loading the analysis
 * code, sends its first chunk (the main thread's start-up was on the command's critical path: the worker waited).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WavLayout } from '../media/wav-direct.js';
import type { AudioOptions } from './options.js';
import type { PitchParams } from './pitch.js';

/**
 * The worker acknowledges the chunks it has analysed this many at a time ({ack: ACK_EVERY}): one message per chunk
 * (586 for 10 minutes) cost its thread, the command's longest, a wake-up of the main thread each.
 */
export const ACK_EVERY = 4;

export const PITCH_WORKER_URL = new URL('./pitch-worker.js', import.meta.url);

/** The pitch analysis parameters of the audio options (the worker's and the in-process analyser's). */
export function pitchParams(o: AudioOptions, spillAfter?: number): PitchParams {
  return {
    ...(spillAfter !== undefined ? { spillAfter } : {}),
    sampleRate: o.sampleRate,
    hop: o.hopLength,
    floor: o.f0Floor,
    ceiling: o.f0Ceiling,
    maxCandidates: o.f0MaxCandidates,
    silenceThreshold: o.f0SilenceThreshold,
    voicingThreshold: o.f0VoicingThreshold,
    octaveCost: o.f0OctaveCost,
    octaveJumpCost: o.f0OctaveJumpCost,
    voicedUnvoicedCost: o.f0VoicedUnvoicedCost,
  };
}


/** A started pitch worker for one analysis (analyzePcm takes it), terminated by dispose() unless it was taken. */
export class PrestartedPitchWorker {
  private taken = false;
  /** The parameters (as JSON) it reads a WAV with (readWav), or null: it waits for its parameters and chunks. */
  private readsWith: string | null = null;
  /** The worker `mmprep audio` starts before its options are parsed (startEarly). */
  private static early: PrestartedPitchWorker | null = null;
  private constructor(private readonly worker: Worker) {}

  /** Null when the compiled worker is not available (running from src/: the analysis then runs in-process). */
  static start(): PrestartedPitchWorker | null {
    return existsSync(fileURLToPath(PITCH_WORKER_URL)) ? new PrestartedPitchWorker(new Worker(PITCH_WORKER_URL)) : null;
  }

  /**
   * Starts the worker before the command line is parsed (cli/main.ts, for `mmprep audio`): its start-up then runs
   * beside the main thread's loading of the command's code. Taken by startOrEarly, else ended by disposeEarly.
   */
  static startEarly(): void {
    PrestartedPitchWorker.early ??= PrestartedPitchWorker.start();
  }

  /** The worker startEarly started (once), else a new one. */
  static startOrEarly(): PrestartedPitchWorker | null {
    const e = PrestartedPitchWorker.early;
    PrestartedPitchWorker.early = null;
    return e ?? PrestartedPitchWorker.start();
  }

  /** Terminates the early worker unless it was taken by startOrEarly (idempotent). */
  static disposeEarly(): void {
    PrestartedPitchWorker.early?.dispose();
    PrestartedPitchWorker.early = null;
  }

  /**
   * The worker reads the WAV itself (wav-direct.ts, in the decoder's DEFAULT_CHUNK_SAMPLES chunks) with these parameters: the one
   * taking it sends no parameters and no chunks (analyzePcm checks that its own parameters are these), only the end.
   */
  readWav(params: PitchParams, wav: WavLayout): void {
    if (this.taken || this.readsWith !== null) return;
    this.readsWith = JSON.stringify(params);
    this.worker.postMessage({ params, wav });
  }

  /** The parameters (JSON) it reads a WAV with, or null when it waits for chunks. */
  get reading(): string | null {
    return this.readsWith;
  }

  /** The worker, once (its lifetime is then the taker's); null after that or after dispose(). */
  take(): Worker | null {
    if (this.taken) return null;
    this.taken = true;
    return this.worker;
  }

  /** Terminates the worker unless it was taken (idempotent). */
  dispose(): void {
    if (this.taken) return;
    this.taken = true;
    void this.worker.terminate();
  }
}
