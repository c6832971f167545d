#!/usr/bin/env node
/**
 * Makes the bundled demo sessions in fixtures/demo/ from the shared media (CMU "cards" speech, NASA astronaut portrait):
 *
 *   node scripts/make-demo-fixtures.mjs [--media DIR]   (DIR defaults to ../shared/media beside the checkout)
 *
 * Per session (3 sessions, 3 speaker ids):
 *   - <id>_lav.flac     the lavalier track, 16 kHz mono, 10 s: the REFERENCE clock (first `_audio` role of the manifest).
 *                       A 1 kHz 200 ms beep at 1.500 s, then 2-3 speech clips, low seeded noise.
 *   - <id>_camera.mp4   320x240 H.264 25 fps, 10 s, the portrait drifting slowly, a white 30x30 "LED" square at the
 *                       top right for 5 frames (200 ms) at the beep; its own AAC audio track (48 kHz) hears the same
 *                       scene (speech + beep, quieter, more noise). The camera started at a different moment than
 *                       the lav: t_ref = t_camera + offset_s, offset_s per session in truth.json.
 *   - <id>_transcript.* the cards transcription as a word-timed transcript. Word times are NOT from a forced aligner:
 *                       each clip's words are spread over its voiced span (frames above an energy threshold) in
 *                       proportion to their letter counts ("plausible" times). s01: Whisper JSON, s02: JSONL timed on
 *                       the camera audio (manifest column transcript_clock=video), s03: WebVTT with word timestamps.
 *   - manifest.csv      session_id, speaker_id, video, lav_audio, transcript, transcript_clock
 *   - ratings.csv       long format: session_id,start_s,end_s,target,rater,dimension,rating. 3 raters rate valence and
 *                       arousal (1-9 SAM scale) per utterance; values from a seeded model (item effect + rater bias +
 *                       noise), i.e. synthetic ratings, said in PROVENANCE.md.
 *   - truth.json        the known truth: stream offsets, beep and flash times, utterance times.
 * Deterministic: the same inputs give the same WAV/transcript/ratings bytes (x264 and aac run single-threaded).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './rng.mjs';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'demo');
const argMedia = process.argv.indexOf('--media');
const MEDIA = argMedia > 0 ? resolve(process.argv[argMedia + 1]) : resolve(ROOT, '..', 'shared', 'media');
const FFMPEG = process.env.MMPREP_FFMPEG || require('@ffmpeg-installer/ffmpeg').path;

const SR = 16000; // synthesis rate of both tracks (the camera track is encoded at 48 kHz)
const DUR = 10; // seconds, both streams
const BEEP_REF_S = 1.5; // beep onset on the reference (lav) clock
const BEEP_LEN_S = 0.2;
const FPS = 25;

/** offset_s: t_ref = t_camera + offset_s. Chosen so the camera's beep falls on a frame boundary. */
const SESSIONS = [
  { id: 's01', speaker: 'spk_a', offset: -0.62, clips: ['001', '002', '003'], format: 'whisper', clock: '' },
  { id: 's02', speaker: 'spk_g', offset: 0.3, clips: ['004', '005'], format: 'jsonl', clock: 'video' },
  { id: 's03', speaker: 'spk_z', offset: -0.26, clips: ['002', '001', '004'], format: 'vtt', clock: '' },
];

