/**
 * Issue 14, item 4: the report for adjudication, opened in headless Chromium (Debian's chromium): contested targets
 * with every rater's rating and CSS-only sorting, ids on plot points, confusion matrices and per-category kappas for
 * labels, ICC bands only behind ICC rows, and a printed rendering (PDF) plus a tall screenshot.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('mmprep-agr-report-')));
afterAll(() => cleanup());

/** 30 clips x 5 raters of emotion labels, mostly "neutral"; clip c7 split 2-2-1; rater e mislabels often. */
function labelCsv(): string {
  const cats = ['neutral', 'happy', 'sad', 'angry'];
  let csv = 'target,rater,rating\n';
  for (let c = 0; c < 30; c++) {
    const truth = c % 5 === 0 ? cats[1 + (c % 3)] : 'neutral';
    ['a', 'b', 'c', 'd', 'e'].forEach((r, g) => {
      let v = truth;
      if (c === 7) v = ['happy', 'happy', 'sad', 'sad', 'angry'][g];
      else if (r === 'e' && c % 3 === 0) v = cats[(c / 3) % 4];
      csv += `clip${String(c).padStart(2, '0')},${r},${v}\n`;
    });
  }
  return csv;
}

function numericCsv(): string {
  let csv = 'target,A,B,C,D\n';
  for (let t = 0; t < 24; t++) {
    const truth = 1 + ((t * 5) % 7);
    csv += `item${t},${truth},${Math.min(7, truth + (t % 2))},${Math.max(1, truth - (t % 3 === 0 ? 1 : 0))},${t === 11 ? 1 : truth}\n`;
  }
  return csv;
}

describe('HTML report for adjudication', () => {
  it('contested table, sorting, point ids, confusion matrices, bands, print', async () => {
    const lab = join(dir, 'labels.csv');
    const num = join(dir, 'numeric.csv');
    writeFileSync(lab, labelCsv());
    writeFileSync(num, numericCsv());
    const labHtml = join(dir, 'labels.html');
    const numHtml = join(dir, 'numeric.html');
    expect((await runCliInProcess(['agreement', lab, '--categorical', '--report', labHtml])).code).toBe(0);
    expect((await runCliInProcess(['agreement', num, '--report', numHtml])).code).toBe(0);

    const chromium = '/usr/bin/chromium';
    expect(existsSync(chromium), 'Debian package chromium (installed by .ci/run)').toBe(true);
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto('file://' + labHtml);
      // contested clip c7: first row, every rater's label side by side
      const firstRow = page.locator('table.contested tbody:visible tr').first();
      expect(await firstRow.locator('td').nth(1).innerText()).toBe('clip07');
      expect(await firstRow.locator('td').allInnerTexts()).toEqual(expect.arrayContaining(['happy', 'sad', 'angry']));
      expect(await page.locator('table.contested thead th.rater').count()).toBe(5);
      // CSS-only sorting: "target id" shows the id-sorted row group
      await page.locator('label', { hasText: 'target id' }).click();
      expect(await page.locator('table.contested tbody:visible tr').first().locator('td').nth(1).innerText()).toBe('clip00');
      expect(await page.locator('table.contested tbody:visible').count()).toBe(1);
      // confusion matrices: 10 pairs + 5 raters against the majority; per-category kappas; rater e flagged
      expect(await page.locator('table.cm caption').count()).toBe(15);
      expect(await page.locator('text=Agreement per category').count()).toBe(1);
      expect(await page.locator('td', { hasText: 'low_agreement' }).count()).toBe(1);
      // no ICC rows for labels, so no band
      expect(await page.locator('rect.band-icc').count()).toBe(0);
      // printed: a PDF (print CSS) and a tall screenshot of the whole page
      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThanOrEqual(2);
      const tall = await page.screenshot({ fullPage: true });
      expect(tall.readUInt32BE(20)).toBeGreaterThan(2500); // PNG height

      await page.goto('file://' + numHtml);
      // bands behind the six ICC rows only (three bands each)
      expect(await page.locator('rect.band-icc').count()).toBe(18);
      // Bland-Altman points carry their target id; the outlier (item11 by D) is labelled on the plot
      expect(await page.locator('svg[aria-label^="Bland-Altman"] circle title', { hasText: 'item11' }).count()).toBe(4);
      expect(await page.locator('svg[aria-label="Bland-Altman D"] text.pt-label', { hasText: 'item11' }).count()).toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
