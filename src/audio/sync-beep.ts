/**
 * The sync beep inside a recording analysed as speech. A 1 kHz beep is perfectly periodic, so Praat's pitch
 * analysis calls it voiced (at its 500 Hz subharmonic, the highest candidate under the 600 Hz ceiling), its HNR is
 * very high and the syllable-nuclei detector counts it as a syllable: left in, it inflates the F0 statistics,
 * voiced_ratio and the speaking rate. Here the beep is found with the sync capability's tone-burst detector
 * (src/sync/tone/scan-audio.ts and tone.ts: a Goertzel demodulator with phase-linearity and prominence checks, which
 * rejects sustained speech harmonics) where `mmprep sync` looks for it (beep-search.ts), its frames are marked (pitch and voicing null, `sync_beep: true` with a
 * reason) and left out of the summary's voicing, F0 statistics, functionals, syllables, pauses and rates.
 */
import type { Clock } from '../sync/clock.js';
import type { ToneDetection } from '../sync/tone/tone.js';
import { summarizeAudio, sourceStart, type AudioFrameRecord, type AudioSummary } from './extract.js';
import type { AudioFeatures } from './features.js';
import { functionals } from './functionals.js';
import { streamedFunctionals } from './functionals-stream.js';
import { rmsDb } from './jsonl.js';
import { checkSpeakingRate } from './pitch-range.js';
import { beepSearchSpans } from './beep-search.js';

/** One beep found in the file: times in the file's own seconds from its first sample (as `nuclei_times_s`). */
export interface SyncBeep {
  t_s: number;
  duration_s: number;
  freq_hz: number;
  snr_db: number;
  /** Frames marked for it (the beep plus half an analysis window either side). */
  n_frames: number;
  /** With a sync clock only: the onset in the file's presentation time (as the frames' `t_src_s`: start_time + t_s). */
  t_src_s?: number;
  /** With a sync clock only: the onset on the session's reference clock (as the frames' `t_s` there). */
  t_ref_s?: number;
}

export interface SyncBeeps {
  tone_hz: number;
  beeps: SyncBeep[];
  /** Per frame: 1 = within a beep (pitch and voicing not analysed). */
  mask: Uint8Array;
  /** The `pitch_reason` of a marked frame. */
  reason: string;
}

/** What the summary adds when the beep was searched for. */
export interface SyncBeepSummary {
  sync_beep_tone_hz: number;
  sync_beeps: SyncBeep[];
  n_sync_beep_frames: number;
}

export interface SyncBeepOptions {
  /** The beep's frequency (default 1000 Hz, as `mmprep sync`). */
  toneHz?: number;
  /** Seconds searched at each end of the file (beep-search.ts; default 0: the whole file). */
  searchS?: number;
}

/**
 * Frames within this distance of a beep see part of it: half the widest analysis window (the pitch window is
 * 3 periods of the floor, the spectral frame n_fft samples).
 */
function marginS(f: AudioFeatures): number {
  return marginOf(f.options, f.sampleRate);
}

/** marginS of the options (the analysis at `sampleRate`). */
export function marginOf(o: Pick<AudioFeatures['options'], 'f0Floor' | 'nFft'>, sampleRate: number): number {
  return Math.max(1.5 / o.f0Floor, o.nFft / 2 / sampleRate);
}

/**
 * The frames the beeps mark (mask: 1) and the beeps, from the tone detections (times less t0 are the file's own): each
 * that is no voice's harmonic (tone-harmonic.ts: a steady 500 Hz voice's second partial is that voice), with `margin`
 * seconds either side.
 */
export function beepFrames(detections: ToneDetection[], t0: number, nFrames: number, hopS: number, margin: number): { mask: Uint8Array; beeps: SyncBeep[] } {
  const mask = new Uint8Array(nFrames);
  const beeps: SyncBeep[] = [];
  for (const d of detections.filter((e) => e.harmonic_of_hz === undefined)) {
    const t = d.t_s - t0;
    const lo = Math.max(0, Math.ceil((t - margin) / hopS));
    const hi = Math.min(nFrames - 1, Math.floor((t + d.duration_s + margin) / hopS));
    let n = 0;
    for (let i = lo; i <= hi; i++) {
      mask[i] = 1;
      n++;
    }
    beeps.push({ t_s: t, duration_s: d.duration_s, freq_hz: d.freq_hz, snr_db: d.snr_db, n_frames: n });
  }
  return { mask, beeps };
}

