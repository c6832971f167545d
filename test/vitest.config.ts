import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { FACE_MODELS, OWN_PROCESS } from './own-process.js';

/** Where a project's files go in the run: own-process first, then face-models, then shared (see AcrossProjects). */
const PROJECT_ORDER = ['own-process', 'face-models', 'shared'];

/**
 * The files project by project (PROJECT_ORDER), longest first within each (vitest's own order: by the last run's
 * durations, else by file size). vitest's pool keeps a worker process for the next file only when the file at the
 * head of its queue is of the same project; otherwise it ends that worker and starts another (vitest 4, cli-api.js,
 * Pool.schedule and isEqualRunner). Sorted by size across projects (until 2026-12-04) the 10 face-models and 10
 * own-process files sat among the shared ones, 40 changes of project in the queue: replaying that CI run's file
 * durations (e16aefc) through the pool's rule, 39 worker processes started, each a Node start, vitest's runner and
 * mmprep's (or tfjs and Human's) modules again; 14 in this order. 38 short files (3 of each of the two other projects):
 * 14 worker processes and 50.8 / 50.6 CPU s before, 7 and 42.0 / 44.2 CPU s so (two rounds, load 5-8); the face-models
 * files with 4 others: 10 and 155.3 CPU s before, 5 and 133.5 so (one round, load 7-8). The order does
 * not make a tail: the same replay ends at 1441 s either way, the shared files last ending with the many short ones.
 */
class AcrossProjects extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const cache = this.ctx.cache;
    const key = (f: TestSpecification) => `${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`;
    const ran = (f: TestSpecification) => cache.getFileTestResults(key(f));
    const size = (f: TestSpecification) => cache.getFileStats(key(f))?.size ?? 0;
    const rank = (f: TestSpecification) => PROJECT_ORDER.indexOf(f.project.name);
    return [...files].sort((a, b) => {
      if (rank(a) !== rank(b)) return rank(a) - rank(b);
      const ra = ran(a);
      const rb = ran(b);
      if (ra && rb) return rb.duration - ra.duration;
      return size(b) - size(a);
    });
  }
}

// Lives in test/ so the top level stays as DEVELOPERS.md lays it out.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Several test files at a time even on 2 cores (vitest's default is cores - 1, i.e. one file at a time there): many
    // files wait on ffmpeg or child processes. On a quiet 2-core VM the whole suite took 674 s one file at a time and
    // 410-414 s two at a time; it also passed two at a time under load 13-17 (2026-12-01), so the files do not depend
    // on each other.
    // Three at a time on 2 cores (since 2026-12-06): some files mostly wait on mmprep's own timers (grace periods,
    // the rollback limit) or on children that sleep, and their worker left a core idle meanwhile. CPU time (user +
    // sys, children included, less ~2.2 s of vitest's own start for one file) against the file's duration in the
    // CI run of e900134 (584 s, two at a time): extract-signals 15.5 CPU s in 38.1 s, media-child-exit-code ~0 in
    // 8.1, extract-stuck ~0 in 8.9, extract-concurrent 5.2 in 10.0, decode-sigterm ~0 in 3.4, interrupt-cli ~0 in
    // 3.1, extract-errors-unwritable ~0 in 2.6, extract-resume-changed 13.9 in 16.7, extract-group-interrupt 6.4 in
    // 8.6, stdout-closed 5.3 in 6.8: ~59 s of one core idle in ten files, while the media files run at about one
    // core each (sync-flash-pair-edge 28.5 CPU s in 28.5 s, sync-rooms 23.4 in 26.5). Replaying that run's durations
    // (2 cores shared by the running files, those ten at their CPU share): 572.7 s two at a time, 545.6 s three at a
    // time (an estimate; docs/testing.md). A third worker costs one more Node start and load of mmprep's modules, and
    // one more load of tfjs and Human in the face-models project (a few CPU s).
    maxWorkers: Math.max(3, availableParallelism() - 1),
    sequence: { sequencer: AcrossProjects },
    projects: [
      // A worker process runs file after file (isolate: false): a new process per file cost ~0.6-0.75 CPU s (Node,
      // vitest's runner, mmprep's modules through vitest's module runner): the 80 shortest files took 98.1 CPU s so and
      // 46.7 shared; twelve mid-sized ones (dataset, audio-cli, batch-inputs...) 139.1 and 130.1 (2026-12-03, under load).
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...OWN_PROCESS, ...FACE_MODELS], isolate: false } },
      // Files that run the face models in the test process (tfjs, Human) and change nothing else: worker processes of
      // their own, shared among them (test/own-process.ts FACE_MODELS).
      { extends: true, test: { name: 'face-models', include: FACE_MODELS, isolate: false } },
      // Files that change process-wide state: test/own-process.ts.
      { extends: true, test: { name: 'own-process', include: OWN_PROCESS, isolate: true } },
    ],
  },
});
