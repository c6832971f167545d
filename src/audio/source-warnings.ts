/**
 * Warnings about the recording itself that change what the features mean, said on stderr (and counted by `extract`)
 * besides the summary's notes: a new user's trial fed a mono 8 kHz and a 5.1 camera track and got exit 0 with a note
 * only inside audio.summary.json.
 */
import type { AudioSummary } from './extract.js';

export function audioSourceWarnings(s: Pick<AudioSummary, 'sample_rate_hz' | 'source'>): string[] {
  const out: string[] = [];
  const rate = s.source.sample_rate_hz;
  if (rate !== null && rate < s.sample_rate_hz) {
    out.push(
      `recorded at ${rate} Hz and analysed at ${s.sample_rate_hz} Hz: nothing above ${rate / 2} Hz, so the mel bands above it are empty and its MFCCs are not comparable with full-band recordings`,
    );
  }
  const ch = s.source.channels;
  if (ch !== null && ch > 2) {
    out.push(`${ch} channels averaged to mono (librosa.to_mono): every channel's sound is mixed; extract the speaker's channel first if one holds it (ffmpeg -af "pan=mono|c0=FC" for the centre of a 5.1 track)`);
  }
  return out;
}
