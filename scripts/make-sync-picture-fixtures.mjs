#!/usr/bin/env node
/**
 * Makes fixtures/sync/pictures/: camera pictures of scripts/make-sync-scenes.mjs cases whose test asserts on the
 * picture's exact look (test/sync-flash-fast-family.test.ts: whether a 180-degree camera's faint partly lit frame
 * keeps the ordinary fit), encoded once and committed, so that the test reads the same frames whichever ffmpeg a
 * machine renders its scenes with (the 2018 npm build's x264 gives this case 2 sd of 0.52 frame, Debian's 5.1 0.43).
 * H.264 decoding is exact, so every ffmpeg decodes these bytes to the same frames. Rendered with the ffmpeg on PATH
 * (the committed file: Debian's ffmpeg 5.1.9).
 *   node scripts/make-sync-picture-fixtures.mjs
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'fixtures', 'sync', 'pictures');
/** [scene set arguments, case id]: the case's cam.mp4 becomes pictures/<id>.mp4. */
const CASES = [[['--set', 'full', '--variant', '121'], 'v121-testsrc2-led8red-x183y1-25-crf26-steps-180deg']];
mkdirSync(out, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-pictures-'));
try {
  for (const [args, id] of CASES) {
    execFileSync(process.execPath, [join(root, 'scripts', 'make-sync-scenes.mjs'), '--out', tmp, ...args, '--only', id, '--quiet'], { stdio: 'inherit' });
    copyFileSync(join(tmp, id, 'cam.mp4'), join(out, `${id}.mp4`));
    console.log(`fixtures/sync/pictures/${id}.mp4: ${statSync(join(out, `${id}.mp4`)).size} bytes`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