// ---------- helpers ----------
function ff(args) {
  execFileSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Mulberry32 (scripts/rng.mjs): small seeded PRNG so noise and ratings are reproducible. */
const prng = mulberry32;
function gauss(rnd) {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Reads a 16-bit PCM mono WAV into Float32Array. */
function readWav(path) {
  const b = readFileSync(path);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path}: not a WAV`);
  let p = 12;
  let fmt = null;
  while (p + 8 <= b.length) {
    const id = b.toString('ascii', p, p + 4);
    const size = b.readUInt32LE(p + 4);
    if (id === 'fmt ') fmt = { ch: b.readUInt16LE(p + 10), rate: b.readUInt32LE(p + 12), bits: b.readUInt16LE(p + 22) };
    if (id === 'data') {
      if (!fmt || fmt.bits !== 16 || fmt.ch !== 1 || fmt.rate !== SR) throw new Error(`${path}: expected 16 kHz mono 16-bit`);
      const n = size / 2;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = b.readInt16LE(p + 8 + 2 * i) / 32768;
      return out;
    }
    p += 8 + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Voiced span of a clip: first and last 10 ms frame whose RMS is above 10 % of the clip's peak frame RMS. */
function voicedSpan(x) {
  const hop = SR / 100;
  const rms = [];
  for (let i = 0; i + hop <= x.length; i += hop) {
    let s = 0;
    for (let j = i; j < i + hop; j++) s += x[j] * x[j];
    rms.push(Math.sqrt(s / hop));
  }
  const thr = 0.1 * Math.max(...rms);
  const first = rms.findIndex((r) => r > thr);
  let last = rms.length - 1;
  while (last > 0 && rms[last] <= thr) last--;
  return [first / 100, (last + 1) / 100];
}

function words(text) {
  return text.trim().split(/\s+/);
}

const r3 = (v) => Math.round(v * 1000) / 1000;

function fmtTs(t, sep) {
  const ms = Math.round(t * 1000);
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const f = ms % 1000;
  const p = (v, n) => String(v).padStart(n, '0');
  return `${p(h, 2)}:${p(m, 2)}:${p(s, 2)}${sep}${p(f, 3)}`;
}

// ---------- inputs ----------
const cards = new Map();
for (const line of readFileSync(join(MEDIA, 'speech', 'cards.transcription'), 'utf8').split('\n')) {
  const m = /<s>(.*)<\/s>\s*\((\d+)\)/.exec(line);
  if (m) cards.set(m[2], m[1].trim());
}
const clipAudio = new Map();
for (const id of ['001', '002', '003', '004', '005']) clipAudio.set(id, readWav(join(MEDIA, 'speech', `${id}.wav`)));

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const tmp = mkdtempSync(join(tmpdir(), 'mmprep-demo-fixtures-'));

const truth = { note: 't_ref = t_camera + camera_offset_s; the lav track is the reference clock', beep_ref_s: BEEP_REF_S, beep_len_s: BEEP_LEN_S, fps: FPS, sessions: [] };
const manifest = ['session_id,speaker_id,video,lav_audio,transcript,transcript_clock'];
const ratings = ['session_id,start_s,end_s,target,rater,dimension,rating'];
const rnd = prng(20240607);
const raterBias = { r1: { valence: 0.0, arousal: 0.3 }, r2: { valence: 0.6, arousal: -0.2 }, r3: { valence: -0.4, arousal: 0.0 } };

for (const [si, s] of SESSIONS.entries()) {
  const n = SR * DUR;
  const lav = new Float32Array(n);
  const noise = prng(1000 + si);
  for (let i = 0; i < n; i++) lav[i] = 0.002 * gauss(noise);
  // beep: 1 kHz sine, 5 ms raised-cosine ramps
  const b0 = Math.round(BEEP_REF_S * SR);
  const bl = Math.round(BEEP_LEN_S * SR);
  const ramp = SR * 0.005;
  for (let i = 0; i < bl; i++) {
    const env = Math.min(1, i / ramp, (bl - i) / ramp);
    lav[b0 + i] += 0.5 * env * Math.sin((2 * Math.PI * 1000 * i) / SR);
  }
  // speech clips from 2.5 s, 0.45 s apart
  let t = 2.5;
  const utts = [];
  for (const c of s.clips) {
    const x = clipAudio.get(c);
    const i0 = Math.round(t * SR);
    for (let i = 0; i < x.length; i++) lav[i0 + i] += 0.9 * x[i];
    const [v0, v1] = voicedSpan(x);
    const ws = words(cards.get(c));
    const letters = ws.reduce((a, w) => a + w.length + 1, 0);
    let acc = 0;
    const wt = ws.map((w) => {
      const a = t + v0 + ((v1 - v0) * acc) / letters;
      acc += w.length + 1;
      const e = t + v0 + ((v1 - v0) * (acc - 1)) / letters;
      return { word: w, start: r3(a), end: r3(e) };
    });
    utts.push({ clip: c, text: cards.get(c), start: r3(t + v0), end: r3(t + v1), words: wt });
    t += x.length / SR + 0.45;
  }
  if (t > DUR - 0.3) throw new Error(`session ${s.id} too long`);

  // camera audio: the same scene heard from the camera: t_cam = t_ref - offset
  const cam = new Float32Array(n);
  const noise2 = prng(2000 + si);
  const shift = Math.round(-s.offset * SR);
  for (let i = 0; i < n; i++) {
    const j = i - shift; // reference sample heard at camera sample i
    cam[i] = 0.006 * gauss(noise2) + (j >= 0 && j < n ? 0.55 * lav[j] : 0);
  }

  const lavRaw = join(tmp, `${s.id}_lav.f32`);
  const camRaw = join(tmp, `${s.id}_cam.f32`);
  writeFileSync(lavRaw, Buffer.from(lav.buffer));
  writeFileSync(camRaw, Buffer.from(cam.buffer));
  const lavName = `${s.id}_lav.flac`;
  ff(['-f', 'f32le', '-ar', String(SR), '-ac', '1', '-i', lavRaw, '-c:a', 'flac', '-sample_fmt', 's16', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact', join(OUT, lavName)]);

  const camBeep = r3(BEEP_REF_S - s.offset);
  const flashFrame = Math.round(camBeep * FPS);
  if (Math.abs(flashFrame / FPS - camBeep) > 1e-9) throw new Error('flash must be on a frame boundary');
  const vidName = `${s.id}_camera.mp4`;
  const filter =
    `[1:v]crop=240:240:118:20,scale=200:200,format=rgba[f];` +
    `[0:v][f]overlay=x='55+6*sin(2*PI*0.35*t)':y='22+4*sin(2*PI*0.22*t+1)':shortest=1,` +
    `drawbox=x=282:y=6:w=30:h=30:color=white:t=20:enable='between(n,${flashFrame},${flashFrame + Math.round(BEEP_LEN_S * FPS) - 1})',format=yuv420p[v]`;
  ff([
    '-f', 'lavfi', '-i', `color=c=0x2a3038:s=320x240:r=${FPS}:d=${DUR}`,
    '-loop', '1', '-framerate', String(FPS), '-i', join(MEDIA, 'faces', 'astronaut.png'),
    '-f', 'f32le', '-ar', String(SR), '-ac', '1', '-i', camRaw,
    '-filter_complex', filter, '-map', '[v]', '-map', '2:a',
    '-c:v', 'libx264', '-preset', 'medium', '-crf', '27', '-g', '50', '-bf', '0', '-threads', '1', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '48k', '-ar', '48000', '-t', String(DUR),
    '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-movflags', '+faststart',
    join(OUT, vidName),
  ]);

  // transcript (times on the reference clock unless transcript_clock names another role)
  let trName;
  if (s.format === 'whisper') {
    trName = `${s.id}_transcript.json`;
    const doc = {
      text: utts.map((u) => u.text).join(' '),
      language: 'en',
      segments: utts.map((u, i) => ({ id: i, start: u.start, end: u.end, text: ' ' + u.text, words: u.words.map((w) => ({ word: ' ' + w.word, start: w.start, end: w.end, probability: 0.9 })) })),
    };
    writeFileSync(join(OUT, trName), JSON.stringify(doc, null, 2) + '\n');
  } else if (s.format === 'jsonl') {
    trName = `${s.id}_transcript.jsonl`;
    // timed on the camera's audio track: t_cam = t_ref - offset
    const toCam = (v) => r3(v - s.offset);
    const lines = utts.map((u) => JSON.stringify({ start: toCam(u.start), end: toCam(u.end), text: u.text, speaker: s.speaker, words: u.words.map((w) => ({ word: w.word, start: toCam(w.start), end: toCam(w.end) })) }));
    writeFileSync(join(OUT, trName), lines.join('\n') + '\n');
  } else {
    trName = `${s.id}_transcript.vtt`;
    const cues = utts.map((u, i) => {
      const body = u.words.map((w, k) => (k === 0 ? `<c>${w.word}</c>` : `<${fmtTs(w.start, '.')}><c>${w.word}</c>`)).join(' ');
      return `${i + 1}\n${fmtTs(u.start, '.')} --> ${fmtTs(u.end, '.')}\n<v ${s.speaker}>${body}\n`;
    });
    writeFileSync(join(OUT, trName), 'WEBVTT\n\n' + cues.join('\n'));
  }
  manifest.push([s.id, s.speaker, vidName, lavName, trName, s.clock].join(','));

  // ratings per utterance (targets carry session_id,start_s,end_s; the target id is informative only)
  for (const [ui, u] of utts.entries()) {
    const item = { valence: 5 + 2.2 * gauss(rnd), arousal: 5 + 1.8 * gauss(rnd) };
    for (const r of ['r1', 'r2', 'r3']) {
      for (const dim of ['valence', 'arousal']) {
        const v = Math.min(9, Math.max(1, Math.round(item[dim] + raterBias[r][dim] + 0.7 * gauss(rnd))));
        ratings.push([s.id, u.start.toFixed(3), u.end.toFixed(3), `${s.id}_u${ui}`, r, dim, v].join(','));
      }
    }
  }
  truth.sessions.push({
    session_id: s.id,
    speaker_id: s.speaker,
    camera_offset_s: s.offset,
    beep_lav_s: BEEP_REF_S,
    beep_camera_audio_s: camBeep,
    flash_camera_video_s: camBeep,
    flash_frame: flashFrame,
    transcript_format: s.format,
    transcript_clock: s.clock || 'reference',
    utterances: utts.map((u) => ({ clip: u.clip, text: u.text, start_s: u.start, end_s: u.end })),
  });
}

writeFileSync(join(OUT, 'manifest.csv'), manifest.join('\n') + '\n');
writeFileSync(join(OUT, 'ratings.csv'), ratings.join('\n') + '\n');
writeFileSync(join(OUT, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
copyFileSync(join(MEDIA, 'speech', 'COPYRIGHT'), join(OUT, 'COPYRIGHT.cmu-cards'));
chmodSync(join(OUT, 'COPYRIGHT.cmu-cards'), 0o644);
writeFileSync(
  join(OUT, 'PROVENANCE.md'),
  `# Demo sessions (fixtures/demo)

Made by \`node scripts/make-demo-fixtures.mjs\` from the project's shared media (see the script's header for every detail).

| file | made from | licence |
| --- | --- | --- |
| s0*_lav.flac, s0*_camera.mp4 (audio) | CMU "cards" test recordings 001-005.wav (16 kHz read speech), as shipped in Debian package pocketsphinx-testdata 0.8+5prealpha+1-15, mixed with a synthetic 1 kHz 200 ms beep and seeded noise | BSD-2-Clause, Carnegie Mellon University (COPYRIGHT.cmu-cards) |
| s0*_camera.mp4 (picture) | faces/astronaut.png: NASA portrait of Eileen Collins, as shipped in scikit-image's sample data (Debian python3-skimage 0.19.3), cropped to the head and shoulders (240x240 at 118,20), scaled to 200x200 on a grey 320x240 frame, drifting slowly, with a white 30x30 square (the "LED") for 5 frames at the beep | public domain |
| s0*_transcript.* | the cards transcription (cards.transcription). Word times are PLAUSIBLE, NOT ALIGNED: each clip's words are spread over its voiced span in proportion to their letters | BSD-2-Clause (CMU) |
| ratings.csv | synthetic: 3 raters x valence/arousal (1-9) per utterance from a seeded model (item effect + rater bias + noise); not human judgements | MIT (this project) |
| manifest.csv, truth.json | written by the script; truth.json holds the known offsets (t_ref = t_camera + camera_offset_s), beep/flash times and utterance spans | MIT (this project) |

Clocks: the lav track is the reference clock (the manifest's first \`_audio\` role). Transcripts are timed on the
reference clock, except s02's, which is timed on the camera's audio track (manifest column \`transcript_clock=video\`).
Speaker ids are synthetic labels (spk_a, spk_g, spk_z: chosen so the default 0.8/0.1/0.1 speaker hash puts one in each split); the recordings may well all be one CMU speaker.
`,
);
rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${OUT}`);
