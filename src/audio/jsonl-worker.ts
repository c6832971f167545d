/**
 * Worker thread formatting a range of frame records (jsonl.ts) while the main thread formats the rest and computes
 * the summary: JSON writing is the largest step left after the analysis, and one core would otherwise idle. One job
 * (jsonl-job.ts), then the main thread terminates it. `mmprep audio` normally uses the pitch worker for this instead
 * (pitch-worker.ts); this one serves when there is none (threads off) or for writeAudioFrames called on its own.
 */
import { parentPort } from 'node:worker_threads';
import { runJsonlJob, type JsonlJob } from './jsonl-job.js';

const port = parentPort!;
port.once('message', (m: JsonlJob) => runJsonlJob(port, m));
