/**
 * Speaker-disjoint, deterministic splits: a speaker's position in [0, 1) is the first 8 bytes of SHA-256("split:" +
 * speaker_id) read as an unsigned integer over 2^64; the split is the first whose cumulative fraction exceeds it.
 * The same speaker always lands in the same split, whatever else is in the manifest or how it is ordered
 * (like TensorFlow Datasets' deterministic hash-based splitting, keyed on the speaker rather than the example).
 */
import { createHash } from 'node:crypto';
import { InputError } from '../common/errors.js';

export interface SplitSpec {
  name: string;
  fraction: number;
}

export const DEFAULT_SPLIT = 'train=0.8,val=0.1,test=0.1';

export function parseSplits(text: string): SplitSpec[] {
  const out: SplitSpec[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*([0-9]*\.?[0-9]+)\s*$/.exec(part);
    if (!m) throw new InputError(`--split must look like train=0.8,val=0.1,test=0.1, got '${part.trim()}'`);
    if (out.some((s) => s.name === m[1])) throw new InputError(`--split: '${m[1]}' given twice`);
    // data-train-*.jsonl and data-Train-*.jsonl are one file on macOS and Windows: one split's records would overwrite the other's.
    const twin = out.find((s) => s.name.toLowerCase() === m[1].toLowerCase());
    if (twin) throw new InputError(`--split: '${m[1]}' and '${twin.name}' differ only in case, and their data files would be one file on macOS and Windows: name them apart`);
    out.push({ name: m[1], fraction: Number(m[2]) });
  }
  const total = out.reduce((a, s) => a + s.fraction, 0);
  if (Math.abs(total - 1) > 1e-6) throw new InputError(`--split fractions must add up to 1, got ${Number(total.toFixed(6))}`);
  return out;
}

export function speakerPosition(speakerId: string): number {
  const h = createHash('sha256').update('split:' + speakerId, 'utf8').digest();
  // 53 significant bits are all a double holds: hi 32 bits + 21 more.
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

export function splitOf(speakerId: string, specs: SplitSpec[]): string {
  const x = speakerPosition(speakerId);
  let acc = 0;
  for (const s of specs) {
    acc += s.fraction;
    if (x < acc) return s.name;
  }
  return specs[specs.length - 1].name;
}

/** What split grouping needs of a session: its speaker and its media files' paths and, when known (meta.json inputs[]), content hashes. */
export interface SplitSession {
  speaker_id: string;
  media: ReadonlyArray<{ path: string; sha256?: string }>;
}

/**
 * Split groups: speakers joined when their sessions share a media file (a copied row under another speaker id, one
 * room camera filming two speakers) by path or by content (the same sha256 under another path: a `cp` of a
 * recording), transitively (union-find). Returns, per speaker, the id that places its group:
 * the group's first speaker id in code-unit order. A speaker sharing no file is its own key, so manifests without
 * shared files split exactly as before; a group lands in one split, so one recording never spans two.
 */
export function splitKeys(sessions: readonly SplitSession[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const join = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb); // the smaller id stays the root
  };
  const fileOwner = new Map<string, string>();
  for (const s of sessions) if (!parent.has(s.speaker_id)) parent.set(s.speaker_id, s.speaker_id);
  for (const s of sessions) {
    for (const m of s.media) {
      for (const key of m.sha256 ? [m.path, `sha256:${m.sha256}`] : [m.path]) {
        const owner = fileOwner.get(key);
        if (owner === undefined) fileOwner.set(key, s.speaker_id);
        else join(owner, s.speaker_id);
      }
    }
  }
  return new Map([...parent.keys()].map((k) => [k, find(k)]));
}

/** The manifest column that gives each session's split (matched in any case). */
const SPLIT_COLUMN = 'split';

/** A session as the manifest split needs it. */
export interface ManifestSplitSession {
  session_id: string;
  speaker_id: string;
  line: number;
  meta: Record<string, string>;
}

/**
 * Each session's split from the manifest's own `split` column, or null when it has none. A trial (2026-12-06, W5) gave
 * a `split` column (test, train, train): the build ignored it and put its test session in train by the speaker hash,
 * exit 0. Refused (exit 2): with --split as well (two ways of splitting), an empty or ill-formed cell, names that
 * differ only in case, and a split group (splitKeys: a speaker, and speakers sharing a recording) given two splits.
 * The specs list the splits in order of first appearance, each with its share of the sessions.
 */
