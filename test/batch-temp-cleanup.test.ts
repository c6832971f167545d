/**
 * What an interrupted attempt leaves in a session folder is removed before the session is run again
 * (src/batch/extract-session.ts clearSessionOutputs, called by a resumed or redone session and by a rollback): its
 * temp files (`.<name>.<pid>.tmp`, written by writeFileAtomic and renamed into place), meta.json and the outputs of
 * the stages being run; the other stages' outputs and files that are not mmprep's stay. extract's kill tests never
 * land while a temp file exists (session 42), so this is checked here on a folder laid out as a kill leaves it.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { clearSessionOutputs } from '../src/batch/extract-session.js';

const tmp = tempDir('mmprep-temp-cleanup-');
afterAll(() => tmp.cleanup());

function killedSession(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['sync.json', 'audio.jsonl', '.audio.summary.json.4242.tmp', '.face.jsonl.4242.tmp', 'face.jsonl', 'meta.json', 'notes.txt', 'my.tmp']) writeFileSync(join(dir, f), 'x');
  return dir;
}

describe('a killed session folder before its rerun', () => {
  it('removes the temp files, meta.json and the rerun stages\' outputs; keeps the other stages\' and the user\'s files', async () => {
    const dir = killedSession('audio-only');
    await clearSessionOutputs(dir, ['audio']);
    expect(readdirSync(dir).sort()).toEqual(['face.jsonl', 'my.tmp', 'notes.txt', 'sync.json']);
  });

  it('every stage: only the user\'s files stay', async () => {
    const dir = killedSession('all');
    await clearSessionOutputs(dir, ['sync', 'audio', 'face']);
    expect(readdirSync(dir).sort()).toEqual(['my.tmp', 'notes.txt']);
  });

  it('a folder that is not there is no error', async () => {
    await clearSessionOutputs(join(tmp.dir, 'never-made'), ['audio']);
    expect(existsSync(join(tmp.dir, 'never-made'))).toBe(false);
  });
});
