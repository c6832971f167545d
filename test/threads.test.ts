import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { threadFile } from '../src/common/threads.js';

describe('threadFile: the one lookup of a worker thread script', () => {
  it('finds the compiled worker of each area from src/ (tests run from src/, threads need dist/)', () => {
    for (const [script, area] of [['extract-worker.js', 'batch'], ['build-thread.js', 'dataset'], ['validate-thread.js', 'dataset'], ['worker.js', 'face']]) {
      const url = threadFile(script, area);
      expect(existsSync(fileURLToPath(url))).toBe(true);
      expect(url.pathname.endsWith(`/dist/${area}/${script}`)).toBe(true);
    }
  });

  it('refuses a script that was never built, naming it', () => {
    expect(() => threadFile('no-such-worker.js', 'batch')).toThrow(/worker module batch\/no-such-worker\.js not found: run `npm run build` first/);
  });
});
