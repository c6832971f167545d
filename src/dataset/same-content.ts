/**
 * Warnings for media files with the same content (sha256, from each session's meta.json inputs[]) under different
 * paths in different sessions: a recording copied under another name (trial 2026-12-03 item 1: `cp` of session A's
 * camera and lav into another folder, row under another speaker, went to test while A went to train, exit 0, no word).
 * dataset build groups such sessions in one split (splits.ts splitKeys); these notes say so, like the manifest reader's
 * notes for a file shared by path (src/batch/manifest-shared.ts).
 */
import type { ManifestSession } from '../batch/manifest.js';
import type { MediaHashes } from './feature-check.js';

interface Use {
  s: ManifestSession;
  given: string;
  path: string;
}

/** Media uses by sha256, in manifest order. */
function usesByContent(sessions: readonly ManifestSession[], hashes: MediaHashes): Map<string, Use[]> {
  const out = new Map<string, Use[]>();
  for (const s of sessions)
    for (const m of s.media) {
      const sha = hashes.get(s.session_id)?.get(m.role);
      if (sha) out.set(sha, [...(out.get(sha) ?? []), { s, given: m.given, path: m.path }]);
    }
  return out;
}

/** One note per later use of a file whose content an earlier session's file under another path has (at most 3 spelled out, then a count). */
export function sameContentNotes(file: string, sessions: readonly ManifestSession[], hashes: MediaHashes): string[] {
  const found: string[] = [];
  for (const [sha, uses] of usesByContent(sessions, hashes)) {
    const first = uses[0];
    for (const u of uses.slice(1)) {
      if (u.path === first.path || u.s === first.s) continue; // a shared path is warned about by the manifest reader
      found.push(
        `warning: ${file}:${u.s.line}: session '${u.s.session_id}' (speaker '${u.s.speaker_id}') file ${u.given} has the same content (sha256 ${sha.slice(0, 12)}…) as session '${first.s.session_id}' (line ${first.s.line}, speaker '${first.s.speaker_id}') file ${first.given}: a copy of one recording? dataset build keeps these sessions, with their speakers' other sessions, in one split (give the row its own recordings or remove it)`,
      );
    }
  }
  const notes = found.slice(0, 3);
  if (found.length > 3) notes.push(`warning: ${file}: ${found.length - 3} more media file(s) have the same content as another session's file under another path`);
  return notes;
}
