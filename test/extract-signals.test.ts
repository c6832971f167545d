/**
 * A signal meant for mmprep never turns into a recorded failure. `mmprep extract` runs in its own process group and
 * the test sends SIGTERM or SIGINT to the whole group (`kill -TERM -PGID`, what a terminal's Ctrl-C, Slurm and many
 * supervisors do) at several moments: while ffprobe reads the inputs, while ffmpeg decodes video or audio, during face
 * inference. Slurm signals a step's processes one after another, and in a real run ffprobe died before mmprep had
 * handled its own SIGTERM; the test reproduces that order on purpose (children first, the group 200 ms later). In
 * every case: exit 130, no `_errors.jsonl`, the interrupted sessions named as rolled back and without a folder. The
 * negative control: a child killed alone (no interrupt of mmprep follows) is still recorded as the failure it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract, ExtractControl } from '../src/batch/extract.js';
import { childSignalIn, interruptFollows } from '../src/batch/interrupt.js';
import { BIN, FIXTURES, tempDir } from './helpers/cli.js';

const linux = process.platform === 'linux';
let dir: string;
let cleanup: () => void;
let manifest: string;
let runs = 0;

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-signals-'));
  const ids = ['s01', 's02', 's03'];
  for (const s of ids) {
    copyFileSync(join(FIXTURES, 'demo', `${s}_camera.mp4`), join(dir, `${s}_camera.mp4`));
    copyFileSync(join(FIXTURES, 'demo', `${s}_lav.flac`), join(dir, `${s}_lav.flac`));
  }
  manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, 'session_id,speaker_id,video,lav_audio\n' + ids.map((s, i) => `${s},spk${i},${s}_camera.mp4,${s}_lav.flac`).join('\n') + '\n');
});
afterAll(() => cleanup());

/**
 * Child processes of `pid` with their command lines, from /proc/PID/task/TID/children (each thread's children: the
 * session threads spawn ffmpeg too). Polled every 2 ms: scanning every /proc/N/stat for its ppid cost 5.9 CPU ms a call
 * on a machine of 160 processes (a core kept busy for the whole test); these files 0.04 ms. Without them (a kernel
 * without CONFIG_PROC_CHILDREN), that scan.
 */