/**
 * Takes the beeps found in the analysis pass (or searches the file in a second, light decode; both at the file's ends
 * only with opts.searchS, beep-search.ts) and marks its frames in `f`:
 * F0 0 (so every F0 statistic leaves them out) and `f.syncBeep`, which the frame writers turn into null pitch and
 * voicing with `sync_beep: true`. Returns what was found (an empty list when there is no beep).
 */
export async function markSyncBeeps(file: string, f: AudioFeatures, opts: SyncBeepOptions = {}): Promise<SyncBeeps> {
  const toneHz = opts.toneHz ?? 1000;
  // Found in the analysis pass when it could (features.ts, AnalyzeOptions.toneHz), else by a second, light decode.
  const found = f.toneBursts?.toneHz === toneHz ? f.toneBursts.detections : null;
  // The second decode's module is loaded only when it runs (the analysis pass finds the beep whenever it can).
  const detections = found ?? (await secondDecode(file, f, toneHz, opts.searchS ?? 0));
  const t0 = found ? 0 : sourceStart(f);
  const { mask, beeps } = beepFrames(detections, t0, f.nFrames, f.hop / f.sampleRate, marginS(f));
  for (let i = 0; i < mask.length; i++) if (mask[i]) f.f0[i] = 0;
  const reason = `sync beep (${toneHz} Hz tone): not speech, pitch and voicing not analysed`;
  if (beeps.length > 0) f.syncBeep = { mask, reason };
  return { tone_hz: toneHz, beeps, mask, reason };
}

/** The beeps of a second, light decode of the whole stream at the tone's own rate, searched at the file's ends (beep-search.ts). */
async function secondDecode(file: string, f: AudioFeatures, toneHz: number, searchS: number): Promise<ToneDetection[]> {
  const { scanAudioTone, decodeRateFor } = await import('../sync/tone/scan-audio.js');
  const onsetSpans = beepSearchSpans(f.decoded?.stream.duration_s, searchS, decodeRateFor(toneHz));
  const scan = await scanAudioTone(file, [{ name: 'all', start_s: 0, duration_s: null }], { toneHz, stream: f.options.stream, ...(onsetSpans ? { onsetSpans } : {}) });
  return scan.windows.flatMap((w) => w.detections);
}

/** A frame record of a marked frame (audioFrameRecords): pitch and voicing null, with the reason. */
export function syncBeepRecord(rec: AudioFrameRecord, beep: NonNullable<AudioFeatures['syncBeep']>, i: number): void {
  const on = beep.mask[i] === 1;
  if (on) {
    rec.voiced = null;
    rec.voiced_prob = null;
  }
  rec.sync_beep = on;
  rec.pitch_reason = on ? beep.reason : null;
}

/** Per-frame arrays with the beep frames set to NaN (functionals skip non-finite values; times stay true). */
function withoutBeepFrames(f: AudioFeatures, mask: Uint8Array): AudioFeatures {
  const k = f.options.nMfcc;
  const blankRows = (a: Float64Array | null) => {
    if (!a) return a;
    const c = a.slice();
    for (let i = 0; i < mask.length; i++) if (mask[i]) c.fill(NaN, i * k, i * k + k);
    return c;
  };
  const blank = (a: Float32Array) => a.map((v, i) => (mask[i] ? NaN : v));
  const out: AudioFeatures = { ...f, mfcc: blankRows(f.mfcc)!, delta: blankRows(f.delta), delta2: blankRows(f.delta2), voicedProb: blank(f.voicedProb), rms: blank(f.rms), zcr: blank(f.zcr) };
  if (f.voice) out.voice = { ...f.voice, frameVoiced: f.voice.frameVoiced.map((v, i) => (mask[i] ? 0 : v)) };
  if (f.columns) out.columnsMask = mask;
  return out;
}

/** The rms_db functionals over the frames outside the beeps (a spilled file's in bounded memory: the same values). */
function rmsDbWithoutBeeps(f: AudioFeatures, mask: Uint8Array, hopS: number) {
  const n = f.nFrames;
  if (f.columns) return streamedFunctionals((a, b, out) => {
    for (let i = a; i < b; i++) out[i - a] = mask[i] ? NaN : rmsDb(f.rms[i]);
  }, n, hopS);
  const keep = mask.map((v) => 1 - v);
  return functionals(Float64Array.from(f.rms, rmsDb), n, hopS, 1, 0, keep);
}

