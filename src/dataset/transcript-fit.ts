/**
 * Does a session's transcript fit the recording its feature files cover? `dataset build` refuses a session whose
 * transcript does not (src/dataset/transcripts/check.ts); `mmprep extract` asks the same question as soon as the
 * session's features are written, so a transcript in milliseconds or on another clock is told hours before the build.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, isMmprepError } from '../common/errors.js';
import type { ManifestSession } from '../batch/manifest.js';
import { timeRange } from './frames.js';
import { readSessionTranscript } from './transcripts/index.js';
import { checkInsideRecording, fittingRole, type RecordingExtent } from './transcripts/check.js';
import type { Utterance } from './transcripts/types.js';

export type FrameRange = { first: number; last: number; step: number | null };

/** Default frame steps when a feature file has a single frame: 10 ms audio hop, 30 fps video. */
export const AUDIO_STEP_S = 0.01;
export const FACE_STEP_S = 1 / 30;

/** What the feature streams cover on the reference clock: first frame to last frame + one step (null without streams). */
export function recordingExtent(streams: Array<{ first: number; last: number; step: number } | null>): RecordingExtent | null {
  const have = streams.filter((x): x is { first: number; last: number; step: number } => x !== null);
  if (have.length === 0) return null;
  const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    start_s: r6(Math.min(...have.map((x) => x.first))),
    end_s: r6(Math.max(...have.map((x) => x.last + x.step))),
    frame_s: r6(Math.max(...have.map((x) => x.step))),
  };
}

/** The recording extent of audio and face frame ranges (either may be null). */
export function featuresExtent(aRange: FrameRange | null, fRange: FrameRange | null): RecordingExtent | null {
  return recordingExtent([aRange ? { ...aRange, step: aRange.step ?? AUDIO_STEP_S } : null, fRange ? { ...fRange, step: fRange.step ?? FACE_STEP_S } : null]);
}

/**
 * The line `dataset build` would refuse the session with because of its transcript (times outside the recording,
 * milliseconds, a transcript_clock that sync.json cannot map), or null when it fits or there is nothing to check yet
 * (no transcript, no feature file in `dir`).
 */
export async function transcriptFitProblem(session: ManifestSession, dir: string): Promise<string | null> {
  if (!session.transcript) return null;
  const range = async (f: string) => (existsSync(join(dir, f)) ? await timeRange(join(dir, f)) : null);
  const recording = featuresExtent(await range('audio.jsonl'), await range('face.jsonl'));
  if (!recording) return null;
  try {
    const utts = await readSessionTranscript(session, join(dir, 'sync.json'));
    if (utts) await checkTranscriptInside(session, utts, recording, join(dir, 'sync.json'));
    return null;
  } catch (e) {
    if (isMmprepError(e)) return e.toLine();
    throw e;
  }
}

/**
 * checkInsideRecording; a refused transcript is then tried on the session's other sync.json clocks, and the refusal
 * names the role on whose clock every utterance fits (tuser62: a transcript timed on a camera 4.26 s off the lav,
 * transcript_clock empty, was told only to check its clock/units).
 */
export async function checkTranscriptInside(s: ManifestSession, utterances: Utterance[], recording: RecordingExtent, syncPath: string): Promise<void> {
  const transcript = s.transcript as string;
  const clockRole = (s.meta.transcript_clock ?? '').trim() || undefined;
  try {
    checkInsideRecording(utterances, recording, transcript, clockRole);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // imported here: clock-check's imports reach segments.ts, which imports this module
    const { declaredRole, sessionRoleClocks } = await import('./clock-check.js');
    const fits = fittingRole(utterances, recording, await sessionRoleClocks(s, syncPath), declaredRole(s, 'transcript_clock'));
    if (fits) checkInsideRecording(utterances, recording, transcript, clockRole, fits);
    throw e;
  }
}
