/** Test-time media made with the same ffmpeg mmprep uses (for inputs too large or too odd to commit). */
import { execFileSync } from 'node:child_process';
import { ffmpegBinaries } from '../../src/media/ffmpeg-path.js';

export function ffmpegSync(args: string[]): void {
  execFileSync(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function ffprobeJson(args: string[]): unknown {
  return JSON.parse(execFileSync(ffmpegBinaries().ffprobe.path, ['-v', 'error', '-print_format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}
