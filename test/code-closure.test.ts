/**
 * The fingerprints of extract's and dataset build's code cover every module they can run (src/common/code-closure.ts):
 * before 2026-12-06 a hand-kept folder list left src/audio and src/face out of a release's fingerprint although their
 * warnings shape its `issues`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closureFingerprint, importClosure } from '../src/common/code-closure.js';
import { codeBuild, CODE_ROOT } from '../src/common/version.js';
import { datasetCodeBuild } from '../src/dataset/fingerprint.js';

const root = mkdtempSync(join(tmpdir(), 'mmprep-closure-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

describe('import closure', () => {
  it('follows static, dynamic and side-effect imports and worker scripts, and nothing else', () => {
    write('a/entry.ts', "import { b } from './b.js';\nimport '../c/side.js';\nconst w = new URL('./w.js', import.meta.url);\nconst t = threadFile('t.js', 'd');\nexport const x = () => import('../e/lazy.js');\n");
    write('a/b.ts', "export { y } from '../e/re.js';\n");
    for (const f of ['a/w.ts', 'c/side.ts', 'd/t.ts', 'e/lazy.ts', 'e/re.ts', 'e/unused.ts']) write(f, 'export const y = 1;\n');
    expect(importClosure(root, ['a/entry.js'])).toEqual(['a/b.ts', 'a/entry.ts', 'a/w.ts', 'c/side.ts', 'd/t.ts', 'e/lazy.ts', 'e/re.ts']);
  });

  it('its fingerprint changes with a module reached only through another, not with one outside', () => {
    const before = closureFingerprint(root, ['a/entry.js']);
    write('e/unused.ts', 'export const y = 2;\n');
    expect(closureFingerprint(root, ['a/entry.js'])).toBe(before);
    write('e/re.ts', 'export const y = 2;\n');
    expect(closureFingerprint(root, ['a/entry.js'])).not.toBe(before);
  });

  it("dataset build's closure has the audio and face code whose warnings shape a release; extract's has the face worker", () => {
    const build = importClosure(CODE_ROOT, ['dataset/build.js']);
    expect(build.filter((f) => f.startsWith('audio/')).length).toBeGreaterThan(10);
    expect(build.filter((f) => f.startsWith('face/')).length).toBeGreaterThan(5);
    expect(importClosure(CODE_ROOT, ['batch/extract.js'])).toContain('face/worker.ts');
    expect(datasetCodeBuild()).toBe(closureFingerprint(CODE_ROOT, ['dataset/build.js']));
    expect(codeBuild()).toBe(closureFingerprint(CODE_ROOT, ['batch/extract.js']));
  });
});
