/**
 * A stdout whose reader went away (`mmprep … | head`, EPIPE): mmprep stops writing to stdout, finishes its other
 * outputs and keeps its own exit code (it used to exit 0 at the first failed write: --summary files were never
 * written and a failed gate or batch looked like success). The child's stdout pipe is closed before it writes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, ROOT, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-stdout-closed-');
const p = (name: string) => join(tmp.dir, name);
afterAll(() => tmp.cleanup());

/** Runs the CLI with its stdout pipe closed at once (every write fails with EPIPE). */
function runClosed(args: string[], closeStderr = false): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    if (closeStderr) child.stderr.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe('closed stdout (EPIPE)', () => {
  it('audio: the --summary file is written (JSONL and CSV records), exit 0', async () => {
    for (const format of ['jsonl', 'csv']) {
      const summary = p(`audio-${format}.json`);
      const r = await runClosed(['audio', join(FIXTURES, 'audio', 'wav', 'cards_001.flac'), '--format', format, '--summary', summary]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(JSON.parse(readFileSync(summary, 'utf8')).n_frames).toBeGreaterThan(100);
    }
  });

  it('agreement: a failed gate still exits 3 and --gold is written', async () => {
    const gold = p('gold.jsonl');
    const r = await runClosed(['agreement', join(FIXTURES, 'agreement', 'data', 'sf_shrout_fleiss_1979.csv'), '--min-icc', '0.99', '--gold', gold]);
    expect(r.code, r.stderr).toBe(3);
    expect(readFileSync(gold, 'utf8').trim().split('\n')).toHaveLength(6);
  });

  it('agreement: a failed gate still exits 3 when stderr is closed too (`2>&1 | head`)', async () => {
    const r = await runClosed(['agreement', join(FIXTURES, 'agreement', 'data', 'sf_shrout_fleiss_1979.csv'), '--min-icc', '0.99'], true);
    expect(r.code).toBe(3);
  });

  it('extract: a batch with a failed session still exits 4', async () => {
    writeFileSync(p('bad.wav'), 'not audio\n');
    writeFileSync(p('m.csv'), 'session_id,speaker_id,lav_audio\ns1,p1,bad.wav\n');
    const r = await runClosed(['extract', p('m.csv'), '-o', p('out'), '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(4);
    expect(existsSync(p('out/_errors.jsonl'))).toBe(true);
  });

  it('face without --summary (records to stdout alone): stops early, exit 0, nothing on stderr', async () => {
    // A new user's `mmprep face cam.mp4 | head -1` (2026-12-05): exit 1, "internal error: Cannot read properties of null".
    const r = await runClosed(['face', join(FIXTURES, 'face', 'transform.mp4'), '--end', '0.4', '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('face: the --summary file is written', async () => {
    const summary = p('face.json');
    // One worker thread (the default on 2 cores is two, each loading tfjs and Human: ~1.2 CPU s more); what is written
    // does not depend on their count (src/face/pool.ts). The first 0.4 s (10 frames, as the test before): 1.2 s, 30
    // frames until 2026-12-06, cost ~3 CPU s more of inference for the same claim: 10 frames' records pass the sink's
    // 64 KiB block (~99 kB), so a write to the closed stdout fails before the summary is written, as with 30.
    const r = await runClosed(['face', join(FIXTURES, 'face', 'transform.mp4'), '--end', '0.4', '--summary', summary, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(summary, 'utf8')).frames_analysed).toBeGreaterThan(0);
  });
});
