/**
 * test/own-process.ts lists the test files that need a process of their own; the others share a worker process
 * (test/vitest.config.ts). A file that changes process-wide state and is not listed would change what the files
 * after it in its worker see: this fails for it, naming the file and what it changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { FACE_MODELS, OWN_PROCESS } from './own-process.js';

/** What a test file does that outlives it in its process (each with the words it is found by). */
const PROCESS_WIDE: Array<[string, RegExp]> = [
  ['sets an environment variable', /process\.env(\.\w+|\[[^\]]+\])\s*=[^=]|delete\s+process\.env/],
  ['mocks or spies (vi.mock, vi.spyOn, vi.stubEnv, vi.stubGlobal, fake timers)', /vi\.(mock|doMock|spyOn|stubEnv|stubGlobal|useFakeTimers)\(/],
  ['changes the cwd or the umask', /process\.(chdir|umask)\(/],
  ['points fluent-ffmpeg at another ffmpeg', /useFfmpegWrapper|setFf(mpeg|probe)Path/],
  ['adds a process listener', /process\.(on|once|prependListener)\(/],
];
/** Running the face models in the test process: allowed in a file of FACE_MODELS, which share processes among themselves. */
const FACE_MODELS_RUN: [string, RegExp] = ['runs the face models in the test process', /from '\.\.\/src\/face\/(engine|backend|pool|index|worker)\.js'|\b(extractFace|runFaceInProcess|faceOnMadeClip)\(/];
/** Not in a shared process even of FACE_MODELS: after an engine on the cpu backend, a wasm engine there fails to start. */
const OTHER_BACKEND: [string, RegExp] = ['makes a face engine on another backend than wasm', /\bbackend: '(?!wasm')/];


describe('test files that need a process of their own', () => {
  const files = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);

  it('every file that changes process-wide state is in test/own-process.ts', () => {
    const unlisted: string[] = [];
    for (const f of files) {
      if (OWN_PROCESS.includes(f) || f === 'test/own-process.test.ts') continue;
      // Type-only imports load nothing.
      const text = readFileSync(join(ROOT, f), 'utf8').replace(/^import type .*$/gm, '');
      // A file of FACE_MODELS shares its process with the others of that list: it may load the face models, nothing else.
      const where = FACE_MODELS.includes(f) ? 'move it from FACE_MODELS to OWN_PROCESS in test/own-process.ts' : 'add it to test/own-process.ts';
      for (const [what, re] of [...PROCESS_WIDE, OTHER_BACKEND]) if (re.test(text)) unlisted.push(`${f} ${what}: ${where}`);
      if (!FACE_MODELS.includes(f) && FACE_MODELS_RUN[1].test(text)) unlisted.push(`${f} ${FACE_MODELS_RUN[0]}: add it to FACE_MODELS (or OWN_PROCESS) in test/own-process.ts`);
    }
    expect(unlisted).toEqual([]);
  });

  it('names only test files that exist, each in one list', () => {
    expect([...OWN_PROCESS, ...FACE_MODELS].filter((f) => !files.includes(f))).toEqual([]);
    expect(OWN_PROCESS.filter((f) => FACE_MODELS.includes(f))).toEqual([]);
  });
});
