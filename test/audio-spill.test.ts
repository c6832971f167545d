/**
 * `mmprep audio` on long recordings keeps its bulky per-frame values in temp files (src/audio/spill.ts,
 * docs/audio.md "Streaming and memory"): the spilled path must write the same bytes as the in-memory one (JSONL,
 * CSV, summary, with a sync beep, across block boundaries, below the delta width, with --voice), and its temp files must live in
 * $TMPDIR unlinked while open, so none is left after success, an error or SIGINT.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpeg } from './sync-media.js';
import { computeAudioFeatures } from '../src/audio/features.js';
import { extractAudio, summarizeAudio, type ExtractAudioOptions } from '../src/audio/extract.js';
import { jsonlBlock } from '../src/audio/jsonl.js';
import { spilledJsonlBlocks } from '../src/audio/jsonl-spilled.js';
import { streamedFunctionals } from '../src/audio/functionals-stream.js';
import { functionals } from '../src/audio/functionals.js';

const tmp = tempDir('mmprep-spill-');
const p = (name: string) => join(tmp.dir, name);
const WAV = join(FIXTURES, 'audio', 'wav');
const SPEECH = ['cards_001', 'cards_002', 'cards_003', 'cards_004', 'cards_005', 'speech_en1_p50_s175', 'speech_es1_p50_s175'];
/**
 * 45 s of speech (4500 frames: two spill blocks of 4096 frames, the second partial) with a 1 kHz sync beep at 20 s;
 * as long as needed for two blocks and no longer (the --voice runs on it are the slowest of the file).
 */
const LONG = p('long.wav');
const TINY = p('tiny.wav');

beforeAll(() => {
  const inputs = SPEECH.flatMap((n) => ['-i', join(WAV, `${n}.flac`)]);
  ffmpeg([...inputs, '-filter_complex', `${SPEECH.map((_, i) => `[${i}:a]`).join('')}concat=n=${SPEECH.length}:v=0:a=1`, p('joined.wav')]);
  // amix halves both inputs (the npm build's ffmpeg has no normalize=0): the beep ends up at 0.5 of full scale
  ffmpeg(['-stream_loop', '3', '-i', p('joined.wav'), '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=0.3:sample_rate=16000', '-filter_complex', '[1:a]adelay=20000[b];[0:a][b]amix=inputs=2:duration=first', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', '-t', '45', LONG]);
  ffmpeg(['-i', join(WAV, 'cards_001.flac'), '-t', '0.05', TINY]);
});
afterAll(() => tmp.cleanup());

/** extractAudio's options for the CLI flags the cases below use (the command passes them on as these). */
function libOptions(args: string[]): ExtractAudioOptions {
  const o: ExtractAudioOptions = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format') o.format = args[++i] as 'csv';
    else if (a === '--digits') o.digits = Number(args[++i]);
    else if (a === '--spill-after') o.spillAfterS = Number(args[++i]);
    else if (a === '--keep-sync-beep') o.keepSyncBeep = true;
    else if (a === '--voice') o.voice = true;
    else throw new Error(`libOptions: ${a}`);
  }
  return o;
}

/**
 * The outputs of one run (frames file and summary bytes). 'lib': extractAudio in this process (what `mmprep audio`
 * runs, without a process start-up per run); 'watched': `mmprep audio` in a TMPDIR of its own, also giving the temp
 * files it held open (unlinked ones in that folder, seen through /proc while it ran; [] without /proc), none of which
 * may be left, and the most threads it had at once (mostThreads).
 */
async function outputs(file: string, name: string, extra: string[], how: 'lib' | 'watched'): Promise<[Buffer, Buffer, string[], number]> {
  const [out, summary] = [p(`${name}.out`), p(`${name}.json`)];
  let seen: string[] = [];
  let threads = 0;
  if (how === 'lib') {
    await extractAudio(file, { ...libOptions(extra), out, summaryPath: summary });
  } else {
    const t = p(`${name}-tmp`);
    mkdirSync(t);
    const r = await runWatched(['audio', file, '-o', out, '--summary', summary, ...extra], t, undefined, (pid) => (threads = Math.max(threads, threadCount(pid))));
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(t)).toEqual([]);
    seen = r.seen;
  }
  return [readFileSync(out), readFileSync(summary), seen, threads];
}

