/**
 * Numeric options (`--min-icc`, `--shard-mb`, `--jobs`, ...) read a decimal number: Number() read `0x10` as 16, `0b11`
 * as 3 and `0o7` as 7, so a typo became another value silently. Spaces around the value are trimmed (as choices).
 */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { numberOption } from '../src/cli/run.js';
import { runCliInProcess } from './helpers/cli.js';

describe('numberOption', () => {
  const shard = numberOption('--shard-mb', { min: 0.001 });
  it('reads decimal numbers, with an exponent, trimmed', () => {
    expect(shard('2')).toBe(2);
    expect(shard('.5')).toBe(0.5);
    expect(shard('1e-3')).toBe(0.001);
    expect(shard(' 3 ')).toBe(3);
  });
  it('refuses hexadecimal, binary, octal, Infinity and empty values, naming the option and the value', () => {
    for (const v of ['0x10', '0b11', '0o7', 'Infinity', '', ' ', '2mb']) {
      expect(() => shard(v), v).toThrow(InvalidArgumentError);
      expect(() => shard(v), v).toThrow(`--shard-mb must be a number, got '${v}'`);
    }
  });

  it("as agreement's --scale ends", async () => {
    const r = await runCliInProcess(['agreement', 'no-such.csv', '--scale', '0x1,7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--scale takes the scale's two ends, lowest first (e.g. --scale 1,7), got '0x1,7'");
  });
});
