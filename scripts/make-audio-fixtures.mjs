#!/usr/bin/env node
/**
 * Makes fixtures/audio/ from the shared reference material (run once by a maintainer; the outputs are committed):
 *   node scripts/make-audio-fixtures.mjs [/path/to/shared]     (default: ../shared beside the checkout)
 * - wav/: the reference test signals and the CMU "cards" speech, losslessly re-encoded to FLAC (identical 16-bit
 *   samples, smaller); the speech files keep their names cards_NNN.
 * - expected/librosa/NAME.json.gz: librosa 0.11 outputs trimmed to what the tests compare (mfcc, delta, delta2, rms,
 *   zcr, times, n_frames).
 * - expected/praat/NAME.json: Praat 6.3 pitch (times, f0_hz, voiced) and speech-rate summary (nuclei kept).
 * - manifest.json: truth per file (F0, voicing, hand syllable counts) from the reference MANIFEST.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = resolve(process.argv[2] ?? join(ROOT, '..', 'shared'));
const REF = join(SHARED, 'reference', 'audio');
const OUT = join(ROOT, 'fixtures', 'audio');
const ffmpeg = process.env.MMPREP_FFMPEG ?? ffmpegInstaller.path;

rmSync(join(OUT, 'wav'), { recursive: true, force: true });
rmSync(join(OUT, 'expected'), { recursive: true, force: true });
for (const d of ['wav', 'expected/librosa', 'expected/praat']) mkdirSync(join(OUT, d), { recursive: true });

const manifest = JSON.parse(readFileSync(join(REF, 'MANIFEST.json'), 'utf8'));
const entries = [];
for (const f of manifest.files) {
  const name = f.file.replace(/\.wav$/, '');
  entries.push({ name, src: join(REF, 'data', f.file), truth: { kind: f.kind, f0_truth: f.f0_truth, voiced_truth: f.voiced_truth, syllables_truth: f.syllables_truth ?? null, n_samples: f.n_samples, sample_rate: f.sample_rate } });
}
for (const s of manifest.real_speech) {
  entries.push({ name: s.reference_name, src: resolve(REF, s.file), truth: { kind: 'real_speech', words: s.words, syllables_truth: s.syllables_hand_count } });
}

for (const e of entries) {
  execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', e.src, '-c:a', 'flac', '-compression_level', '12', join(OUT, 'wav', `${e.name}.flac`)]);
  const lib = JSON.parse(readFileSync(join(REF, 'expected', 'librosa', `${e.name}.json`), 'utf8'));
  const trimmed = { n_frames: lib.n_frames, n_samples: lib.n_samples, times: lib.times, mfcc: lib.mfcc, delta: lib.delta, delta2: lib.delta2, rms: lib.rms, zcr: lib.zcr };
  writeFileSync(join(OUT, 'expected', 'librosa', `${e.name}.json.gz`), gzipSync(JSON.stringify(trimmed), { level: 9 }));
  const pr = JSON.parse(readFileSync(join(REF, 'expected', 'praat', `${e.name}.json`), 'utf8'));
  const sr = { ...pr.speech_rate };
  const praat = { pitch: { params: pr.pitch.params, times: pr.pitch.times, f0_hz: pr.pitch.f0_hz, voiced: pr.pitch.voiced }, speech_rate: sr };
  writeFileSync(join(OUT, 'expected', 'praat', `${e.name}.json`), JSON.stringify(praat) + '\n');
  e.truth.file = `wav/${e.name}.flac`;
}
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(Object.fromEntries(entries.map((e) => [e.name, e.truth])), null, 1) + '\n');
console.log(`wrote ${entries.length} fixtures to ${OUT}`);