/** The threads of the process `pid` now (Linux /proc; 0 once it has exited). */
function threadCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/**
 * The most threads at once of the watched command on the 45 s file (its first case below, JSONL, spilled from 10 s
 * on: under 60 s, no JSONL helper) and on the 65 s one ('past 60 s the helper writes into the output', spilled from
 * the start): compared in 'past 60 s the JSONL helper is the pitch worker'.
 */
const mostThreads: { under60?: number; over60?: number } = {};

const HAS_PROC = existsSync('/proc/self/fd');

describe('spilled and in-memory runs write the same bytes', () => {
  // Two cases run the command for the spilled run (watched: the temp files it must be seen holding, at least), against
  // the in-memory run of extractAudio in this process (the command's code; the command for both until 2026-12-06);
  // the others extractAudio in this process for both (the same code; 14 process start-ups fewer). The 45 s JSONL spills from 10 s on
  // (--spill-after 10, the threshold path; it stood as a test of its own, "live in $TMPDIR unlinked while open",
  // before 2026-12-02); the --voice fixture holds the signal's file, the pitch worker's candidates, the MFCC columns
  // and the voice pitch's candidates (it stood in "with --voice the signal goes to $TMPDIR too").
  const cases: Array<[string, () => string, string[], string, number]> = [
    ['45 s with a sync beep, JSONL (spilled from 10 s on), the command', () => LONG, [], '10', 1],
    ['45 s, CSV', () => LONG, ['--format', 'csv'], '0', 0],
    ['45 s, --keep-sync-beep, --digits 0', () => LONG, ['--keep-sync-beep', '--digits', '0'], '0', 0],
    ['one fixture (one block)', () => join(WAV, 'cards_005.flac'), [], '0', 0],
    ['50 ms (fewer frames than the delta width)', () => TINY, [], '0', 0],
    ['45 s with a sync beep, --voice, JSONL', () => LONG, ['--voice'], '0', 0],
    ['one fixture, --voice, CSV, the command', () => join(WAV, 'cards_005.flac'), ['--voice', '--format', 'csv'], '0', 4],
    ['50 ms, --voice', () => TINY, ['--voice'], '0', 0],
  ];
  it.each(cases)('%s', async (name, file, extra, after, minSeen) => {
    const tag = name.replace(/\W+/g, '_');
    const cli = minSeen > 0;
    const [mem, memSum] = await outputs(file(), `${tag}-mem`, ['--spill-after', '1e9', ...extra], 'lib');
    const [spill, spillSum, seen, threads] = await outputs(file(), `${tag}-spill`, ['--spill-after', after, ...extra], cli ? 'watched' : 'lib');
    if (cli && file() === LONG) mostThreads.under60 = threads;
    expect(spill.length).toBeGreaterThan(0);
    if (file() === LONG && !extra.includes('--keep-sync-beep')) expect(JSON.parse(memSum.toString()).n_sync_beep_frames).toBeGreaterThan(0);
    expect(spill.equals(mem)).toBe(true);
    expect(spillSum.equals(memSum)).toBe(true);
    // Temp files live in $TMPDIR, unlinked while open (and none is left: outputs()).
    if (HAS_PROC && cli) {
      expect(seen.length).toBeGreaterThanOrEqual(minSeen);
      expect(seen.every((l) => /\.mmprep-spill-\d+-\d+-\d+\.tmp \(deleted\)$/.test(l))).toBe(true);
    }
  });
});

