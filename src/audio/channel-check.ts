/**
 * Whether a stereo stream's two channels are one sound or two (a recorder with two speakers' lavaliers on its left
 * and right inputs): `mmprep audio` averages the channels as librosa.to_mono does, which mixes two speakers into one
 * feature track, and halves the level of a recording whose other channel is silent. Measured on the first CHECK_S
 * seconds of each channel decoded alone at the analysis rate, in 50 ms frames: one source heard by two microphones
 * (a stereo pair, dual mono, a camera's stereo mic) keeps a nearly constant level difference between the channels
 * whenever it sounds; two close microphones of two people swing by tens of dB as each one speaks (the 10th-90th
 * percentile spread of that difference, over frames within 25 dB of the loudest, is the figure; a level-difference
 * test as in stereo "mono detection", not a waveform correlation, which the inter-microphone delay alone brings
 * below 0.3 for one speaker). Also reported: each channel's RMS level and the lag-0 Pearson correlation.
 */
import { decodeAudioToArray } from '../media/decode-audio.js';
import type { ProbeResult } from '../media/probe.js';
import { shellWord, siblingName } from '../common/shell.js';

export const CHECK_S = 120;
/** Above this spread (dB, 10th-90th percentile of the level difference) the channels are called two sources. */
export const SPREAD_DB = 12;
const FRAME = 800;
/** A channel this many dB below the other is called silent. */
export const SILENT_DB = 30;
/**
 * The average this many dB below the louder channel: the channels cancel (one's polarity inverted). Averaging two
 * signals that do not cancel costs at most 6 dB (one channel silent); a channel inverted against its copy (a miswired
 * balanced cable or input) gives digital silence, at 0.9 of its level 26 dB.
 */
export const CANCEL_DB = 10;

export interface ChannelCheck {
  /** Seconds compared (the first CHECK_S of the stream, or all of it). */
  seconds: number;
  /** Pearson correlation of the two channels; null when either is digital silence. */
  correlation: number | null;
  /** Each channel's RMS level, dBFS (-200 for digital silence). */
  level_dbfs: [number, number];
  /** Level difference (channel 0 - channel 1, dB) over the sounding 50 ms frames: 10th, 50th, 90th percentile. */
  level_difference_db: [number, number, number] | null;
  /** RMS level of the channels' average (what is analysed), dBFS (-200 for digital silence); absent in older summaries. */
  mix_level_dbfs?: number;
}

export async function checkStereoChannels(file: string, stream: number, sampleRate: number, probed?: ProbeResult): Promise<ChannelCheck> {
  const opts = { sampleRate, stream, duration: CHECK_S, ...(probed ? { probed } : {}) };
  // Both channels from one ffmpeg run (decode-audio.ts AudioDecodeOptions.pair: each channel's samples are its own
  // decode's; two runs before 2026-12-07, one start of Debian's ffmpeg ~0.15 CPU s).
  const { samples: both } = await decodeAudioToArray(file, { ...opts, pair: true });
  const n = both.length >> 1;
  const a = { samples: new Float32Array(n) };
  const b = { samples: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    a.samples[i] = both[2 * i];
    b.samples[i] = both[2 * i + 1];
  }
  return { seconds: round(n / sampleRate, 3), ...correlate(a.samples, b.samples, n), level_difference_db: levelDifference(a.samples, b.samples, n) };
}

/** Pearson correlation (two-pass, float64), RMS levels of the first n samples of x and y and of their average. */
export function correlate(x: Float32Array, y: Float32Array, n: number): Pick<ChannelCheck, 'correlation' | 'level_dbfs' | 'mix_level_dbfs'> {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n || 1;
  my /= n || 1;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  let px = 0;
  let py = 0;
  let pm = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
    px += x[i] * x[i];
    py += y[i] * y[i];
    const m = (x[i] + y[i]) / 2;
    pm += m * m;
  }
  const db = (p: number) => (p > 0 ? round(10 * Math.log10(p / n), 2) : -200);
  return { correlation: sxx > 0 && syy > 0 ? round(sxy / Math.sqrt(sxx * syy), 4) : null, level_dbfs: [db(px), db(py)], mix_level_dbfs: db(pm) };
}

