/**
 * rater_id_typo in a crowd of short ids: every pair was a line of its own on stderr, in the table and in the report
 * (a lead's trial: 1,500 raters with 3-letter ids gave 763 lines in each). Now the first 5 pairs are named and one
 * line counts the rest; the JSON keeps every pair.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-typo-cap-');
afterAll(() => tmp.cleanup());

describe('rater_id_typo lines are capped', () => {
  it('8 pairs one letter apart: 5 named, one line for the other 3 (stderr, table, report); 8 in the JSON', async () => {
    const names = ['anna', 'bert', 'carl', 'dora', 'emil', 'fred', 'gina', 'hugo'];
    const rows = ['target,rater,rating'];
    for (const [i, n] of names.entries()) {
      for (let t = 0; t < 6; t++) rows.push(`t${t},${n},${1 + ((t + i) % 5)}`);
      rows.push(`u${i},${n.slice(0, 3)}z,3`); // 'annz': one letter from 'anna', one target no one else rated
    }
    const p = join(tmp.dir, 'crowd.csv');
    writeFileSync(p, rows.join('\n') + '\n');
    const report = join(tmp.dir, 'crowd.html');
    const r = await runCliInProcess(['agreement', p, '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    const rest = '3 more pair(s) of rater ids one letter apart that rated no target in common (8 in all, 5 named above;';
    for (const text of [r.stderr, r.stdout, readFileSync(report, 'utf8')]) {
      expect(text.match(/is one letter from rater/g)).toHaveLength(5);
      expect(text.split(rest)).toHaveLength(2);
    }
    const json = JSON.parse((await runCliInProcess(['agreement', p, '--json'])).stdout);
    expect(json.dimensions[0].warnings.filter((w: { code: string }) => w.code === 'rater_id_typo')).toHaveLength(8);
  });
});
