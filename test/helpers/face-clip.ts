/**
 * A clip made at test time by one of scripts/make-face-trial32.mjs's argument builders, then `mmprep face` on it with
 * one worker: the CLI result, the records and the summary (tests of trial32/trial33 material).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegBinaries } from '../../src/media/ffmpeg-path.js';
// @ts-expect-error plain ES module without types
import { ffmpeg } from '../../scripts/make-face-trial32.mjs';
import { runCli, tempDir, type CliResult } from './cli.js';

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
  ffmpeg(makeArgs(clip), ffmpegBinaries().ffmpeg.path);
  const [out, sum] = [join(tmp.dir, 'records.jsonl'), join(tmp.dir, 'summary.json')];
  const run = await runCli(['face', clip, '--workers', '1', '-o', out, '--summary', sum]);
  const recs = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as R);
  const summary = JSON.parse(readFileSync(sum, 'utf8')) as S;
  return { tmp, run, recs, summary };
}
