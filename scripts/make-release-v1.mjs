#!/usr/bin/env node
/**
 * fixtures/dataset/release-v1/: a small dataset release (format_version 1) as the mmprep of commit 23d1d25 built it,
 * before manifest.json recorded a code fingerprint (src/dataset/fingerprint.ts). test/dataset-validate-versions.test.ts
 * checks that `dataset validate` of a newer mmprep still passes it: an older release must validate after an upgrade.
 *
 *   git worktree add /tmp/old 23d1d25 && (cd /tmp/old && npm ci)
 *   npm run build && node scripts/make-release-v1.mjs --mmprep /tmp/old/bin/mmprep.js
 *
 * The features are this checkout's synthetic ones (dist/dataset/synthetic-features.js, seeded); the release is the
 * older mmprep's `dataset build` of them with the demo's manifest and ratings, --segments labels, few fields.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const at = args.indexOf('--mmprep');
if (at < 0 || !args[at + 1]) {
  process.stderr.write('usage: node scripts/make-release-v1.mjs --mmprep <bin/mmprep.js of commit 23d1d25> [--out DIR]\n');
  process.exit(2);
}
const mmprep = resolve(args[at + 1]);
const outAt = args.indexOf('--out');
const out = resolve(outAt >= 0 ? args[outAt + 1] : join(root, 'fixtures', 'dataset', 'release-v1'));
const { writeSyntheticSession } = await import(join(root, 'dist', 'dataset', 'synthetic-features.js'));
const demo = join(root, 'fixtures', 'demo');
const work = mkdtempSync(join(tmpdir(), 'mmprep-release-v1-'));
try {
  const features = join(work, 'features');
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(features, { session_id: id, duration_s: 10, faceGaps: [[5, 6]], seed: 31 + i, mediaDir: demo });
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [mmprep, 'dataset', 'build', join(demo, 'manifest.csv'), '--features', features, '--labels', join(demo, 'ratings.csv'), '--segments', 'labels', '--audio-features', 'rms,f0_hz', '--face-features', 'yaw_deg', '-o', out, '--quiet'], { stdio: 'inherit' });
} finally {
  rmSync(work, { recursive: true, force: true });
}
