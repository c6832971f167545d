/**
 * test/own-process.ts lists the test files that need a process of their own; the others share a worker process
 * (test/vitest.config.ts). A file that changes process-wide state and is not listed would change what the files
 * after it in its worker see: this fails for it, naming the file and what it changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { OWN_PROCESS } from './own-process.js';

/** What a test file does that outlives it in its process (each with the words it is found by). */
const PROCESS_WIDE: Array<[string, RegExp]> = [
  ['sets an environment variable', /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete\s+process\.env/],
  ['mocks or spies (vi.mock, vi.spyOn, vi.stubEnv, vi.stubGlobal, fake timers)', /vi\.(mock|doMock|spyOn|stubEnv|stubGlobal|useFakeTimers)\(/],
  ['changes the cwd or the umask', /process\.(chdir|umask)\(/],
  ['points fluent-ffmpeg at another ffmpeg', /useFfmpegWrapper|setFf(mpeg|probe)Path/],
  ['adds a process listener', /process\.(on|once|prependListener)\(/],
  ['runs the face models in the test process', /from '\.\.\/src\/face\/(engine|backend|pool|index|worker)\.js'|\bextractFace\(/],
];

describe('test files that need a process of their own', () => {
  const files = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);

  it('every file that changes process-wide state is in test/own-process.ts', () => {
    const unlisted: string[] = [];
    for (const f of files) {
      if (OWN_PROCESS.includes(f) || f === 'test/own-process.test.ts') continue;
      // Type-only imports load nothing.
      const text = readFileSync(join(ROOT, f), 'utf8').replace(/^import type .*$/gm, '');
      for (const [what, re] of PROCESS_WIDE) if (re.test(text)) unlisted.push(`${f} ${what}: add it to test/own-process.ts`);
    }
    expect(unlisted).toEqual([]);
  });

  it('names only test files that exist', () => {
    expect(OWN_PROCESS.filter((f) => !files.includes(f))).toEqual([]);
  });
});
