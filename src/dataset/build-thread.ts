/**
 * A build thread of `mmprep dataset build --jobs N`: builds one session at a time (build-session.ts) and writes its
 * records, one JSON line each, to the temp file the main thread names; the main thread copies them into the shards
 * in manifest order.
 */
import { parentPort } from 'node:worker_threads';
import { buildSessionToFile, type SessionJob } from './build-session.js';

parentPort!.on('message', (job: SessionJob) => {
  buildSessionToFile(job)
    .then((r) => parentPort!.postMessage(r))
    // The OS error code travels too: a full disk is an output that cannot be written (exit 2), not a bug.
    .catch((e: unknown) => parentPort!.postMessage({ i: job.i, file: job.file, fatal: (e as Error)?.stack ?? String(e), code: (e as NodeJS.ErrnoException)?.code }));
});
