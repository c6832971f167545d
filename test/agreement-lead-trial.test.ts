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

  it("a summary column the sheet computed ('Mean', 'avg_rating', 'SD') is refused, not read as one more rater", async () => {
    // read as a rater, 'Mean' gave ICC(2,1) 0.908 for the 0.865 of the three raters (psych::ICC on both), exit 0
    const rows = ['c1,3,4,3,3.33', 'c2,4,5,5,4.67', 'c3,2,2,2,2', 'c4,4,4,3,3.67', 'c5,1,1,2,1.33', 'c6,5,4,5,4.67'];
    for (const name of ['Mean', 'avg_rating', 'SD']) {
      const p = file(`summary-${name}.csv`, `clip,Anna,Ben,Carla,${name}\n${rows.join('\n')}\n`);
      const r = await runCliInProcess(['agreement', p]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toBe(
        `mmprep: ${p}:1, column ${name}: column '${name}' would be read as a rater (a wide file's columns other than the target 'clip' are raters), but it is named like a summary of the ratings (a mean, SD, total or consensus computed in the sheet), which would count as one more rater and raise the agreement: remove it from the sheet, or rename it if it really is a rater\n`,
      );
    }
    const three = file('three.csv', `clip,Anna,Ben,Carla\n${rows.map((l) => l.split(',').slice(0, 4).join(',')).join('\n')}\n`);
    const ok = JSON.parse((await runCliInProcess(['agreement', three, '--json'])).stdout);
    expect(ok.dimensions[0].icc.rows.find((x: { type: string }) => x.type === 'ICC2').icc).toBeCloseTo(0.864865, 6);
  });

  it('a row given twice (same target, rater and rating) says so beside the test-retest hint', async () => {
    const p = file('twice.csv', 'target,rater,rating\nt1,a,3\nt1,b,4\nt2,a,2\nt2,b,2\nt1,a,3\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:6, column rater: duplicate rating of target 't1' by rater 'a' (first given on line 2); the same rating (3) on both lines: a row given twice? delete one; a test-retest design needs an occasion column or --repeated\n`,
    );
    // other ratings, or the same rating at another time (a test-retest): no such note
    const q = file('twice-other.csv', 'target,rater,rating\nt1,a,3\nt1,b,4\nt2,a,2\nt2,b,2\nt1,a,5\n');
    const other = (await runCliInProcess(['agreement', q])).stderr;
    expect(other).not.toContain('given twice');
    // two different ratings (ttrial56: an export with one clip rated 4, then 6): named, with what to do
    expect(other).toBe(
      `mmprep: ${q}:6, column rater: duplicate rating of target 't1' by rater 'a' (first given on line 2); two different ratings (3 there, 5 here): if one is a slip or an earlier pass, delete it; a test-retest design needs an occasion column or --repeated\n`,
    );
  });

  it('a column holding the mean of the other raters under a rater-like name (Final) is refused naming a row', async () => {
    const rows = ['c1,3,4,3,3.33', 'c2,4,5,5,4.67', 'c3,2,2,2,2', 'c4,4,4,3,3.67', 'c5,1,1,2,1.33', 'c6,5,4,5,4.67'];
    const p = file('final.csv', `clip,Anna,Ben,Carla,Final\n${rows.join('\n')}\n`);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:2, column Final: rater 'Final' gave on every target the mean of the other raters' ratings (here 3.33 where they gave 3, 4, 3): a summary column computed in the sheet, not a rater, which would count as one more rater and raise the agreement: remove it from the sheet\n`,
    );
    // the same sheet with Final a person who rated on the scale (whole numbers close to the others) is read
    const q = file('final-rater.csv', `clip,Anna,Ben,Carla,Final\n${rows.map((l) => l.replace(/,[\d.]+$/, (m) => ',' + Math.round(Number(m.slice(1))))).join('\n')}\n`);
    expect((await runCliInProcess(['agreement', q])).code).toBe(0);
  });

  it("a rater id typed another way on a few rows ('Anan' for 'Anna') is named; numbered raters are not", async () => {
    const sheet = (name: string, typo: (t: number) => string) => {
      const rows = ['target,rater,rating'];
      for (let t = 0; t < 20; t++) {
        const v = 1 + ((t * 7) % 5);
        rows.push(`t${t},Ben,${v}`, `t${t},Carla,${Math.min(5, v + (t % 2))}`, `t${t},${typo(t)},${Math.max(1, v - (t % 3 === 0 ? 1 : 0))}`);
      }
      return file(name, rows.join('\n') + '\n');
    };
    const p = sheet('anan.csv', (t) => (t === 4 || t === 11 ? 'Anan' : 'Anna'));
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    const message =
      "rater 'Anan' (2 targets, lines 16, 37 of column 'rater') is one letter from rater 'Anna' (18), and they rated no target in common: one rater typed two ways? they are counted as two raters (every target lacks one of them for the ICC): write one id";
    // the lines of the rarer id, so that the lead can fix it (a lead's trial: the ids only)
    const places = [16, 37].map((line) => ({ line, row: null, column: 'rater' }));
    expect(JSON.parse(r.stdout).dimensions[0].warnings).toEqual([{ code: 'rater_id_typo', raters: ['Anan', 'Anna'], where: [{ name: 'Anan', n: 2, places }], message }]);
    expect(r.stderr).toContain(`mmprep agreement: warning: ${p}: ${message}\n`);
    // r4 on two targets beside r3 on the others: numbered raters of a panel design, not a typo
    const q = sheet('panel.csv', (t) => (t === 4 || t === 11 ? 'r4' : 'r3'));
    expect(JSON.parse((await runCliInProcess(['agreement', q, '--json'])).stdout).dimensions[0].warnings).toEqual([]);
  });

  it("a dimension typed one letter off ('valance') is named: refused with one rater, a warning with more", async () => {
    const sheet = (name: string, typo: (t: number, r: string) => boolean) => {
      const rows = ['target,rater,dimension,rating'];
      for (let t = 0; t < 8; t++) for (const r of ['r1', 'r2', 'r3']) for (const dim of ['valence', 'arousal']) rows.push(`t${t},${r},${dim === 'valence' && typo(t, r) ? 'valance' : dim},${1 + ((t * 3 + r.charCodeAt(1)) % 7)}`);
      return file(name, rows.join('\n') + '\n');
    };
    const one = sheet('dim-one.csv', (t, r) => t === 2 && r === 'r3');
    const a = await runCliInProcess(['agreement', one]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`mmprep: ${one}:18, column dimension: fewer than two raters in dimension 'valance' (found 1: 'r3'); dimension 'valance' differs from 'valence' by one letter: write one spelling\n`);
    const two = sheet('dim-two.csv', (t, r) => t === 2 && r !== 'r1');
    const b = await runCliInProcess(['agreement', two, '--json']);
    expect(b.code).toBe(0);
    const message = "dimension 'valance' (2 ratings) is one letter from dimension 'valence' (22) and is analysed as a dimension of its own: if it is 'valence', write one spelling in the file";
    const dims = JSON.parse(b.stdout).dimensions;
    // t2's valence, typed 'valance' by r2 and r3, is left with r1's rating alone: said (test/agreement-left48.test.ts)
    expect(dims.map((d: { dimension: string; warnings: unknown[] }) => [d.dimension, d.warnings])).toEqual([
      ['valence', [expect.objectContaining({ code: 'single_rating_targets', n_single: 1, targets: ['t2'], raters: [['r1', 1]] })]],
      ['arousal', []],
      ['valance', [{ code: 'dimension_typo', names: ['valance', 'valence'], message }]],
    ]);
  });
});
