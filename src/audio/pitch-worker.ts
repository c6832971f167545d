/**
 * Worker thread running the pitch analysis (the costliest stage) beside the main thread's decoding and spectral
 * features, so `mmprep audio` uses both cores. With a frame share (PitchParams.share) it computes only its share of
 * the frames and returns their raw candidates; the main thread computes the rest, merges and runs the path finder.
 * Protocol: {chunk} messages (acknowledged one by one so the main thread can bound the samples in flight), then
 * {end} -> {frames, n} (shared) or {track} (whole analysis).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PitchAnalyzer, type PitchParams } from './pitch.js';
import { SampleBuffer } from './sample-buffer.js';

const port = parentPort!;
const params = workerData as PitchParams;
const analyzer = new PitchAnalyzer(params);
const buf = new SampleBuffer({ stats: !params.share });
port.on('message', (m: { chunk?: Float32Array; end?: boolean }) => {
  if (m.chunk) {
    buf.append(m.chunk, analyzer.minNeeded());
    analyzer.pump(buf);
    port.postMessage({ ack: true });
  } else if (m.end) {
    buf.finish();
    analyzer.pump(buf);
    if (params.share) {
      const f = analyzer.frames();
      port.postMessage({ frames: f, n: analyzer.next }, [f.nCand.buffer, f.freq.buffer, f.strength.buffer, f.localPeak.buffer] as ArrayBuffer[]);
      return;
    }
    const n = buf.total ?? 0;
    const mean = n > 0 ? buf.sum / n : 0;
    const t = analyzer.finish(n > 0 ? Math.max(buf.max - mean, mean - buf.min) : 0);
    port.postMessage({ track: t }, [t.f0.buffer, t.strength.buffer, t.maxStrength.buffer] as ArrayBuffer[]);
  }
});
