/**
 * Advice a new user's trial (ttrial48a) found wrong: a rater who gave the midpoint to every target was also told to
 * rescale their ratings (other_scale: "1-5 among 1-9"), and with 59 of 60 clips 'neutral' by every rater the two who
 * never left 'neutral' were called straight-liners and told to leave (constant_rater), while they agreed with everyone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeAgreement } from '../src/agreement/analyze.js';
import { readRatings } from '../src/agreement/read.js';
import { tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-constant-');
afterAll(() => tmp.cleanup());

async function warningsOf(name: string, rows: string[], categorical = false) {
  const p = join(tmp.dir, name);
  writeFileSync(p, 'target,a,b,c\n' + rows.join('\n') + '\n');
  return analyzeAgreement(await readRatings(p, { categorical })).dimensions[0].warnings.map((w) => w.code);
}

describe('a constant rater', () => {
  it('at the midpoint of 1-9 among varying raters: constant_rater, not other_scale', async () => {
    const rows = Array.from({ length: 12 }, (_, t) => `t${t},${1 + ((t * 5) % 9)},5,${1 + ((t * 5 + 1) % 9)}`);
    const codes = await warningsOf('mid.csv', rows);
    expect(codes).toContain('constant_rater');
    expect(codes).not.toContain('other_scale');
  });

  it("labels nearly all one category by every rater: no rater is called a straight-liner; one among varying raters is", async () => {
    const prevalent = Array.from({ length: 60 }, (_, t) => `t${t},neutral,${t === 7 ? 'happy' : 'neutral'},neutral`);
    expect(await warningsOf('prevalent.csv', prevalent, true)).not.toContain('constant_rater');
    const labels = ['happy', 'sad', 'neutral'];
    const varied = Array.from({ length: 30 }, (_, t) => `t${t},${labels[t % 3]},${labels[(t + (t % 5 === 0 ? 1 : 0)) % 3]},neutral`);
    expect(await warningsOf('varied.csv', varied, true)).toContain('constant_rater');
  });
});
