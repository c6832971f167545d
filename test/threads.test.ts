import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { describe, expect, it } from 'vitest';
import { threadExecArgv, threadFile } from '../src/common/threads.js';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

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

describe('threadExecArgv: worker threads never load ES modules through require(esm)', () => {
  // A thread terminated while Node 20.20 instantiates an ES module graph synchronously (require(esm)) aborts the
  // whole process (FATAL ERROR in ModuleWrap::InstantiateSync; seen once in CI when an interrupt rolled sessions back).
  it('a piscina thread started with these flags loaded its script by import() and cannot require() an ES module', async () => {
    const dir = resolve('test/.tmp/threads-exec-argv');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'dep.js'), 'export const x = 1;\n');
    writeFileSync(
      join(dir, 'probe.js'),
      [
        "import { createRequire } from 'node:module';",
        'export default function () {',
        "  let requireEsm = 'loaded';",
        "  try { createRequire(import.meta.url)('./dep.js'); } catch (e) { requireEsm = e.code; }",
        '  return { execArgv: process.execArgv, requireEsm };',
        '}',
      ].join('\n'),
    );
    const pool = new Piscina({ filename: pathToFileURL(join(dir, 'probe.js')).href, maxThreads: 1, execArgv: threadExecArgv() });
    try {
      const seen = (await pool.run({})) as { execArgv: string[]; requireEsm: string };
      const nodeHasRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
      if (nodeHasRequireEsm) {
        expect(seen.execArgv).toContain('--no-experimental-require-module');
        expect(seen.requireEsm).toBe('ERR_REQUIRE_ESM');
      } else {
        expect(seen.execArgv).not.toContain('--no-experimental-require-module');
      }
    } finally {
      await pool.destroy();
    }
  });

  it('drops the flags that only apply to a main entry and does not repeat its own', () => {
    const argv = threadExecArgv();
    expect(argv.filter((a) => a === '--no-experimental-require-module').length).toBeLessThanOrEqual(1);
    expect(argv.some((a) => a.startsWith('--input-type') || a === '-e' || a === '--eval')).toBe(false);
  });
});

describe('threadExecArgv: V8 flags on the command line (node --max-old-space-size=8192 bin/mmprep.js ...)', () => {
  // Node refuses V8 and per-process options in a worker's execArgv (ERR_WORKER_INVALID_EXEC_ARGV): every threaded
  // command (face, extract, dataset build/validate) exited 1 with "internal error: Initiated Worker with invalid
  // execArgv flags" before.
  it('leaves out the flags a worker refuses, with their value word, and keeps the rest', () => {
    const argv = threadExecArgv(['--max-old-space-size=4096', '--stack-trace-limit', '20', '--enable-source-maps', '--input-type=module', '-e', 'run()']);
    expect(argv.filter((a) => a !== '--no-experimental-require-module')).toEqual(['--enable-source-maps']);
  });

  it('mmprep face with worker threads runs under node --max-old-space-size and --stack-trace-limit', async () => {
    const tmp = tempDir('mmprep-threads-v8-');
    try {
      const out = join(tmp.dir, 'f.jsonl');
      const r = await runCli(['face', join(FIXTURES, 'face', 'transform.mp4'), '--end', '0.2', '--workers', '1', '-o', out], { nodeFlags: ['--max-old-space-size=4096', '--stack-trace-limit=20'] });
      expect(r.stderr).not.toMatch(/invalid execArgv/);
      expect(r.code).toBe(0);
      expect(existsSync(out)).toBe(true);
    } finally {
      tmp.cleanup();
    }
  }, 120_000);
});
