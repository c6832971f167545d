/**
 * The CPUs mmprep sizes its thread pools by (src/common/cpus.ts), read from fake /proc and /sys/fs/cgroup trees laid
 * out as the kernel does (cgroup v2 and v1, a container whose cgroup path is not under the mount, nested limits), plus
 * SLURM_CPUS_PER_TASK; and, through the command line, that `mmprep extract` sizes --jobs and face threads by it.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affinityCpus, cgroupQuotaCpus, countCpuList, cpuLimits, slurmCpusPerTask } from '../src/common/cpus.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
let n = 0;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-cpus-')));
afterAll(() => cleanup());

/** A fake root with these files (path relative to the root -> content). */
function fakeRoot(files: Record<string, string>): string {
  const root = join(dir, `root${n++}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const status = (list: string) => `Name:\tnode\nCpus_allowed:\tffff\nCpus_allowed_list:\t${list}\nMems_allowed_list:\t0\n`;

describe('usable CPUs', () => {
  it('counts a kernel cpulist', () => {
    expect(countCpuList('0-63')).toBe(64);
    expect(countCpuList('0-3,8,10-11')).toBe(7);
    expect(countCpuList('5')).toBe(1);
    expect(countCpuList('3-1')).toBeNull();
    expect(countCpuList('')).toBeNull();
  });

  it('reads the affinity mask from /proc/self/status', () => {
    expect(affinityCpus(fakeRoot({ 'proc/self/status': status('0-1,4-5') }))).toBe(4);
    expect(affinityCpus(fakeRoot({}))).toBeNull();
  });

  it('cgroup v2: the tightest cpu.max of the cgroup and its ancestors; "max" is no limit', () => {
    const root = fakeRoot({
      'proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      'sys/fs/cgroup/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/kubepods/cpu.max': 'max 100000\n',
      'sys/fs/cgroup/kubepods/pod1/cpu.max': '600000 100000\n',
      'sys/fs/cgroup/kubepods/pod1/ctr/cpu.max': '400000 100000\n',
    });
    expect(cgroupQuotaCpus(root)).toBe(4);
    const parent = fakeRoot({ 'proc/self/cgroup': '0::/a/b\n', 'sys/fs/cgroup/a/cpu.max': '200000 100000\n', 'sys/fs/cgroup/a/b/cpu.max': 'max 100000\n' });
    expect(cgroupQuotaCpus(parent)).toBe(2);
    // 1.5 CPUs: one thread (floor, at least 1), as Go's automaxprocs does.
    expect(cgroupQuotaCpus(fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1);
    expect(cgroupQuotaCpus(fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': '50000 100000\n' }))).toBe(1);
    expect(cgroupQuotaCpus(fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeNull();
  });

  it('cgroup v1: cpu.cfs_quota_us / cpu.cfs_period_us under the cpu controller mount; -1 is no limit', () => {
    const v1 = fakeRoot({
      'proc/self/cgroup': '12:memory:/slurm/uid_0/job_7\n4:cpu,cpuacct:/slurm/uid_0/job_7\n0::/\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
      'sys/fs/cgroup/cpu,cpuacct/slurm/uid_0/job_7/cpu.cfs_quota_us': '300000\n',
      'sys/fs/cgroup/cpu,cpuacct/slurm/uid_0/job_7/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupQuotaCpus(v1)).toBe(3);
    // A container without a cgroup namespace: /proc/self/cgroup names the host's path, the mount is the container's own.
    const docker = fakeRoot({
      'proc/self/cgroup': '3:cpu:/docker/0123abcd\n',
      'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '200000\n',
      'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupQuotaCpus(docker)).toBe(2);
    const none = fakeRoot({ 'proc/self/cgroup': '1:cpu:/\n', 'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n', 'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n' });
    expect(cgroupQuotaCpus(none)).toBeNull();
  });

  it('SLURM_CPUS_PER_TASK when a positive whole number', () => {
    expect(slurmCpusPerTask({ SLURM_CPUS_PER_TASK: '4' })).toBe(4);
    expect(slurmCpusPerTask({})).toBeNull();
    expect(slurmCpusPerTask({ SLURM_CPUS_PER_TASK: '0' })).toBeNull();
    expect(slurmCpusPerTask({ SLURM_CPUS_PER_TASK: 'x' })).toBeNull();
  });

  it('takes the smallest limit, says which one decided, and falls back to the OS count without /proc', () => {
    const files = {
      'proc/self/status': status('0-63'),
      'proc/self/cgroup': '0::/job\n',
      'sys/fs/cgroup/job/cpu.max': '800000 100000\n',
    };
    expect(cpuLimits({ root: fakeRoot(files), env: {} })).toEqual({ cpus: 8, affinity: 64, cgroup_quota: 8, slurm_cpus_per_task: null, decided_by: 'cgroup_quota' });
    expect(cpuLimits({ root: fakeRoot(files), env: { SLURM_CPUS_PER_TASK: '4' } })).toMatchObject({ cpus: 4, decided_by: 'slurm_cpus_per_task' });
    expect(cpuLimits({ root: fakeRoot({ 'proc/self/status': status('2-3') }), env: { SLURM_CPUS_PER_TASK: '16' } })).toMatchObject({ cpus: 2, decided_by: 'affinity' });
    expect(cpuLimits({ root: fakeRoot({}), env: {}, fallback: 6 })).toEqual({ cpus: 6, affinity: null, cgroup_quota: null, slurm_cpus_per_task: null, decided_by: 'os' });
    expect(cpuLimits({ root: fakeRoot({}), env: { SLURM_CPUS_PER_TASK: '3' }, fallback: 6 })).toMatchObject({ cpus: 3 });
  });

  it('mmprep extract sizes --jobs and face threads by the Slurm request, not the machine', async () => {
    const m = join(dir, 'manifest.csv');
    for (const s of ['s01', 's02']) copyFileSync(join(FIXTURES, 'demo', `${s}_lav.flac`), join(dir, `${s}_lav.flac`));
    writeFileSync(m, 'session_id,speaker_id,lav_audio\ns01,a,s01_lav.flac\ns02,b,s02_lav.flac\n');
    const r = await runCli(['extract', m, '-o', join(dir, 'out'), '--only', 'sync', '--progress', 'none'], { env: { SLURM_CPUS_PER_TASK: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sessions: 2, jobs: 1, face_workers: 1 });
    // --jobs given: face threads are what is left of the request (1 CPU / 1 job), whatever the machine has.
    const j = await runCli(['extract', m, '-o', join(dir, 'out2'), '--only', 'sync', '--progress', 'none', '--jobs', '1'], { env: { SLURM_CPUS_PER_TASK: '1' } });
    expect(JSON.parse(j.stdout)).toMatchObject({ jobs: 1, face_workers: 1 });
  });
});
