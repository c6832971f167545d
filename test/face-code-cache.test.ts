/**
 * The V8 code cache of the face workers' bundles (src/face/code-cache.ts): a module compiled through it gives the same
 * exports whether its cache data is missing, used, rejected (a damaged file) or off, and only a folder of the user's
 * own that others cannot write is used. A small module stands in for tfjs and Human's bundles (same path in
 * backend.ts compileModule; the face tests run those), loaded in fresh worker threads. No face model, no environment
 * change: the folder is passed in.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheDir } from '../src/face/code-cache.js';
import { ROOT } from './helpers/cli.js';

const base = mkdtempSync(join(tmpdir(), 'mmprep-code-cache-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const FILE = '/virtual/bundle.js';
/** The built module (a worker thread runs JavaScript; `npm run build` first, as for the face workers). */
const MODULE = pathToFileURL(join(ROOT, 'dist', 'face', 'code-cache.js')).href;
// Enough code for V8 to cache more than the top level: a function called once (compiled lazily, then cached).
const CODE = `exports.twice = (x) => x * 2;\nfunction sum(a) { let s = 0; for (const v of a) s += v; return s; }\nexports.total = sum([1, 2, 3]);\nexports.file = __filename;`;

/**
 * Loads `code` as FILE through the cache folder `dir` in a fresh worker thread (a new V8 isolate: within one, V8 finds
 * the script in its own in-memory compilation cache and never reads the data), then writes the cache data when asked:
 * its exports and what the cache did.
 */
async function load(dir: string | null, code = CODE, save = false): Promise<{ twice: number; total: number; file: string; state: string }> {
  const script = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    import(w.module).then((cc) => {
      const module = { exports: {} };
      cc.compileCommonJs(w.file, w.code, w.dir).call(module.exports, module.exports, () => undefined, module, w.file, '/virtual');
      if (w.save) cc.saveCodeCaches();
      const e = module.exports;
      parentPort.postMessage({ twice: e.twice(21), total: e.total, file: e.file, state: cc.codeCacheStates.get(w.file) });
    });`;
  const worker = new Worker(script, { eval: true, workerData: { module: MODULE, file: FILE, code, dir, save } });
  try {
    return (await once(worker, 'message'))[0];
  } finally {
    await worker.terminate();
  }
}

describe('V8 code cache of the face bundles', () => {
  it('writes the data once, then uses it; damaged data is rejected and rewritten; the exports never change', async () => {
    const dir = codeCacheDir({ MMPREP_CACHE_DIR: join(base, 'ok') });
    expect(dir).toBe(join(base, 'ok', 'v8-code'));
    const first = await load(dir, CODE, true);
    expect(first.state).toBe('missing');
    const files = readdirSync(dir!);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{32}\.bin$/);
    const second = await load(dir);
    expect(second.state).toBe('used');
    writeFileSync(join(dir!, files[0]), Buffer.from('not V8 code cache data'));
    const damaged = await load(dir, CODE, true);
    expect(damaged.state).toBe('rejected');
    expect((await load(dir)).state).toBe('used');
    // Other code (as after a package update) has another key: not the first module's data.
    expect((await load(dir, CODE + '\nexports.more = 1;')).state).toBe('missing');
    const off = await load(null);
    expect(off.state).toBe('off');
    for (const r of [first, second, damaged, off]) expect(r).toMatchObject({ twice: 42, total: 6, file: FILE });
  });

  it('keeps the newest files when it writes: a folder that grew over updates is cut back', async () => {
    const dir = codeCacheDir({ MMPREP_CACHE_DIR: join(base, 'full') })!;
    for (let i = 0; i < 30; i++) {
      const f = join(dir, `${String(i).padStart(32, '0')}.bin`);
      writeFileSync(f, 'old');
      utimesSync(f, 1000 + i, 1000 + i);
    }
    // a temp file a killed writer left hours ago goes; one a live writer is renaming now stays
    const stale = join(dir, 'x.bin.1.a.tmp');
    const live = join(dir, 'x.bin.2.b.tmp');
    writeFileSync(stale, 'half');
    utimesSync(stale, 1000, 1000);
    writeFileSync(live, 'half');
    expect((await load(dir, CODE, true)).state).toBe('missing');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual(['x.bin.2.b.tmp']);
    rmSync(live);
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(21);
    expect(left.filter((f) => f.startsWith('000')).map((f) => Number(f.slice(0, 32)))).toEqual([...Array(20).keys()].map((i) => i + 10));
  });

  it('is off with MMPREP_CODE_CACHE=0 and in a folder that others may write', () => {
    expect(codeCacheDir({ MMPREP_CODE_CACHE: '0', MMPREP_CACHE_DIR: join(base, 'ok') })).toBeNull();
    const shared = join(base, 'shared');
    expect(codeCacheDir({ MMPREP_CACHE_DIR: shared })).toBe(join(shared, 'v8-code'));
    chmodSync(join(shared, 'v8-code'), 0o777);
    expect(codeCacheDir({ MMPREP_CACHE_DIR: shared })).toBeNull();
    expect(codeCacheDir({ XDG_CACHE_HOME: join(base, 'xdg') })).toBe(join(base, 'xdg', 'mmprep', 'v8-code'));
  });
});
