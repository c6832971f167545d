#!/usr/bin/env node
/**
 * `npm run bench:audio`: throughput of mmprep audio on a 10-minute 16 kHz speech file made from fixtures/audio
 * (the speech fixtures concatenated and looped with ffmpeg, in a temp dir), stage by stage, side by side with the
 * npm peers meyda (MFCC) and essentia.js (MFCC, PitchYinFFT; WebAssembly) on the same PCM.
 * Options: --minutes N (default 10), --peer-seconds N (peers run on the first N s, default 60: essentia.js MFCC
 * runs at a few x real time), --runs N (best of N for our stages, default 3), --voice-minutes N (the --voice
 * run's file, default 1), --no-camera (skip the files that need ffmpeg). The whole command is timed beside ffmpeg's
 * own decode of the same file: on the 16 kHz WAV (read directly, src/media/wav-direct.ts), and on the same speech as a
 * 48 kHz FLAC and a 48 kHz AAC in MP4 (a camera's or recorder's file: ffmpeg decodes and resamples it to 16 kHz).
 * Each figure is a real-time factor: audio seconds per compute second.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => join(ROOT, 'dist', p);
const { ffmpegBinaries } = await import(dist('media/ffmpeg-path.js'));
const { AudioDecoder } = await import(dist('media/decode-audio.js'));
const { SpectralAnalyzer, mfccFromLogMel } = await import(dist('audio/spectral.js'));
const { deltaFeaturesBoth } = await import(dist('audio/delta.js'));
const { PitchAnalyzer } = await import(dist('audio/pitch.js'));
const { IntensityAnalyzer } = await import(dist('audio/intensity.js'));
const { syllableNuclei } = await import(dist('audio/nuclei.js'));
const { SampleBuffer } = await import(dist('audio/sample-buffer.js'));
const { resolveAudioOptions } = await import(dist('audio/options.js'));
const { ToneScanner } = await import(dist('sync/tone/tone.js'));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const MINUTES = arg('minutes', 10);
const PEER_S = arg('peer-seconds', 60);
const RUNS = arg('runs', 3);
const VOICE_MIN = arg('voice-minutes', 1);
const CAMERA = !process.argv.includes('--no-camera');
const SR = 16000;

const ffmpeg = ffmpegBinaries().ffmpeg.path;
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-bench-audio-'));
try {
  // 1. A long speech file: all speech fixtures concatenated, then looped to MINUTES.
  const wavDir = join(ROOT, 'fixtures', 'audio', 'wav');
  const names = ['cards_001', 'cards_002', 'cards_003', 'cards_004', 'cards_005', 'speech_en1_p50_s175', 'speech_es1_p50_s175'];
  const inputs = names.flatMap((n) => ['-i', join(wavDir, `${n}.flac`)]);
  const joined = join(tmp, 'joined.wav');
  execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', ...inputs, '-filter_complex', `${names.map((_, i) => `[${i}:a]`).join('')}concat=n=${names.length}:v=0:a=1`, '-c:a', 'pcm_s16le', joined]);
  const long = join(tmp, 'long speech.wav');
  execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-stream_loop', '-1', '-i', joined, '-t', String(MINUTES * 60), '-ar', String(SR), '-ac', '1', '-c:a', 'pcm_s16le', long]);
  const durS = MINUTES * 60;

  // Wall time (best of runs) and, for in-process stages, this process's CPU time of the same run (a loaded machine
  // inflates wall time; CPU time shows what the code costs).
  const time = async (fn, runs = RUNS) => {
    let best = Infinity;
    let bestCpu = Infinity;
    let out;
    for (let r = 0; r < runs; r++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      out = await fn();
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      if (wall < best) best = wall;
      bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
    }
    return { s: best, cpu: bestCpu, out };
  };
  const rows = [];
  const row = (stage, impl, audioS, s, note = '', cpu = NaN) => rows.push({ stage, impl, audio_s: audioS, compute_s: s, xrt: audioS / s, cpu_xrt: audioS / cpu, note });

  // 2. Decode only (ffmpeg -> Float32 chunks), keeping the PCM for the in-memory stages.
  let pcm = null;
  const dec = await time(async () => {
    const d = await AudioDecoder.open(long, { sampleRate: SR });
    const parts = [];
    let n = 0;
    for await (const c of d) {
      parts.push(c.slice());
      n += c.length;
    }
    const all = new Float32Array(n);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  });
  pcm = dec.out;
  row('decode only', 'mmprep (ffmpeg)', durS, dec.s, 'ffmpeg runs in its own process');

  const opts = resolveAudioOptions({});
  const CH = 16384;
  const feed = (analyzers, stats = true) => {
    const buf = new SampleBuffer({ stats });
    for (let i = 0; i < pcm.length; i += CH) {
      buf.append(pcm.subarray(i, i + CH), Math.min(...analyzers.map((a) => a.minNeeded())));
      for (const a of analyzers) a.pump(buf);
    }
    buf.finish();
    for (const a of analyzers) a.pump(buf);
    return buf;
  };

  // 3. MFCC + deltas + RMS + ZCR.
  const spec = await time(async () => {
    const s = new SpectralAnalyzer(opts);
    feed([s], false); // MFCC, RMS and ZCR need no whole-signal statistics
    const m = mfccFromLogMel(s.logmel, 13, 80);
    deltaFeaturesBoth(m, s.logmel.length, 13, 9);
    return m;
  });
  row('MFCC+deltas+RMS+ZCR', 'mmprep', durS, spec.s, 'one thread', spec.cpu);

  // 4. F0 with voicing.
  const f0 = await time(async () => {
    const p = new PitchAnalyzer({ sampleRate: SR, hop: 160, floor: opts.f0Floor, ceiling: opts.f0Ceiling, maxCandidates: opts.f0MaxCandidates, silenceThreshold: opts.f0SilenceThreshold, voicingThreshold: opts.f0VoicingThreshold, octaveCost: opts.f0OctaveCost, octaveJumpCost: opts.f0OctaveJumpCost, voicedUnvoicedCost: opts.f0VoicedUnvoicedCost });
    const buf = feed([p]);
    const mean = buf.sum / buf.total;
    return p.finish(Math.max(buf.max - mean, mean - buf.min));
  });
  row('F0 + voicing (Praat ac)', 'mmprep', durS, f0.s, 'one thread', f0.cpu);

  // 5. Speaking rate: intensity contour + syllable nuclei (voicing from the F0 track above).
  const track = f0.out;
  const rate = await time(async () => {
    const ia = new IntensityAnalyzer(SR, opts.nucleiIntensityFloor);
    feed([ia]);
    const n = ia.db.length;
    const times = new Float64Array(n);
    for (let k = 0; k < n; k++) times[k] = ia.time(k);
    return syllableNuclei(ia.db.data.subarray(0, n), times, pcm.length / SR, (t) => track.f0[Math.round(t / 0.01)] > 0, { silenceDb: -25, minDipDb: 2, minPauseS: 0.3, minSoundingS: 0.1 });
  });
  row('speaking rate (nuclei)', 'mmprep', durS, rate.s, `${rate.out.n_syllables} syllables`, rate.cpu);

  // 5b. The sync beep search that `mmprep audio` runs over the whole file (sync-beep.ts: sync's ToneScanner at 1 kHz).
  const tone = await time(async () => {
    const sc = new ToneScanner(SR, 0, { toneHz: 1000 });
    for (let i = 0; i < pcm.length; i += CH) sc.push(pcm.subarray(i, i + CH));
    return sc.finish();
  });
  row('sync beep search (1 kHz)', 'mmprep (sync ToneScanner)', durS, tone.s, `${tone.out.length} beeps`, tone.cpu);

  // 6. The whole command, JSONL written; peak RSS sampled from /proc (Linux) to show memory stays flat-ish:
  // it grows by per-frame values only, compare with a 1-minute file.
  const { spawn } = await import('node:child_process');
  const { readFileSync, readdirSync } = await import('node:fs');
  // CPU time of a child from /proc (user + sys of all its threads, plus its waited-for children: ffmpeg), sampled
  // until it exits (so a few ms low at most); null where /proc is not available.
  const procCpu = (pid) => {
    try {
      const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      return null;
    }
  };
  // CPU time of each thread of a process (utime+stime from /proc/<pid>/task/<tid>/stat), keyed by thread id.
  const threadCpu = (pid, into) => {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        into.set(tid, (Number(f[11]) + Number(f[12])) / 100);
      }
    } catch {
      /* not Linux, or exited */
    }
  };
  // "main 1.2 s, busiest other thread 1.1 s, the rest 0.4 s" (the busiest other thread is the pitch worker; the rest
  // are the JSONL worker and V8's GC / compiler threads), the last values sampled before the process exited.
  const threadSplit = (pid, cpu) => {
    const main = cpu.get(String(pid)) ?? 0;
    const others = [...cpu].filter(([t]) => t !== String(pid)).map(([, c]) => c).sort((a, b) => b - a);
    const rest = others.slice(1).reduce((a, b) => a + b, 0);
    return `main thread ${main.toFixed(2)} s, busiest other thread ${(others[0] ?? 0).toFixed(2)} s, other threads ${rest.toFixed(2)} s`;
  };
  const runCmd = (file, out, extra = []) =>
    new Promise((res, rej) => {
      const t0 = process.hrtime.bigint();
      const c = spawn(process.execPath, [join(ROOT, 'bin', 'mmprep.js'), 'audio', file, '-o', out, '--summary', join(tmp, 'summary.json'), ...extra], { stdio: ['ignore', 'ignore', 'inherit'] });
      let peak = 0;
      let cpu = null;
      const threads = new Map();
      const iv = setInterval(() => {
        try {
          const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'));
          if (m) peak = Math.max(peak, Number(m[1]) / 1024);
          cpu = procCpu(c.pid) ?? cpu;
          threadCpu(c.pid, threads);
        } catch {
          /* not Linux, or exited */
        }
      }, 10);
      c.on('close', (code) => {
        clearInterval(iv);
        const wall = Number(process.hrtime.bigint() - t0) / 1e9;
        if (code === 0) res({ peak, wall, cpu, threads: threadSplit(c.pid, threads), threadTotal: [...threads.values()].reduce((a, b) => a + b, 0) });
        else rej(new Error(`mmprep audio failed (${code})`));
      });
    });
  // ffmpeg's own decode of the same file to 16 kHz mono float (the floor the whole command is compared with).
  const ffmpegDecode = (file = long) =>
    new Promise((res, rej) => {
      const t0 = process.hrtime.bigint();
      const c = spawn(ffmpeg, ['-nostdin', '-v', 'error', '-i', file, '-ar', String(SR), '-ac', '1', '-f', 'f32le', '-y', '/dev/null'], { stdio: 'ignore' });
      let cpu = null;
      const iv = setInterval(() => (cpu = procCpu(c.pid) ?? cpu), 10);
      c.on('close', (code) => {
        clearInterval(iv);
        if (code === 0) res({ wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu });
        else rej(new Error(`ffmpeg failed (${code})`));
      });
    });
  const out = join(tmp, 'out.jsonl');
  const best = async (fn) => {
    let b = null;
    for (let r = 0; r < RUNS; r++) {
      const x = await fn();
      if (!b || x.wall < b.wall) b = { ...x, peak: Math.max(x.peak ?? 0, b?.peak ?? 0) };
    }
    return b;
  };
  const ff = await best(ffmpegDecode);
  row('decode only', 'ffmpeg CLI (-f f32le)', durS, ff.wall, 'the floor: ffmpeg alone', ff.cpu ?? NaN);
  const whole = await best(() => runCmd(long, out));
  const short = join(tmp, 'one minute.wav');
  execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', long, '-t', '60', '-c:a', 'pcm_s16le', short]);
  const peakShort = (await runCmd(short, join(tmp, 'short.jsonl'))).peak;
  row('whole `mmprep audio` (JSONL)', 'mmprep CLI', durS, whole.wall, `2 threads, ${(statSync(out).size / 1e6).toFixed(1)} MB JSONL + summary; peak RSS ${whole.peak.toFixed(0)} MB (1-min file: ${peakShort.toFixed(0)} MB); whole command / ffmpeg decode: ${(whole.wall / ff.wall).toFixed(1)}x the time; CPU of the fastest run: ${whole.threads}, ffmpeg+ffprobe ${whole.cpu !== null ? (whole.cpu - whole.threadTotal).toFixed(2) : '?'} s`, whole.cpu ?? NaN);
  // A file that needs ffmpeg: the same speech as a camera or recorder gives it, 48 kHz, FLAC and AAC (in MP4),
  // decoded and resampled to 16 kHz by ffmpeg (its CPU is a third busy thread on the 2 cores).
  if (CAMERA) {
    for (const [label, name, codec] of [['48 kHz FLAC', 'long speech 48k.flac', ['-c:a', 'flac']], ['48 kHz AAC (MP4)', 'long speech 48k.m4a', ['-c:a', 'aac', '-b:a', '128k']]]) {
      const file = join(tmp, name);
      execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', long, '-ar', '48000', ...codec, file]);
      const ffc = await best(() => ffmpegDecode(file));
      row('decode only', `ffmpeg CLI (-f f32le), ${label}`, durS, ffc.wall, `ffmpeg alone, resampling to ${SR} Hz`, ffc.cpu ?? NaN);
      const cam = await best(() => runCmd(file, join(tmp, 'cam.jsonl')));
      const same = readFileSync(join(tmp, 'cam.jsonl')).length;
      row(`whole \`mmprep audio\` (JSONL), ${label}`, 'mmprep CLI', durS, cam.wall, `ffmpeg decodes; ${(same / 1e6).toFixed(1)} MB JSONL; whole command / ffmpeg decode: ${(cam.wall / ffc.wall).toFixed(1)}x the time; CPU of the fastest run: ${cam.threads}, ffmpeg+ffprobe ${cam.cpu !== null ? (cam.cpu - cam.threadTotal).toFixed(2) : '?'} s; peak RSS ${cam.peak.toFixed(0)} MB`, cam.cpu ?? NaN);
    }
  }
  // --voice (off by default): its own rate, on the first VOICE_MIN minutes (it runs at tens of x real time).
  const voiceFile = join(tmp, 'voice.wav');
  execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', long, '-t', String(VOICE_MIN * 60), '-c:a', 'pcm_s16le', voiceFile]);
  const plainV = await best(() => runCmd(voiceFile, join(tmp, 'v0.jsonl')));
  const withV = await best(() => runCmd(voiceFile, join(tmp, 'v1.jsonl'), ['--voice']));
  row('whole `mmprep audio --voice` (JSONL)', 'mmprep CLI', VOICE_MIN * 60, withV.wall, `same file without --voice: ${(VOICE_MIN * 60 / plainV.wall).toFixed(0)}x wall, ${plainV.cpu ? (VOICE_MIN * 60 / plainV.cpu).toFixed(0) : '?'}x CPU; peak RSS ${withV.peak.toFixed(0)} MB`, withV.cpu ?? NaN);

  // 7. Peers on the first PEER_S seconds of the same PCM.
  const require = createRequire(import.meta.url);
  const peerN = Math.min(pcm.length, PEER_S * SR);
  const peerPcm = pcm.subarray(0, peerN);
  const nFrames = Math.floor((peerN - 512) / 160) + 1;
  try {
    const MeydaMod = require('meyda');
    const Meyda = MeydaMod.default ?? MeydaMod;
    Meyda.bufferSize = 512;
    Meyda.sampleRate = SR;
    Meyda.melBands = 40;
    Meyda.numberOfMFCCCoefficients = 13;
    Meyda.windowingFunction = 'hanning';
    const m = await time(async () => {
      let last;
      for (let i = 0; i < nFrames; i++) last = Meyda.extract('mfcc', peerPcm.slice(i * 160, i * 160 + 512));
      return last;
    }, 1);
    row('MFCC', 'meyda 5.6', peerN / SR, m.s, 'MFCC only (no deltas/RMS/ZCR)', m.cpu);
  } catch (e) {
    row('MFCC', 'meyda (failed)', peerN / SR, NaN, String(e.message ?? e).slice(0, 60));
  }
  try {
    const { Essentia, EssentiaWASM } = require('essentia.js');
    const ess = new Essentia(EssentiaWASM);
    const em = await time(async () => {
      for (let i = 0; i < nFrames; i++) {
        const v = ess.arrayToVector(peerPcm.subarray(i * 160, i * 160 + 512));
        const w = ess.Windowing(v, true, 512, 'hann');
        const sp = ess.Spectrum(w.frame, 512);
        const mf = ess.MFCC(sp.spectrum, 2, 8000, 257, 0, 'dbamp', 0, 'unit_sum', 40, 13, SR);
        for (const o of [v, w.frame, sp.spectrum, mf.mfcc, mf.bands]) o?.delete?.();
      }
    }, 1);
    row('MFCC', 'essentia.js 0.1.3 (WASM)', peerN / SR, em.s, 'MFCC only', em.cpu);
    const nF0 = Math.floor((peerN - 1024) / 160) + 1;
    const ey = await time(async () => {
      for (let i = 0; i < nF0; i++) {
        const v = ess.arrayToVector(peerPcm.subarray(i * 160, i * 160 + 1024));
        const w = ess.Windowing(v, true, 1024, 'hann');
        const sp = ess.Spectrum(w.frame, 1024);
        const py = ess.PitchYinFFT(sp.spectrum, 1024, true, 600, 65, SR, 1);
        for (const o of [v, w.frame, sp.spectrum]) o?.delete?.();
        void py;
      }
    }, 1);
    row('F0 (PitchYinFFT)', 'essentia.js 0.1.3 (WASM)', peerN / SR, ey.s, 'no voicing path', ey.cpu);
  } catch (e) {
    row('MFCC / F0', 'essentia.js (failed)', peerN / SR, NaN, String(e.message ?? e).slice(0, 60));
  }

  // Table.
  const keyOf = (stage) => (stage.startsWith('MFCC') ? 'MFCC' : stage.startsWith('F0') ? 'F0' : stage);
  const ours = Object.fromEntries(rows.filter((r) => r.impl.startsWith('mmprep')).map((r) => [keyOf(r.stage), r.xrt]));
  console.log(`\nmmprep audio benchmark: ${MINUTES} min of 16 kHz speech (fixtures looped), ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`);
  console.log(`our stages: best of ${RUNS}, in-process on PCM in memory, one thread; peers: first ${PEER_S} s of the same PCM\n`);
  const head = ['stage', 'implementation', 'audio s', 'wall s', 'x real time (wall)', 'x real time (CPU)', 'mmprep / peer (wall)', 'note'];
  const lines = rows.map((r) => {
    const key = keyOf(r.stage);
    const ratio = r.impl.startsWith('mmprep') ? '' : Number.isFinite(r.xrt) && ours[key] ? `${(ours[key] / r.xrt).toFixed(1)}x` : '';
    return [r.stage, r.impl, r.audio_s.toFixed(0), r.compute_s.toFixed(3), Number.isFinite(r.xrt) ? r.xrt.toFixed(0) : 'n/a', Number.isFinite(r.cpu_xrt) ? r.cpu_xrt.toFixed(0) : '', ratio, r.note];
  });
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (l) => '| ' + l.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
  console.log(fmt(head));
  console.log('| ' + w.map((n) => '-'.repeat(n)).join(' | ') + ' |');
  for (const l of lines) console.log(fmt(l));
  console.log(`\nload average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes inflate wall times)`);
  // Node 20 reads the certificates NODE_EXTRA_CA_CERTS names at every start, before any of mmprep runs: with it set
  // (some shells and sandboxes do), the main thread's start-up, which the pitch worker's start waits for, took ~0.045
  // CPU s more (timeline marks, 2026-12-05): the whole command's figures then include that.
  if (process.env.NODE_EXTRA_CA_CERTS) console.log('note: NODE_EXTRA_CA_CERTS is set: each node start reads those certificates first (~0.045 CPU s on the main thread, before the pitch worker starts), included in the whole command\'s times');
  console.log('targets: MFCC+deltas+RMS+ZCR >= 1500x, F0 >= 300x, whole command >= 400x on 2 cores (issue 15); CPU columns of child processes are user+sys from /proc, including ffmpeg');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
