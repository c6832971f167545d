#!/usr/bin/env node
/**
 * The content check's reading (xcorr.ts fineAtOffset at the placed lag, beeps masked; docs/sync.md "Content check")
 * at short overlaps: for each condition of scripts/make-content-pairs.mjs, each second-sound length and seed, the
 * genuine pair (the session's lav and its own second sound, at the true offset) and another session's second sound
 * beside the same lav (at the offset its own beep gives). Signals built in memory at 16 kHz (the rate sync decodes
 * the beep's band at); --codec sends each second sound through its condition's encoder (ffmpeg, 48 kHz) and back.
 * Uses dist/ (build first). One line per reading, then per condition and length the genuine and other-session ranges.
 *
 *   node scripts/measure-content-short.mjs [--conds A,B] [--durs 6,10,15,20] [--seeds 1-8] [--codec] [--json OUT]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditions, draws, session } from './make-content-pairs.mjs';
import { writeWav } from './wav.mjs';
import { fineAtOffset } from '../dist/sync/xcorr/xcorr.js';
import { withoutPulses } from '../dist/sync/checks/content-mismatch.js';

const SR = 16000;
/** Kept windows are a file's first 60 s (scan-audio.ts keepS). */
const KEEP_S = 60;
const FFMPEG = process.env.MMPREP_FFMPEG || 'ffmpeg';
const ENC = {
  wav: ['wav', ['-c:a', 'pcm_s16le']],
  opus16: ['ogg', ['-c:a', 'libopus', '-b:a', '16k']],
  opus24: ['ogg', ['-c:a', 'libopus', '-b:a', '24k']],
  aac32: ['m4a', ['-c:a', 'aac', '-b:a', '32k']],
  aac64: ['m4a', ['-c:a', 'aac', '-b:a', '64k']],
  mp3: ['mp3', ['-c:a', 'libmp3lame', '-b:a', '32k']],
};

const arg = (n, d) => {
  const i = process.argv.indexOf(`--${n}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const list = (s) => s.split(',');
const [s0, s1] = arg('seeds', '1-8').split('-').map(Number);
const durs = list(arg('durs', '6,10,15,20')).map(Number);
const conds = arg('conds', null) ? list(arg('conds')) : conditions().map((c) => c.cond);
const codec = process.argv.includes('--codec');
const tmp = mkdtempSync(join(tmpdir(), 'content-short-'));

/** x through the condition's encoder at 48 kHz and decoded back to 16 kHz mono (the decoder's delay removed as sync's is). */
function throughCodec(x, enc) {
  const [ext, args] = ENC[enc];
  const raw = join(tmp, 'raw.wav');
  writeWav(raw, x, SR);
  const coded = join(tmp, `coded.${ext}`);
  execFileSync(FFMPEG, ['-nostdin', '-y', '-v', 'error', '-i', raw, '-ar', '48000', ...args, coded]);
  const b = execFileSync(FFMPEG, ['-nostdin', '-v', 'error', '-i', coded, '-ac', '1', '-ar', String(SR), '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4).slice();
}

/** The first KEEP_S s of x with the beeps at the given times (this signal's own) masked. */
function kept(x, beepsAt) {
  return withoutPulses(x.subarray(0, KEEP_S * SR), 0, SR, beepsAt.map((t) => ({ t_s: t, duration_s: 0.25 })));
}

const micBeep = (d) => (d.micBeeps[0] - d.offset) / (1 + d.k);
const rows = [];
for (const cond of conds) {
  for (const dur of durs) {
    for (let seed = s0; seed <= s1; seed++) {
      const c = { ...conditions().find((x) => x.cond === cond), dur, offset: undefined };
      const own = draws(c, seed, 0);
      const theirs = draws(c, seed + 7919, 2);
      const ownS = session(c, own);
      let mic = ownS.mic;
      let other = session(c, theirs).mic;
      if (codec) [mic, other] = [throughCodec(mic, c.enc), throughCodec(other, c.enc)];
      const lav = kept(ownS.lav, own.beeps);
      const half = Math.min(dur, KEEP_S) / 2;
      const g = fineAtOffset(lav, 0, kept(mic, [micBeep(own)]), 0, SR, own.offset + own.k * half);
      const o = fineAtOffset(lav, 0, kept(other, [micBeep(theirs)]), 0, SR, own.beeps[0] - micBeep(theirs));
      const row = { cond, dur, seed, codec: codec ? c.enc : 'none', genuine_z: g?.z ?? null, genuine_overlap_s: g?.overlap_s ?? null, other_z: o?.z ?? null, other_overlap_s: o?.overlap_s ?? null };
      rows.push(row);
      console.log([cond, dur, seed, row.codec, g?.z.toFixed(2), g?.overlap_s.toFixed(1), o?.z.toFixed(2), o?.overlap_s.toFixed(1)].join('\t'));
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
const range = (v) => (v.length ? `${Math.min(...v).toFixed(1)}-${Math.max(...v).toFixed(1)}` : '-');
console.log('\ncondition\tdur_s\tgenuine z (under 7)\tother z (7 or more)');
for (const cond of conds) {
  for (const dur of durs) {
    const rs = rows.filter((r) => r.cond === cond && r.dur === dur);
    const g = rs.map((r) => r.genuine_z).filter((z) => z !== null);
    const o = rs.map((r) => r.other_z).filter((z) => z !== null);
    console.log(`${cond}\t${dur}\t${range(g)} (${g.filter((z) => z < 7).length}/${g.length})\t${range(o)} (${o.filter((z) => z >= 7).length}/${o.length})`);
  }
}
const json = arg('json', null);
if (json) writeFileSync(json, JSON.stringify(rows, null, 2) + '\n');