function childrenOf(pid: number): Array<{ pid: number; cmd: string }> {
  const ids = childPids(pid);
  const out: Array<{ pid: number; cmd: string }> = [];
  for (const id of ids) {
    try {
      out.push({ pid: id, cmd: readFileSync(`/proc/${id}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

let childrenFiles = true;

function childPids(pid: number): number[] {
  const ids: number[] = [];
  if (childrenFiles) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        try {
          ids.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid)) throw e; // no such files on this kernel
        }
      }
      return ids;
    } catch {
      if (existsSync(`/proc/${pid}`)) childrenFiles = false;
      else return [];
    }
  }
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) ids.push(Number(name));
    } catch {
      // the process ended meanwhile
    }
  }
  return ids;
}

interface Run {
  out: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The command lines of the children signalled directly (the moment the signal was sent). */
  hit: string[];
}

/**
 * Starts `mmprep extract` in its own process group; once a child whose command line matches `moment` runs (or the
 * predicate `moment(OUT)` holds), sends `signal` to those children first when `childrenFirst`, and then (after
 * `groupAfterMs`, unless null) to the whole group.
 */
function interruptedRun(opts: { moment: RegExp | ((out: string) => boolean); signal: NodeJS.Signals; childrenFirst: boolean; groupAfterMs: number | null; extra?: string[]; manifest?: string }): Promise<Run> {
  const out = join(dir, `out${runs++}`);
  const args = [BIN, 'extract', opts.manifest ?? manifest, '-o', out, '--progress', 'lines', ...(opts.extra ?? ['--only', 'sync,audio', '--jobs', '2'])];
  const child: ChildProcess = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const hit: string[] = [];
  const pid = child.pid!;
  const timer = setInterval(() => {
    const m = opts.moment;
    const kids = m instanceof RegExp ? childrenOf(pid).filter((k) => m.test(k.cmd)) : [];
    const ready = m instanceof RegExp ? kids.length > 0 : m(out);
    if (!ready) return;
    clearInterval(timer);
    hit.push(...kids.map((k) => k.cmd));
    if (opts.childrenFirst) for (const k of kids) process.kill(k.pid, opts.signal);
    if (opts.groupAfterMs !== null) setTimeout(() => process.kill(-pid, opts.signal), opts.groupAfterMs);
  }, 2);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve({ out, code, signal, stdout, stderr, hit });
    }),
  );
}

/** No recorded failure, exit 130, every session either complete (meta.json) or without a folder. */
function expectCleanInterrupt(r: Run): void {
  expect(r.code, r.stderr).toBe(130);
  expect(readdirSync(r.out).filter((n) => n.startsWith('_errors')), r.stderr).toEqual([]);
  // A recorded failure ('session s01 (line 2) failed in sync: ...', 'N failed', 'N of M sessions failed'); not the
  // word in a rolled-back session's reason, where ffmpeg's own line can say 'decoding for stream 0 failed'.
  expect(r.stderr).not.toMatch(/\(line \d+\) failed|\b[1-9]\d* (of \d+ sessions )?failed/);
  const summary = JSON.parse(r.stdout) as { interrupted: boolean; failed: number; rolled_back: string[]; finished_after_interrupt: string[] };
  expect(summary).toMatchObject({ interrupted: true, failed: 0 });
  for (const s of ['s01', 's02', 's03']) {
    if (existsSync(join(r.out, s))) expect(existsSync(join(r.out, s, 'meta.json')), `${s} left without meta.json`).toBe(true);
  }
  for (const s of summary.rolled_back) expect(existsSync(join(r.out, s))).toBe(false);
  expect(r.stderr).toMatch(/stopped by interrupt: finished .*; rolled back .*; \d+ not started/);
}

/** A session's face.jsonl is being written (its temp file exists): face inference is running. */
const faceWriting = (out: string) => ['s01', 's02'].some((s) => existsSync(join(out, s)) && readdirSync(join(out, s)).some((n) => n.startsWith('.face.jsonl.')));
const FFPROBE = /ffprobe.*-show_streams/;
const VIDEO_DECODE = /ffmpeg.*-map 0:v:0/;
const AUDIO_DECODE = /ffmpeg.*-map 0:a:0/;

describe('which failures a signal may have caused', () => {
  it('reads the signal from fluent-ffmpeg, probe and ffmpeg wordings, and nothing else', () => {
    expect(childSignalIn('x.mp4: cannot decode video (ffmpeg was killed with signal SIGTERM)')).toBe('SIGTERM');
    expect(childSignalIn('video: x.mp4: ffprobe crashed (SIGINT) reading this file: ...')).toBe('SIGINT');
    expect(childSignalIn('cannot decode audio (Exiting normally, received signal 15.)')).toBe('SIGTERM');
    expect(childSignalIn('cannot decode audio (Exiting normally, received signal 2.)')).toBe('SIGINT');
    expect(childSignalIn('ffprobe crashed (SIGSEGV) reading this file')).toBeNull();
    expect(childSignalIn('ffmpeg was killed with signal SIGKILL')).toBeNull();
    expect(childSignalIn('not a media file ffmpeg can read (moov atom not found)')).toBeNull();
    expect(childSignalIn(undefined)).toBeNull();
  });

  it('holds a failure a child may have died of until the run is interrupted, or for the grace period', async () => {
    const c = new ExtractControl();
    const held = interruptFollows('x.mp4: cannot decode video (Error marking filters as finished)', c, { signalled: 5000, child: 5000 });
    setTimeout(() => c.stop('rollback'), 20);
    expect(await held).toBe(true);
    expect(await interruptFollows('ffmpeg was killed with signal SIGTERM', new ExtractControl(), { signalled: 30, child: 5000 })).toBe(false);
    expect(await interruptFollows('x.mp4: cannot decode audio (Invalid data found)', new ExtractControl(), { signalled: 5000, child: 30 })).toBe(false);
    // Not from a child process: recorded at once.
    expect(await interruptFollows('sync: no beep found in the first 60 s', new ExtractControl(), { signalled: 5000, child: 5000 })).toBe(false);
  });
});

describe.runIf(linux)('a signal to mmprep and its children', () => {
  it('SIGTERM to the whole process group while ffprobe, a video decode or an audio decode runs', async () => {
    for (const moment of [FFPROBE, VIDEO_DECODE, AUDIO_DECODE]) {
      const r = await interruptedRun({ moment, signal: 'SIGTERM', childrenFirst: false, groupAfterMs: 0 });
      expectCleanInterrupt(r);
      expect(JSON.parse(r.stdout).rolled_back.length).toBeGreaterThan(0);
    }
  });

  it('SIGTERM that reaches ffprobe / ffmpeg before mmprep (the order Slurm produced) is an interrupt, not a failure', async () => {
    for (const moment of [FFPROBE, VIDEO_DECODE, AUDIO_DECODE]) {
      const r = await interruptedRun({ moment, signal: 'SIGTERM', childrenFirst: true, groupAfterMs: 200 });
      expect(r.hit.length).toBeGreaterThan(0);
      expectCleanInterrupt(r);
      expect(r.stderr).toMatch(/stopped by interrupt: finished none; rolled back s0\d/);
    }
  });

  it('SIGINT (Ctrl-C) reaching the decoder first: the session is rolled back or finishes, never recorded', async () => {
    // One session at a time: the first Ctrl-C lets running sessions finish, so only the interrupted one is in play.
    // ffmpeg catches SIGINT once it runs (exit 255: the session cannot finish and is rolled back, saying why); hit
    // before that it dies of the signal with no output and is started again (src/media/children.ts): it finishes.
    const r = await interruptedRun({ moment: VIDEO_DECODE, signal: 'SIGINT', childrenFirst: true, groupAfterMs: 200, extra: ['--only', 'sync,audio', '--jobs', '1'] });
    expect(r.hit.length).toBeGreaterThan(0);
    expectCleanInterrupt(r);
    const summary = JSON.parse(r.stdout) as { rolled_back: string[]; finished_after_interrupt: string[] };
    expect([...summary.rolled_back, ...summary.finished_after_interrupt]).toEqual(['s01']);
    if (summary.rolled_back.length) expect(r.stderr).toMatch(/session s01 \(line 2\) could not finish: \w+: .*cannot decode video/);
  });

  it('a rolled-back session is restored only after its terminated thread has stopped: nothing it still had under way lands afterwards', async () => {
    // piscina rejects an aborted task before it terminates the thread, and termination waits for what the thread is
    // inside of: here a blocking call that outlasts the rollback's grace (CHILDREN_GRACE_MS, 2.5 s) and then writes
    // into the session folder, standing for a mkdir or file write of the session still under way when the rollback
    // came. Before 2026-12-06 the folder was restored at once and the late file left it behind (the "rolled-back
    // session's folder still there" seen once in CI).
    const out = join(dir, `out${runs++}`);
    const stages = join(dir, 'late-writer-stages.mjs');
    writeFileSync(stages, [
      "import { spawnSync } from 'node:child_process';",
      "import { writeFileSync } from 'node:fs';",
      "import { join } from 'node:path';",
      'export const stages = { audio: async (ctx) => {',
      "  writeFileSync(join(ctx.dir, '.started.tmp'), '');",
      "  spawnSync('sh', ['-c', 'sleep 3; mkdir -p \"$0\" && : > \"$0/.late.tmp\"', ctx.dir]);",
      '  return {};',
      '} };',
    ].join('\n'));
    const control = new ExtractControl();
    const started = setInterval(() => {
      if (existsSync(join(out, 's01', '.started.tmp'))) {
        clearInterval(started);
        control.stop('rollback');
      }
    }, 10);
    const manifest1 = join(dir, 'manifest-one.csv');
    writeFileSync(manifest1, readFileSync(manifest, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const summary = await extract(manifest1, { out, only: ['audio'], jobs: 1, progress: 'none', control, stagesModule: stages }).finally(() => clearInterval(started));
    expect(summary.rolled_back).toEqual(['s01']);
    await new Promise((r) => setTimeout(r, 1000)); // past the late write, had the thread still been running
    expect(existsSync(join(out, 's01')), existsSync(join(out, 's01')) ? readdirSync(join(out, 's01')).join(', ') : '').toBe(false);
  });

  it('SIGTERM to the group during face inference', async () => {
    // One session at a time: a second would load the face models as well (~5 CPU s) only to be rolled back too. One
    // face worker (the default with one session on 2 cores is two, each loading tfjs and Human before the first frame):
    // the signal still reaches inference in a worker thread.
    const r = await interruptedRun({ moment: faceWriting, signal: 'SIGTERM', childrenFirst: false, groupAfterMs: 0, extra: ['--only', 'face', '--face-fps', '3', '--jobs', '1', '--face-workers', '1'] });
    expectCleanInterrupt(r);
    expect(JSON.parse(r.stdout).rolled_back.length).toBeGreaterThan(0);
  });

  it('rollback (Ctrl-C twice) ends the running ffmpeg/ffprobe children and waits for them: none is left, not even a zombie', async () => {
    if (!linux) return;
    const out = join(dir, `out${runs++}`);
    const child = spawn(process.execPath, [BIN, 'extract', manifest, '-o', out, '--progress', 'none', '--only', 'sync,audio', '--jobs', '2'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const pid = child.pid!;
    const seen = new Map<number, string>();
    let signalled = false;
    // Both interrupts go to mmprep alone, the second as soon as it acknowledges the first: a Ctrl-C to the whole group
    // also kills ffmpeg, and a fast decoder build then lets mmprep roll back and exit before a second one arrives.
    let again = false;
    child.stderr.on('data', () => {
      if (signalled && !again && /interrupted: starting no new session/.test(stderr)) {
        again = true;
        try {
          process.kill(pid, 'SIGINT');
        } catch {
          // already gone: the assertions below report it
        }
      }
    });
    const timer = setInterval(() => {
      const kids = childrenOf(pid).filter((k) => /ffmpeg|ffprobe/.test(k.cmd));
      for (const k of kids) seen.set(k.pid, k.cmd);
      if (!signalled && kids.some((k) => AUDIO_DECODE.test(k.cmd))) {
        signalled = true;
        process.kill(pid, 'SIGINT');
      }
    }, 2);
    // The moment mmprep has exited: a child it did not wait for is still in /proc (a zombie handed to PID 1).
    const left = await new Promise<string[]>((resolve) =>
      child.on('exit', () => {
        clearInterval(timer);
        const still: string[] = [];
        for (const [p, cmd] of seen) {
          try {
            const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
            if (/\((ffmpeg|ffprobe)\)/.test(stat)) still.push(`${stat.slice(0, 24)} ${cmd.slice(0, 90)}`);
          } catch {
            // gone, as it should be
          }
        }
        resolve(still);
      }),
    );
    await new Promise((r) => child.on('close', r));
    expect(signalled).toBe(true);
    expect(stderr).toMatch(/interrupted again: rolling back/);
    expect(child.exitCode, stderr).toBe(130);
    expect(left).toEqual([]);
  });

  it('negative control: ffmpeg killed alone (no interrupt of mmprep follows) is recorded as a failure', async () => {
    // s01 alone: with the whole manifest the run would go on to extract s02 and s03 in full, which proves nothing here.
    const one = join(dir, 'one.csv');
    writeFileSync(one, readFileSync(manifest, 'utf8').split('\n').slice(0, 2).join('\n') + '\n');
    const r = await interruptedRun({ moment: VIDEO_DECODE, signal: 'SIGTERM', childrenFirst: true, groupAfterMs: null, manifest: one });
    expect(r.code, r.stderr).toBe(4);
    const errors = readFileSync(join(r.out, '_errors.jsonl'), 'utf8').trim().split('\n');
    expect(errors.length).toBe(1);
    // Debian's ffmpeg dies of the signal ("killed with signal SIGTERM"); the npm 2018 build catches it and may end on
    // another error line ("Error marking filters as finished").
    expect(errors[0]).toMatch(/cannot decode video/);
    expect(JSON.parse(r.stdout)).toMatchObject({ interrupted: false });
  });
});
