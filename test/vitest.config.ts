import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Lives in test/ so the top level stays as DEVELOPERS.md lays it out.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time even on 2 cores (vitest's default is cores - 1, i.e. one file at a time there): many
    // files wait on ffmpeg or child processes, and the suite ran 674 s serially on the 2-core CI machine. The whole
    // suite passed with two files at a time under load 13-17 (2026-12-01), so the files do not depend on each other.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
