/**
 * `mmprep demo -o DIR` replaces DIR/features whole: a DIR holding anything an earlier demo did not write (a project
 * folder with the user's own extract output in features/) is refused before anything is touched (it used to be
 * deleted: `rm -r DIR/features`).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { refuseForeignOut } from '../src/dataset/demo.js';

const tmp = tempDir('mmprep-demo-out-');
afterAll(() => tmp.cleanup());

describe('demo -o', () => {
  it("refuses a folder with the user's own files, exit 2, one line, nothing touched", async () => {
    const dir = join(tmp.dir, 'project');
    mkdirSync(join(dir, 'features', 'p017'), { recursive: true });
    writeFileSync(join(dir, 'features', 'p017', 'meta.json'), '{}');
    writeFileSync(join(dir, 'sessions.csv'), 'x');
    const r = await runCli(['demo', '-o', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${dir}: holds files the demo did not make (sessions.csv, features/p017) and would replace its features/: choose another -o (a new or empty folder)\n`);
    expect(readFileSync(join(dir, 'features', 'p017', 'meta.json'), 'utf8')).toBe('{}');
    expect(readdirSync(dir).sort()).toEqual(['features', 'sessions.csv']);
  });

  it("accepts a new folder, an empty one and an earlier demo's (also one interrupted before demo.json)", () => {
    expect(() => refuseForeignOut(join(tmp.dir, 'new'))).not.toThrow();
    mkdirSync(join(tmp.dir, 'empty'));
    expect(() => refuseForeignOut(join(tmp.dir, 'empty'))).not.toThrow();
    const old = join(tmp.dir, 'old-demo');
    for (const s of ['s01', 's02', 's03']) mkdirSync(join(old, 'features', s), { recursive: true });
    mkdirSync(join(old, 'dataset'));
    for (const f of ['agreement.txt', 'agreement.json', 'gold.jsonl', 'validate.txt', 'demo.json', 'features/_errors.jsonl', '.demo.json.1.2.tmp']) writeFileSync(join(old, f), '');
    expect(() => refuseForeignOut(old)).not.toThrow();
    mkdirSync(join(old, 'features', 's04'));
    expect(() => refuseForeignOut(old)).toThrow(/features\/s04/);
  });
});
