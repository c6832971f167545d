/** Test-time media made with the same ffmpeg mmprep uses (for inputs too large or too odd to commit). */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegBinaries, ffmpegCommand } from '../../src/media/ffmpeg-path.js';

export function ffmpegSync(args: string[]): void {
  execFileSync(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Several ffmpegSync runs as one ffmpeg process: each start of a distribution's ffmpeg costs ~0.15 CPU s before it
 * reads a byte (dynamic linking). Each run is `[...inputs, ...outputOptions, outputFile]` as ffmpegSync takes it: its
 * inputs are everything up to its last `-i X` (each input's own options before its `-i`), the rest its output. Its
 * `-map N` point at its own inputs (numbered on here); without one, each of its inputs is mapped whole, so each input
 * must hold one stream (lavfi's sources, a WAV or FLAC, a picture: what ffmpeg picks by default). No -filter_complex
 * (its input labels would need numbering on). Every output keeps its own options, so each file is what its run alone
 * writes: the same bytes for the 12 WAV files of test/audio-source-warnings.test.ts and the WAV, MP4 (libx264) and
 * M4A (aac) files of test/audio-cli.test.ts, the same packets and times for a Matroska file (whose UIDs are random:
 * two runs alone differ too), with Debian's ffmpeg 5.1 and the npm 2018 build (2026-12-05).
 */
export function ffmpegOutputs(runs: string[][]): void {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let first = 0;
  for (const run of runs) {
    const end = run.lastIndexOf('-i') + 2;
    const count = run.slice(0, end).filter((a) => a === '-i').length;
    const own = run.slice(end);
    if (count === 0 || own.length === 0 || run.some((a) => /^-(filter_complex|lavfi)$/.test(a))) throw new Error(`ffmpegOutputs: not one run of inputs and one output: '${run.join(' ')}'`);
    const mapped = own.map((a, i) => (own[i - 1] === '-map' ? String(first + Number(a)) : a));
    if (mapped.includes('NaN')) throw new Error(`ffmpegOutputs: -map takes an input number here, in '${run.join(' ')}'`);
    const all = own.includes('-map') ? [] : Array.from({ length: count }, (_, i) => ['-map', String(first + i)]).flat();
    inputs.push(...run.slice(0, end));
    outputs.push(...all, ...mapped);
    first += count;
  }
  ffmpegSync([...inputs, ...outputs]);
}

export function ffprobeJson(args: string[]): unknown {
  return JSON.parse(execFileSync(ffmpegBinaries().ffprobe.path, ['-v', 'error', '-print_format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

/**
 * Makes the decoders of this test file's process run `dir`/ffmpeg, a shell script built by `script(real)` around the
 * real ffmpeg's path (to stand for an ffmpeg that dies or is interrupted). ffmpegBinaries() locates the real binaries
 * once, and ffmpegCommand() loads fluent-ffmpeg and points it at them on first use; the decoders take the wrapper
 * through fluent-ffmpeg's setFfmpegPath, set after that, for this process only.
 */
export async function useFfmpegWrapper(dir: string, script: (real: string) => string): Promise<void> {
  const wrapper = join(dir, 'ffmpeg');
  writeFileSync(wrapper, script(ffmpegBinaries().ffmpeg.path));
  chmodSync(wrapper, 0o755);
  ffmpegCommand();
  process.env.MMPREP_FFMPEG = wrapper;
  const m = await import('fluent-ffmpeg');
  m.default.setFfmpegPath(wrapper);
}
