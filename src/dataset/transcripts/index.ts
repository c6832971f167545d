/**
 * Transcripts onto the session's reference clock.
 *
 * The rule (docs/dataset.md, "Transcript clock"): a transcript's times are on the session's REFERENCE clock (the
 * stream `mmprep sync` used as reference, the manifest's reference role) unless the manifest row has a
 * `transcript_clock` column naming another media role (e.g. `video`, `camera_audio`): then the transcript was made from
 * that role's audio, and its times are mapped with that audio stream's entry in sync.json
 * (t_ref = t_src + offset_s + drift_ppm·1e-6·t_src, src/sync/clock.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../../common/errors.js';
import { decodeTranscriptBytes } from '../../common/utf8.js';
import { findSyncEntry, loadClock, readSyncMap, type Clock } from '../../sync/clock.js';
import type { ManifestSession } from '../../batch/manifest.js';
import { detectTranscriptFormat, parseTranscript } from './parse.js';
import { textGridSpan } from './textgrid.js';
import type { TranscriptFormat, Utterance } from './types.js';

export * from './types.js';
export { detectTranscriptFormat, parseTranscript, parseWhisperJson, parseJsonlTranscript, parseVtt, parseSrt } from './parse.js';
export { parseTextGrid, PAUSE_S } from './textgrid.js';

/** The span a TextGrid transcript declares (textGridSpan), as written in the file; null for other formats or an unreadable file. */
export async function readTranscriptSpan(path: string): Promise<{ xmin: number; xmax: number } | null> {
  const bytes = await readFile(path).catch(() => null);
  if (!bytes) return null;
  try {
    const text = decodeTranscriptBytes(bytes, path);
    return detectTranscriptFormat(path, text) === 'textgrid' ? textGridSpan(text, path) : null;
  } catch {
    return null;
  }
}

export function applyClock(utts: Utterance[], clock: Clock | null): Utterance[] {
  if (!clock) return utts;
  return utts.map((u) => {
    const mapped = {
      ...u,
      start_s: clock(u.start_s),
      end_s: clock(u.end_s),
      words: u.words.map((w) => ({ ...w, start_s: clock(w.start_s), end_s: clock(w.end_s) })),
    };
    fileSpans.set(mapped, [Math.min(u.start_s, ...u.words.map((w) => w.start_s)), Math.max(u.end_s, ...u.words.map((w) => w.end_s))]);
    return mapped;
  });
}

/**
 * An utterance's span (widened to its words) as its file writes it, for one applyClock put on the reference clock;
 * undefined for one read on the reference clock. Kept beside the utterance, not in it (records are built from its fields):
 * a segment outside the recording was named by its reference-clock times alone, which a transcript on another role's
 * clock does not hold (ttrial56: 'segment 11 59.418-60.972 s' for a room-mic transcript writing 57.133).
 */
const fileSpans = new WeakMap<Utterance, [number, number]>();
export function fileSpanOf(u: Utterance): [number, number] | undefined {
  return fileSpans.get(u);
}

export interface ReadTranscriptOptions {
  format?: TranscriptFormat;
  /** Maps the file's times onto the reference clock (null/undefined: the file is on the reference clock). */
  clock?: Clock | null;
}

export async function readTranscript(path: string, opts: ReadTranscriptOptions = {}): Promise<Utterance[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError(`cannot read transcript: ${why}`, { file: path });
  }
  // Praat's binary TextGrid ("Save as binary file") is not text: named, not "not UTF-8 (byte 0x..)".
  if (bytes.subarray(0, 12).toString('latin1') === 'ooBinaryFile')
    throw new InputError('a binary Praat file ("Save as binary file") is not read: in Praat, save the TextGrid with "Save as text file"', { file: path });
  const text = decodeTranscriptBytes(bytes, path);
  const format = opts.format ?? detectTranscriptFormat(path, text);
  return applyClock(parseTranscript(text, format, path), opts.clock ?? null);
}

/** The clock of a session's transcript per the rule above (null: already on the reference clock). */
export async function transcriptClock(session: ManifestSession, syncPath: string): Promise<Clock | null> {
  return columnClock(session, syncPath, 'transcript_clock');
}

/**
 * The clock a manifest column (`transcript_clock`, `labels_clock`) names: the audio stream (a silent file: the video stream) of that role's file mapped
 * by the session's sync.json (null: empty, 'reference' or the reference role, times already on the reference clock).
 */