describe('the library', () => {
  it('keeps no per-frame MFCC in memory when spilling, and gives the same records and summary', async () => {
    const mem = await computeAudioFeatures(LONG, {}, { threads: false });
    const sp = await computeAudioFeatures(LONG, {}, { threads: false, spillAfterFrames: 0 });
    try {
      expect(mem.columns).toBeUndefined();
      expect(sp.columns).toBeDefined();
      expect(sp.mfcc.length).toBe(0);
      expect(sp.nFrames).toBe(mem.nFrames);
      expect(sp.nFrames).toBeGreaterThan(4096); // two spill blocks
      const a = jsonlBlock(mem, 0, mem.nFrames);
      const parts: Buffer[] = [];
      // each block is a view into a reused buffer: copied before the next is asked for
      for (const x of spilledJsonlBlocks(sp, sp.columns!, 0, sp.nFrames, 96)) parts.push(Buffer.from(x));
      const b = Buffer.concat(parts);
      expect(b.equals(a)).toBe(true);
      expect(JSON.stringify(summarizeAudio(sp, 'x'))).toBe(JSON.stringify(summarizeAudio(mem, 'x')));
    } finally {
      sp.columns?.close();
    }
  });

  // On one fixture (3.5 s): what stays in memory does not depend on the length; records and summary across the
  // 4096-frame block boundary with --voice are compared through the CLI above (45 s, --voice).
  // The voice measures of a 48 kHz source read a second decode at 48 kHz (voice-rate.ts): spilled from the start too.
  it('with --voice a 48 kHz source\'s signal, spilled at its own rate, gives the in-memory records and summary, and Praat\'s HNR', async () => {
    const v48 = join(WAV, 'vowel_220hz_48k.flac');
    const mem = await computeAudioFeatures(v48, { voice: true }, { threads: false });
    const sp = await computeAudioFeatures(v48, { voice: true }, { threads: false, spillAfterFrames: 0 });
    try {
      expect(sp.voice!.hnrDb.length).toBe(0);
      const parts: Buffer[] = [];
      for (const x of spilledJsonlBlocks(sp, sp.columns!, 0, sp.nFrames, 96)) parts.push(Buffer.from(x));
      expect(Buffer.concat(parts).equals(jsonlBlock(mem, 0, mem.nFrames))).toBe(true);
      const sum = summarizeAudio(sp, 'x');
      expect(JSON.stringify(sum)).toBe(JSON.stringify(summarizeAudio(mem, 'x')));
      // Praat 6.3.07's Harmonicity Get mean of the file (fixtures/audio/expected/praat-voice/vowel_220hz_48k.json).
      const praat = JSON.parse(readFileSync(join(FIXTURES, 'audio', 'expected', 'praat-voice', 'vowel_220hz_48k.json'), 'utf8')).file;
      expect(Math.abs(sum.voice!.hnr_mean_db! - praat.hnr_mean_db)).toBeLessThan(1e-6);
      // The voice report's HNR from the spilled voice pitch track's strengths (printed by Praat to 3 decimals).
      expect(Math.abs(sum.voice!.hnr_voice_report_db! - praat.hnr_voice_report_db)).toBeLessThanOrEqual(0.0005 + 1e-9);
    } finally {
      sp.columns?.close();
    }
  });

  it('with --voice keeps neither the signal nor the per-frame voice series in memory when spilling; same records and summary', async () => {
    const one = join(WAV, 'cards_005.flac');
    const mem = await computeAudioFeatures(one, { voice: true }, { threads: false });
    const sp = await computeAudioFeatures(one, { voice: true }, { threads: false, spillAfterFrames: 0 });
    try {
      expect(mem.columns).toBeUndefined();
      expect(mem.voice!.jitterLocal.length).toBe(mem.nFrames);
      expect(sp.columns?.hasVoice).toBe(true);
      for (const k of ['jitterLocal', 'shimmerLocal', 'hnrDb', 'formantHz', 'bandwidthHz'] as const) expect(sp.voice![k].length, k).toBe(0);
      expect(sp.voice!.formants!.freq.length).toBe(0);
      expect(sp.voice!.frameVoiced.some((v) => v === 1)).toBe(true);
      expect(Buffer.from(sp.voice!.pulses.buffer).equals(Buffer.from(mem.voice!.pulses.buffer))).toBe(true);
      const a = jsonlBlock(mem, 0, mem.nFrames);
      const parts: Buffer[] = [];
      for (const x of spilledJsonlBlocks(sp, sp.columns!, 0, sp.nFrames, 96)) parts.push(Buffer.from(x));
      expect(Buffer.concat(parts).equals(a)).toBe(true);
      expect(JSON.stringify(summarizeAudio(sp, 'x'))).toBe(JSON.stringify(summarizeAudio(mem, 'x')));
    } finally {
      sp.columns?.close();
    }
  });

  it('streamed functionals equal functionals() on awkward series (ties, zeros of both signs, NaN, negatives)', () => {
    const n = 10007;
    const series = [
      Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 1e3),
      Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : i % 3 === 0 ? -0 : i % 5 === 0 ? 0 : -1 / (1 + (i % 11)))),
      Float64Array.from({ length: n }, () => 42.5),
      Float64Array.from({ length: n }, (_, i) => (i < 3 ? i : NaN)),
      Float64Array.from({ length: n }, (_, i) => ((i * 2654435761) % 1000) / 997 - 0.5),
    ];
    // more values than one gathered group takes (2^18), all within 2^-40 of 1: every digit pass down to the last bit
    series.push(Float64Array.from({ length: 300_000 }, (_, i) => 1 + ((i * 7919) % 1000) * 1e-12));
    for (const x of series) {
      const want = functionals(x, x.length, 0.01);
      const got = streamedFunctionals((a, b, out) => out.set(x.subarray(a, b)), x.length, 0.01);
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      expect(got.p50).toBe(want.p50);
    }
  });
});

