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