/** Percentiles 10, 50, 90 of the per-frame level difference over frames within 25 dB of the loudest; null if none. */
export function levelDifference(x: Float32Array, y: Float32Array, n: number): [number, number, number] | null {
  const frames: Array<[number, number]> = [];
  for (let i = 0; i + FRAME <= n; i += FRAME) frames.push([frameDb(x, i), frameDb(y, i)]);
  const loud = frames.map(([a, b]) => Math.max(a, b));
  const top = quantile([...loud].sort((p, q) => p - q), 0.99);
  const d = frames.filter((_, i) => loud[i] >= top - 25 && loud[i] > -90).map(([a, b]) => a - b).sort((p, q) => p - q);
  if (d.length < 10) return null;
  return [round(quantile(d, 0.1), 2), round(quantile(d, 0.5), 2), round(quantile(d, 0.9), 2)];
}

function frameDb(x: Float32Array, i: number): number {
  let p = 0;
  for (let k = i; k < i + FRAME; k++) p += x[k] * x[k];
  return 10 * Math.log10(Math.max(p / FRAME, 1e-12));
}

/** Linear interpolation between order statistics (numpy's default). */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}

/**
 * The warning a check calls for (different signals, or one channel silent), or null. `file` is the path as the user
 * gave it: the ffmpeg split in the advice names it, ready to paste.
 */
export function channelWarning(c: ChannelCheck, file: string): string | null {
  const [l, r] = c.level_dbfs;
  const fix = `analyse one with mmprep audio --channel 0 (or 1); for extract, split them (${splitCommand(file)}, c1 and -right for the right) and give each its own *_audio role`;
  if (Math.abs(l - r) > SILENT_DB) {
    const quiet: 0 | 1 = l < r ? 0 : 1;
    // extract has no --channel: its advice is the ffmpeg copy of the live channel (a trial, 2026-12-05, was told only --channel).
    return `channel ${quiet} of 2 is silent (${c.level_dbfs[quiet]} dBFS against ${c.level_dbfs[1 - quiet]} dBFS over the first ${c.seconds} s): averaging the channels halves the level (rms_db 6 dB low); analyse channel ${1 - quiet} alone with mmprep audio --channel ${1 - quiet}; for extract, keep that channel (${splitCommand(file, quiet ? 0 : 1)}) and name that file in the manifest`;
  }
  const cancel = cancelWarning(c, fix);
  if (cancel) return cancel;
  const d = c.level_difference_db;
  if (d && d[2] - d[0] > SPREAD_DB) {
    return `its 2 channels are different signals (the level of channel 0 against channel 1 swings from ${d[0]} to ${d[2]} dB over the first ${c.seconds} s; one source heard by two microphones keeps it within a few dB), e.g. two speakers' microphones on one recorder: averaging them mixes both into one feature track; ${fix}`;
  }
  return null;
}

/**
 * The channels cancel in their average: one is the other with its polarity inverted (correlation near -1), so the
 * mono signal analysed is what is left of their difference (digital silence for an exact copy: every frame unvoiced,
 * no syllable, exit 0 with nothing said before 2026-12-02).
 */
function cancelWarning(c: ChannelCheck, fix: string): string | null {
  const mix = c.mix_level_dbfs;
  const loud = Math.max(...c.level_dbfs);
  if (mix === undefined || loud <= -200 || loud - mix <= CANCEL_DB) return null;
  const r = c.correlation === null ? '' : `, correlation ${c.correlation.toFixed(2)}`;
  const left = mix <= -200 ? 'is digital silence' : `is ${(loud - mix).toFixed(1)} dB below the louder channel (${mix} dBFS against ${loud} dBFS)`;
  return `its 2 channels cancel when averaged (one channel's polarity is inverted${r}, over the first ${c.seconds} s): the average analysed ${left}, so rms_db, the MFCCs, F0, voicing and the syllables describe what is left of the sound, not the sound; ${fix}`;
}

/** `ffmpeg -i rec.wav -af "pan=mono|c0=c0" rec-left.wav` for the file as given (quoted for a POSIX shell when needed). */
function splitCommand(file: string, channel: 0 | 1 = 0): string {
  return `ffmpeg -i ${shellWord(file)} -af "pan=mono|c0=c${channel}" ${shellWord(siblingName(file, channel ? '-right.wav' : '-left.wav'))}`;
}
