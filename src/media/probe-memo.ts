/**
 * What ffprobe said of a file, kept for the rest of the process by the file's identity: its resolved path, device,
 * inode, size, and modification and status-change times in nanoseconds (fs.stat with bigint). A file written again
 * (in place, even at the same size) or replaced (a rename over it: another inode) has another identity and is read
 * again. Build tools trust a file's stat the same way: make compares modification times, and git's index keeps
 * dev, ino, size, mtime and ctime to tell a file unchanged without reading it (git's Documentation/technical/
 * index-format.txt).
 *
 * Each start of a distribution's ffprobe costs ~0.15 CPU s before it reads a byte (docs/benchmarks-history.md); one
 * `mmprep extract` read a file twice when a stage asked again, and a test worker (vitest's isolate: false) read the
 * same fixture in file after file. The memo holds the promise, so concurrent callers share one run; a run that fails
 * is not kept (the next caller starts ffprobe again and gets its own error). Bounded: the latest `keep` identities.
 *
 * A file changed again within its filesystem's timestamp tick keeps its times (FAT's tick is 2 s, ext3's and HFS+'s
 * 1 s, ext4's or tmpfs's a kernel clock tick, 1-10 ms): git's "racy git" (Documentation/technical/racy-git.txt), where
 * git reads such an entry's content again. Here what is read of a file changed less than a tick's bound before it is
 * not kept: 2 s for times in whole seconds (a filesystem of coarse times), else 50 ms.
 */
import { stat } from 'node:fs/promises';
import { ffmpegBinaries } from './ffmpeg-path.js';

/** A file's identity as the memos key it (see the module comment), its size, and whether it changed too recently to keep. */
export interface FileIdentity {
  key: string;
  size: number;
  racy: boolean;
}

const SECOND_NS = 1_000_000_000n;

/**
 * Whether a file last changed at `changedNs` (its later of mtime and ctime) may change again with the same times
 * (see the module comment): changed less than a tick's bound ago, or in the future (a clock set back).
 */
export function racy(changedNs: bigint, nowNs = BigInt(Date.now()) * 1_000_000n): boolean {
  const bound = changedNs % SECOND_NS === 0n ? 2n * SECOND_NS : 50_000_000n;
  return nowNs - changedNs < bound;
}

/** The identity of the file at `abs` (an absolute path); the ffprobe that reads it is part of the key. */
export async function fileIdentity(abs: string): Promise<FileIdentity> {
  const st = await stat(abs, { bigint: true });
  const key = [abs, st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs, ffmpegBinaries().ffprobe.path].join('\0');
  return { key, size: Number(st.size), racy: racy(st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) };
}

/** A bounded map from file identity to the promise of what was read: the latest `keep` entries, rejected ones dropped. */
export class IdentityMemo<T> {
  private readonly held = new Map<string, Promise<T>>();

  constructor(private readonly keep: number) {}

  /** The promise kept for the identity (moved to the newest end), else `read()`'s, kept (see set). */
  once(id: FileIdentity, read: () => Promise<T>): Promise<T> {
    const hit = this.held.get(id.key);
    if (hit) {
      this.held.delete(id.key);
      this.held.set(id.key, hit);
      return hit;
    }
    const p = read();
    this.set(id, p);
    return p;
  }

  /** Keeps `p` for the identity (a read made elsewhere that answers this memo too), unless the file is racy. */
  set(id: FileIdentity, p: Promise<T>): void {
    const { key } = id;
    if (id.racy) return;
    this.held.delete(key);
    this.held.set(key, p);
    p.catch(() => {
      if (this.held.get(key) === p) this.held.delete(key);
    });
    while (this.held.size > this.keep) this.held.delete(this.held.keys().next().value as string);
  }
}
