#!/usr/bin/env node
/**
 * Makes fixtures/audio/expected/praat-voice/NAME.json: Praat's voice measures of the speech fixtures (issue 15), by
 * running Debian's praat headless on scripts/praat-voice-report.praat (run by a maintainer; outputs committed):
 *   node scripts/make-voice-references.mjs            (needs `praat` on PATH: apt-get install praat)
 * Each file holds the praat version, the settings, the per-file jitter/shimmer/HNR, the voice pitch track, the
 * pulses, the harmonicity frames, the formant frames (F1-F3, B1-B3) and the per-frame (10 ms grid, 0.1 s window)
 * jitter and shimmer (local). Deterministic: same praat, same fixtures -> same bytes.
 * Also NAME.formant-CEILING.json for each maximum formant in FORMANT_CEILINGS (mmprep's --formant-ceiling-hz; the
 * file above is Praat's default 5500 Hz): the same script with that maximum formant, only its formant frames kept.
 * First it synthesises the sustained vowels of VOWELS with Praat (scripts/praat-vowel.praat) into
 * fixtures/audio/wav/NAME.flac (16-bit, lossless): make-audio-fixtures.mjs empties wav/ and expected/, so run this
 * script after it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const AUDIO = join(ROOT, 'fixtures', 'audio');
const OUT = join(AUDIO, 'expected', 'praat-voice');
const SCRIPT = join(ROOT, 'scripts', 'praat-voice-report.praat');
/**
 * Sustained vowels synthesised by Praat: praat-vowel.praat's arguments after the output file (rate, F0, period jitter,
 * shimmer dB, F1-F4, duration, noise, seed). vowel_300hz: a child's /a/ at 300 Hz, 16 kHz, whose harmonicity frames
 * need every candidate refined (a refinement of only the candidates near the strongest first estimate gave HNR
 * frames up to 16.7 dB low). vowel_220hz_48k: a woman's /i/ at 220 Hz recorded at 48 kHz, whose voice measures at
 * the default 16 kHz are far from Praat's on the file (jitter (local) 20 % low, HNR 4.9 dB high) and equal to them at
 * --sr 48000 (the analysis-rate warning's command).
 */
const VOWELS = {
  vowel_300hz: [16000, 300, 0.005, 0.3, 1030, 1370, 3170, 4200, 1.2, 0.02, 3],
  vowel_220hz_48k: [48000, 220, 0.004, 0.3, 310, 2790, 3310, 4200, 1.2, 0.01, 2],
};
/**
 * Fixtures made from another at a lower rate by Praat (scripts/praat-resample.praat): NAME: [source, rate].
 * cards_005_8k: read speech as an 8 kHz telephone-band recording, whose formants Praat's To Formant (burg) finds with
 * the default 5500 Hz maximum formant by up-sampling to 11 kHz (mmprep reads such a file at its own rate too).
 */
const RESAMPLED = { cards_005_8k: ['cards_005', 8000] };
/**
 * white_noise (3 s, 16 kHz, flat spectrum): its harmonicity frames have dozens of maxima of r, more than the 14 a
 * frame kept before 2026-12-06 (Praat keeps up to floor(Nyquist / floor) - 1 = 105): its Get mean was 0.64 dB off.
 */
const NAMES = ['cards_001', 'cards_002', 'cards_003', 'cards_004', 'cards_005', 'speech_en1_p50_s175', 'speech_es1_p50_s175', ...Object.keys(VOWELS), ...Object.keys(RESAMPLED), 'white_noise'];
/**
 * Other maximum formants, on three of the fixtures (two read-speech speakers, one TTS voice): 5000 Hz (Praat's advice
 * for male voices) and 8000 Hz (the Nyquist frequency at 16 kHz: no resampling).
 */
const FORMANT_CEILINGS = [5000, 8000];
const CEILING_NAMES = ['cards_001', 'cards_005', 'speech_en1_p50_s175'];
const settingsFor = (ceiling) =>
  `To Pitch 0 75 600; To PointProcess (periodic, cc) 75 600; jitter 0 0 0.0001 0.02 1.3; shimmer 0 0 0.0001 0.02 1.3 1.6; To Harmonicity (cc) 0.01 75 0.1 4.5, Get mean 0 0; Voice report 0 0 75 600 1.3 1.6 0.03 0.45 (its Mean harmonics-to-noise ratio); To Formant (burg) 0 5 ${ceiling} 0.025 50`;

const version = execFileSync('praat', ['--version'], { encoding: 'utf8' }).trim();
mkdirSync(OUT, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-praat-'));
try {
  const ffmpeg = process.env.MMPREP_FFMPEG ?? 'ffmpeg';
  for (const [name, args] of Object.entries(VOWELS)) {
    const wav = join(tmp, `${name}.wav`);
    execFileSync('praat', ['--run', join(ROOT, 'scripts', 'praat-vowel.praat'), wav, ...args.map(String)], { stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync(ffmpeg, ['-nostdin', '-y', '-v', 'error', '-i', wav, '-c:a', 'flac', '-compression_level', '12', join(AUDIO, 'wav', `${name}.flac`)]);
    console.log(`wrote wav/${name}.flac`);
  }
  for (const [name, [from, rate]] of Object.entries(RESAMPLED)) {
    const args = [join(AUDIO, 'wav', `${from}.flac`), join(AUDIO, 'wav', `${name}.flac`), String(rate)];
    execFileSync('praat', ['--run', join(ROOT, 'scripts', 'praat-resample.praat'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    console.log(`wrote wav/${name}.flac`);
  }
  const run = (name, ceiling) => {
    const out = join(tmp, `${name}-${ceiling}.json`);
    execFileSync('praat', ['--run', SCRIPT, join(AUDIO, 'wav', `${name}.flac`), out, String(ceiling)], { stdio: ['ignore', 'ignore', 'inherit'] });
    return JSON.parse(readFileSync(out, 'utf8'));
  };
  const write = (file, doc) => {
    writeFileSync(join(OUT, file), JSON.stringify(doc) + '\n');
    console.log(`wrote ${file}`);
  };
  for (const name of NAMES) {
    write(`${name}.json`, { praat: version, script: 'scripts/praat-voice-report.praat', settings: settingsFor(5500), ...run(name, 5500) });
    for (const c of CEILING_NAMES.includes(name) ? FORMANT_CEILINGS : []) {
      const { duration_s, formant } = run(name, c);
      write(`${name}.formant-${c}.json`, { praat: version, script: 'scripts/praat-voice-report.praat', settings: settingsFor(c), max_formant_hz: c, duration_s, formant });
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
