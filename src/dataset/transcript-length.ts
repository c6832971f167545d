/**
 * A Praat TextGrid says how long the audio it was made on is (its xmin and xmax; the Montreal Forced Aligner writes the
 * aligned WAV's duration). Read on a role's clock (transcript_clock, or the reference role), it should span that role's
 * recording (extract's meta.json `inputs[].duration_s`). Another length means a TextGrid of another recording: another
 * session's, or a cut of this one, whose times are on no role's clock. Before 2026-12-07 such a file was built and
 * validated with exit 0: tuser58 gave s02's TextGrid (0-14 s) as s01's (10 s), and the voicing clock check did not
 * tell it (it compares clocks, not files).
 */
import type { MetaInput } from '../batch/extract-session.js';
import type { ManifestSession } from '../batch/manifest.js';
import { declaredRole } from './clock-check.js';
import { readTranscriptSpan } from './transcripts/index.js';

/** How far a TextGrid's length may lie from its recording's: encoders' padding and trims are tens of ms. */
export const TEXTGRID_LENGTH_TOLERANCE_S = 0.5;

/** The warning (kind `transcript_length`), or none: not a TextGrid, no duration recorded for its role, or lengths that agree. */
export async function transcriptLengthWarning(s: ManifestSession, inputs: readonly MetaInput[] | undefined): Promise<string[]> {
  if (!s.transcript || !inputs) return [];
  const span = await readTranscriptSpan(s.transcript);
  const role = declaredRole(s, 'transcript_clock');
  const rec = inputs.find((i) => i.role === role)?.duration_s;
  if (!span || typeof rec !== 'number' || !(rec > 0)) return [];
  const len = span.xmax - span.xmin;
  if (Math.abs(len - rec) <= TEXTGRID_LENGTH_TOLERANCE_S) return [];
  return [
    `transcript ${s.transcript}: the TextGrid spans ${span.xmin}-${span.xmax} s (${len.toFixed(3)} s, the length of the audio it was made on), but ${role}'s recording, whose clock its times are read on, lasts ${rec.toFixed(3)} s: a TextGrid of another recording (another session's, or a cut of this one, whose times are on no role's clock)? Check the manifest's transcript for session ${s.session_id}, or align the whole ${role} file again`,
  ];
}