/** [a, b] minus the spans, as the pieces left. */
function subtract(a: number, b: number, spans: Array<[number, number]>): Array<[number, number]> {
  let pieces: Array<[number, number]> = [[a, b]];
  for (const [s, e] of spans) pieces = pieces.flatMap(([x, y]): Array<[number, number]> => (e <= x || s >= y ? [[x, y]] : [...(s > x ? [[x, s] as [number, number]] : []), ...(e < y ? [[e, y] as [number, number]] : [])]));
  return pieces;
}

/**
 * The beeps with, under a sync clock, their onsets on the frames' two time axes too (t_s stays seconds from the first
 * sample, as nuclei_times_s: a file whose first sample is not at 0 gives three different numbers for one onset).
 */
function onClock(beeps: SyncBeep[], f: AudioFeatures, clock: Clock | undefined): SyncBeep[] {
  if (!clock) return beeps;
  const t0 = sourceStart(f);
  return beeps.map((b) => ({ ...b, t_src_s: t0 + b.t_s, t_ref_s: clock(t0 + b.t_s) }));
}

/**
 * The summary with the beep frames left out: functionals, voicing and F0 over the other frames (at their true
 * times), syllables inside a beep dropped, the beep's time taken out of the sounding intervals (pieces shorter than
 * the shortest sounding interval dropped), pauses only between speech (not a gap that holds a beep), and the
 * speaking rate over the duration without the beep frames.
 */
export function summarizeWithoutSyncBeeps(f: AudioFeatures, file: string, clock: Clock | undefined, found: SyncBeeps): AudioSummary & SyncBeepSummary {
  const { mask, beeps } = found;
  const n = f.nFrames;
  const hopS = f.hop / f.sampleRate;
  const nBeep = mask.reduce((a, v) => a + v, 0);
  const extra: SyncBeepSummary = { sync_beep_tone_hz: found.tone_hz, sync_beeps: onClock(beeps, f, clock), n_sync_beep_frames: nBeep };
  if (nBeep === 0) return { ...summarizeAudio(f, file, clock), ...extra };
  const s = summarizeAudio(withoutBeepFrames(f, mask), file, clock);
  s.functionals.rms_db = rmsDbWithoutBeeps(f, mask, hopS);
  const nKept = n - nBeep;
  s.voiced_ratio = nKept > 0 ? s.n_voiced_frames / nKept : 0;

  const margin = marginS(f);
  const spans = beeps.map((b): [number, number] => [b.t_s - margin, b.t_s + b.duration_s + margin]);
  const inBeep = (t: number) => spans.some(([a, b]) => t >= a && t <= b);
  const nu = f.nuclei;
  const nuclei = nu.nuclei_times_s.filter((t) => !inBeep(t));
  const minSounding = f.options.nucleiMinSoundingS;
  const pieces = nu.sounding_intervals_s.flatMap(([a, b]) => subtract(a, b, spans)).filter(([a, b]) => b - a >= minSounding);
  const pauses: number[] = [];
  for (let j = 1; j < pieces.length; j++) {
    const [a, b] = [pieces[j - 1][1], pieces[j][0]];
    if (b - a >= f.options.nucleiMinPauseS && !spans.some(([x, y]) => x < b && y > a)) pauses.push(b - a);
  }
  const phonation = pieces.reduce((acc, [a, b]) => acc + (b - a), 0);
  const speechS = s.duration_s - nBeep * hopS;
  s.n_syllables = nuclei.length;
  s.nuclei_times_s = nuclei.map((t) => Math.round(t * 1000) / 1000);
  s.phonation_time_s = phonation;
  s.speaking_rate_syl_s = speechS > 0 ? nuclei.length / speechS : 0;
  s.articulation_rate_syl_s = phonation > 0 ? nuclei.length / phonation : null;
  checkSpeakingRate(s);
  s.n_pauses = pauses.length;
  s.mean_pause_s = pauses.length ? pauses.reduce((a, b) => a + b, 0) / pauses.length : null;
  const where = beeps.map((b) => `${b.t_s.toFixed(3)}-${(b.t_s + b.duration_s).toFixed(3)} s`).join(', ');
  s.notes.push(`sync beep (${found.tone_hz} Hz) at ${where}: its ${nBeep} frames have null pitch and voicing and are left out of voiced_ratio, the F0 statistics, the functionals, the syllables, pauses and rates (speaking rate over ${speechS.toFixed(3)} s); --keep-sync-beep analyses them as sound`);
  if (s.voice) s.notes.push('the file-level voice figures (voice.*) are over the whole file, sync beep included');
  return { ...s, ...extra };
}
