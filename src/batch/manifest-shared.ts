/**
 * Checks across a manifest's sessions that protect dataset build's speaker-disjoint splits, said as warnings (notes):
 * a row copied under another session id (every media file the same as another session's), a file shared by sessions
 * of different speakers (one room camera for a dyad, or a copy-paste slip), and speaker ids that differ only in case,
 * spaces, '-' or '_'. dataset build keeps sessions that share a file in one split with their speakers (src/dataset/
 * splits.ts splitKeys), which moves speakers from their own split; speaker id variants it cannot join, so one person
 * could land in both train and test. Not refused: benchmarks and tests reuse one recording under many session ids.
 */
import { relative } from 'node:path';
import { spellingGroups } from '../agreement/variants.js';
import type { ManifestSession } from './manifest.js';

/** `role=path` pairs of a session, sorted: two sessions with the same key have the same media. */
function mediaKey(s: ManifestSession): string {
  return s.media
    .map((m) => `${m.role}=${m.path}`)
    .sort()
    .join('\n');
}

/** A warning per session whose media files are all those of an earlier session (same roles, same paths); those sessions. */
export function copiedRowNotes(file: string, sessions: readonly ManifestSession[]): { notes: string[]; copies: Set<ManifestSession> } {
  const first = new Map<string, ManifestSession>();
  const notes: string[] = [];
  const copies = new Set<ManifestSession>();
  for (const s of sessions) {
    if (s.media.length === 0) continue;
    const key = mediaKey(s);
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, s);
      continue;
    }
    copies.add(s);
    if (notes.length < 3) notes.push(`warning: ${file}:${s.line}: session '${s.session_id}' has the same media files as session '${earlier.session_id}' (line ${earlier.line}): a copied row? dataset build keeps both, with their speakers' other sessions, in one split (give it its own recordings or remove the row)`);
  }
  if (copies.size > 3) notes.push(`warning: ${file}: ${copies.size - 3} more session(s) have the same media files as an earlier session`);
  return { notes, copies };
}

/** The sessions (those in `skip`, copied rows, left out) using each media file, by path. */
function mediaUsers(sessions: readonly ManifestSession[], skip: ReadonlySet<ManifestSession>): Map<string, ManifestSession[]> {
  const users = new Map<string, ManifestSession[]>();
  for (const s of sessions) {
    if (skip.has(s)) continue;
    for (const p of new Set(s.media.map((m) => m.path))) users.set(p, [...(users.get(p) ?? []), s]);
  }
  return users;
}

/**
 * One note per media file used by several sessions of one speaker whose other files differ (a cell pointing at
 * another session's recording: trial8 item 4, session a08's camera cell naming a01's file gave a08 the face of a01,
 * exit 0, not a word, where the same slip across two speakers was warned about). At most 3 spelled out, then a count.
 */
export function sameSpeakerMediaNotes(file: string, base: string, sessions: readonly ManifestSession[], skip: ReadonlySet<ManifestSession>): string[] {
  const shared = [...mediaUsers(sessions, skip)].filter(([, ss]) => ss.length > 1 && new Set(ss.map((s) => s.speaker_id)).size === 1);
  const notes = shared.slice(0, 3).map(([path, ss]) => {
    const who = ss.map((s) => `'${s.session_id}' (line ${s.line})`).join(', ');
    return `warning: ${file}: ${relative(base, path) || path} is used by ${ss.length} sessions of speaker '${ss[0].speaker_id}' with different other files: ${who}; each session's features are made from it (a cell pointing at another session's recording? correct the row)`;
  });
  if (shared.length > 3) notes.push(`warning: ${file}: ${shared.length - 3} more media file(s) are used by several sessions of one speaker`);
  return notes;
}

/** One note per media file used by sessions of more than one speaker (sessions in `skip`, copied rows, left out) (at most 3 spelled out, then a count). */
export function sharedMediaNotes(file: string, base: string, sessions: readonly ManifestSession[], skip: ReadonlySet<ManifestSession>): string[] {
  const shared = [...mediaUsers(sessions, skip)].filter(([, ss]) => new Set(ss.map((s) => s.speaker_id)).size > 1);
  const notes = shared.slice(0, 3).map(([path, ss]) => {
    const who = ss.map((s) => `'${s.session_id}' (line ${s.line}, speaker '${s.speaker_id}')`).join(', ');
    const video = ss.some((s) => s.media.some((m) => m.kind === 'video' && m.path === path));
    const face = video ? `; the face stage does not analyse it for them, as which face is whose is not known (it would give each the same, largest face): crop the picture per speaker (ffmpeg -i IN -vf crop=W:H:X:Y OUT) and give each row its own file` : '';
    return `warning: ${file}: ${relative(base, path) || path} is used by sessions of different speakers: ${who}; dataset build keeps these sessions, with their speakers' other sessions, in one split (fine for one camera or room microphone recording two speakers; otherwise correct the row)${face}`;
  });
  if (shared.length > 3) notes.push(`warning: ${file}: ${shared.length - 3} more media file(s) are used by sessions of different speakers`);
  return notes;
}

/**
 * One note per transcript file named by several sessions (copied rows, in `skip`, left out: already warned). Each
 * session gets that file's words on its own timeline: exit 0 and no word before (trial29 SILENT-4), where a shared
 * media file was warned about. At most 3 spelled out, then a count.
 */
