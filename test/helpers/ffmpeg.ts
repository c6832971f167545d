/**
 * Test-time media (inputs too large or too odd to commit), made by generatorFfmpeg(): mmprep under test still decodes
 * them with the ffmpeg it finds (ffmpegBinaries: Debian's on PATH in CI's first run, the npm build in its second).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { childEnv, ffmpegBinaries, ffmpegCommand } from '../../src/media/ffmpeg-path.js';

let generator: { ffmpeg: string; ffprobe: string } | null = null;

/**
 * The ffmpeg and ffprobe that make and inspect the tests' own inputs: the npm packages' static builds (installed with
 * mmprep on linux-x64) when they run here, else the ones mmprep uses. A start of Debian's dynamically linked ffmpeg 5.1
 * costs ~0.06-0.15 CPU s before it reads a byte (215 shared libraries), the static build's ~0.001 s (`ffmpeg
 * -version` ten times: 0.83 against 0.01 CPU s, 2026-12-06); the suite started ~330 of them to make inputs. The inputs
 * are then the same bytes in both CI runs, and the first run's mmprep decodes what another build encoded, as a user's
 * does. MMPREP_TEST_GENERATOR=mmprep makes them with mmprep's own binaries instead.
 */
export function generatorBinaries(): { ffmpeg: string; ffprobe: string } {
  if (!generator) generator = process.env.MMPREP_TEST_GENERATOR === 'mmprep' ? null : staticBuilds();
  if (!generator) {
    const b = ffmpegBinaries();
    generator = { ffmpeg: b.ffmpeg.path, ffprobe: b.ffprobe.path };
  }
  return generator;
}

/** The npm packages' ffmpeg and ffprobe when both are installed and start, else null. */
function staticBuilds(): { ffmpeg: string; ffprobe: string } | null {
  const require = createRequire(import.meta.url);
  try {
    const bins = { ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path, ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path };
    for (const b of Object.values(bins)) execFileSync(b, ['-hide_banner', '-version'], { stdio: 'ignore', timeout: 10_000 });
    return bins;
  } catch {
    return null;
  }
}

export function ffmpegSync(args: string[]): void {
  execFileSync(generatorBinaries().ffmpeg, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv() });
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
