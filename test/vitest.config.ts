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
    // files wait on ffmpeg or child processes. On a quiet 2-core VM the whole suite took 674 s one file at a time and
    // 410-414 s two at a time; it also passed two at a time under load 13-17 (2026-12-01), so the files do not depend
    // on each other.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
