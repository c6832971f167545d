/**
 * A sixth new user's trial: continuous valence traces (FEELtrace/GTrace style: target, rater, time, rating; each rater
 * sampled at their own rate) given to `mmprep agreement`. The duplicate-rating error's only hint was `--repeated`,
 * which read the traces as a test-retest with 80-200 occasions and computed every inter-rater figure on each rater's
 * first sample (ICC 0.95 on 5 clips, exit 0). The error now says the rows are at two times, that agreement needs one
 * rating per target and rater, and how to make one. Negative control: a test-retest with an ISO date column keeps the
 * old hint only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-trace-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

describe('continuous traces in a long file', () => {
  it('samples at two times of one (target, rater): exit 2, the hint names the times and the fix, not only --repeated', async () => {
    const rows = ['target,rater,time,rating'];
    for (const [rater, hz] of [['a', 10], ['b', 25]] as const) for (let i = 0; i < 5; i++) rows.push(`clip1,${rater},${(i / hz).toFixed(2)},${(0.1 * i).toFixed(2)}`);
    const p = file('trace.csv', rows.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:3, column rater: duplicate rating of target 'clip1' by rater 'a' (first given on line 2), at time 0 and 0.1: samples of a continuous trace? agreement compares one rating per target and rater: pass --traces to read continuous traces (mean r, CCC, alpha, reaction lags, a gold trace), or average each trace over its target, or cut the traces into windows on one time grid and make each window a target (e.g. 'clip1@0-1s'); a test-retest design needs an occasion column or --repeated\n`,
    );
  });

  it('negative control: a repeated rating with ISO dates (a test-retest) keeps the test-retest hint only', async () => {
    const p = file('retest.csv', 'target,rater,timestamp,rating\nc1,a,2026-01-05,3\nc1,b,2026-01-05,4\nc1,a,2026-02-05,3\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:4, column rater: duplicate rating of target 'c1' by rater 'a' (first given on line 2); a test-retest design needs an occasion column or --repeated\n`);
  });
});
