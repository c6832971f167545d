import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './cli.js';
import { writeSyntheticSession } from '../../src/dataset/synthetic-features.js';

const DEMO = join(FIXTURES, 'demo');

/**
 * Copies fixtures/demo into `dir` without its media (transcripts, ratings, manifest) and writes the manifest there with
 * its media paths pointing at fixtures/demo, `edit` applied to the manifest's text; returns the manifest's path. For
 * tests that build datasets from synthetic feature folders: no media copied or decoded.
 */
export function demoManifestCopy(dir: string, edit: (csv: string) => string = (t) => t): string {
  cpSync(DEMO, dir, { recursive: true, filter: (p) => !/\.(mp4|flac)$/.test(p) });
  const csv = readFileSync(join(DEMO, 'manifest.csv'), 'utf8').replace(/(s0\d_(camera\.mp4|lav\.flac))/g, (m) => join(DEMO, m));
  writeFileSync(join(dir, 'manifest.csv'), edit(csv));
  return join(dir, 'manifest.csv');
}

/** Synthetic feature folders for the demo's three sessions (10 s each, seeds 11-13) under `dir`, media in fixtures/demo. */
export async function writeDemoFeatures(dir: string): Promise<void> {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(dir, { session_id: id, duration_s: 10, seed: 11 + i, mediaDir: DEMO });
}
