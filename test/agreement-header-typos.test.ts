/**
 * An annotation lead's ratings header with a typo: 'targte' was read as a wide file whose raters are 'rater' and
 * 'rating' (then "non-numeric rating 'a'", pointing nowhere near the typo); 'dimenson' was an ignored extra column,
 * so valence and arousal were pooled into one dimension (exit 0) or stopped on a "duplicate rating" that blamed
 * test-retest. Each is now exit 2 naming the column and the fix. Negative controls: correct headers in any case, a
 * wide file, and an unrelated extra column are read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-header-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const ROWS = 't1,a,1,valence\nt1,a,5,arousal\nt1,b,2,valence\nt1,b,4,arousal\nt2,a,3,valence\nt2,a,2,arousal\nt2,b,3,valence\nt2,b,1,arousal\n';

describe('ratings header typos', () => {
  it.each([
    ['targte,rater,rating,dimension', 1, "no 'target' column; did you mean 'targte'? (rename it, or pass --target-col targte)"],
    ['target,rater,ratng,dimension', 3, "no 'rating' column; did you mean 'ratng'? (rename it, or pass --rating-col ratng)"],
    ['target,rater,rating,dimenson', 4, "no 'dimension' column; did you mean 'dimenson'? (rename it, or pass --dimension-col dimenson; if it is not the dimension, give it another name)"],
  ])('%s: exit 2, one line naming column %i and the fix', async (header, column, message) => {
    const p = file(`${header.replace(/,/g, '_')}.csv`, `${header}\n${ROWS}`);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:1, column ${column}: ${message}\n`);
  });

  it("an 'occasion' typo in a test-retest file is named too; --repeated does not look for one", async () => {
    const p = file('occ.csv', 'target,rater,rating,ocasion\nt1,a,1,1\nt1,a,2,2\nt1,b,2,1\nt2,a,3,1\nt2,b,3,1\n');
    await expect(readRatings(p)).rejects.toThrow(/^no 'occasion' column; did you mean 'ocasion'\? \(rename it, or pass --occasion-col ocasion/);
    expect((await readRatings(p, { repeated: true })).dimensions[0].occasions).toEqual(['1', '2']);
  });

  it('negative controls: a header in other case, a wide file and an unrelated extra column read as before', async () => {
    const cased = await readRatings(file('cased.csv', `Target,Rater,Rating,Dimension\n${ROWS}`));
    expect(cased.dimensions.map((d) => d.name)).toEqual(['valence', 'arousal']);
    const wide = await readRatings(file('wide.csv', 'item,coder_1,coder_2\nt1,1,2\nt2,3,3\nt3,2,2\n'));
    expect(wide.format).toBe('wide');
    const extra = await readRatings(file('extra.csv', `target,rater,rating,dimension,notes\n${ROWS.replace(/\n/g, ',ok\n')}`));
    expect(extra.dimensions).toHaveLength(2);
  });
});