export function sharedTranscriptNotes(file: string, base: string, sessions: readonly ManifestSession[], skip: ReadonlySet<ManifestSession>): string[] {
  const users = new Map<string, ManifestSession[]>();
  for (const s of sessions) if (s.transcript && !skip.has(s)) users.set(s.transcript, [...(users.get(s.transcript) ?? []), s]);
  const shared = [...users].filter(([, ss]) => ss.length > 1);
  const notes = shared.slice(0, 3).map(([path, ss]) => {
    const who = ss.map((s) => `'${s.session_id}' (line ${s.line})`).join(', ');
    return `warning: ${file}: ${relative(base, path) || path} is the transcript of ${ss.length} sessions: ${who}; each session's records get its words on that session's own recording (a copied cell? give each session its own transcript)`;
  });
  if (shared.length > 3) notes.push(`warning: ${file}: ${shared.length - 3} more transcript file(s) are named by several sessions`);
  return notes;
}

/** A note naming speaker ids that differ only in case, spaces, '-', '_' or a number's leading zeros ('actor1', 'actor01':
 *  spellingKey), which dataset build counts as different people; the line named the zeros since ttrial59c. */
export function speakerSpellingNotes(file: string, sessions: readonly ManifestSession[]): string[] {
  const names = [...new Set(sessions.map((s) => s.speaker_id))];
  const uses = names.map((n) => sessions.filter((s) => s.speaker_id === n).length);
  const groups = spellingGroups(names, uses);
  if (groups.length === 0) return [];
  const shown = groups
    .slice(0, 3)
    .map((g) => g.map((v) => `'${v.name}' (${v.uses} session${v.uses === 1 ? '' : 's'})`).join(', '))
    .join('; ');
  const more = groups.length > 3 ? `, and ${groups.length - 3} more group(s)` : '';
  return [
    `warning: ${file}: speaker ids that differ only in case, spaces, '-', '_' or a number's leading zeros are counted as different speakers: ${shown}${more}; dataset build splits by speaker, so one person can land in two splits (if they are one speaker, write one spelling)`,
  ];
}

/**
 * One note when the audio stage would take its sound from different roles across the sessions (`audioRole`: the role
 * it analyses, null when none): a lav for most, the camera's own sound where the lav cell is empty. It used to pass
 * without a word at extract (exit 0); dataset build names the mix only later, in its card (src/dataset/made-by-mix.ts).
 */
export function audioRoleMixNotes(file: string, sessions: readonly ManifestSession[], audioRole: (s: ManifestSession) => string | null): string[] {
  const groups = new Map<string, ManifestSession[]>();
  for (const s of sessions) {
    const role = audioRole(s);
    if (role !== null) groups.set(role, [...(groups.get(role) ?? []), s]);
  }
  if (groups.size < 2) return [];
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
  const ways = sorted.map(([role, ss], i) => {
    const what = `${ss.length} session${ss.length === 1 ? '' : 's'} from ${role}`;
    if (i === 0) return what;
    const named = ss.slice(0, 3).map((s) => `'${s.session_id}' line ${s.line}`);
    return `${what} (${named.join(', ')}${ss.length > 3 ? `, and ${ss.length - 3} more` : ''})`;
  });
  return [
    `warning: ${file}: the audio stage takes its sound from different roles: ${ways.join(', ')}; a camera's microphone at a distance and a close lavalier give features that are not comparable (levels, MFCCs, voicing), and the records do not say which: fill the empty cells if those recordings exist, or extract and build those sessions apart`,
  ];
}

/**
 * Marks each session whose video file is also the video of another speaker's session (sessions in `skip`, copied
 * rows, left out): one camera filming a dyad. The face stage gave each of them the same primary (largest) face, one of
 * them the other person's, exit 0 (a new user's trial, 2026-12-06, W9); it now says why it does not analyse it.
 */
export function markSharedVideos(sessions: readonly ManifestSession[], skip: ReadonlySet<ManifestSession>): void {
  for (const [path, ss] of mediaUsers(sessions, skip)) {
    const users = ss.filter((s) => s.media.some((m) => m.kind === 'video' && m.path === path));
    if (new Set(users.map((s) => s.speaker_id)).size < 2) continue;
    for (const s of users) s.video_shared_with = users.filter((o) => o.speaker_id !== s.speaker_id).map((o) => `'${o.session_id}' (speaker '${o.speaker_id}')`);
  }
}

/**
 * One note for the sessions with more than one video role (`video`, `side_video`): the face stage analyses the first
 * alone, the others are synced only (a new user's trial, 2026-12-06, M2: a side camera synced and never analysed, no
 * word, while a media column of any other unknown name is refused as "media that would otherwise go unanalysed").
 */
export function extraVideoNotes(file: string, sessions: readonly ManifestSession[]): string[] {
  const hits = sessions.filter((s) => s.media.filter((m) => m.kind === 'video').length > 1);
  if (hits.length === 0) return [];
  const s = hits[0];
  const [first, ...rest] = s.media.filter((m) => m.kind === 'video');
  const more = hits.length > 1 ? ` (and ${hits.length - 1} more session(s))` : '';
  return [
    `warning: ${file}:${s.line}: session '${s.session_id}' has ${rest.length + 1} video roles${more}: the face stage analyses the first, ${first.role}, alone; ${rest.map((m) => m.role).join(', ')} ${rest.length > 1 ? 'are' : 'is'} synced but not face-analysed (to analyse one, give it its own session row, or run mmprep face on it)`,
  ];
}
