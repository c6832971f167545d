/**
 * A clip made at test time by one of scripts/make-face-trial32.mjs's argument builders, then `mmprep face` on it in the
 * test process (runFaceInProcess: the records of any --workers, without a child process and its worker thread to
 * start): the CLI result, the records and the summary (tests of trial32/trial33 material). A file that uses it runs
 * the face models in its process: FACE_MODELS in test/own-process.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain ES module without types
import { ffmpeg } from '../../scripts/make-face-trial32.mjs';
import { runFaceInProcess, tempDir, type CliResult } from './cli.js';
import { generatorBinaries } from './ffmpeg.js';

export interface FaceClipRun<R, S> {
  tmp: { dir: string; cleanup: () => void };
  run: CliResult;
  recs: R[];
  summary: S;
}

/** Makes `name` in a new temp dir with the ffmpeg arguments `makeArgs(clip)` gives, and runs `mmprep face` on it. */
export async function faceOnMadeClip<R, S>(name: string, makeArgs: (clip: string) => string[]): Promise<FaceClipRun<R, S>> {
  const tmp = tempDir('mmprep-face-clip-');
  const clip = join(tmp.dir, name);
  ffmpeg(makeArgs(clip), generatorBinaries().ffmpeg);
  const [out, sum] = [join(tmp.dir, 'records.jsonl'), join(tmp.dir, 'summary.json')];
  const run = await runFaceInProcess(['face', clip, '-o', out, '--summary', sum]);
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as R);
  const summary = JSON.parse(readFileSync(sum, 'utf8')) as S;
  return { tmp, run, recs, summary };
}