/** 65 s of the looped speech fixtures (made once): past HELPER_MIN_FRAMES (60 s), so the JSONL helper runs. */
function long65(): string {
  const long = p('long65.wav');
  if (!existsSync(long)) ffmpeg(['-stream_loop', '-1', '-i', p('joined.wav'), '-t', '65', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', long]);
  return long;
}

/** The size of the open file `fdPath` (/proc/PID/fd/N) when it is a temp file in `dir` holding JSONL records, else 0. */
function jsonlTempSize(fdPath: string, dir: string): number {
  try {
    if (!readlinkSync(fdPath).startsWith(dir + '/')) return 0;
    const head = Buffer.alloc(7);
    const fd = openSync(fdPath, 'r');
    try {
      readSync(fd, head, 0, 7, 0);
      return head.toString() === '{"t_s":' ? fstatSync(fd).size : 0;
    } finally {
      closeSync(fd);
    }
  } catch {
    return 0;
  }
}

/** Deleted files in `dir` that the process `pid` holds open (Linux /proc), as their link names. */
function spillFdsIn(pid: number, dir: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((l) => l.startsWith(dir + '/') && l.endsWith(' (deleted)'));
  } catch {
    return [];
  }
}

/** Runs `mmprep audio` with its own TMPDIR; calls `during(pid)` when it first holds a spill file; resolves with the exit code and the spill files seen. */
function runWatched(args: string[], tmpDir: string, during?: (pid: number) => void, sample?: (pid: number) => void): Promise<{ code: number | null; signal: string | null; seen: string[]; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TMPDIR: tmpDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const seen = new Set<string>();
    let called = false;
    const iv = setInterval(() => {
      const fds = spillFdsIn(c.pid!, tmpDir);
      fds.forEach((f) => seen.add(f));
      if (fds.length && during && !called) {
        called = true;
        during(c.pid!);
      }
      sample?.(c.pid!);
    }, 5);
    c.on('close', (code, signal) => {
      clearInterval(iv);
      resolve({ code, signal, seen: [...seen], stderr });
    });
  });
}

