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
import { excludeHint } from '../src/agreement/exclude.js';
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

describe('the exclude hint beside a constant rater and a copied one (ttrial56)', () => {
  // An annotation lead's export: ann_d gave 4 to every clip, ann_f's ratings are ann_e's; beside the pair's r 0.92 the
  // honest ann_a and ann_b (r 0.79, 0.81) were flagged low_correlation, and the hint named ann_a first. Without ann_d and
  // ann_f neither is flagged.
  const raters = [
    { rater: 'ann_a', flags: ['low_correlation'] },
    { rater: 'ann_b', flags: ['bias', 'low_correlation'] },
    { rater: 'ann_e', flags: [] },
    { rater: 'ann_f', flags: [] },
    { rater: 'ann_d', flags: ['constant'] },
    { rater: 'ann_c', flags: [] },
  ];
  const warnings = [
    { code: 'constant_rater', rater: 'ann_d' },
    { code: 'identical_raters', raters: ['ann_e', 'ann_f'] },
  ];
  it('names the constant rater first and says to leave it and one of the pair out before reading the others\' flags', () => {
    expect(excludeHint(raters, warnings)).toBe(
      "to see the figures without a flagged rater, run again with --exclude-rater ann_d (or ann_a, ann_b); the flags of ann_a, ann_b are read against the rater(s) the warnings above name (constant, or identical to another), who move every other rater's bias and r: leave those out first (--exclude-rater ann_d,ann_f) and read the flags again",
    );
  });
  it('negative control: without such warnings the hint is as before', () => {
    expect(excludeHint(raters)).toBe('to see the figures without a flagged rater, run again with --exclude-rater ann_a (or ann_b, ann_d)');
  });
});
