#!/usr/bin/env node
/**
 * Long-file check of the formant analysis against Praat 6.3 (docs/audio.md "Streaming and memory"): the 7 speech
 * fixtures joined and looped to SECONDS at RATE Hz with ffmpeg, Praat's To Formant (burg) frames
 * (scripts/praat-formant-frames.praat; Praat resamples the whole signal in one FFT) against mmprep's
 * (dist/audio/formant.js, the signal spilled to a temp file as `mmprep audio --voice` does past --spill-after), and
 * the per-frame relative differences of F1-F3 as percentiles. Needs `praat` on PATH and a build (npx tsc).
 *   node scripts/measure-formant-long.mjs [SECONDS=600] [RATE=16000] [--keep DIR]
 * (It reads the WAV whole: not a measure of the analysis's memory.)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [seconds = '600', rate = '16000'] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--keep');
const keep = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : null;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'mmprep-formant-long-'));
const ffmpeg = process.env.MMPREP_FFMPEG ?? 'ffmpeg';
const NAMES = ['cards_001', 'cards_002', 'cards_003', 'cards_004', 'cards_005', 'speech_en1_p50_s175', 'speech_es1_p50_s175'];

const { formantBurgFrames } = await import(join(ROOT, 'dist', 'audio', 'formant.js'));
const { VoiceRecorder } = await import(join(ROOT, 'dist', 'audio', 'voice-signal.js'));

/** The looped speech as 16-bit WAV, and its samples as Float32 chunks (s16 / 32768, as ffmpeg's f32 decode). */
function makeLong() {
  writeFileSync(join(dir, 'list.txt'), NAMES.map((n) => `file '${join(ROOT, 'fixtures', 'audio', 'wav', n + '.flac')}'`).join('\n') + '\n');
  execFileSync(ffmpeg, ['-nostdin', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', join(dir, 'list.txt'), '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', join(dir, 'joined.wav')]);
  const wav = join(dir, `long-${seconds}-${rate}.wav`);
  execFileSync(ffmpeg, ['-nostdin', '-v', 'error', '-y', '-stream_loop', '-1', '-i', join(dir, 'joined.wav'), '-t', seconds, '-ar', rate, '-ac', '1', '-c:a', 'pcm_s16le', wav]);
  return wav;
}

/** mmprep's formant frames of the WAV (F1-F3 per frame, NaN where undefined). */
function mmprepFrames(wav) {
  const buf = readFileSync(wav);
  const at = buf.indexOf('data') + 8;
  const rec = new VoiceRecorder(0);
  for (let a = at; a < buf.length; a += 1 << 17) {
    const part = buf.subarray(a, Math.min(buf.length, a + (1 << 17)));
    const c = new Float32Array(part.length >> 1);
    for (let i = 0; i < c.length; i++) c[i] = part.readInt16LE(2 * i) / 32768;
    rec.push(c);
  }
  const sig = rec.finish();
  const rows = [];
  try {
    formantBurgFrames(sig, Number(rate), 5, 5500, 0.025, 50, (k, count, freq) => rows.push([0, 1, 2].map((j) => (j < count ? freq[j] : NaN))));
  } finally {
    sig.close();
  }
  return rows;
}

const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * (a.length - 1)))];
try {
  const wav = makeLong();
  const tsv = join(dir, 'praat.tsv');
  execFileSync('praat', ['--run', join(ROOT, 'scripts', 'praat-formant-frames.praat'), wav, tsv, '5500'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const praat = readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t').slice(2, 7).filter((_, i) => i % 2 === 0).map((v) => (v === '--undefined--' ? NaN : Number(v))));
  const mine = mmprepFrames(wav);
  console.log(`${seconds} s at ${rate} Hz: ${mine.length} formant frames (Praat ${praat.length})`);
  let mismatch = 0;
  for (let j = 0; j < 3; j++) {
    const d = [];
    const med = [[], []];
    praat.forEach((p, i) => {
      const [a, b] = [mine[i]?.[j] ?? NaN, p[j]];
      if (Number.isNaN(a) !== Number.isNaN(b)) return void mismatch++;
      if (!Number.isNaN(a)) d.push(Math.abs(a - b) / b), med[0].push(a), med[1].push(b);
    });
    [d, ...med].forEach((x) => x.sort((p, q) => p - q));
    const over = d.filter((x) => x > 0.01).length;
    console.log(`F${j + 1}: ${d.length} frames, relative difference p50 ${pct(d, 0.5).toExponential(2)} p95 ${pct(d, 0.95).toExponential(2)} p99 ${pct(d, 0.99).toExponential(2)} max ${pct(d, 1).toExponential(2)}, over 1 %: ${over}; median of all frames ${pct(med[0], 0.5).toFixed(3)} against Praat's ${pct(med[1], 0.5).toFixed(3)} Hz`);
  }
  console.log(`frames defined in one and not the other: ${mismatch}`);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
