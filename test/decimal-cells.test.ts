/**
 * Number cells of CSV files read as plain decimals (src/common/decimal.ts), not with Number(): a labels file's end_s
 * written `0x3` was read as 3 s (Number('0x3') = 3) by `dataset build`, and a label `0x63` among text labels was taken
 * for the missing-value code 99. Now a cell that is no decimal is refused naming file, line and column; what the
 * readers take stays read: '3.0', ' 3 ', '-1.5', '1e1' (exponent notation, as R and pandas write small numbers), a
 * decimal comma under --decimal-comma, an empty cell as missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../src/common/csv.js';
import { readRatings } from '../src/agreement/read.js';
import { runCli, tempDir, FIXTURES } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-decimal-cells-');
afterAll(() => tmp.cleanup());

describe('parseDecimal (CSV number cells)', () => {
  it('reads plain decimals and refuses what Number() alone would read', () => {
    expect(['3.0', ' 3 ', '-1.5', '+2', '.5', '1e1', '2.690'].map((s) => parseDecimal(s))).toEqual([3, 3, -1.5, 2, 0.5, 10, 2.69]);
    expect(parseDecimal('3,5', true)).toBe(3.5);
    for (const s of ['0x10', '0b11', '0o7', 'Infinity', '', '  ', '1e999', '3,5', '1_000']) expect(parseDecimal(s), s).toBeNaN();
  });
});

describe('a labels file\'s start_s/end_s cells', () => {
  const FEATURES = join(tmp.dir, 'features');
  const MANIFEST = join(tmp.dir, 'demo', 'manifest.csv');
  beforeAll(async () => {
    await writeDemoFeatures(FEATURES);
    demoManifestCopy(join(tmp.dir, 'demo'));
  });

  it('end_s `0x3` is refused (exit 2) naming the file, line and column', async () => {
    const lines = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').split('\n');
    expect(lines[3]).toMatch(/^s01,2\.690,3\.420,/);
    lines[3] = lines[3].replace('3.420', '0x3');
    const p = join(tmp.dir, 'r_hex.csv');
    writeFileSync(p, lines.join('\n'));
    const r = await runCli(['dataset', 'build', MANIFEST, '--features', FEATURES, '--labels', p, '-o', join(tmp.dir, 'out'), '--quiet']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/r_hex\.csv:4, column end_s: end_s must be a decimal number of seconds \(as 2\.69\), got '0x3'/)]);
  });
});

describe('agreement: a label that is no decimal number', () => {
  it('`0x63` among text labels is a text label, not the missing-value code 99', async () => {
    const p = join(tmp.dir, 'labels.csv');
    const rows = ['happy', 'sad', 'happy', 'sad', 'happy', 'sad'].map((l, i) => `t${i},${l},${l},${i === 2 ? '0x63' : l}`);
    writeFileSync(p, 'target,a,b,c\n' + rows.join('\n') + '\n');
    const t = await readRatings(p, { categorical: true });
    expect(t.dimensions[0].categories).toEqual(['0x63', 'happy', 'sad']);
  });
});
