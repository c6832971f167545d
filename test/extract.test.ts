/**
 * `mmprep extract` end to end through the CLI, on sessions copied from fixtures/demo plus one with a corrupt camera
 * file (a truncated MP4 without its index) made at test time: outputs, the error record, exit codes, --resume,
 * kill-and-resume byte identity, shards that partition the manifest, SIGINT, and each bad-manifest problem.
 * Every stage (face at 1 fps: ~6 CPU s a session, most of it the models' start) runs on s01 and s02 beside the corrupt
 * s04 in the first run; the others run the audio stage alone (shards, kill and resume, resume, SIGINT), s03 joining s01
 * and s02. All three demo sessions go through every stage, face at 3 fps, in demo.test.ts.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';

const DEMO = join(FIXTURES, 'demo');
// Face analysis at 1 fps (10 frames of each 10 s camera) keeps the suite short; the stage code path is the same as at
// full rate. It was 3 fps until 2026-12-06: ~3 CPU s more a session, for no claim here (demo.test.ts runs 3 fps).
const FAST = ['--face-fps', '1', '--progress', 'lines'];
const GOOD = ['s01', 's02', 's03'];

let dir: string;
let cleanup: () => void;
let manifest: string;
/** s01, s02 (their lines as in `manifest`) and the corrupt s04: the runs with every stage. */
let full: string;
let truth: { sessions: Array<{ session_id: string; camera_offset_s: number }> };

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-extract-'));
  for (const s of GOOD) {
    copyFileSync(join(DEMO, `${s}_camera.mp4`), join(dir, `${s}_camera.mp4`));
    copyFileSync(join(DEMO, `${s}_lav.flac`), join(dir, `${s}_lav.flac`));
  }
  // Corrupt: the first 3000 bytes of an MP4 (its header cut short): ffprobe cannot read it.
  writeFileSync(join(dir, 's04_camera.mp4'), readFileSync(join(DEMO, 's03_camera.mp4')).subarray(0, 3000));
  copyFileSync(join(DEMO, 's03_lav.flac'), join(dir, 's04_lav.flac'));
  manifest = join(dir, 'manifest.csv');
  writeFileSync(
    manifest,
    'session_id,speaker_id,video,lav_audio,condition\n' +
      GOOD.map((s, i) => `${s},spk_${i},${s}_camera.mp4,${s}_lav.flac,c${i}`).join('\n') +
      '\ns04,spk_9,s04_camera.mp4,s04_lav.flac,broken\n',
  );
  full = join(dir, 'full.csv');
  const lines = readFileSync(manifest, 'utf8').split('\n');
  writeFileSync(full, [...lines.slice(0, 3), lines[4], ''].join('\n'));
  truth = JSON.parse(readFileSync(join(DEMO, 'truth.json'), 'utf8'));
});
afterAll(() => cleanup());

function jsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every file under a folder (relative path -> bytes), meta.json with its wall-clock `run` object removed. */
function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = join(root, rel, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) walk(r);
      else if (name === 'meta.json') {
        const m = JSON.parse(readFileSync(p, 'utf8'));
        delete m.run;
        out.set(r, JSON.stringify(m));
      } else out.set(r, readFileSync(p).toString('base64'));
    }
  };
  walk('');
  return out;
}

const STAGE_FILES = ['sync.json', 'audio.jsonl', 'audio.summary.json', 'face.jsonl', 'face.summary.json', 'meta.json'];

