/**
 * A new user's trial: the disk filled while `mmprep audio x.flac -o out.jsonl` wrote (simulated with a file size
 * limit, `ulimit -f`, SIGXFSZ ignored: write() fails with EFBIG as with ENOSPC). The stream's error destroyed it
 * while no write waited, commit waited for a 'finish' that never came, and mmprep exited 0 with no output file and
 * its temp file left behind. Now exit 2 with one line, nothing left; extract fails the session (exit 4). And
 * `-o /dev/full` or a FIFO was replaced by a regular file (the temp file renamed over the node: as root, `-o
 * /dev/null` turned the machine's /dev/null into a file); such a target is now written in place.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli, tempDir, type CliResult } from './helpers/cli.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-write-fail-');
afterAll(() => tmp.cleanup());
const FLAC = join(FIXTURES, 'audio', 'wav', 'cards_001.flac');

/** Runs the CLI under a file size limit of `kb` kB (SIGXFSZ ignored, so a write past it fails with EFBIG). */
function runLimited(kb: number, args: string[], cwd: string, stdoutTo?: string): Promise<CliResult> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `trap '' XFSZ; ulimit -f ${kb}; exec "${process.execPath}" "${BIN}" ${quoted}${stdoutTo ? ` > '${stdoutTo}'` : ''}`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('an output that cannot be written to the end', () => {
  it('audio -o on a full disk: exit 2, one line naming the file, no output and no temp file left', async () => {
    const dir = join(tmp.dir, 'audio');
    mkdirSync(dir);
    const r = await runLimited(16, ['audio', FLAC, '-o', 'frames.jsonl'], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('mmprep audio: cannot write frames.jsonl: file too large for this file system; choose another path\n');
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);

  it('extract on a full disk: the session fails naming the file (exit 4), its folder removed', async () => {
    const dir = join(tmp.dir, 'extract');
    mkdirSync(dir);
    writeFileSync(join(dir, 'm.csv'), `session_id,speaker_id,lav_audio\ns1,spk,${FLAC}\n`);
    const r = await runLimited(16, ['extract', 'm.csv', '-o', 'out', '--only', 'audio', '--progress', 'none', '-j', '1'], dir);
    expect(r.code, r.stderr).toBe(4);
    expect(JSON.parse(r.stdout).failed).toBe(1);
    expect(readFileSync(join(dir, 'out', '_errors.jsonl'), 'utf8')).toContain('audio.jsonl: file too large for this file system');
    expect(readdirSync(join(dir, 'out'))).toEqual(['_errors.jsonl']);
  }, 120_000);

  it('stdout redirected to a file on a full disk: exit 2, one line (was a stack trace, exit 1)', async () => {
    const dir = join(tmp.dir, 'stdout');
    mkdirSync(dir);
    const a = await runLimited(16, ['audio', FLAC], dir, 'frames.jsonl');
    expect(a.code, a.stderr).toBe(2);
    expect(a.stderr).toBe('mmprep audio: cannot write standard output: file too large for this file system; choose another path\n');
    // probe's one line fails only after the command returned (the file stream reports its error a tick later)
    const p = await runLimited(0, ['probe', FLAC], dir, 'probe.json');
    expect(p.code, p.stderr).toBe(2);
    expect(p.stderr).toBe('mmprep probe: cannot write standard output: file too large for this file system; choose another path\n');
  }, 120_000);

  it('agreement --gold written, then --report on a full disk: exit 2 naming the report, the gold file removed again', async () => {
    // The outputs already written are removed (src/cli/run.ts removeCreatedOutputs): a path that cannot be written at
    // all is refused before the work now (output-path-cli), so a disk that fills is what still fails a later output.
    const dir = join(tmp.dir, 'agreement');
    mkdirSync(dir);
    const r = await runLimited(16, ['agreement', join(FIXTURES, 'demo', 'ratings.csv'), '--gold', 'gold.jsonl', '--report', 'report.html'], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe('mmprep agreement: cannot write report.html: file too large for this file system; choose another path\n');
    expect(readdirSync(dir)).toEqual([]);
  }, 120_000);

  it('dataset build on a full disk: exit 2 naming the release folder (was exit 1, internal error), nothing left', async () => {
    const dir = join(tmp.dir, 'build');
    const feats = join(dir, 'features');
    for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(feats, { session_id: id, duration_s: 10, seed: 3 + i, mediaDir: join(FIXTURES, 'demo') });
    for (const jobs of ['1', '2']) {
      const r = await runLimited(8, ['dataset', 'build', join(FIXTURES, 'demo', 'manifest.csv'), '--features', feats, '-o', 'rel', '--quiet', '-j', jobs], dir);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe(`mmprep dataset build: cannot write ${join(dir, 'rel')}: file too large for this file system; choose another path\n`);
      expect(readdirSync(dir)).toEqual(['features']);
    }
  }, 120_000);

  it('-o a /dev/full node: exit 2 (no space left), and the node stays a device', async (ctx) => {
    // a private node (root only): a regression must not replace the machine's /dev/full
    const full = join(tmp.dir, 'full');
    const made = await new Promise<number | null>((res) => spawn('mknod', ['-m', '666', full, 'c', '1', '7']).on('close', res).on('error', () => res(-1)));
    if (made !== 0) ctx.skip();
    const r = await runCli(['audio', FLAC, '-o', full]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`mmprep audio: cannot write ${full}: no space left on device; choose another path\n`);
    expect(lstatSync(full).isCharacterDevice()).toBe(true);
  }, 120_000);

  it('-o a FIFO: the records go through it, the FIFO stays a FIFO', async () => {
    const fifo = join(tmp.dir, 'frames.fifo');
    await new Promise<void>((res, rej) => spawn('mkfifo', [fifo]).on('close', (c) => (c === 0 ? res() : rej(new Error(`mkfifo ${c}`)))));
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    let read = '';
    reader.stdout.setEncoding('utf8').on('data', (d: string) => (read += d));
    const readerDone = new Promise<void>((res) => reader.on('close', () => res()));
    const r = await runCli(['audio', FLAC, '-o', fifo]);
    const isFifo = lstatSync(fifo).isFIFO();
    if (!isFifo) reader.kill(); // replaced by a file: cat still waits for a writer of the old FIFO
    await readerDone;
    expect(r.code, r.stderr).toBe(0);
    expect(isFifo).toBe(true);
    expect(read.split('\n')[0]).toMatch(/^\{"t_s":0,"mfcc":\[/);
  }, 120_000);
});
