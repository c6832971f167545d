/**
 * A sixth new user's trial: two rating exports joined into one file (Excel copy-paste, or `cat a.csv b.csv`, each
 * with its header and BOM). The second header was read as data: a numeric file stopped on "non-numeric rating 'r1'"
 * (not saying why), and a categorical one gave a target named 'target' labelled 'r1', 'r2', 'r3' (wide) or 'rating'
 * by a rater 'rater' (long): one more target, label and rater in every figure, exit 0. A row equal to the header is
 * now skipped with a stderr note naming its line, the figures are those of the file without it; a header row with
 * its columns in another order (its ratings would go to the wrong raters) is refused, exit 2.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';
import { demoManifestCopy, writeDemoFeatures } from './helpers/demo-inputs.js';

const tmp = tempDir('mmprep-agr-rehead-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const BOM = '\ufeff';
const PART1 = ['c1;happy;happy;sad', 'c2;sad;sad;sad', 'c3;neutral;happy;neutral'];
const PART2 = ['c4;happy;happy;happy', 'c5;sad;neutral;sad'];
const HEAD = 'target;r1;r2;r3;;';
const row = (r: string) => `${r};;`;

describe('a header repeated mid-file (two exports joined)', () => {
  it('Excel export (BOM, semicolons, CRLF, trailing empty columns) joined twice: the second header is skipped and said', async () => {
    const joined = file('joined.csv', [BOM + HEAD, ...PART1.map(row), BOM + HEAD, ...PART2.map(row)].join('\r\n') + '\r\n');
    const single = file('single.csv', [BOM + HEAD, ...PART1.map(row), ...PART2.map(row)].join('\r\n') + '\r\n');
    const a = await runCliInProcess(['agreement', joined, '--categorical', '--json']);
    const b = await runCliInProcess(['agreement', single, '--categorical', '--json']);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain(`mmprep agreement: ${joined}: ignored 1 row(s) that repeat the header (line 5); exports joined one after another write such rows\n`);
    const dims = (o: string) => JSON.stringify(JSON.parse(o).dimensions);
    expect(dims(a.stdout).replaceAll(joined, '')).toBe(dims(b.stdout).replaceAll(single, ''));
    expect(JSON.parse(a.stdout).dimensions[0].categories).toEqual(['happy', 'neutral', 'sad']);
  });

  it('a long file: the repeated header is not a rater, target or label', async () => {
    const t = await readRatings(file('long.csv', 'target,rater,rating\nc1,a,3\nc1,b,4\ntarget,rater,rating\nc2,a,5\nc2,b,5\n'), { categorical: true });
    expect(t.dimensions[0].raters).toEqual(['a', 'b']);
    expect(t.dimensions[0].targets).toEqual(['c1', 'c2']);
    expect(t.n_records).toBe(4);
  });

  it('a numeric file reads as if the row were not there', async () => {
    const t = await readRatings(file('num.csv', 'target,r1,r2\nc1,1,2\nc2,3,3\ntarget,r1,r2\nc3,4,5\n'));
    expect(Array.from(t.dimensions[0].value)).toEqual([1, 2, 3, 3, 4, 5]);
  });

  it('a header row with its columns in another order is refused (exit 2), naming the line and both orders', async () => {
    const p = file('swapped.csv', 'target,r1,r2\nc1,1,2\nc2,3,3\ntarget,r2,r1\nc3,5,4\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:4, column target: this row is a header again (files joined?) with other columns than line 1 ('target', 'r2', 'r1' against 'target', 'r1', 'r2'): the ratings below it would be read under line 1's columns; give every joined part line 1's columns in line 1's order\n`,
    );
  });

  it('dataset build --labels: a labels file with session_id/start_s/end_s joined from two exports gives the labels of the file without the repeat', async () => {
    const features = join(tmp.dir, 'features');
    await writeDemoFeatures(features);
    demoManifestCopy(join(tmp.dir, 'demo'));
    const [head, ...rows] = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');
    const half = rows.length >> 1;
    const once = file('labels-once.csv', [head, ...rows].join('\n') + '\n');
    const joined = file('labels-joined.csv', [head, ...rows.slice(0, half), head, ...rows.slice(half)].join('\n') + '\n');
    const build = (labels: string, out: string) => runCli(['dataset', 'build', join(tmp.dir, 'demo', 'manifest.csv'), '--features', features, '--labels', labels, '-o', join(tmp.dir, out), '--quiet']);
    const records = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('data-')).sort().map((f) => readFileSync(join(dir, f), 'utf8').replaceAll('labels-joined', 'labels-once')).join('');
    expect((await build(once, 'once')).code).toBe(0);
    const r = await build(joined, 'joined');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('ignored 1 row(s) that repeat the header');
    expect(records(join(tmp.dir, 'joined'))).toBe(records(join(tmp.dir, 'once')));
  });

  it('a file of a header and its repeat only has no ratings', async () => {
    const r = await runCliInProcess(['agreement', file('only.csv', 'target,r1,r2\ntarget,r1,r2\n')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no ratings/);
  });

  it("two labs' exports joined, each with a rater 'r1' on the same clips: the duplicate says the header repeats between them", async () => {
    const part = (raters: string[], seed: number) => Array.from({ length: 4 }, (_, t) => raters.map((r, j) => `c${t},${r},${1 + ((t + j + seed) % 5)}`)).flat();
    const p = file('two-labs.csv', ['clip,rater,rating', ...part(['r1', 'r2'], 0), 'clip,rater,rating', ...part(['r1', 'r3'], 2)].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--target-col', 'clip']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:11, column rater: duplicate rating of target 'c0' by rater 'r1' (first given on line 2); the header repeats between the two lines (exports joined one after another): if they are two people who both wrote the id 'r1', give each an id of their own`);
    // --repeated is offered only for one rater's second pass, after the fix for two people (it once was the only hint)
    expect(r.stderr).toContain("if it is one rater's work exported twice, keep one copy; if it is one rater's second pass (test-retest), pass --repeated (each export an occasion, in file order)\n");
  });
});
