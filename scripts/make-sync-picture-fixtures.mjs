#!/usr/bin/env node
/**
 * Makes fixtures/sync/pictures/: camera pictures of scripts/make-sync-scenes.mjs cases whose test asserts on the
 * picture's exact look (test/sync-flash-fast-family.test.ts: whether a 180-degree camera's faint partly lit frame
 * keeps the ordinary fit), encoded once and committed, so that the test reads the same frames whichever ffmpeg a
 * machine renders its scenes with (the 2018 npm build's x264 gives this case 2 sd of 0.52 frame, Debian's 5.1 0.43).
 * H.264 decoding is exact, so every ffmpeg decodes these bytes to the same frames. Rendered with the ffmpeg on PATH
 * (the committed file: Debian's ffmpeg 5.1.9).
 * Since 2026-12-06 also pictures committed to save their render at test time (each CASES entry's `build`): the small
 * and colour sets' cheap-to-store cameras (1.8 MB for ~7.5 of the ~14.6 CPU s their sets took to render) and three of
 * the full set's variants 14 and 35 (2.3 MB for ~11 of ~12 CPU s), made by the
 * npm package's static ffmpeg, the build test/helpers/ffmpeg.ts generatorBinaries renders the tests' scenes with, so
 * that the tests read the bytes they read before (checked: each set rendered with --picture-from equals its full
 * render, every file).
 *   node scripts/make-sync-picture-fixtures.mjs
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'fixtures', 'sync', 'pictures');
/**
 * [scene set arguments, case id, build]: the case's cam.mp4 becomes pictures/<id>.mp4; build 'path': the ffmpeg on
 * PATH; 'npm': the npm package's static build (@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe).
 */
const CASES = [
  [['--set', 'full', '--variant', '121'], 'v121-testsrc2-led8red-x183y1-25-crf26-steps-180deg', 'path'],
  ...['s-led8-edge-walk-2997', 's-neg-cross-step', 's-red16-testsrc2-25-180deg', 's-screen-pump-30-nosound'].map((id) => [['--set', 'small'], id, 'npm']),
  ...['c-led10red-cellauto-25-pump-180deg', 'c-neg-cellauto-beep-noled'].map((id) => [['--set', 'colour'], id, 'npm']),
  [['--set', 'full', '--variant', '14'], 'v14-mandelbrot-led14red-x621y211-2997-crf30-steps', 'npm'],
  [['--set', 'full', '--variant', '14'], 'v14-neg-wall-cross-none-screenstep', 'npm'],
  [['--set', 'full', '--variant', '35'], 'v35-mandelbrot-led8amber-x112y1-2997-crf30-steps', 'npm'],
];
const require = createRequire(import.meta.url);
/** The environment a build's render runs in (make-sync-scenes.mjs takes MMPREP_FFMPEG / MMPREP_FFPROBE first). */
function envFor(build) {
  if (build === 'path') return process.env;
  return { ...process.env, MMPREP_FFMPEG: require('@ffmpeg-installer/ffmpeg').path, MMPREP_FFPROBE: require('@ffprobe-installer/ffprobe').path };
}
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-pictures-'));
try {
  for (const [args, id, build] of CASES) {
    execFileSync(process.execPath, [join(root, 'scripts', 'make-sync-scenes.mjs'), '--out', tmp, ...args, '--only', id, '--quiet'], { stdio: 'inherit', env: envFor(build) });
    copyFileSync(join(tmp, id, 'cam.mp4'), join(out, `${id}.mp4`));
    console.log(`fixtures/sync/pictures/${id}.mp4: ${statSync(join(out, `${id}.mp4`)).size} bytes`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