describe('mmprep extract', () => {
  let out1: string;

  it('extracts every good session, records the corrupt one and exits 4', async () => {
    out1 = join(dir, 'out1');
    // An ffprobe that notes each call's arguments, then runs the real one: the stages take the session's one reading
    // of each file (sync, audio and face each ran ffprobe on it again before: ~0.17 CPU s a run with Debian's build).
    // So is ffmpeg's: with no note of its showinfo filter yet (TMPDIR: a folder of this test's own), the run asks
    // ffmpeg once, in its main thread, for both session threads (each asked it itself: src/media/showinfo.ts).
    const log = join(dir, 'ffprobe-calls.txt');
    const noting = (name: string, real: string) => {
      const wrapper = join(dir, `${name}-noting`);
      writeFileSync(wrapper, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexec '${real}' "$@"\n`);
      chmodSync(wrapper, 0o755);
      return wrapper;
    };
    const env = { MMPREP_FFPROBE: noting('ffprobe', ffmpegBinaries().ffprobe.path), MMPREP_FFMPEG: noting('ffmpeg', ffmpegBinaries().ffmpeg.path), TMPDIR: dir };
    const r = await runCli(['extract', full, '-o', out1, '--jobs', '2', ...FAST], { env });
    expect(r.code, r.stderr).toBe(4);
    const calls = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('-show_streams'));
    for (const f of ['s01_camera.mp4', 's01_lav.flac', 's02_camera.mp4', 's02_lav.flac']) expect(calls.filter((c) => c.endsWith(`/${f}`)), calls.join('\n')).toHaveLength(1);
    expect(readFileSync(log, 'utf8').split('\n').filter((l) => l === 'ffmpeg -hide_banner -h filter=showinfo')).toHaveLength(1);
    // Every start that reads a session's file (each start of Debian's build ~0.15 CPU s before it reads a byte), at
    // most as many as on 2026-12-07: the lav's one ffprobe run (probe and packets), sync's window and audio's decode;
    // the camera's ffprobe run, sync's sound window(s) and flash decode, face's decode (docs/testing.md).
    const starts = readFileSync(log, 'utf8').split('\n');
    for (const s of ['s01', 's02']) {
      expect(starts.filter((l) => l.endsWith(`/${s}_lav.flac`) || l.includes(`/${s}_lav.flac `)).length, starts.join('\n')).toBeLessThanOrEqual(3);
      expect(starts.filter((l) => l.endsWith(`/${s}_camera.mp4`) || l.includes(`/${s}_camera.mp4 `)).length, starts.join('\n')).toBeLessThanOrEqual(5);
    }
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ sessions: 3, done: 2, skipped: 0, failed: 1, interrupted: false, stages: ['sync', 'audio', 'face'], jobs: 2 });
    expect(r.stderr).toMatch(/session s04 \(line 4\) failed in inputs: video: .*s04_camera\.mp4/);
    expect(r.stderr).toMatch(/1 of 3 sessions failed; see .*_errors\.jsonl/);
    expect(r.stderr).toMatch(/mmprep extract: 3\/3 sessions, 2 done, 1 failed/);

    const errors = jsonl(join(out1, '_errors.jsonl'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ session_id: 's04', line: 4, stage: 'inputs' });
    expect(String(errors[0].reason)).toMatch(/not a media file ffmpeg can read/);
    expect(existsSync(join(out1, 's04'))).toBe(false);

    for (const s of ['s01', 's02']) {
      const d = join(out1, s);
      expect(readdirSync(d).sort()).toEqual([...STAGE_FILES].sort());
      const meta = JSON.parse(readFileSync(join(d, 'meta.json'), 'utf8'));
      expect(meta).toMatchObject({ session_id: s, ref_role: 'lav_audio', stages: ['sync', 'audio', 'face'], options: { faceFps: 1 }, tool: { name: 'mmprep' } });
      expect(meta.inputs.map((i: { role: string; kind: string; file: string }) => [i.role, i.kind, i.file])).toEqual([
        ['video', 'video', `${s}_camera.mp4`],
        ['lav_audio', 'audio', `${s}_lav.flac`],
      ]);
      expect(meta.inputs[0].size_bytes).toBe(statSync(join(dir, `${s}_camera.mp4`)).size);
      expect(meta.inputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(meta.outputs.map((o: { file: string }) => o.file)).toEqual(STAGE_FILES.filter((f) => f !== 'meta.json').sort());
      expect(meta.run.timings_s.total).toBeGreaterThan(0);

      // Audio on the reference clock: the lav track is the reference, so t_s is its own time on a 10 ms grid.
      const audio = jsonl(join(d, 'audio.jsonl'));
      expect(audio.length).toBeGreaterThan(900);
      expect(audio[1].t_s as number).toBeCloseTo(0.01, 6);
      expect(audio[0]).toHaveProperty('mfcc');
      // Face on the reference clock: t_s = t_src_s + the camera offset that sync found (truth within 2 frames).
      // 10 s at 1 fps: 10 frames (9 at the least; was more than 25 of 30 at 3 fps).
      const face = jsonl(join(d, 'face.jsonl'));
      expect(face.length).toBeGreaterThanOrEqual(9);
      const offset = truth.sessions.find((x) => x.session_id === s)!.camera_offset_s;
      for (const f of face.slice(0, 5)) expect((f.t_s as number) - (f.t_src_s as number)).toBeCloseTo(offset, 1);
      expect(face.filter((f) => f.face_found).length / face.length).toBeGreaterThan(0.9);
    }
  });

  // The audio stage alone (the cheapest) in the next two tests: which sessions a shard runs does not depend on the
  // stages, and what --resume compares (inputs, each stage's options, outputs) is the same for every stage (sync, its
  // worker, would cost twice as much per session as audio does). The shards' folder is the one --resume then works on.
  const outAudio = () => join(dir, 'out-audio');
  const audioRun = (...extra: string[]) => runCli(['extract', manifest, '-o', outAudio(), '--only', 'audio', '--progress', 'none', ...extra]);

  it('--shard K/N runs partition the manifest into disjoint session folders', async () => {
    const out = outAudio();
    const seen: string[] = [];
    let failed = 0;
    let total = 0;
    for (let k = 0; k < 3; k++) {
      const r = await audioRun('--shard', `${k}/3`);
      const s = JSON.parse(r.stdout);
      expect(s.manifest_sessions).toBe(4);
      total += s.sessions;
      failed += s.failed;
      const added = readdirSync(out).filter((n) => !n.startsWith('_') && !seen.includes(n));
      expect(added.length).toBe(s.done);
      seen.push(...added);
      if (s.failed) expect(existsSync(join(out, `_errors.shard-${k}-of-3.jsonl`))).toBe(true);
    }
    expect(total).toBe(4);
    expect(failed).toBe(1);
    // Each run added only its own folders (no session twice), and together they are every good session.
    expect(seen.sort()).toEqual(GOOD);
  });

  it('a run killed with SIGKILL and resumed gives the same bytes as an uninterrupted run', async () => {
    // s01 and s02 (their manifest lines as in the shard runs'), the audio stage alone: the kill falls in s02, and the
    // shard runs' folders (the test before) are the uninterrupted run. s01 is a copy of the shard runs' (taken as
    // complete by --resume), so the killed run starts s02 at once; s02 is made twice here, killed and resumed. The
    // kill lands as s02's folder appears, before a stage writes, whichever stages run: until 2026-12-05 they were all
    // three, compared with the first test's run, and the resumed s02 cost face inference again (~12 CPU s).
    const two = join(dir, 'two.csv');
    writeFileSync(two, readFileSync(manifest, 'utf8').split('\n').slice(0, 3).join('\n') + '\n');
    const out = join(dir, 'out-killed');
    cpSync(join(outAudio(), 's01'), join(out, 's01'), { recursive: true });
    const only = ['--only', 'audio', '--progress', 'lines'];
    const child = spawn(process.execPath, [BIN, 'extract', two, '-o', out, '--resume', '--jobs', '1', ...only], { stdio: 'ignore' });
    // Kill once the first session is complete and the next one is under way (its folder exists without meta.json).
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const first = existsSync(join(out, 's01', 'meta.json'));
        const second = existsSync(join(out, 's02')) && !existsSync(join(out, 's02', 'meta.json'));
        if (first && second) {
          clearInterval(timer);
          child.kill('SIGKILL');
          resolve();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        reject(new Error('the run ended before it could be killed'));
      });
    });
    await new Promise((r) => child.on('close', r));
    expect(existsSync(join(out, 's02', 'meta.json'))).toBe(false);
    const r = await runCli(['extract', two, '-o', out, '--resume', '--jobs', '2', ...only]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ skipped: 1, done: 1, failed: 0 });
    expect(readdirSync(out).sort()).toEqual(['s01', 's02']);
    for (const s of ['s01', 's02']) {
      const got = snapshot(join(out, s));
      const want = snapshot(join(outAudio(), s));
      expect([...got.keys()]).toEqual([...want.keys()]);
      for (const [k, v] of want) expect(got.get(k), `${s}/${k}`).toBe(v);
    }
  });

  it('--resume skips complete sessions and redoes what changed', async () => {
    // The folder the three shard runs made (two tests before): a whole-manifest --resume takes their sessions as done.
    const out = outAudio();
    const run = (...extra: string[]) => audioRun(...extra);
    const sessions = () => new Map(GOOD.map((s) => [s, snapshot(join(out, s))]));
    const before = sessions();
    const mtime = statSync(join(out, 's01', 'audio.jsonl')).mtimeMs;
    // An ffprobe noting its calls (as in the first test): a skipped session's files, unchanged since its meta.json
    // (size and SHA-256), are not probed again (their durations are recorded there); the corrupt s04, never done, is.
    const log = join(dir, 'ffprobe-resume.txt');
    const wrapper = join(dir, 'ffprobe-noting-resume');
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${ffmpegBinaries().ffprobe.path}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const b = await runCli(['extract', manifest, '-o', out, '--only', 'audio', '--progress', 'none', '--resume'], { env: { MMPREP_FFPROBE: wrapper } });
    expect(b.code, b.stderr).toBe(4);
    expect(JSON.parse(b.stdout)).toMatchObject({ done: 0, skipped: 3, failed: 1 });
    const probed = readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('-show_streams'));
    expect(probed.filter((c) => /\/s0[123]_/.test(c)), probed.join('\n')).toEqual([]);
    expect(probed.filter((c) => c.endsWith('/s04_camera.mp4')).length, probed.join('\n')).toBeGreaterThan(0);
    expect(statSync(join(out, 's01', 'audio.jsonl')).mtimeMs).toBe(mtime);
    expect(sessions()).toEqual(before);
    const whole = snapshot(out);
    // Options of stages not run change nothing (--search-s is the audio stage's too since 2026-12-06: where it looks for
    // the beep); an option of a stage run: every session is redone. That option is the
    // audio stage's default typed out (--tone-hz 1000 counts as a change, as --voice would; --voice also adds Praat's
    // voice report, 1.4 CPU s a session, which extract-provenance covers on resume).
    expect(JSON.parse((await run('--resume', '--face-fps', '4', '--ends', 'both')).stdout)).toMatchObject({ done: 0, skipped: 3, failed: 1 });
    expect(snapshot(out)).toEqual(whole);
    expect(JSON.parse((await run('--resume', '--redo-changed', '--tone-hz', '1000')).stdout)).toMatchObject({ done: 3, skipped: 0, failed: 1 });
    // A changed input (same name, other content): only its session is redone.
    const s02 = join(dir, 's02_lav.flac');
    try {
      copyFileSync(join(DEMO, 's01_lav.flac'), s02);
      writeFileSync(log, '');
      const changed = await runCli(['extract', manifest, '-o', out, '--only', 'audio', '--progress', 'none', '--resume', '--tone-hz', '1000'], { env: { MMPREP_FFPROBE: wrapper } });
      expect(JSON.parse(changed.stdout)).toMatchObject({ done: 1, skipped: 2 });
      // The session redone reads each of its files in one ffprobe run (probe and packet times), the changed one too.
      const redone = readFileSync(log, 'utf8').trim().split('\n');
      for (const f of ['s02_camera.mp4', 's02_lav.flac']) expect(redone.filter((l) => l.endsWith(`/${f}`)), redone.join('\n')).toEqual([expect.stringMatching(/-show_streams.*packet=/)]);
      // A missing output: that session alone is redone (s02 was just made from the input it has now).
      rmSync(join(out, 's03', 'audio.summary.json'));
      expect(JSON.parse((await run('--resume', '--tone-hz', '1000')).stdout)).toMatchObject({ done: 1, skipped: 2 });
      expect(existsSync(join(out, 's03', 'audio.summary.json'))).toBe(true);
    } finally {
      copyFileSync(join(DEMO, 's02_lav.flac'), s02);
    }
  });

  it('SIGINT lets the running session finish, starts no other, and says so', async () => {
    const out = join(dir, 'out-sigint');
    const child = spawn(process.execPath, [BIN, 'extract', manifest, '-o', out, '--jobs', '1', '--only', 'audio', '--progress', 'lines'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (existsSync(join(out, 's01'))) {
          clearInterval(timer);
          child.kill('SIGINT');
          resolve();
        }
      }, 10);
    });
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: starting no new session; 1 running \(s01\) will finish/);
    expect(stderr).toMatch(/stopped by interrupt: finished s01; rolled back none; 3 not started \(run again with --resume\); 1 session\(s\) of this run done and kept/);
    expect(existsSync(join(out, 's01', 'meta.json'))).toBe(true);
    expect(existsSync(join(out, 's02'))).toBe(false);
    expect(JSON.parse(stdout)).toMatchObject({ interrupted: true, done: 1 });
  });

  it('a bad manifest lists every problem with its line, exits 2 and writes nothing', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'session_id,speaker_id,video,lav_audio\ns01,a,s01_camera.mp4,nope.flac\ns01,b,s02_camera.mp4,\nx/y,c,s03_camera.mp4,\nempty,d,,\n');
    const out = join(dir, 'out-bad');
    const r = await runCli(['extract', bad, '-o', out]);
    expect(r.code).toBe(2);
    // stdout is the JSON summary line: here the refusal (a CI job parsing it gets ok false and the exit code)
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, manifest: bad, out, exit_code: 2, error: expect.stringContaining('4 problems in the manifest') });
    expect(r.stderr.trim().split('\n')).toEqual([
      `mmprep: ${bad}:2, column lav_audio: no such file: nope.flac`,
      `mmprep: ${bad}:3, column session_id: duplicate session_id 's01' (first on line 2)`,
      `mmprep: ${bad}:4, column session_id: session_id holds a path separator: "x/y" is not safe as a folder name`,
      `mmprep: ${bad}:5: session has no media (every one of video, lav_audio is empty)`,
      `mmprep: 4 problem(s) in ${bad}; nothing was extracted`,
    ]);
    expect(existsSync(out)).toBe(false);
    const u = await runCli(['extract', manifest, '-o', out, '--only', 'sync,lips']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown stage 'lips'/);
    const s = await runCli(['extract', manifest, '-o', out, '--shard', '3/3']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/0-based/);
  });
});
