/**
 * Session 21, an annotation lead's trial of `mmprep agreement` on sheets as labs make them. Each case is a line that
 * named the problem but not what to do (or not where), or a figure the lead could not act on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-lead-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

describe("an annotation lead's sheets", () => {
  it('a rater column pasted twice (two columns named Anna) names both columns and what to do', async () => {
    const p = file('dupcol.csv', 'clip,Anna,Ben,Anna\nc1,3,4,3\nc2,4,5,5\nc3,2,2,2\nc4,4,4,3\nc5,1,1,2\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:1, column 4: duplicate column name 'Anna' in the header (columns 2 and 4): rename one (two raters or columns cannot share a name), or delete the copied column\n`,
    );
  });
});
