/** Test-time media made with the same ffmpeg mmprep uses (for inputs too large or too odd to commit). */
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegBinaries, ffmpegCommand } from '../../src/media/ffmpeg-path.js';

export function ffmpegSync(args: string[]): void {
  execFileSync(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
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
