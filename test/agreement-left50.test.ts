/**
 * Two report details left in session 49 (tagree49): the "run again with --exclude-rater" hint when every rater holds
 * the same flag (few_items on a small panel: leaving one out answers nothing), and Bland-Altman limits drawn at zero
 * width when a rater's differences from the others have no spread.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-agr-left50-')));
afterAll(() => cleanup());

describe('agreement report: hints and limits that say nothing are not given', () => {
  it('every rater few_items: no --exclude-rater hint', async () => {
    // 4 raters, 4 targets each: every rater is below the few_items floor of 5.
    let csv = 'target,rater,rating\n';
    for (let t = 0; t < 4; t++) for (const [g, r] of ['a', 'b', 'c', 'd'].entries()) csv += `t${t},${r},${1 + ((t * 2 + g) % 5)}\n`;
    const file = join(dir, 'few.csv');
    writeFileSync(file, csv);
    const r = await runCliInProcess(['agreement', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('few_items');
    expect(r.stdout).not.toContain('--exclude-rater');
  });

  it('a rater whose differences from the others are all equal: no limits of agreement drawn, the caption says why', async () => {
    // C = mean(A, B) + 1 on every target: its Bland-Altman differences are all exactly 1.
    let csv = 'target,A,B,C\n';
    for (let t = 0; t < 12; t++) {
      const a = 1 + (t % 5);
      const b = 1 + ((t * 3) % 5);
      csv += `i${t},${a},${b},${(a + b) / 2 + 1}\n`;
    }
    const file = join(dir, 'flat.csv');
    const html = join(dir, 'flat.html');
    writeFileSync(file, csv);
    expect((await runCliInProcess(['agreement', file, '--report', html])).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const fig = page.slice(page.indexOf('aria-label="Bland-Altman C"'));
    const one = fig.slice(0, fig.indexOf('</figure>'));
    expect(one).toContain('C: bias 1.000, limits not drawn (all 12 differences equal: no spread to draw them from)');
    expect(one).not.toContain('stroke-dasharray');
    // A's differences do spread: its limits are drawn as before.
    const a = page.slice(page.indexOf('aria-label="Bland-Altman A"'));
    expect(a.slice(0, a.indexOf('</figure>'))).toMatch(/A: bias -?\d\.\d{3}, limits -?\d\.\d{3} to -?\d\.\d{3}/);
  });
});
