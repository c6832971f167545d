/**
 * The sync warnings a release keeps per session: those of the session's sync.json (streams[].warnings, as `mmprep
 * sync` and `extract` printed them) that say a stream's placement is less sure than its confidence reads, or may be of
 * another session. Until 2026-12-05 they stayed in the extract folder: a release read `quality.sync_confidence` 0.992
 * for a camera of another session placed by its own beep (`content_mismatch`) and 0.999 for a picture placed on its
 * sound's clock with an sd of 29 ms (`camera_clock_shared`, `offset_uncertain`), with no word in the card or
 * manifest.json (a trial's report). A sound placed by its pulse alone, its content too short to check against the
 * session's other sound (`content_unchecked`: a 10 s session's camera of another session, trial 2026-12-05), too; and a
 * picture placed by two flashes that both lie over 50 ms from its sound (`av_skew`, since session 59: a real skew, or
 * both flashes misread alike).
 */
import { basename } from 'node:path';
import type { SyncMap } from '../sync/clock.js';

/**
 * docs/sync.md's warnings table: a placement that may be off by more than its target, or of another session.
 * `av_skew` (since 2026-12-08, tuser59): a picture placed by its flashes 50 ms-1 s from its own file's sound, as a
 * Zoom/Bluetooth delay is; had the recording no such delay (both flashes misread alike), the face lies that far off
 * its sound, and a release of such a session said nothing (the warning stayed in the extract folder).
 * `content_lag` (since 2026-12-08): a stream placed by its content lies at the talkers' lag, not the beep's, ±8.75 ms
 * (sd) and up to 13 ms off where talkers and loudspeaker stand apart (docs/sync.md "Known limits"); a release whose
 * face features came from a camera so placed said nothing of it.
 * `continuity_unchecked` (since 2026-12-08, tuser62): a sound placed at its start (--ends start) whose end window was
 * not read against the reference (after the lav's end, or no clear sound there though its start shares it), so a
 * pause or cut there would leave the rest off unseen (docs/sync.md "Continuity check"); extract said it, the release
 * did not (a 10 s session with another session's camera whose start shared sound with the lav: valid, exit 0, no word).
 */
const KEPT = new Set(['content_mismatch', 'content_unchecked', 'content_lag', 'continuity_unchecked', 'offset_uncertain', 'camera_clock_shared', 'forced_pick', 'drift_uncertain', 'drift_unmeasured', 'container_lag', 'picture_own_clock', 'picture_drift_assumed', 'av_skew']);

/**
 * Warnings about a pair of files, not the stream they sit on: `content_mismatch`/`content_unchecked` sit on the stream
 * the check was run for, but say its content and that of the stream it was placed from (`placed_from`) were not shown
 * to be one session's. Kept when either file of the pair is a source of the release: an audio-only release from a row
 * whose lav was another session's lost the camera stream's content_unchecked, though the lav was the suspect (ttrial47 W7).
 */
const PAIR = new Set(['content_mismatch', 'content_unchecked']);

/**
 * One per kept warning, its code and line: `sync: <file> <kind> stream <n>: <code>: <message>`, for the streams of the files whose
 * features the release carries (`sourceFiles`, meta.json `sources`, compared by base name: a picture's warning is
 * noise in a release built without face features), or for a pair warning (PAIR) of either file of the pair; every
 * stream when that is not known (null).
 */
export function syncMapWarnings(map: SyncMap | null, sourceFiles: readonly string[] | null = null): Array<{ code: string; message: string }> {
  if (!map) return [];
  const used = sourceFiles && new Set(sourceFiles.map((f) => basename(f)));
  const out: Array<{ code: string; message: string }> = [];
  for (const s of map.streams) {
    const warnings = (s as { warnings?: unknown }).warnings;
    if (!Array.isArray(warnings)) continue;
    const from = (s as { placed_from?: { file?: unknown } }).placed_from?.file;
    const ownUsed = !used || used.has(basename(s.file));
    const pairUsed = ownUsed || (used !== null && typeof from === 'string' && used.has(basename(from)));
    for (const w of warnings as Array<{ code?: unknown; message?: unknown }>) {
      if (typeof w?.code !== 'string' || !KEPT.has(w.code)) continue;
      if (PAIR.has(w.code) ? pairUsed : ownUsed) out.push({ code: w.code, message: `sync: ${basename(s.file)} ${s.kind} stream ${s.stream ?? 0}: ${w.code}: ${String(w.message ?? '')}` });
    }
  }
  return out;
}
