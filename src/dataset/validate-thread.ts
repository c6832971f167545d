/** A thread of `mmprep dataset validate`: checks the data files it is sent (validate-scan.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { scanFile, type FileEntry, type ScanContext } from './validate-scan.js';

const ctx = workerData as ScanContext;
parentPort!.on('message', (m: { i: number; file: FileEntry }) => {
  scanFile(ctx, m.file)
    .then((scan) => parentPort!.postMessage({ i: m.i, scan }))
    .catch((e: unknown) => parentPort!.postMessage({ i: m.i, fatal: (e as Error)?.stack ?? String(e) }));
});
