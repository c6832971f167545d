/**
 * How many CPUs this process may actually use: the smallest of its scheduler affinity (taskset, Slurm's CPU binding,
 * Kubernetes' static CPU manager), its cgroup's CPU quota (Kubernetes `limits.cpu`, Docker `--cpus`, Slurm's
 * task/cgroup), and `SLURM_CPUS_PER_TASK` (what the Slurm job asked for, which holds even when the node does not bind
 * tasks to CPUs). Node's os.availableParallelism() counts the affinity mask only (libuv's uv_available_parallelism), not
 * the quota nor the Slurm request; it is the fallback when /proc is not there (not Linux). Never less than 1.
 *
 * The files are read under `root` ('/' normally) so tests can hand in a fake /proc and /sys/fs/cgroup.
 * Quota rounding follows Go's automaxprocs (floor, at least 1): a 1.5-CPU quota runs 1 thread, not 2 throttled ones.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface CpuLimits {
  /** CPUs to size thread pools by. */
  cpus: number;
  /** Each limit found (null: none or unreadable), and which one decided. */
  affinity: number | null;
  cgroup_quota: number | null;
  slurm_cpus_per_task: number | null;
  decided_by: 'affinity' | 'cgroup_quota' | 'slurm_cpus_per_task' | 'os';
}

export interface CpuSources {
  /** Folder holding proc/ and sys/fs/cgroup/ ('/' by default). */
  root?: string;
  env?: NodeJS.ProcessEnv;
  /** Used when the affinity mask cannot be read (default os.availableParallelism()). */
  fallback?: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** CPUs in a list such as "0-3,8,10-11" (the kernel's cpulist format); null when malformed. */
export function countCpuList(list: string): number | null {
  let n = 0;
  for (const part of list.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return null;
    n += hi - lo + 1;
  }
  return n > 0 ? n : null;
}

/** Cpus_allowed_list of /proc/self/status (sched_getaffinity as the kernel prints it). */
export function affinityCpus(root = '/'): number | null {
  const status = readText(join(root, 'proc/self/status'));
  const m = status && /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status);
  return m ? countCpuList(m[1]) : null;
}

/** CPUs from one quota file's text: cgroup v2 "max 100000" / "200000 100000", or v1 quota and period. */
function quotaCpus(quota: number, period: number): number | null {
  if (!(quota > 0) || !(period > 0)) return null; // -1 (v1) or "max" (v2): no limit
  return Math.max(1, Math.floor(quota / period));
}

/** The folder and its parents up to the mount root: a limit set on any ancestor applies too. */
function withAncestors(mount: string, cgroupPath: string): string[] {
  const parts = cgroupPath.split('/').filter(Boolean);
  const dirs: string[] = [];
  for (let i = parts.length; i >= 0; i--) dirs.push(join(mount, ...parts.slice(0, i)));
  return dirs;
}

function minOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.min(...known) : null;
}

/**
 * The tightest CPU quota over this process's cgroup and its ancestors, v2 (cpu.max) or v1 (cpu.cfs_quota_us /
 * cpu.cfs_period_us), as listed by /proc/self/cgroup. Inside a container the cgroup path may not exist under the
 * mount (v1 without a cgroup namespace): the missing folders are skipped and the mount root, the container's own
 * cgroup, is read.
 */
export function cgroupQuotaCpus(root = '/'): number | null {
  const self = readText(join(root, 'proc/self/cgroup'));
  if (!self) return null;
  const found: Array<number | null> = [];
  for (const line of self.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, controllers, path] = m;
    if (id === '0' && controllers === '') {
      for (const d of withAncestors(join(root, 'sys/fs/cgroup'), path)) {
        const t = readText(join(d, 'cpu.max'))?.trim().split(/\s+/);
        if (t) found.push(quotaCpus(t[0] === 'max' ? -1 : Number(t[0]), Number(t[1] ?? 100000)));
      }
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
        for (const d of withAncestors(join(root, 'sys/fs/cgroup', mount), path)) {
          const q = readText(join(d, 'cpu.cfs_quota_us'));
          const p = readText(join(d, 'cpu.cfs_period_us'));
          if (q !== null && p !== null) found.push(quotaCpus(Number(q.trim()), Number(p.trim())));
        }
      }
    }
  }
  return minOf(found);
}

/** SLURM_CPUS_PER_TASK when it is a positive whole number. */
export function slurmCpusPerTask(env: NodeJS.ProcessEnv = process.env): number | null {
  const v = env.SLURM_CPUS_PER_TASK;
  if (v === undefined || !/^\s*\d+\s*$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 ? n : null;
}

export function cpuLimits(o: CpuSources = {}): CpuLimits {
  const root = o.root ?? '/';
  const affinity = affinityCpus(root);
  const cgroup_quota = cgroupQuotaCpus(root);
  const slurm_cpus_per_task = slurmCpusPerTask(o.env ?? process.env);
  let cpus = affinity ?? Math.max(1, o.fallback ?? availableParallelism());
  let decided_by: CpuLimits['decided_by'] = affinity === null ? 'os' : 'affinity';
  if (cgroup_quota !== null && cgroup_quota < cpus) [cpus, decided_by] = [cgroup_quota, 'cgroup_quota'];
  if (slurm_cpus_per_task !== null && slurm_cpus_per_task < cpus) [cpus, decided_by] = [slurm_cpus_per_task, 'slurm_cpus_per_task'];
  return { cpus: Math.max(1, cpus), affinity, cgroup_quota, slurm_cpus_per_task, decided_by };
}

/** The CPUs to size thread pools by (see cpuLimits). */
export function usableCpus(o: CpuSources = {}): number {
  return cpuLimits(o).cpus;
}