export function manifestSplits(file: string, sessions: readonly ManifestSplitSession[], keys: Map<string, string>, splitGiven: boolean): { bySession: Map<string, string>; specs: SplitSpec[] } | null {
  const col = (s: ManifestSplitSession) => Object.keys(s.meta).find((k) => k.toLowerCase() === SPLIT_COLUMN);
  const named = sessions.map(col).find((c) => c !== undefined);
  if (named === undefined) return null;
  if (splitGiven) throw new InputError(`the manifest has a '${named}' column and --split was given: the sessions' splits come from one of them; drop --split to use the column, or rename the column (meta_${named}) to split by speaker hash`, { file });
  const bySession = new Map<string, string>();
  const byGroup = new Map<string, { split: string; s: ManifestSplitSession }>();
  const names: string[] = [];
  for (const s of sessions) {
    const v = (s.meta[col(s) ?? named] ?? '').trim();
    if (!/^[A-Za-z][\w-]*$/.test(v)) throw new InputError(v === '' ? `session '${s.session_id}' has no split in column '${named}': give every session one (train, val, test, ...)` : `session '${s.session_id}': split '${v}' in column '${named}' is not a name (a letter, then letters, digits, '_' or '-')`, { file, line: s.line, column: named });
    const twin = names.find((n) => n !== v && n.toLowerCase() === v.toLowerCase());
    if (twin) throw new InputError(`session '${s.session_id}': split '${v}' and '${twin}' differ only in case, and their data files would be one file on macOS and Windows: write them alike`, { file, line: s.line, column: named });
    const key = keys.get(s.speaker_id) ?? s.speaker_id;
    const prev = byGroup.get(key);
    if (prev && prev.split !== v) {
      const who = prev.s.speaker_id === s.speaker_id ? `speaker '${s.speaker_id}'` : `speakers '${prev.s.speaker_id}' and '${s.speaker_id}' (they share a recording)`;
      throw new InputError(`session '${s.session_id}' is in split '${v}' but session '${prev.s.session_id}' (line ${prev.s.line}) of ${who} is in '${prev.split}': splits must be speaker-disjoint, or a test score measures speakers the model was trained on; put them in one split`, { file, line: s.line, column: named });
    }
    if (!prev) byGroup.set(key, { split: v, s });
    if (!names.includes(v)) names.push(v);
    bySession.set(s.session_id, v);
  }
  const specs = names.map((name) => ({ name, fraction: sessions.filter((s) => bySession.get(s.session_id) === name).length / sessions.length }));
  return { bySession, specs };
}

/** How far a split's share of the records may lie from its asked fraction before it is said: both 0.05 and a quarter of the fraction. */
export const SHARE_OFF_ABS = 0.05;
export const SHARE_OFF_REL = 0.25;

/**
 * One note when the hash split's shares of the records lie far from the asked fractions (a split with records off by
 * more than SHARE_OFF_ABS and SHARE_OFF_REL of its fraction; an empty split has its own warning): 24 actors gave train
 * 22, val 1, test 1 for 0.8/0.1/0.1 (val and test 4 % each), 8 actors numbered 1-8 gave 5/2/1 (val 25 %), and only
 * the counts table said so (ttrial59c). Not for a manifest's split column, whose shares are the user's own.
 */
export function splitShareNote(perSplit: Record<string, { records: number; speakers: number }>, asked: Record<string, number>): string | null {
  const total = Object.values(perSplit).reduce((a, v) => a + v.records, 0);
  if (total === 0) return null;
  const share = (k: string) => (perSplit[k]?.records ?? 0) / total;
  const off = Object.entries(asked).filter(([k, f]) => (perSplit[k]?.records ?? 0) > 0 && Math.abs(share(k) - f) > Math.max(SHARE_OFF_ABS, SHARE_OFF_REL * f));
  if (!off.length) return null;
  const speakers = Object.values(perSplit).reduce((a, v) => a + v.speakers, 0);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const shares = Object.keys(asked).map((k) => `${k} ${pct(share(k))} (asked ${pct(asked[k])}; ${perSplit[k]?.speakers ?? 0} speaker(s))`).join(', ');
  return `split shares of the records lie far from --split: ${shares}; a speaker's split comes from a hash of speaker_id, so with ${speakers} speakers the shares fall where the hash puts them: to choose them, give each session's split in a manifest column 'split' (every speaker in one split), or accept these`;
}
