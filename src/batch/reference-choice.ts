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

/** One warning line for the sessions whose default reference is a camera's sound beside a separate audio file (none when --ref-role was given). */
export function cameraReferenceNotes(file: string, sessions: readonly ManifestSession[], refRoleGiven: boolean): string[] {
  if (refRoleGiven) return [];
  const hits = sessions.flatMap((s) => {
    const p = cameraReference(s);
    return p ? [{ s, ...p }] : [];
  });
  if (hits.length === 0) return [];
  const { s, ref, own } = hits[0];
  const more = hits.length > 1 ? ` (and ${hits.length - 1} more session(s))` : '';
  return [
    `warning: ${file}:${s.line}: session '${s.session_id}' takes its reference clock and audio features from ${ref.role} ${ref.given}, a camera's sound (the first *_audio column is the default), while ${own.role} ${own.given} is a separate audio file${more}: a close microphone is usually the one to analyse; pass --ref-role ${own.role} (or put that column first) to use it`,
  ];
}
