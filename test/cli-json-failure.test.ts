/**
 * Commands whose stdout is JSON (`agreement --json`, `dataset validate --json`, extract's summary line) print one
 * JSON object even when they refuse the input (exit 2): `ok: false`, the stderr line as `error`, `exit_code`. A CI
 * job parsing stdout used to get an empty stdout. With `-o FILE` agreement's stdout stays empty (the JSON goes to
 * the file, which a refused run does not write); a failed gate (exit 3) prints the full result once, not twice.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-json-failure-');
afterAll(() => tmp.cleanup());

describe('JSON on stdout when the input is refused', () => {
  it('agreement --json: a typo in a rating is an object naming file, line and column, exit 2', async () => {
    const p = join(tmp.dir, 'typo.csv');
    writeFileSync(p, 'target,rater,rating\nt1,a,3\nt1,b,4\nt2,a,5\nt2,b,5x\n');
    const r = await runCli(['agreement', p, '--json']);
    expect(r.code).toBe(2);
    const line = `${p}:5, column rating: non-numeric rating '5x' (use --categorical for labels)`;
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, file: p, dimensions: [], error: line, exit_code: 2 });
    expect(r.stderr).toBe(`mmprep: ${line}\n`);
    const missing = await runCliInProcess(['agreement', join(tmp.dir, 'nope.csv'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toContain('no such file');
  });

  it('a usage error carries the keys of the command\'s own failure object (null or empty), so a CI job reads none missing', async () => {
    const keys = async (args: string[]) => {
      const r = await runCliInProcess(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^mmprep: .*run with --help for usage\n$/);
      return JSON.parse(r.stdout);
    };
    const error = expect.stringContaining("unknown option '--bogus'");
    // dataset validate's: test cli-json-success
    expect(await keys(['dataset', 'build', '--json', '--bogus'])).toEqual({ ok: false, manifest: null, out: null, error: expect.any(String), exit_code: 2 });
    // extract's (a child process: it starts threads): test cli-json-success
    expect(await keys(['agreement', '--json', '--bogus'])).toEqual({ ok: false, file: null, dimensions: [], error, exit_code: 2 });
  });

  it('agreement --json -o FILE: stdout stays empty and no file is written; without --json stdout stays empty', async () => {
    const p = join(tmp.dir, 'typo.csv');
    const out = join(tmp.dir, 'a.json');
    const r = await runCliInProcess(['agreement', p, '--json', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    const table = await runCliInProcess(['agreement', p]);
    expect(table.code).toBe(2);
    expect(table.stdout).toBe('');
  });

  it('agreement --json with a failed gate: one JSON result (with the gate), exit 3', async () => {
    const p = join(tmp.dir, 'gate.csv');
    writeFileSync(p, 'target,rater,rating\nt1,a,1\nt1,b,5\nt2,a,5\nt2,b,1\nt3,a,3\nt3,b,2\n');
    const r = await runCliInProcess(['agreement', p, '--json', '--min-icc', '0.9']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.gate.passed).toBe(false);
    // the result object with the gate, also saying why and with which code (ttrial55: as dataset validate --json)
    expect([out.ok, out.exit_code, out.error]).toEqual([false, 3, "agreement gate failed: dimension '(all)' ICC2 -2.6667 < 0.9"]);
  });
});
