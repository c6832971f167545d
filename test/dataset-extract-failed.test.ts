/**
 * `dataset build` over a features folder whose `_errors.jsonl` says a session's latest extract failed, its folder
 * keeping the earlier run's output (extract exit 4, `earlier_output_kept`): the build used those features with exit 0
 * and no word (ttrial47 finding 8: a re-extract with `--tone-hz 1500` failed s01 in sync; Slurm scripts take exit 4
 * as "the task did its job" and go on to build). It is now a session warning of kind `extract_failed` (stderr,
 * manifest.json `issues`, the card), which `dataset validate --fail-on-warnings` fails. Synthetic feature folders.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { validateDataset } from '../src/dataset/validate.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-extract-failed-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');
const MANIFEST = join(DEMO, 'manifest.csv');

async function features(name: string): Promise<string> {
  const dir = join(tmp.dir, name);
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(dir, { session_id: id, duration_s: 10, seed: 31 + i, mediaDir: DEMO });
  return dir;
}

const REASON = 'the reference audio stream 0 has no 1500 Hz tone burst in the first 60 s';

describe('dataset build: a session whose latest extract failed, its earlier output kept', () => {
  it('is a session warning naming the failed stage, the reason and that the features are the earlier run\'s', async () => {
    const dir = await features('failed');
    // The synthetic meta.json records no run: the one an extract writes.
    const finished = '2026-12-06T10:40:00.000Z';
    const meta = JSON.parse(readFileSync(join(dir, 's02', 'meta.json'), 'utf8'));
    writeFileSync(join(dir, 's02', 'meta.json'), JSON.stringify({ ...meta, run: { started_at: '2026-12-06T10:39:50.000Z', finished_at: finished, timings_s: {} } }));
    const line = { session_id: 's02', line: 3, manifest: '/elsewhere/manifest.csv', stage: 'sync', reason: REASON, earlier_output_kept: true };
    writeFileSync(join(dir, '_errors.jsonl'), JSON.stringify(line) + '\n');
    const notes: string[] = [];
    const out = join(tmp.dir, 'failed-out');
    const r = await buildDataset(MANIFEST, { features: dir, out, onNote: (n) => notes.push(n) });
    const w = `the latest mmprep extract of this session failed in its sync stage (${REASON}; _errors.jsonl line 1), and its folder keeps the earlier run's output: its features are from the run that finished at ${finished}, not from that extract; fix that input and extract it again, or, to keep these features, extract it again with the options they were made with (its meta.json \`options\`), which clears that line`;
    expect(notes).toContain(`session s02: ${w}`);
    const byId = Object.fromEntries(r.manifest.sessions.map((s) => [s.session_id, s]));
    expect(byId.s02.issues).toContainEqual({ kind: 'extract_failed', message: w });
    expect(byId.s01.issues?.some((i) => i.kind === 'extract_failed')).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`- session s02: ${w}`);
    const strict = await validateDataset(out, { failOnWarnings: true });
    expect(strict.ok).toBe(false);
    expect(JSON.stringify(strict.checks.find((c) => c.name === 'warnings'))).toContain('session s02: extract_failed');
  });

  it('control: the same folders without the errors line give no such warning', async () => {
    const notes: string[] = [];
    await buildDataset(MANIFEST, { features: await features('clean'), out: join(tmp.dir, 'clean-out'), onNote: (n) => notes.push(n) });
    expect(notes.filter((n) => n.includes('latest mmprep extract'))).toEqual([]);
  });
});
