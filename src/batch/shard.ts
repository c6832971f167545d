/**
 * `--shard K/N`: a deterministic share of a manifest's sessions, by a stable hash of session_id (the first 4 bytes of
 * its SHA-256 as a big-endian uint32, modulo N), so N machines (a Kubernetes Indexed Job, a Slurm job array) each
 * take a disjoint share whose union is the whole manifest, whatever the order of its rows. K is 0-based (0..N-1), as
 * Kubernetes' JOB_COMPLETION_INDEX and `sbatch --array=0-(N-1)` give it.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../common/errors.js';

export const MAX_SHARDS = 2 ** 32;

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(`--shard must look like K/N (for example 0/4), got '${text}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InputError(`--shard ${text}: N must be at least 1`);
  // The hash is 32 bits: shards from 2^32 on would always be empty (and numbers past 2^53 were rounded, echoed changed).
  if (count > MAX_SHARDS) throw new InputError(`--shard ${text}: N must be at most ${MAX_SHARDS} (sessions are split by a 32-bit hash of session_id)`);
  if (index >= count) throw new InputError(`--shard ${text}: K is 0-based and must be below N (0..${count - 1})`);
  return { index, count };
}

export function shardHash(sessionId: string): number {
  return createHash('sha256').update(sessionId, 'utf8').digest().readUInt32BE(0);
}

export function shardOf(sessionId: string, count: number): number {
  return shardHash(sessionId) % count;
}

export function inShard(sessionId: string, shard: Shard | null | undefined): boolean {
  return !shard || shardOf(sessionId, shard.count) === shard.index;
}

export function selectShard<T extends { session_id: string }>(items: readonly T[], shard: Shard | null | undefined): T[] {
  return items.filter((s) => inShard(s.session_id, shard));
}
