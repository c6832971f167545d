/**
 * `mmprep dataset build` interrupted (SIGINT, SIGTERM), killed (SIGKILL) or failed leaves nothing partial beside -o
 * and an earlier release there as it was (rules of the house: nothing partial left behind).
 * The sessions are synthetic feature folders long enough (75 s, 0.25 s windows) that two sessions are still being
 * built when the first one's stderr line arrives; the signal is sent then (a build that ended first exits 0, and the
 * test fails). At 75 s s02 and s03 took ~2 s more after that line (load ~15; 150 s until 2026-12-05: ~4 s, and twice
 * the features to write and build in the other runs).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-dataset-interrupt-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const FEATURES = join(tmp.dir, 'features');
const OUT = join(tmp.dir, 'rel');

/** Every file of the release with its sha256. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')]));
/** Entries beside the release other than it and the features: temp folders a build left behind. */
const leftovers = () => readdirSync(tmp.dir).filter((f) => f !== 'rel' && f !== 'features');

let before: Record<string, string>;
beforeAll(async () => {
  const offsets = [-0.62, 0.3, -0.26];
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 75, video_offset_s: offsets[i], seed: 5 + i, mediaDir: join(FIXTURES, 'demo') });
  const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', OUT, '--segments', 'fixed:5', '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  before = snapshot(OUT);
}, 120_000);

/** Starts a slow rebuild into OUT and sends `signal` once the first session is done; resolves with its exit. */
function interruptedBuild(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; tempSeen: string[] }> {
  return new Promise((resolve, reject) => {
    // --json: the interrupt is a refusal, so stdout gets its object as for any other (it got nothing before 2026-12-06)
    const args = [BIN, 'dataset', 'build', MANIFEST, '--features', FEATURES, '-o', OUT, '--segments', 'fixed:0.25', '-j', '1', '--json'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    let stderr = '';
    let tempSeen: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (tempSeen.length === 0 && /^s01: \d+ records/m.test(stderr)) {
        tempSeen = leftovers(); // the build's temp folder, holding s01's records
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code, sig) => resolve({ code, signal: sig, stdout, stderr, tempSeen }));
  });
}

describe('dataset build leaves nothing partial', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s: exit 130, the temp folder removed, the earlier release unchanged', async (signal) => {
    const r = await interruptedBuild(signal);
    expect(r.tempSeen.some((f) => f.startsWith('.rel.build-')), r.stderr).toBe(true);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`mmprep dataset build: interrupted (${signal}): nothing was written`);
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, manifest: MANIFEST, out: OUT, error: `interrupted (${signal}): nothing was written`, exit_code: 130 });
    expect(leftovers()).toEqual([]);
    expect(snapshot(OUT)).toEqual(before);
  }, 120_000);

  it('SIGKILL: the next build removes the dead build\'s temp folder', async () => {
    const r = await interruptedBuild('SIGKILL');
    expect(r.signal).toBe('SIGKILL');
    expect(leftovers().filter((f) => f.startsWith('.rel.build-')).length, 'a killed build cannot clean up').toBe(1);
    expect(snapshot(OUT)).toEqual(before);
    const again = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', OUT, '--segments', 'fixed:5', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    expect(leftovers()).toEqual([]);
    expect(snapshot(OUT)).toEqual(before);
  }, 120_000);

  it('a build refused at the end (label coverage below --min-label-coverage, exit 4) leaves no temp folder and the release unchanged', async () => {
    const labels = ['--labels', join(FIXTURES, 'demo', 'ratings.csv'), '--min-label-coverage', '0.5'];
    const r = await runCliInProcess(['dataset', 'build', MANIFEST, '--features', FEATURES, '-o', OUT, '--segments', 'fixed:5', ...labels, '--quiet']);
    expect(r.code, r.stderr).toBe(4);
    expect(leftovers()).toEqual([]);
    expect(snapshot(OUT)).toEqual(before);
  }, 60_000);
});
