/**
 * Session 24 (an ML engineer's first dataset from 8 sessions): what exited 0 with a result that was wrong or quietly
 * short. A session without a transcript gave 0 records under `--segments utterance` with no word (validate: "8
 * sessions built, none failed"); the ICC(2,1) of labels with missing ratings came from the complete targets only
 * while the records said `n_targets` 18 (9 used) and the few-targets advice named `mmprep agreement` options that
 * `dataset build` does not take; a session folder that is a symlink loop read as "extract did not finish: run
 * --resume" (build) and "a file of that name is in the way" (extract); appendLines rescanned a long line from its
 * start for every MB. Synthetic feature folders; one extract run that stops before any media work.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';
import { buildDataset } from '../src/dataset/build.js';

const tmp = tempDir('mmprep-dtrial-');
afterAll(() => tmp.cleanup());
const FEATURES = join(tmp.dir, 'features');

beforeAll(async () => {
  await writeDemoFeatures(FEATURES);
});

describe('dataset build: what a new user got silently', () => {
  it('a session without a transcript is a warning (stderr, manifest.json, card) and validate names it', async () => {
    // s03's transcript cell emptied: its features are there, its records were 0 without a word.
    const manifest = demoManifestCopy(join(tmp.dir, 'no-transcript'), (csv) => csv.replace('s03_transcript.vtt', ''));
    const out = join(tmp.dir, 'rel-no-transcript');
    const notes: string[] = [];
    const r = await buildDataset(manifest, { features: FEATURES, out, onNote: (n) => notes.push(n) });
    const s03 = r.manifest.sessions.find((s) => s.session_id === 's03')!;
    expect(s03.records).toBe(0);
    expect(s03.warnings).toEqual([expect.stringMatching(/^no transcript \(its manifest row's transcript cell is empty\), so the session gives no records with --segments utterance/)]);
    expect(notes.some((n) => n.startsWith('session s03: no transcript'))).toBe(true);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('- session s03: no transcript');
    const v = await runCliInProcess(['dataset', 'validate', out]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('ok   sessions: 3 sessions built, none failed; 1 with no records: s03');
    // Fixed windows take the session's features without text: no warning then.
    const fixed = await buildDataset(manifest, { features: FEATURES, out: join(tmp.dir, 'rel-no-transcript-fixed'), segments: 'fixed:2' });
    expect(fixed.manifest.sessions.find((s) => s.session_id === 's03')!.warnings ?? []).toEqual([]);
  });

});
