/**
 * The ffmpeg or ffprobe a generator script runs, found as mmprep finds its own (src/media/ffmpeg-path.ts):
 * MMPREP_FFMPEG / MMPREP_FFPROBE, else the one on PATH, else the npm package's build (a machine without a system
 * ffmpeg, where `npm ci && npm test` must still work).
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const NPM_PACKAGE = { ffmpeg: '@ffmpeg-installer/ffmpeg', ffprobe: '@ffprobe-installer/ffprobe' };

/** @param {'ffmpeg' | 'ffprobe'} name */
export function toolPath(name) {
  const set = process.env[name === 'ffmpeg' ? 'MMPREP_FFMPEG' : 'MMPREP_FFPROBE'];
  if (set) return set;
  if (spawnSync(name, ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0) return name;
  return createRequire(import.meta.url)(NPM_PACKAGE[name]).path;
}