describe.skipIf(!existsSync('/proc/self/fd'))('temp files', () => {
  const fresh = (name: string) => {
    const d = p(name);
    mkdirSync(d);
    return d;
  };

  // After success, without and with --voice: the spilled runs of 'spilled and in-memory runs write the same bytes'.
  it('with --voice none is left after SIGINT', async () => {
    const t2 = fresh('tmp-voice-int');
    const int = await runWatched(['audio', LONG, '--voice', '-o', p('vint/out.jsonl'), '--spill-after', '0'], t2, (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 1500));
    expect(int.code, int.stderr).toBe(130);
    expect(readdirSync(t2)).toEqual([]);
  });

  // Past 60 s (HELPER_MIN_FRAMES) the JSONL helper thread formats most frames. Into a file it writes them straight
  // into the output's temp file, and only this thread's last 30 % (HELPER_SPLIT) goes through a temp file of its own
  // and is copied (extract.ts helperFirst; before, the helper's part went through one and the copy was the command's
  // tail: that part, 70 %, would be over the half this test allows).
  it('past 60 s the helper writes into the output: only this thread\'s 30 % of the JSONL goes through a temp file, same bytes', async () => {
    const long = long65();
    const [mem, memSum] = await outputs(long, 'helper-mem', ['--spill-after', '1e9'], 'lib');
    const t = fresh('tmp-helper');
    let largest = 0;
    const watch = (pid: number) => {
      const iv = setInterval(() => {
        let fds: string[] = [];
        try {
          fds = readdirSync(`/proc/${pid}/fd`);
        } catch {
          return clearInterval(iv); // exited
        }
        for (const fd of fds) largest = Math.max(largest, jsonlTempSize(`/proc/${pid}/fd/${fd}`, t));
      }, 2);
    };
    let threads = 0;
    const r = await runWatched(['audio', long, '-o', p('helper.jsonl'), '--summary', p('helper.json'), '--spill-after', '0'], t, watch, (pid) => (threads = Math.max(threads, threadCount(pid))));
    expect(r.code, r.stderr).toBe(0);
    mostThreads.over60 = threads;
    expect(readFileSync(p('helper.jsonl')).equals(mem)).toBe(true);
    expect(readFileSync(p('helper.json')).equals(memSum)).toBe(true);
    expect(largest, 'a temp file of JSONL was seen').toBeGreaterThan(0);
    expect(largest / mem.length).toBeLessThan(0.5);
    expect(readdirSync(t)).toEqual([]);
  });

  // The pitch worker is idle once its track is in: past 60 s it becomes the JSONL helper (JsonlHelper.adopt), so the
  // command starts no third thread (a Node worker's start-up is ~40-55 CPU ms). Counted against the 45 s file, which
  // uses no helper: the same most threads at once (Node's own threads cancel out). Both counts are taken in runs the
  // tests above watch (mostThreads: both spill; a 30 s and a 65 s run of their own, without spilling, until
  // 2026-12-06), so this test needs them to have run (it fails, not passes, without them).
  it('past 60 s the JSONL helper is the pitch worker: no more threads at once than on 45 s', () => {
    const { under60, over60 } = mostThreads;
    expect(under60, 'threads of the 45 s run (its case above)').toBeGreaterThan(2); // main thread and pitch worker at least
    expect(over60, 'threads of the 65 s run (the test above)').toBe(under60);
  });

  it('an unusable $TMPDIR is refused in one line (exit 2)', async () => {
    const r = await runCli(['audio', LONG, '-o', p('nodir.jsonl'), '--spill-after', '0'], { env: { TMPDIR: p('no-such-folder') } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write the temporary files of a long recording in .*no-such-folder: no such folder.*set TMPDIR/);
    expect(existsSync(p('nodir.jsonl'))).toBe(false);
  });

  it('none is left after an error (output not writable) or SIGINT', async () => {
    const t = fresh('tmp-err');
    // an output path that cannot be written is refused before the work: nothing spilled at all
    writeFileSync(p('afile'), 'x');
    const early = await runWatched(['audio', LONG, '-o', join(p('afile'), 'out.jsonl'), '--spill-after', '0'], t);
    expect(early.code, early.stderr).toBe(2);
    expect(early.seen).toEqual([]);
    // one that stops being writable during the run (its folder replaced by a file once the spill files are open)
    const gone = p('gone');
    mkdirSync(gone);
    const bad = await runWatched(['audio', LONG, '-o', join(gone, 'out.jsonl'), '--spill-after', '0'], t, () => {
      rmSync(gone, { recursive: true, force: true });
      writeFileSync(gone, 'x');
    });
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toMatch(/cannot write/);
    expect(bad.seen.length).toBeGreaterThan(0);
    expect(readdirSync(t)).toEqual([]);
    const t2 = fresh('tmp-int');
    const out = p('int/out.jsonl');
    const int = await runWatched(['audio', LONG, '-o', out, '--spill-after', '0'], t2, (pid) => process.kill(pid, 'SIGINT'));
    expect(int.code, int.stderr).toBe(130);
    expect(readdirSync(t2)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
