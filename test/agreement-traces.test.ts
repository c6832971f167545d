/**
 * `mmprep agreement FILE --traces`: continuous annotation traces (src/agreement/traces/). The fixture
 * fixtures/agreement/traces/panel.csv (scripts/make-trace-fixtures.mjs: 6 raters, known lags 0, 0, 0.8, 2.4 s, one
 * outlier in arousal and reversed in valence, one flat in s02 and stopped early in s03) against R's values
 * (scripts/trace-references.R: cor(), Lin's CCC, psych::alpha raw_alpha, the lag search, EWE; panel.reference.json).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-traces-');
afterAll(() => tmp.cleanup());
const PANEL = join(FIXTURES, 'agreement', 'traces', 'panel.csv');
const INDEPENDENT = join(FIXTURES, 'agreement', 'traces', 'independent.csv');
const REF = JSON.parse(readFileSync(join(FIXTURES, 'agreement', 'traces', 'panel.reference.json'), 'utf8'));

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function run(args: string[]): Promise<Json> {
  const r = await runCliInProcess(['agreement', ...args, '--traces', '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function close(a: number | null, b: number | null, tol = 1e-9): void {
  if (b === null) return expect(a).toBeNull();
  expect(a).not.toBeNull();
  expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(tol);
}

function goldRows(path: string): Map<string, string[]> {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  expect(lines[0]).toBe('target,dimension,time_s,gold,sd,n_raters');
  return new Map(lines.slice(1).map((l) => l.split(',')).map((c) => [`${c[0]},${c[1]},${c[2]}`, c]));
}

describe('agreement --traces against R (scripts/trace-references.R)', () => {
  for (const align of [false, true]) {
    it(`figures, lags, r with the others and the gold (mean and EWE)${align ? ' with --align-lags' : ''}`, async () => {
      const extra = align ? ['--align-lags'] : [];
      const j = await run([PANEL, ...extra]);
      expect(j.traces.step_s).toBe(REF.step_s);
      for (const d of j.dimensions) {
        const ref = REF.dimensions[`${d.dimension}${align ? '_aligned' : ''}`];
        for (const k of ['mean_r', 'mean_ccc', 'alpha']) close(d.pooled[k], ref.pooled[k]);
        expect(d.pooled.n_complete_samples).toBe(ref.pooled.n_complete_samples);
        d.targets.forEach((t: Json, i: number) => {
          expect(t.target).toBe(ref.targets[i].target);
          for (const k of ['mean_r', 'mean_ccc', 'alpha']) close(t[k], ref.targets[i][k]);
          expect(t.n_complete_samples).toBe(ref.targets[i].n_complete_samples);
        });
        d.raters.forEach((q: Json, i: number) => {
          expect(q.rater).toBe(ref.raters[i].rater);
          expect(q.lag_s).toBe(ref.raters[i].lag_s);
          close(q.r_with_others, ref.raters[i].r_with_others);
          close(q.r_with_others_after_lag, ref.raters[i].r_with_others_after_lag);
        });
      }
      for (const how of ['mean', 'ewe']) {
        const g = join(tmp.dir, `gold-${how}-${align}.csv`);
        await run([PANEL, ...extra, '--gold', g, '--gold-aggregate', how]);
        const rows = goldRows(g);
        let checked = 0;
        for (const dim of ['arousal', 'valence'])
          for (const ref of REF.dimensions[`${dim}${align ? '_aligned' : ''}`].gold) {
            const row = rows.get(`${ref.target},${dim},${ref.time_s}`);
            expect(row, `${ref.target} ${dim} ${ref.time_s}`).toBeDefined();
            close(Number(row![3]), ref[how]);
            if (ref.sd === null) expect(row![4]).toBe('');
            else close(Number(row![4]), ref.sd);
            expect(Number(row![5])).toBe(ref.n_raters);
            checked++;
          }
        expect(checked).toBeGreaterThan(100);
      }
    });
  }

  it('recovers the planted lags (0.8 s, 2.4 s) within one grid step, with the sign of R ccf()', async () => {
    const j = await run([PANEL]);
    for (const d of j.dimensions) {
      const lag = Object.fromEntries(d.raters.map((q: Json) => [q.rater, q.lag_s]));
      for (const [r, want] of [['r1', 0], ['r2', 0], ['r3', 0.8], ['r4', 2.4]] as const) expect(Math.abs(lag[r] - want)).toBeLessThanOrEqual(j.traces.step_s + 1e-9);
      REF.dimensions[d.dimension].ccf_peak_s01.forEach((c: number | null, i: number) => {
        if (d.raters[i].lag_s !== null) expect(c).toBe(d.raters[i].lag_s);
      });
      expect(d.raters[4].lag_s).toBeNull();
      expect(d.raters[4].lag_reason).toBeTruthy();
    }
  });

  it('the diagnostics fire on the planted problems and stay silent on the clean raters', async () => {
    const j = await run([PANEL]);
    const kinds = (dim: string) => j.dimensions.find((d: Json) => d.dimension === dim).diagnostics.map((x: Json) => `${x.kind}:${x.rater}:${x.target ?? ''}`).sort();
    expect(kinds('arousal')).toEqual(['flat:r6:s02', 'lag:r4:', 'outlier:r5:', 'partial:r6:s03']);
    expect(kinds('valence')).toEqual(['flat:r6:s02', 'lag:r4:', 'partial:r6:s03', 'reversed:r5:']);
    const aligned = await run([PANEL, '--align-lags']);
    expect(aligned.dimensions[0].diagnostics.find((x: Json) => x.kind === 'lag').message).toContain('--align-lags moved the trace by it');
    expect(aligned.dimensions[0].raters[3].shifted_s).toBe(2.4);
  });
});

describe('agreement --traces: negative controls', () => {
  it('independent random traces: no lag claimed, low agreement, no diagnostic', async () => {
    const j = await run([INDEPENDENT]);
    const d = j.dimensions[0];
    for (const q of d.raters) {
      expect(q.lag_s).toBeNull();
      expect(q.lag_reason).toMatch(/no lag stands out|peaks disagree|edge|more negative/);
    }
    expect(Math.abs(d.pooled.mean_r)).toBeLessThan(0.2);
    expect(d.diagnostics).toEqual([]);
  });

  it('a lag that differs from target to target (+0.6, -0.6, 0 s) is not claimed: the per-target peaks disagree', async () => {
    const sig = (t: number) => Math.sin(0.9 * t) + 0.6 * Math.sin(2.3 * t + 1) + 0.4 * Math.sin(0.37 * t + 2);
    const rows = ['target,rater,time_s,valence'];
    for (const [target, lag] of [['t1', 0.6], ['t2', -0.6], ['t3', 0]] as const)
      for (let i = 0; i <= 300; i++) {
        const t = i / 10;
        rows.push(`${target},a,${t},${sig(t).toFixed(4)}`, `${target},b,${t},${sig(t - lag).toFixed(4)}`);
      }
    const j = await run([file('mixed-lags.csv', rows.join('\n') + '\n')]);
    for (const q of j.dimensions[0].raters) {
      expect(q.lag_s).toBeNull();
      expect(q.lag_reason).toMatch(/^the per-target peaks disagree \([01] of 3 targets within 0.5 s/);
    }
  });

  it('a periodic trace (a sinusoid of period 2.5 s): the lag is ambiguous, not claimed', async () => {
    const rows = ['target,rater,time_s,arousal'];
    for (const target of ['t1', 't2']) for (const [r, ph] of [['x', 0], ['y', 0], ['z', 0.3]] as const) for (let k = 0; k < 200; k++) rows.push(`${target},${r},${(k * 0.04).toFixed(2)},${Math.sin(k / 10 + ph).toFixed(3)}`);
    const j = await run([file('periodic.csv', rows.join('\n') + '\n')]);
    for (const q of j.dimensions[0].raters) {
      expect(q.lag_s).toBeNull();
      expect(q.lag_reason).toMatch(/^two peaks of similar height \(r = .* a periodic trace\? no lag is claimed$/);
    }
  });

  it('a single rater: every figure null with the reason', async () => {
    const rows = ['target,rater,time_s,valence', ...Array.from({ length: 50 }, (_, i) => `c1,a,${i / 10},${Math.sin(i / 5).toFixed(3)}`)];
    const j = await run([file('one.csv', rows.join('\n') + '\n')]);
    const p = j.dimensions[0].pooled;
    expect([p.mean_r, p.mean_ccc, p.alpha]).toEqual([null, null, null]);
    expect(p.alpha_reason).toBe('one rater: agreement needs two or more');
    expect(j.dimensions[0].raters[0].lag_s).toBeNull();
  });
});

describe('agreement --traces: grid, gaps and order', () => {
  it('a gap over --max-gap-s is missing, not bridged; a time no rater covers is not in the gold', async () => {
    const rows = ['target,rater,time_s,rating'];
    for (const r of ['a', 'b']) for (let i = 0; i <= 40; i++) if (i <= 10 || i >= 30) rows.push(`c1,${r},${i / 10},${(i / 40 + (r === 'b' ? 0.01 : 0)).toFixed(3)}`);
    const p = file('gap.csv', rows.join('\n') + '\n');
    const g = join(tmp.dir, 'gap-gold.jsonl');
    await run([p, '--gold', g]);
    const times = readFileSync(g, 'utf8').trim().split('\n').map((l) => JSON.parse(l).time_s);
    expect(times).toContain(1);
    expect(times).not.toContain(1.1);
    expect(times).not.toContain(2.9);
    expect(times).toContain(3);
    expect(times).toHaveLength(22);
    // with a wider limit the gap is interpolated
    await run([p, '--gold', g, '--max-gap-s', '3']);
    expect(readFileSync(g, 'utf8').trim().split('\n')).toHaveLength(41);
  });

  it('unsorted times are sorted (said on stderr) and give the same figures', async () => {
    const sorted = readFileSync(INDEPENDENT, 'utf8').trim().split('\n');
    // each trace's rows in reverse time order, the traces in their order (301 rows each)
    const shuffled = [sorted[0]];
    for (let i = 1; i < sorted.length; i += 301) shuffled.push(...sorted.slice(i, i + 301).reverse());
    const p = file('unsorted.csv', shuffled.join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p, '--traces', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^mmprep agreement: .*unsorted\.csv: valence: 12 trace\(s\) not in time order, sorted by time before resampling: 'a' in 'u01' \(from line 2\); 'b' in 'u01' \(from line 303\); 'c' in 'u01' \(from line 604\); …\n$/);
    const a = JSON.parse(r.stdout);
    const b = await run([INDEPENDENT]);
    expect(a.dimensions).toEqual(b.dimensions);
  });

  it('repeated runs are byte-identical (table, JSON and gold)', async () => {
    const outs: string[] = [];
    for (let k = 0; k < 2; k++) {
      const g = join(tmp.dir, `rep${k}.csv`);
      const r = await runCliInProcess(['agreement', PANEL, '--traces', '--json', '--gold', g, '--gold-aggregate', 'ewe']);
      const t = await runCliInProcess(['agreement', PANEL, '--traces']);
      outs.push(r.stdout.replace(/rep\d\.csv/g, '') + t.stdout + readFileSync(g, 'utf8'));
    }
    expect(outs[0]).toBe(outs[1]);
  });
});

describe('agreement --traces: bad input and options', () => {
  const bad = async (text: string, args: string[] = []) => {
    const p = file('bad.csv', text);
    const r = await runCliInProcess(['agreement', p, '--traces', ...args]);
    return { ...r, p };
  };

  it('a non-numeric rating: one line with file:line and column', async () => {
    const r = await bad('target,rater,time_s,valence\nc1,a,0,0.1\nc1,a,0.1,high\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${r.p}:3, column valence: rating 'high' is not a number: write it as a decimal number (missing: leave it empty or NA, or list it with --na)\n`);
  });

  it('a time given twice in one trace: both lines', async () => {
    const r = await bad('target,rater,time_s,valence\nc1,a,0,0.1\nc1,a,0.1,0.2\nc1,a,0.1,0.3\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${r.p}:4, column time_s: rater 'a' has time 0.1 twice in target 'c1' (valence) (first on line 3, values 0.2 there and 0.3 here: one trace must have one value per time; if these are two passes or two people, give them their own rater ids)\n`);
  });

  it('no time column: named, with --time-col', async () => {
    const r = await bad('target,rater,valence\nc1,a,0.1\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mmprep: .*bad\.csv:1: no time \(time_s, t_s, time, timestamp, …\) column in the header \(target, rater, valence\): name it or pass --time-col\n$/);
  });

  it('--min-alpha gates the pooled Cronbach alpha (exit 3); --min-icc is refused with --traces', async () => {
    const g = await runCliInProcess(['agreement', PANEL, '--traces', '--min-alpha', '0.5']);
    expect(g.code).toBe(3);
    expect(g.stderr).toContain("valence: pooled Cronbach's alpha 0.009 < 0.5");
    expect(g.stderr).not.toContain('arousal:');
    const ok = await runCliInProcess(['agreement', PANEL, '--traces', '--min-alpha', '0.5', '--align-lags', '--exclude-rater', 'r5']);
    expect(ok.code).toBe(0);
    const icc = await runCliInProcess(['agreement', PANEL, '--traces', '--min-icc', '0.5']);
    expect(icc.code).toBe(2);
    expect(icc.stderr).toContain('--traces does not take --min-icc');
  });

  it('trace options without --traces are refused, not ignored', async () => {
    for (const args of [['--max-lag-s', '3'], ['--trace-step', '0.1'], ['--align-lags']]) {
      const r = await runCliInProcess(['agreement', PANEL, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/read continuous traces: add --traces\n$/);
    }
  });

  it('a dimension column and a time in ms read as the same traces as one column per dimension in seconds', async () => {
    const wide = readFileSync(INDEPENDENT, 'utf8').trim().split('\n').slice(1);
    const long = ['session;annotator;dimension;time_ms;rating', ...wide.map((l) => l.split(',')).map(([t, r, s, v]) => `${t};${r};valence;${Math.round(Number(s) * 1000)};${v}`)];
    const a = await run([file('long-ms.csv', long.join('\n') + '\n')]);
    const b = await run([INDEPENDENT]);
    expect(a.traces.columns).toEqual({ target: 'session', rater: 'annotator', time: 'time_ms', ratings: ['rating'], dimension: 'dimension' });
    expect(a.dimensions).toEqual(b.dimensions);
  });

  it('session_id (the manifest\'s name, which dataset build reads in a gold trace) is the target column (tuser61: refused)', async () => {
    const wide = readFileSync(INDEPENDENT, 'utf8').trim().split('\n');
    const a = await run([file('session-id.csv', ['session_id' + wide[0].slice('target'.length), ...wide.slice(1)].join('\n') + '\n')]);
    const b = await run([INDEPENDENT]);
    expect(a.traces.columns.target).toBe('session_id');
    expect(a.dimensions).toEqual(b.dimensions);
  });

  it("a time column named with its unit in brackets ('Time (ms)', as export tools label it) is found and read in ms", async () => {
    // tuser61: before, `Time (ms)` was not found ("no time column … pass --time-col")
    const wide = readFileSync(INDEPENDENT, 'utf8').trim().split('\n').slice(1);
    const ms = ['Video;Annotator;Time (ms);valence', ...wide.map((l) => l.split(',')).map(([t, r, s, v]) => `${t};${r};${Math.round(Number(s) * 1000)};${v}`)];
    const a = await run([file('time-ms-brackets.csv', ms.join('\n') + '\n')]);
    const b = await run([INDEPENDENT]);
    expect(a.traces.columns).toEqual({ target: 'Video', rater: 'Annotator', time: 'Time (ms)', ratings: ['valence'], dimension: null });
    expect(a.dimensions).toEqual(b.dimensions);
  });

  it('a European export (semicolons, decimal commas) is read with --decimal-comma, and its refusal without it names the option', async () => {
    // tuser61: --decimal-comma was refused with --traces ("traces are numeric"), so such an export could not be read
    const rows = readFileSync(INDEPENDENT, 'utf8').trim().split('\n');
    const eu = rows.map((l) => l.split(',').join(';')).map((l, i) => (i === 0 ? l : l.replace(/(\d)\.(\d)/g, '$1,$2')));
    const p = file('eu.csv', eu.join('\n') + '\n');
    const a = await run([p, '--decimal-comma']);
    const b = await run([INDEPENDENT]);
    expect(a.dimensions).toEqual(b.dimensions);
    const r = await runCliInProcess(['agreement', p, '--traces']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/eu\.csv:2, column (time_s|valence): (time|rating) '-?\d+,\d+' is not a number[^:]*\(a decimal comma, as a European export writes\? pass --decimal-comma\)/);
  });

  it("milliseconds under a column named 'Time' (read as seconds: samples 40 s apart, over --max-gap-s) are refused, no gold written", async () => {
    // tuser61: before, exit 0 with 'grid every 40 s', a 10 000 s target, a clean rater said to be reversed, and a gold
    // trace at 0, 40, 80 … s that dataset build held over every window
    const wide = readFileSync(INDEPENDENT, 'utf8').trim().split('\n').slice(1);
    const ms = ['target,rater,Time,valence', ...wide.map((l) => l.split(',')).map(([t, r, s, v]) => `${t},${r},${Math.round(Number(s) * 1000)},${v}`)];
    const p = file('time-ms-as-s.csv', ms.join('\n') + '\n');
    const g = join(tmp.dir, 'time-ms-as-s.gold.csv');
    const r = await runCliInProcess(['agreement', p, '--traces', '--gold', g]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the finest median sampling step among the traces is 100 s, over --max-gap-s 1 s: every two neighbouring samples would be a gap, so no trace can be resampled. Times in milliseconds in column 'Time', read as seconds? name it time_ms or 'Time (ms)'");
    expect(existsSync(g)).toBe(false);
    // samples that really are 100 s apart are read when --max-gap-s allows it
    const ok = await runCliInProcess(['agreement', p, '--traces', '--max-gap-s', '150', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).traces.step_s).toBe(100);
  });

  it('a gold trace or a JSON file given as the raters\' traces is named as such (tuser61: --rater-col advice; malformed CSV)', async () => {
    const gold = await bad('target,dimension,time_s,gold,sd,n_raters\ns01,arousal,0,0.5,0.1,3\ns01,arousal,0.04,0.5,0.1,3\n');
    expect(gold.code).toBe(2);
    expect(gold.stderr).toContain("bad.csv:1: this is a gold trace (target, dimension, time_s, gold, sd, n_raters: one row per grid time, as agreement --traces --gold writes it), not the raters' own traces");
    const json = await bad('[\n  {"id": 1, "annotations": []}\n]\n');
    expect(json.code).toBe(2);
    const missing = await runCliInProcess(['agreement', join(tmp.dir, 'no-such.csv'), '--traces']);
    expect(missing.code).toBe(2); // was 'internal error: ENOENT', exit 1
    expect(missing.stderr).toMatch(/no-such\.csv: cannot read the file \(ENOENT\)\n$/);
    expect(json.stderr).toContain('bad.csv:1: the file looks like JSON (a Label Studio or other tool\'s JSON export?), not CSV: export CSV from the tool (Label Studio: Export, CSV), or write one row per sample with columns target, rater, time_s');
  });

  it('--gold-aggregate ewe without --traces is refused', async () => {
    const r = await runCliInProcess(['agreement', PANEL, '--gold-aggregate', 'ewe', '--gold', join(tmp.dir, 'x.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--gold-aggregate ewe weighs continuous traces: it needs --traces');
  });
});
