/**
 * A stream of digital silence (every sample 0) has no features: its records are those of silence (every frame
 * unvoiced, rms 0). A new user's trial (2026-12-06) fed a camera file whose first audio stream was a silent input and
 * whose microphone was its second: `extract --only audio --strict` wrote 1001 frames of silence, exit 0, with only the
 * "2 audio streams" note. Now a warning naming the other streams, and extract's `emptyOutput` (as a face track without
 * a face: --strict fails the session).
 */
import { shellWord, siblingName } from '../common/shell.js';

/** Stretches of digital silence shorter than this are not reported (a recorder's or an editor's gaps between takes). */
export const DIGITAL_SILENCE_MIN_S = 1;

/** Stretches of digital silence inside a stream (every sample 0 over DIGITAL_SILENCE_MIN_S or more), in the records' times. */
export interface DigitalSilenceRuns {
  n_runs: number;
  total_s: number;
  /** The longest stretch, in the records' `t_s` (the session clock under extract). */
  longest_start_s: number;
  longest_end_s: number;
}

/**
 * Runs of frames whose RMS is exactly 0 (every sample of the frame's window 0: a frame with any recorded sound,
 * even noise 90 dB down, is not 0), at least DIGITAL_SILENCE_MIN_S long; null when none. A microphone whose battery or
 * cable failed mid-session leaves such a stretch (a new user's trial, 2026-12-06: a lav zeroed from 6.0 s to its end
 * gave records of silence with present audio, voiced_ratio 0, and no word anywhere). A frame's RMS reads its window
 * (n_fft samples centred on it, librosa's center=True), so the zeros reach half a window beyond the first and last
 * zero frame: `halfWindowS`; `durationS` bounds them; `timeOf(s)`: the records' time of file time s.
 */
export function digitalSilenceRuns(rms: ArrayLike<number>, n: number, hop: { hopS: number; halfWindowS: number; durationS: number }, timeOf: (s: number) => number): DigitalSilenceRuns | null {
  const { hopS, halfWindowS, durationS } = hop;
  const minFrames = Math.ceil(DIGITAL_SILENCE_MIN_S / hopS);
  let runs = 0;
  let total = 0;
  let best: [number, number] | null = null;
  for (let i = 0; i < n; ) {
    if (rms[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && rms[j] === 0) j++;
    if (j - i >= minFrames) {
      runs++;
      total += j - i;
      if (!best || j - i > best[1] - best[0]) best = [i, j];
    }
    i = j;
  }
  if (!best) return null;
  const [a, b] = best;
  const start = Math.max(0, a * hopS - halfWindowS);
  const end = Math.min(durationS, (b - 1) * hopS + halfWindowS);
  return { n_runs: runs, total_s: total * hopS, longest_start_s: timeOf(start), longest_end_s: timeOf(end) };
}

/** The warning for stretches of digital silence inside a stream that is not silent throughout, or null. */
export function digitalSilenceRunsWarning(s: SilenceFields & { digital_silence?: DigitalSilenceRuns }): string | null {
  const d = s.digital_silence;
  if (!d || isDigitalSilence(s)) return null;
  const span = `${d.longest_start_s.toFixed(2)}-${d.longest_end_s.toFixed(2)} s`;
  const more = d.n_runs > 1 ? ` (${d.n_runs} stretches of ${DIGITAL_SILENCE_MIN_S} s or more, ${d.total_s.toFixed(1)} s in all; the longest ${span})` : ` (${span}, ${d.total_s.toFixed(1)} s)`;
  return `digital silence (every sample 0) inside the recording${more}: a microphone or recorder that stopped (battery, cable, radio link) or an edit that muted it; the features there are those of silence (every frame unvoiced, rms 0), not of the session: check the recording, and leave that stretch out of any analysis (digital_silence in the summary)`;
}

interface SilenceFields {
  functionals?: Record<string, { n?: number; mean?: number | null } | undefined>;
  sync_beeps?: unknown[];
  params?: { stream?: number };
  source: { audio_streams?: number | null; channels?: number | null; channel?: number };
}

/**
 * The summary's RMS is 0 over every frame it counts: the analysed samples are all 0. The summary leaves a sync beep's
 * frames out, so a file of a beep in digital silence (a test tone) reads 0 too: a stream with a beep is not silent.
 */
function isDigitalSilence(s: SilenceFields): boolean {
  const rms = s.functionals?.rms;
  return rms !== undefined && (rms.n ?? 0) > 0 && rms.mean === 0 && (s.sync_beeps ?? []).length === 0;
}

/** The warning (`file` as the user gave it), or null. */
export function digitalSilenceWarning(s: SilenceFields, file: string): string | null {
  if (!isDigitalSilence(s)) return null;
  const stream = s.params?.stream ?? 0;
  const streams = s.source.audio_streams ?? 1;
  const others = Array.from({ length: streams }, (_, i) => i).filter((i) => i !== stream);
  const what = others.length
    ? `the file has ${streams} audio streams: analyse another (mmprep audio --stream ${others.length === 1 ? others[0] : `N, N in ${others.join(', ')}`}; for extract, give it its own file: ffmpeg -i ${shellWord(file)} -map 0:a:${others[0]} -c copy ${shellWord(siblingName(file, `-a${others[0]}.mka`))}, in an *_audio column)`
    : "check the recorder's input (a muted or unplugged microphone) and that this is the recording meant";
  const ch = s.source.channels ?? 1;
  // channels that cancel when averaged (one polarity inverted): channel-check.ts says which to take
  if (ch > 1 && s.source.channel === undefined) return `the average of audio stream ${stream}'s ${ch} channels is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; analyse one channel (mmprep audio --channel 0)`;
  // --channel N of a stream with other channels: that channel is silent, not the stream (said of the stream until 2026-12-07)
  const c = s.source.channel;
  if (ch > 1 && c !== undefined) return `channel ${c} of audio stream ${stream}'s ${ch} channels is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; analyse another channel (mmprep audio --channel ${c === 0 ? 1 : 0})`;
  return `audio stream ${stream} is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; ${what}`;
}
