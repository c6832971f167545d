/**
 * Worker thread running the pitch analysis (the costliest stage) beside the main thread's decoding and spectral
 * features, so `mmprep audio` uses both cores. With a frame share (PitchParams.share) it computes only its share of
 * the frames; the main thread computes the rest and sends them with the end message.
 * Protocol: {chunk} messages (acknowledged ACK_EVERY at a time so the main thread can bound the samples in flight), then
 * {end, globalPeak} -> {track}; with a share, the end message also carries the main thread's frames and their count,
 * and the worker merges the two shares and runs the path finder. The global peak comes from the main thread, whose
 * SampleBuffer sums the same chunks in the same order (so the same bits): this thread keeps no statistics.
 * Then, optionally, one {jsonl} job: the main thread's JSONL helper (jsonl-job.ts), so no third thread starts.
 * A {params, wav} first message instead has the worker read a direct-read WAV itself (pitch-worker-start.ts readWav):
 * no chunks follow, only the end message.
 */
import { mark } from '../common/timeline.js';
import { parentPort, workerData } from 'node:worker_threads';
import { PitchAnalyzer, type PitchFrames, type PitchParams, type PitchTrack } from './pitch.js';
import { SampleBuffer } from './sample-buffer.js';
import type { JsonlJob } from './jsonl-job.js';
import { ACK_EVERY } from './pitch-worker-start.js';
import { DEFAULT_CHUNK_SAMPLES, readWavSamples, type WavLayout } from '../media/wav-direct.js';

const port = parentPort!;
mark('worker loaded');
/** The track's buffers to transfer (a spilled track's f0 and maxStrength are shared memory: passed as they are). */
const movable = (t: PitchTrack) => [t.f0.buffer, t.strength.buffer, t.maxStrength.buffer, t.octaveAbove.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
// The parameters come as workerData, or in a first {params} message when the thread was started before they were
// known (pitch-worker-start.ts: `mmprep audio` starts it before loading the analysis code).
let params = workerData as PitchParams | null;
let analyzer = params ? new PitchAnalyzer(params) : (null as unknown as PitchAnalyzer);
const buf = new SampleBuffer({ stats: false });
let analysed = 0;
/**
 * A failure while this thread read the file itself (readWav), thrown at the end message: the main thread reads the same
 * file and meets the same problem first (an unusable temp folder, a file cut short), which it reports in its own words.
 */
let readFailure: { e: unknown } | null = null;
/** The JSONL job's code, loaded once the track is sent when the main thread said a job follows (else when it comes). */
let jobCode: Promise<typeof import('./jsonl-job.js')> | null = null;
/**
 * The file's samples into the analyser, read here (the main thread reads them too, for its own stages), into one
 * reused chunk: the buffer copies them.
 */
function readWav(wav: WavLayout): void {
  try {
    for (const chunk of readWavSamples(wav, DEFAULT_CHUNK_SAMPLES, true)) {
      buf.append(chunk, analyzer.minNeeded());
      analyzer.pump(buf);
    }
  } catch (e) {
    readFailure = { e };
  }
}
port.on('message', (m: { params?: PitchParams; wav?: WavLayout; chunk?: Float32Array; end?: boolean; main?: PitchFrames; n?: number; globalPeak?: number; recordsNext?: boolean; jsonl?: JsonlJob }) => {
  if (m.params) {
    params = m.params;
    analyzer = new PitchAnalyzer(params);
    if (m.wav) readWav(m.wav);
    mark('frames done');
  } else if (m.jsonl) {
    // After the track: the main thread reuses this thread as its JSONL helper (jsonl-helper.ts, JsonlHelper.adopt).
    const job = m.jsonl;
    mark('records job in');
    void (jobCode ?? import('./jsonl-job.js')).then(({ runJsonlJob }) => runJsonlJob(port, job));
  } else if (m.chunk) {
    buf.append(m.chunk, analyzer.minNeeded());
    analyzer.pump(buf);
    if (++analysed % ACK_EVERY === 0) port.postMessage({ ack: ACK_EVERY });
  } else if (m.end) {
    mark('end in');
    if (readFailure) throw readFailure.e;
    buf.finish();
    analyzer.pump(buf);
    if (params!.share) {
      // The main thread's share arrives with the end message: merge, run the path finder, return the track.
      if (m.n !== analyzer.next) throw new Error(`pitch worker analysed ${analyzer.next} frames, the main thread ${m.n}`);
      const merged = PitchAnalyzer.merged(params!, { ...params!.share, main: true }, analyzer.next, m.main!, analyzer.frames());
      const t = merged.finish(m.globalPeak!);
      port.postMessage({ track: t }, movable(t));
      return;
    }
    const t = analyzer.finish(m.globalPeak!);
    mark('track done');
    port.postMessage({ track: t }, movable(t));
    // Its modules load while the main thread prepares the job (~10 CPU ms that were on this thread's path after it).
    if (m.recordsNext) {
      jobCode = import('./jsonl-job.js');
      jobCode.catch(() => undefined); // a failure surfaces when the job comes
    }
  }
});