export async function columnClock(session: ManifestSession, syncPath: string, column: 'transcript_clock' | 'labels_clock'): Promise<Clock | null> {
  const role = (session.meta[column] ?? '').trim();
  if (role === '' || role === 'reference' || role === session.ref_role) return null;
  const media = session.media.find((m) => m.role === role);
  if (!media) throw new InputError(`${column} '${role}' is not a media role of session ${session.session_id}`, { file: syncPath });
  // Without the sync stage (extract --only audio,face) there is no map: "cannot read sync map" did not say why.
  if (!existsSync(syncPath)) {
    const what = column === 'transcript_clock' ? 'the transcript was' : 'the ratings were';
    throw new InputError(`no sync map: ${column} '${role}' says ${what} timed on that role's clock, and only the sync stage's sync.json maps it onto the reference clock; run mmprep extract with the sync stage (--only sync is enough) for this session`, { file: syncPath });
  }
  return roleClock(syncPath, media.path, await syncMediaSha256(syncPath, role));
}

/**
 * The clock of a role's file in sync.json: its audio stream 0, or, for a file without sound (a silent camera, which
 * mmprep sync places by its flash), its video stream 0. A transcript or ratings timed while watching a silent camera
 * (`transcript_clock` video) were refused with "sync.json has no audio stream 0 of H_cam.mp4 … pass the sync map made
 * for this file's session" though that map was the session's (ttrial50 R2): the file's clock is its picture's.
 */
export async function roleClock(syncPath: string, mediaPath: string, knownSha256: string | null): Promise<Clock> {
  const map = await readSyncMap(syncPath);
  const dir = dirname(resolve(syncPath));
  const audio = findSyncEntry(map, dir, mediaPath, 'audio', 0, syncPath, knownSha256);
  const video = audio ? null : findSyncEntry(map, dir, mediaPath, 'video', 0, syncPath, knownSha256);
  const clock = await loadClock(syncPath, mediaPath, video ? 'video' : 'audio', 0, knownSha256);
  // A transcript of a file's sound (Whisper, which decodes it with ffmpeg; a WAV exported from it; a player) counts from
  // the sound's first sample, as the reference clock and the audio features do; sync.json's audio times are the file's
  // presentation times (its timeline: "decoded samples counted from the file start plus first_sample_s"). Unshifted, a
  // camera whose streams start at 1.378 s (MPEG-TS, an edit, -output_ts_offset) put transcript_clock 'video' records
  // 1.378 s early, exit 0, while the same transcript under an empty cell (that camera as reference) was right (ttrial55).
  // A silent camera's spans were timed watching it, from its first frame (a player's 0): its picture's start_time.
  const first = audio ? (typeof audio.first_sample_s === 'number' && Number.isFinite(audio.first_sample_s) ? audio.first_sample_s : 0) : await firstFrameS(mediaPath);
  return first === 0 ? clock : (t: number) => clock(t + first);
}

/**
 * The presentation time of a file's first video frame (ffprobe's start_time of video stream 0; 0 when ffprobe states
 * none). A file that cannot be probed fails the session naming it (probe's InputError), rather than being read as
 * starting at 0.
 */
async function firstFrameS(mediaPath: string): Promise<number> {
  const { probe, pickStream } = await import('../../media/probe.js');
  const t = pickStream(await probe(mediaPath), 'video', 0).start_time_s;
  return t !== null && Number.isFinite(t) ? t : 0;
}

/** The sha256 extract's meta.json (beside sync.json) records for the media file of `role` the sync map was made from. */
export async function syncMediaSha256(syncPath: string, role: string): Promise<string | null> {
  try {
    const meta = JSON.parse(await readFile(join(dirname(syncPath), 'meta.json'), 'utf8')) as { clock?: { sync_media?: Array<{ role: string; sha256: string }> } };
    return meta.clock?.sync_media?.find((m) => m.role === role)?.sha256 ?? null;
  } catch {
    return null;
  }
}

/** Reads a session's transcript (if any) onto the reference clock. */
export async function readSessionTranscript(session: ManifestSession, syncPath: string): Promise<Utterance[] | null> {
  if (!session.transcript) return null;
  return readTranscript(session.transcript, { clock: await transcriptClock(session, syncPath) });
}
