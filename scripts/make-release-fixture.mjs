#!/usr/bin/env node
/**
 * fixtures/dataset/release-v<N>/: a small dataset release of each manifest.json format_version, as the mmprep that
 * wrote that format built it, for test/dataset-validate-versions.test.ts: `dataset validate` of a later mmprep must
 * still pass them (a release must validate after an upgrade; src/dataset/fingerprint.ts).
 *
 *   release-v1 (format 1, before manifest.json recorded a code fingerprint): commit 23d1d25
 *     git worktree add /tmp/old 23d1d25 && (cd /tmp/old && npm ci)
 *     npm run build && node scripts/make-release-fixture.mjs --mmprep /tmp/old/bin/mmprep.js --out fixtures/dataset/release-v1
 *   release-v2 (format 2): the commit that added it
 *     npm run build && node scripts/make-release-fixture.mjs --mmprep bin/mmprep.js --out fixtures/dataset/release-v2
 *   release-v3-schema2 (format 3, record schema 2: word means of booleans under the frame field's name): commit 72263bf
 *     git worktree add --detach /tmp/old 72263bf && (cd /tmp/old && npm ci && npm run build)
 *     npm run build && node scripts/make-release-fixture.mjs --mmprep /tmp/old/bin/mmprep.js --out fixtures/dataset/release-v3-schema2 --audio-features rms,voiced --face-features yaw_deg,blink
 *
 * The features are this checkout's synthetic ones (dist/dataset/synthetic-features.js, seeded); the release is the
 * given mmprep's `dataset build` of them with the demo's manifest and ratings, --segments labels, few fields.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const at = args.indexOf('--mmprep');
const outAt = args.indexOf('--out');
if (at < 0 || !args[at + 1] || outAt < 0 || !args[outAt + 1]) {
  process.stderr.write('usage: node scripts/make-release-fixture.mjs --mmprep <bin/mmprep.js of the mmprep to build with> --out fixtures/dataset/release-vN\n');
  process.exit(2);
}
const mmprep = resolve(args[at + 1]);
const out = resolve(args[outAt + 1]);
/** --audio-features / --face-features passed on (default rms,f0_hz and yaw_deg, as release-v1 and v2 were made). */
const passed = (flag, dflt) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : dflt);
const { writeSyntheticSession } = await import(join(root, 'dist', 'dataset', 'synthetic-features.js'));
const demo = join(root, 'fixtures', 'demo');
const work = mkdtempSync(join(tmpdir(), 'mmprep-release-v1-'));
try {
  const features = join(work, 'features');
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(features, { session_id: id, duration_s: 10, faceGaps: [[5, 6]], seed: 31 + i, mediaDir: demo });
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [mmprep, 'dataset', 'build', join(demo, 'manifest.csv'), '--features', features, '--labels', join(demo, 'ratings.csv'), '--segments', 'labels', '--audio-features', passed('--audio-features', 'rms,f0_hz'), '--face-features', passed('--face-features', 'yaw_deg'), '-o', out, '--quiet'], { stdio: 'inherit' });
} finally {
  rmSync(work, { recursive: true, force: true });
}
