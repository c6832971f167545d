/**
 * `dataset build` started while an extract run still works on a session (a CI step run before every shard of the
 * Kubernetes Job or Slurm array ended): the session, without meta.json yet, was reported as "extract did not finish
 * this session ... run mmprep extract --resume", which would only wait for that run. Its live .extract.lock now
 * names the run and says to build again when it has ended; a lock whose process is gone keeps the old advice.
 * Synthetic feature folders, no media decoded.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';
import { FIXTURES, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-build-running-');
afterAll(() => tmp.cleanup());
const DEMO = join(FIXTURES, 'demo');

async function featuresWithLock(name: string, pid: number): Promise<string> {
  const dir = join(tmp.dir, name);
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(dir, { session_id: id, duration_s: 10, seed: 31 + i, mediaDir: DEMO });
  rmSync(join(dir, 's02', 'meta.json'));
  writeFileSync(join(dir, 's02', '.extract.lock'), JSON.stringify({ pid, host: hostname(), started_at: '2026-12-02T14:00:00.000Z', token: 't' }) + '\n');
  return dir;
}

describe('dataset build: a session an extract run is working on', () => {
  it('names the run holding the lock and says to build again when it has ended', async () => {
    const r = await buildDataset(join(DEMO, 'manifest.csv'), { features: await featuresWithLock('live', process.pid), out: join(tmp.dir, 'out-live'), segments: 'fixed:2' });
    expect(r.failedSessions.find((s) => s.session_id === 's02')!.error).toBe(
      `${join(tmp.dir, 'live', 's02')}: features incomplete (no meta.json yet: an mmprep extract run is working on this session now, pid ${process.pid} on host ${hostname()} since 2026-12-02T14:00:00.000Z, .extract.lock in its folder); build again when that run (every shard of the job) has ended`,
    );
  });

  it('a session not started yet while a run works in the folder: build again when it has ended, not --resume (ttrial43)', async () => {
    const features = await featuresWithLock('not-started', process.pid);
    rmSync(join(features, 's03'), { recursive: true });
    const r = await buildDataset(join(DEMO, 'manifest.csv'), { features, out: join(tmp.dir, 'out-not-started'), segments: 'fixed:2' });
    expect(r.failedSessions.find((s) => s.session_id === 's03')!.error).toBe(
      `${join(features, 's03')}: features missing: no folder s03 in ${features} (extract has not started this session) while an mmprep extract run is working in that folder now (session s02, pid ${process.pid} on host ${hostname()}); build again when that run (every shard of the job) has ended`,
    );
  });

  it('a lock left by a process that is gone: extract did not finish it, run --resume', async () => {
    const r = await buildDataset(join(DEMO, 'manifest.csv'), { features: await featuresWithLock('dead', 2 ** 22 + 12345), out: join(tmp.dir, 'out-dead'), segments: 'fixed:2' });
    expect(r.manifest.sessions.find((s) => s.session_id === 's02')!.error).toContain('features incomplete (no meta.json: extract did not finish this session');
  });
});
