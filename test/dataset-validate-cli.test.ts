/**
 * `mmprep dataset validate --json` when there is no report to give (a folder that is not a release, a file, a bad
 * --max-missing): a CI job parsing stdout gets one JSON object with ok false, the error line and the exit code (2),
 * not an empty stdout; stderr keeps its one line.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-validate-cli-');
afterAll(() => tmp.cleanup());

describe('dataset validate --json without a release', () => {
  it('a folder without manifest.json: a JSON object on stdout naming the problem, exit 2', async () => {
    const dir = join(tmp.dir, 'not-a-release');
    mkdirSync(dir);
    const r = await runCli(['dataset', 'validate', dir, '--json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: false, dir, checks: [], exit_code: 2 });
    expect(report.error).toContain('not an mmprep dataset release (no manifest.json)');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a file, a missing folder and a bad --max-missing: the same object, each with its own line', async () => {
    const file = join(tmp.dir, 'notes.txt');
    writeFileSync(file, 'x\n');
    const asFile = await runCliInProcess(['dataset', 'validate', file, '--json']);
    expect(asFile.code).toBe(2);
    expect(JSON.parse(asFile.stdout).error).toBe(`${file}: is a file, not a dataset folder: give the folder \`mmprep dataset build -o\` wrote`);
    expect(asFile.stderr).toBe(`mmprep: ${JSON.parse(asFile.stdout).error}\n`);
    const missing = await runCliInProcess(['dataset', 'validate', join(tmp.dir, 'nope'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toBe(`${join(tmp.dir, 'nope')}: no such dataset folder: give the folder \`mmprep dataset build -o\` wrote`);
    const gate = await runCliInProcess(['dataset', 'validate', tmp.dir, '--json', '--max-missing', 'face=x']);
    expect(gate.code).toBe(2);
    expect(JSON.parse(gate.stdout).error).toContain("--max-missing must look like MODALITY=FRACTION");
  });

  it('stdout is one JSON object on one line, a report or not (as dataset build --json)', async () => {
    const ok = await runCliInProcess(['dataset', 'validate', join(FIXTURES, 'dataset', 'release-v1'), '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.split('\n')).toEqual([expect.stringMatching(/^\{"ok":true,"dir":.*\}$/), '']);
    // the release named relative to another working directory: the same absolute dir, as build prints its output
    const rel = await runCliInProcess(['dataset', 'validate', 'release-v1', '--json'], { cwd: join(FIXTURES, 'dataset') });
    expect(JSON.parse(rel.stdout).dir).toBe(join(FIXTURES, 'dataset', 'release-v1'));
    expect(JSON.parse(rel.stdout).dir).toBe(JSON.parse(ok.stdout).dir);
    expect(JSON.parse(ok.stdout).checks).toHaveLength(15);
    const bad = await runCliInProcess(['dataset', 'validate', tmp.dir, '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stdout.split('\n')).toEqual([expect.stringMatching(/^\{"ok":false,.*"exit_code":2\}$/), '']);
  });

  it('without --json stdout stays empty (the one line is on stderr)', async () => {
    const r = await runCliInProcess(['dataset', 'validate', tmp.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('not an mmprep dataset release');
  });
});

describe('dataset validate --help', () => {
  it('each option shows one default, and the exit-2 cases are listed', async () => {
    const r = await runCli(['dataset', 'validate', '--help']);
    expect(r.code).toBe(0);
    const text = r.stdout.replace(/\s+/g, ' ');
    // --allow-failed-sessions printed '(default: a failed check) (default: false)' before 2026-12-02
    expect(text).not.toMatch(/\(default: [^)]*\) \(default:/);
    expect(text).toContain('(default: a failed check)');
    expect(text).toContain('2 for bad input (no such folder, not a release, a format or schema version this mmprep does not know, a bad option value)');
  });
});
