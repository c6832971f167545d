/**
 * A stream of digital silence (every sample 0) has no features: its records are those of silence (every frame
 * unvoiced, rms 0). A new user's trial (2026-12-06) fed a camera file whose first audio stream was a silent input and
 * whose microphone was its second: `extract --only audio --strict` wrote 1001 frames of silence, exit 0, with only the
 * "2 audio streams" note. Now a warning naming the other streams, and extract's `emptyOutput` (as a face track without
 * a face: --strict fails the session).
 */
import { shellWord, siblingName } from '../common/shell.js';

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
  return `audio stream ${stream} is digital silence throughout (every sample 0): its features are those of silence (every frame unvoiced, rms 0), not of a recording; ${what}`;
}
