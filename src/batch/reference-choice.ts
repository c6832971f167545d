/**
 * A warning when the default reference role (the first non-empty `*_audio` column, src/batch/manifest.ts) names a
 * camera's file while the session has a separate audio file under a later `*_audio` role: the audio stage then
 * analyses the camera's distant microphone and the close (lav) microphone only syncs (trial 2026-12-03 item 3: README's
 * own `video,camera_audio,lav_audio` example did that without a word). The default is kept (changing it would change
 * existing users' sync.json and features); the line names both files and the option to choose.
 */
import type { ManifestMedia, ManifestSession } from './manifest.js';

/** Containers that hold pictures: a file of these (or a video role's file) under an *_audio role is a camera's sound. */
const VIDEO_EXT = /\.(mp4|m4v|mov|mkv|avi|webm|mts|m2ts|mpg|mpeg|3gp)$/i;

function isCameraFile(s: ManifestSession, m: ManifestMedia): boolean {
  return VIDEO_EXT.test(m.path) || s.media.some((v) => v.kind === 'video' && v.path === m.path);
}

/** The session's (reference, separate audio file) pair when its reference audio is a camera's file and another audio role is not. */
function cameraReference(s: ManifestSession): { ref: ManifestMedia; own: ManifestMedia } | null {
  const ref = s.media.find((m) => m.role === s.ref_role && m.kind === 'audio');
  if (!ref || !isCameraFile(s, ref)) return null;
  const own = s.media.find((m) => m.kind === 'audio' && m !== ref && !isCameraFile(s, m));
  return own ? { ref, own } : null;
}

/** Words of a role's name that say it is a close microphone (`lav_audio`, `headset_audio`, `Lapel_Audio`). */
const CLOSE_MIC_WORDS = new Set(['lav', 'lavalier', 'lavaliere', 'lapel', 'headset', 'close', 'bodypack', 'clipon']);

function namedCloseMic(role: string): boolean {
  return role.toLowerCase().split(/[^a-z0-9]+/).some((w) => CLOSE_MIC_WORDS.has(w));
}

/**
 * The session's (reference, close microphone) pair when its reference is a separate audio file whose role is not named
 * like a close microphone and a later audio role is (`room_audio,lav_audio`): a new user's trial (2026-12-06, W13) put
 * a room recorder first, and the transcript and labels, timed on the lav, read 0.62 s off with no word.
 */
function roomReference(s: ManifestSession): { ref: ManifestMedia; own: ManifestMedia } | null {
  const ref = s.media.find((m) => m.role === s.ref_role && m.kind === 'audio');
  if (!ref || isCameraFile(s, ref) || namedCloseMic(ref.role)) return null;
  const own = s.media.find((m) => m.kind === 'audio' && m !== ref && !isCameraFile(s, m) && namedCloseMic(m.role));
  return own ? { ref, own } : null;
}

/** Warning lines for sessions whose default reference is a camera's sound beside a separate audio file, or a room recorder beside a role named like a close microphone (none when --ref-role was given). */
export function referenceRoleNotes(file: string, sessions: readonly ManifestSession[], refRoleGiven: boolean): string[] {
  if (refRoleGiven) return [];
  const hits = sessions.flatMap((s) => {
    const p = cameraReference(s);
    return p ? [{ s, ...p }] : [];
  });
  const out: string[] = [];
  if (hits.length > 0) {
    const { s, ref, own } = hits[0];
    const more = hits.length > 1 ? ` (and ${hits.length - 1} more session(s))` : '';
    out.push(
      `warning: ${file}:${s.line}: session '${s.session_id}' takes its reference clock and audio features from ${ref.role} ${ref.given}, a camera's sound (the first *_audio column is the default), while ${own.role} ${own.given} is a separate audio file${more}: a close microphone is usually the one to analyse; pass --ref-role ${own.role} (or put that column first) to use it`,
    );
  }
  const rooms = sessions.flatMap((s) => {
    const p = hits.some((h) => h.s === s) ? null : roomReference(s);
    return p ? [{ s, ...p }] : [];
  });
  if (rooms.length > 0) {
    const { s, ref, own } = rooms[0];
    const more = rooms.length > 1 ? ` (and ${rooms.length - 1} more session(s))` : '';
    out.push(
      `warning: ${file}:${s.line}: session '${s.session_id}' takes its reference clock and audio features from ${ref.role} ${ref.given} (the first *_audio column is the default), while ${own.role} ${own.given} is named like a close microphone${more}: the features are then of ${ref.role}'s sound, and every time (transcript, labels, records) is on its clock; pass --ref-role ${own.role} (or put that column first) if the lav is the one meant`,
    );
  }
  return out;
}
