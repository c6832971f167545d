/**
 * `mmprep agreement` as a user runs it: input errors (exit 2 naming line and column), the gate (exit 3), JSON, gold
 * labels, dimensions, drift, and the HTML report opened in headless Chromium. Two runs go through bin/mmprep.js in a
 * child process (exit 2 and exit 3 as process exit codes); the others call main() in this process (runCliInProcess).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, runCliInProcess, tempDir } from './helpers/cli.js';

const DATA = join(FIXTURES, 'agreement', 'data');
/** `mmprep agreement` on the file with missing ratings, default table: one run, read by two tests. */
let missRun: ReturnType<typeof runCli> | undefined;
const missTable = () => (missRun ??= runCliInProcess(['agreement', join(DATA, 'miss01_n20_k4_likert_10pct.csv')]));
let dir: string;
let cleanup: () => void;
beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-agreement-'));
});
afterAll(() => cleanup());

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('bad input: exit 2, one line naming file, line and column', () => {
  it('non-numeric rating', async () => {
    const p = file('nonnum.csv', 'target,rater,rating\na,r1,1\na,r2,2\nb,r1,x3\nb,r2,4\n');
    const r = await runCli(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${p}:4, column rating: non-numeric rating 'x3'`);
  });
  it('non-numeric rating in a wide file names the rater column; quoted multi-line ids keep line numbers right', async () => {
    const p = file('nonnum-wide.csv', 'target,A,B\n"multi\nline",1,2\nt2,3,?\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}:4, column B: rating '?' looks like a missing-value marker`);
  });
  it('duplicate (target, rater, dimension)', async () => {
    const p = file('dup.csv', 'target,rater,rating,dimension\na,r1,1,val\na,r2,2,val\na,r1,1,aro\na,r2,5,aro\nb,r1,3,val\nb,r2,3,val\na,r1,4,val\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:8, column rater: duplicate rating of target 'a' by rater 'r1' in dimension 'val' \\(first given on line 2\\)`));
  });
  it('a wide column without any rating is not a rater', async () => {
    const p = file('emptycol.csv', 'target,A,B,C\nt1,1,,2\nt2,3,,3\nt3,5,,4\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dimensions[0].n_raters).toBe(2);
    expect(j.dimensions[0].icc.n_targets).toBe(3);
    const one = await runCliInProcess(['agreement', file('onecol.csv', 'target,A,B\nt1,1,\nt2,3,\n')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/fewer than two raters/);
  });
  it('a long file without the rating column says which option to set', async () => {
    const p = file('score.csv', 'target,rater,score\na,r1,1\na,r2,2\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/score\.csv:1: long format needs columns 'rating'.*--rating-col/);
    const ok = await runCliInProcess(['agreement', p, '--rating-col', 'score', '--json']);
    expect(ok.code).toBe(0);
  });
  it('fewer than two raters', async () => {
    const p = file('one.csv', 'target,rater,rating\na,r1,1\nb,r1,2\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fewer than two raters/);
  });
  it('empty file and header-only file', async () => {
    const e = await runCliInProcess(['agreement', file('empty.csv', '')]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/empty\.csv: empty file/);
    const h = await runCliInProcess(['agreement', file('header.csv', 'target,rater,rating\n')]);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/header\.csv:2: no ratings/);
  });
  it('missing file, malformed CSV, bad option', async () => {
    const m = await runCliInProcess(['agreement', join(dir, 'nope.csv')]);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/nope\.csv: no such file: check the path/);
    const q = await runCliInProcess(['agreement', file('badquote.csv', 'target,A,B\nt1,1,2\nt2,"3,4\n')]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/badquote\.csv:3: malformed CSV: a quote \("\) is opened and never closed: close it or remove it\n$/);
    // the line where the quote opens, not the file's last line (csv-parse's): closed and doubled quotes before it
    // and after it do not count
    const rows = ['target,A,B', '"t1",1,2', '"t""2",3,4', 't3,5,"6', 't4,7,8', 't5,9,10', ''].join('\n');
    const q2 = await runCliInProcess(['agreement', file('badquote2.csv', rows)]);
    expect(q2.code).toBe(2);
    expect(q2.stderr).toMatch(/badquote2\.csv:4: malformed CSV: a quote \("\) is opened and never closed/);
    // a row with an extra cell: csv-parse's "Invalid Record Length: expect 3, got 4 on line 3" said neither which
    // row had too many cells in words nor what to do
    const x = await runCliInProcess(['agreement', file('extracell.csv', 'target,rater,rating\nt1,r1,3\nt1,r2,3,5\n')]);
    expect(x.code).toBe(2);
    expect(x.stderr).toBe('mmprep: ' + join(dir, 'extracell.csv') + ':3: malformed CSV: this row has 4 cells, the header 3 columns: give every row one cell per header column (quote a cell that holds the delimiter)\n');
    const o = await runCliInProcess(['agreement', join(DATA, 'sf_shrout_fleiss_1979.csv'), '--icc-type', 'ICC9']);
    expect(o.code).toBe(2);
    for (const y of [m, q, x]) expect(y.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('output', () => {
  it('--json is deterministic and carries the psych figures', async () => {
    const a = await runCliInProcess(['agreement', join(DATA, 'sf_shrout_fleiss_1979.csv'), '--json', '--bootstrap', '50', '--seed', '3']);
    const b = await runCliInProcess(['agreement', join(DATA, 'sf_shrout_fleiss_1979.csv'), '--json', '--bootstrap', '50', '--seed', '3']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    const icc2 = j.dimensions[0].icc.rows.find((r: { type: string }) => r.type === 'ICC2');
    expect(icc2.icc).toBeCloseTo(0.289763779527559, 12);
    expect(j.dimensions[0].krippendorff_alpha.interval.ci95).toHaveLength(2);
    expect(a.stdout).not.toMatch(/NaN|Infinity/);
  });
  it('the table names the dropped targets; --missing model uses them', async () => {
    const t = await missTable();
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/14 complete targets, 6 incomplete targets dropped; --missing model uses every rating\)/);
    expect(t.stdout).toMatch(/\nKappas\n {2}coefficient +kappa +bootstrap 95% CI +n\n {2}Fleiss' kappa /); // each table under its heading
    const m = await runCliInProcess(['agreement', join(DATA, 'miss01_n20_k4_likert_10pct.csv'), '--missing', 'model', '--json']);
    const j = JSON.parse(m.stdout);
    expect(j.dimensions[0].icc.method).toBe('reml');
    expect(j.dimensions[0].icc.rows[1].icc).toBeCloseTo(0.428508189538745, 4);
  });
  it('dimensions, order column drift, gold labels (jsonl and csv)', async () => {
    // rater C drifts upwards over its work; two dimensions
    let csv = 'dimension,target,rater,rating,order\n';
    for (let t = 0; t < 30; t++) {
      const truth = (t * 7) % 5;
      for (const [r, off] of [['A', 0], ['B', 0], ['C', t >= 20 ? 3 : 0], ['D', 0]] as const) {
        csv += `valence,item${t},${r},${truth + off + ((t + r.charCodeAt(0)) % 2) * 0.5},${t}\n`;
        csv += `arousal,item${t},${r},${(t % 3) + (r === 'D' ? 1 : 0)},${t}\n`;
      }
    }
    const p = file('dims.csv', csv);
    const gj = join(dir, 'gold.jsonl');
    const gc = join(dir, 'gold.csv');
    const r = await runCliInProcess(['agreement', p, '--json', '--gold', gj]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dimensions.map((d: { dimension: string }) => d.dimension)).toEqual(['valence', 'arousal']);
    const c = j.dimensions[0].raters.find((x: { rater: string }) => x.rater === 'C');
    expect(c.drift).toBeGreaterThan(2);
    expect(c.flags).toContain('drift');
    for (const other of ['A', 'B', 'D']) expect(j.dimensions[0].raters.find((x: { rater: string }) => x.rater === other).flags).not.toContain('drift');
    const d = j.dimensions[1].raters.find((x: { rater: string }) => x.rater === 'D');
    expect(d.bias).toBeCloseTo(1, 9);
    const lines = readFileSync(gj, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(60);
    expect(lines[0]).toMatchObject({ dimension: 'valence', target: 'item0', n_ratings: 4, aggregate: 'mean' });
    expect(Object.keys(lines[0].ratings)).toEqual(['A', 'B', 'C', 'D']);
    const r2 = await runCliInProcess(['agreement', p, '--gold', gc, '--gold-aggregate', 'median']);
    expect(r2.code).toBe(0);
    const g = readFileSync(gc, 'utf8').split('\n');
    expect(g[0]).toMatch(/^dimension,target,n_ratings,aggregate,label,mean,median/);
    expect(g).toHaveLength(62);
  });
  it('categorical labels: majority gold labels with the distribution', async () => {
    const gj = join(dir, 'gold-cat.jsonl');
    const r = await runCliInProcess(['agreement', join(DATA, 'cohen_wikipedia_2x2.csv'), '--categorical', '--gold', gj, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.dimensions[0].cohen_kappa.unweighted.kappa).toBeCloseTo(0.4, 12);
    expect(j.dimensions[0].icc).toBeNull();
    const g = JSON.parse(readFileSync(gj, 'utf8').split('\n')[0]);
    expect(g.aggregate).toBe('majority');
    expect(Object.values(g.distribution).reduce((a: number, b) => a + (b as number), 0)).toBe(2);
  });
  it('categorical output says nothing of the ICC it does not compute (text header, HTML header and plot note)', async () => {
    const html = join(dir, 'cat-report.html');
    const p = file('cat-missing.csv', 'target,A,B,C\nt1,x,x,y\nt2,y,y,\nt3,x,y,x\nt4,y,y,y\n');
    const r = await runCliInProcess(['agreement', p, '--categorical', '--report', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`mmprep agreement: ${p} (wide format)`);
    expect(r.stdout).not.toMatch(/ICC|incomplete targets/);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/ICC|Koo|incomplete targets/);
    // Numeric ratings keep the ICC's missing-ratings policy in the header.
    const n = await missTable();
    expect(n.stdout.split('\n')[0]).toMatch(/missing ratings: incomplete targets dropped for the ICC\)$/);
  });
});

describe('gate', () => {
  const sf = join(DATA, 'sf_shrout_fleiss_1979.csv');
  it('passes with exit 0 (its 6 targets allowed by --min-icc-targets)', async () => {
    const r = await runCliInProcess(['agreement', sf, '--min-icc', '0.25', '--min-icc-targets', '6']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Gate: passed\n {2}ok {3}\(all\): ICC2 0\.2898 \(min 0\.25, 6 targets, min 6\)/);
  });
  // As dataset validate --min-icc: an ICC from 6 targets passed the gate, exit 0 (Koo & Li 2016 advise at least 30).
  it('fails with exit 3 when the ICC comes from fewer targets than --min-icc-targets (default 30); 0 turns the count off', async () => {
    const r = await runCliInProcess(['agreement', sf, '--min-icc', '0.25']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("mmprep: agreement gate failed: dimension '(all)' ICC2 0.2898 comes from 6 targets (icc.n_targets), fewer than --min-icc-targets 30 (Koo & Li 2016 advise at least 30): too few to show agreement; rate more targets, or give --min-icc-targets the number your study planned (0: not checked)\n");
    expect((await runCliInProcess(['agreement', sf, '--min-icc', '0.25', '--min-icc-targets', '7'])).code).toBe(3);
    // --json: the failed gate's object says why and with which code, as dataset validate --json does (ttrial55)
    const json = await runCliInProcess(['agreement', sf, '--min-icc', '0.25', '--json']);
    expect(json.code).toBe(3);
    const o = JSON.parse(json.stdout) as { ok: boolean; error?: string; exit_code?: number };
    expect([o.ok, o.exit_code, `mmprep: ${o.error}\n`]).toEqual([false, 3, r.stderr]);
    const passed = JSON.parse((await runCliInProcess(['agreement', sf, '--min-icc', '0.25', '--min-icc-targets', '0', '--json'])).stdout) as Record<string, unknown>;
    expect([passed.ok, 'error' in passed, 'exit_code' in passed]).toEqual([true, false, false]);
    expect((await runCliInProcess(['agreement', sf, '--min-icc', '0.25', '--min-icc-targets', '0'])).code).toBe(0);
    const alone = await runCliInProcess(['agreement', sf, '--min-icc-targets', '6']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe('mmprep: --min-icc-targets 6 has nothing to check without --min-icc: give --min-icc X, or drop --min-icc-targets\n');
  });
  it('fails with exit 3 naming the dimension and the figure', async () => {
    const r = await runCli(['agreement', sf, '--min-icc', '0.5']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/agreement gate failed: dimension '\(all\)' ICC2 0\.2898 < 0\.5/);
    const lower = await runCliInProcess(['agreement', sf, '--min-icc', '0.4', '--icc-type', 'ICC3', '--gate-on', 'lower']);
    expect(lower.code).toBe(3);
    expect(lower.stderr).toMatch(/ICC3 lower 95% bound 0\.3425 < 0\.4/);
    const ok = await runCliInProcess(['agreement', sf, '--min-icc', '0.4', '--icc-type', 'ICC3', '--gate-on', 'point', '--min-icc-targets', '6']);
    expect(ok.code).toBe(0);
    const a = await runCliInProcess(['agreement', sf, '--min-alpha', '0.5']);
    expect(a.code).toBe(3);
    expect(a.stderr).toMatch(/alpha \(interval\) 0\.1473 < 0\.5/);
  });
});

describe('HTML report', () => {
  it('is self-contained, escapes ids and renders in headless Chromium without console errors', async () => {
    let csv = 'target,rater,rating\n';
    const raters = ['<script>alert(1)</script>', 'Ann & "Bo"', "O'Neil", 'plain'];
    for (let t = 0; t < 40; t++) raters.forEach((r, i) => (csv += `"<b>t${t}</b>","${r.replace(/"/g, '""')}",${(t % 5) + (i === 1 ? 1 : 0) + (t === 7 && i === 2 ? 4 : 0)}\n`));
    const p = file('xss.csv', csv);
    const html = join(dir, 'report.html');
    const r = await runCliInProcess(['agreement', p, '--report', html, '--bootstrap', '20']);
    expect(r.code).toBe(0);
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/<script/i);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).not.toMatch(/https?:\/\//);
    expect((text.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(1 + 4 + 4 + 1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const chromium = '/usr/bin/chromium';
    expect(existsSync(chromium), 'Debian package chromium (installed by .ci/run)').toBe(true);
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (q) => {
        if (!q.url().startsWith('file:')) requests.push(q.url());
      });
      await page.goto('file://' + html);
      expect(await page.locator('svg').count()).toBeGreaterThanOrEqual(10);
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('body').innerText()).toContain('<script>alert(1)</script>');
      const shot = await page.screenshot({ fullPage: false });
      // Count non-white pixels of the screenshot in a second page (a canvas decodes the PNG for us).
      const probe = await browser.newPage();
      await probe.setContent(`<img id="i" src="data:image/png;base64,${shot.toString('base64')}">`);
      const nonWhite = await probe.evaluate(async () => {
        const img = document.getElementById('i') as HTMLImageElement;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        let colored = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
          if (Math.abs(d[i] - d[i + 2]) > 60) colored++;
        }
        return { share: n / (d.length / 4), colored };
      });
      expect(nonWhite.share).toBeGreaterThan(0.02);
      expect(nonWhite.colored).toBeGreaterThan(500); // plots (blue/red marks), not just black text
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
