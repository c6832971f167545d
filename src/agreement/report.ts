/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, no network) with, per dimension, the
 * coefficients with their CIs (forest plot), the rating distribution of each rater, each rater against the consensus
 * of the others (Bland & Altman 1986: difference against mean, with the mean bias and 95 % limits of agreement), the
 * spread per target with the contested targets marked, and the tables. Every id from the CSV goes through escapeHtml.
 */
import type { AgreementResult, DimensionResult } from './analyze.js';
import type { GateResult } from './gate.js';
import { byTarget } from './layout.js';
import type { RatingsDimension, RatingsTable } from './types.js';

import { escapeHtml } from './report-html.js';
import { gateTargets, iccMissingNote } from './format.js';
import { excludedText, excludeHint } from './exclude.js';
import { shownWarnings } from './typos.js';
import { categoryAndPairs, confusionMatrices, contestedTable, retestAndPlanning } from './report-adjudication.js';
import { firstOccasion } from './retest.js';

export { escapeHtml };

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));
const r2 = (v: number) => (Math.round(v * 100) / 100).toString();

/** Maps [d0, d1] to [r0, r1]. */
function scale(d0: number, d1: number, r0: number, r1: number) {
  const span = d1 - d0 || 1;
  return (v: number) => r0 + ((v - d0) / span) * (r1 - r0);
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(Number((Math.round(v / step) * step).toPrecision(6)));
  return out;
}

type ForestItem = { name: string; v: number | null; ci: [number | null, number | null] | null; kind: 'icc' | 'alpha' | 'kappa' };

function forestItems(d: DimensionResult): ForestItem[] {
  const items: ForestItem[] = [];
  if (d.icc) for (const r of d.icc.rows) items.push({ name: r.type, v: r.icc, ci: r.ci95, kind: 'icc' });
  for (const m of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
    const a = d.krippendorff_alpha[m];
    if (a.alpha !== null || !a.reason?.startsWith('not defined')) items.push({ name: `alpha ${m}`, v: a.alpha, ci: a.ci95, kind: 'alpha' });
  }
  if (d.fleiss_kappa) items.push({ name: "Fleiss' kappa", v: d.fleiss_kappa.kappa, ci: d.fleiss_kappa.ci95, kind: 'kappa' });
  if (d.cohen_kappa)
    for (const w of d.ordered ? (['unweighted', 'linear', 'quadratic'] as const) : (['unweighted'] as const)) {
      const c = d.cohen_kappa[w];
      items.push({ name: `Cohen ${w}`, v: c.kappa, ci: c.ci95 ?? c.ci95_asymptotic ?? null, kind: 'kappa' });
    }
  const chance: Array<[string, DimensionResult['gwet_ac1']]> = [['AC1', d.gwet_ac1], ['AC2 linear', d.ordered ? d.gwet_ac2_linear : null], ['AC2 quadratic', d.ordered ? d.gwet_ac2_quadratic : null], ['Brennan-Prediger', d.brennan_prediger], ["Scott's pi", d.scott_pi], ["Conger's kappa", d.conger]];
  for (const [name, c] of chance) if (c) items.push({ name, v: c.coefficient, ci: c.ci95, kind: 'kappa' });
  if (d.light) items.push({ name: "Light's kappa", v: d.light.kappa, ci: d.light.ci95, kind: 'kappa' });
  return items;
}

/**
 * Forest plot of every coefficient with its CI on [-1, 1]. Guides only behind the rows they belong to: Koo & Li's ICC
 * bands behind the ICC rows, Krippendorff's .667 / .800 behind the alpha rows; kappa-type rows get none.
 */
function forestPlot(d: DimensionResult): string {
  const items = forestItems(d);
  const W = 640;
  const rowH = 22;
  const left = 130;
  const H = 30 + items.length * rowH;
  const x = scale(-1, 1, left, W - 60);
  let s = `<svg class="plot" role="img" aria-label="coefficients with 95% CI" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  for (const t of [-1, -0.5, 0, 0.5, 1]) {
    s += `<line x1="${r2(x(t))}" x2="${r2(x(t))}" y1="4" y2="${H - 22}" stroke="#bbb" stroke-width="${t === 0 ? 1.5 : 0.5}"/><text x="${r2(x(t))}" y="${H - 8}" font-size="10" text-anchor="middle">${t}</text>`;
  }
  items.forEach((it, i) => {
    const y = 16 + i * rowH;
    const top = y - rowH / 2 + 1;
    if (it.kind === 'icc') {
      for (const [a, b, c] of [[0.5, 0.75, '#f3d9a4'], [0.75, 0.9, '#cfe3b4'], [0.9, 1, '#a9d39a']] as const) s += `<rect class="band-icc" x="${r2(x(a))}" y="${r2(top)}" width="${r2(x(b) - x(a))}" height="${rowH - 2}" fill="${c}" opacity="0.55"/>`;
    }
    if (it.kind === 'alpha') for (const g of [0.667, 0.8]) s += `<line class="guide-alpha" x1="${r2(x(g))}" x2="${r2(x(g))}" y1="${r2(top)}" y2="${r2(top + rowH - 2)}" stroke="#8e44ad" stroke-dasharray="3 2"/>`;
    s += `<text x="${left - 8}" y="${y + 4}" font-size="11" text-anchor="end">${escapeHtml(it.name)}</text>`;
    if (it.ci && it.ci[0] !== null && it.ci[1] !== null) {
      const lo = Math.max(-1, it.ci[0]);
      const hi = Math.min(1, it.ci[1]);
      s += `<line x1="${r2(x(lo))}" x2="${r2(x(hi))}" y1="${y}" y2="${y}" stroke="#333" stroke-width="2"/>`;
    }
    if (it.v !== null) s += `<circle cx="${r2(x(Math.max(-1, Math.min(1, it.v))))}" cy="${y}" r="4.5" fill="#1f5fa8"><title>${escapeHtml(it.name)} ${f3(it.v)}${it.ci && it.ci[0] !== null ? ` [${f3(it.ci[0])}, ${f3(it.ci[1])}]` : ''}</title></circle><text x="${W - 4}" y="${y + 4}" font-size="10" text-anchor="end">${f3(it.v)}</text>`;
    else s += `<text x="${left + 4}" y="${y + 4}" font-size="10" fill="#999">undefined</text>`;
  });
  // The note names only the guides this plot has.
  const notes: string[] = [];
  if (items.some((it) => it.kind === 'icc')) notes.push('Shading behind ICC rows: Koo &amp; Li bands (moderate .50, good .75, excellent .90).');
  if (items.some((it) => it.kind === 'alpha')) notes.push('Dashed lines behind alpha rows: Krippendorff&#39;s .667 and .800.');
  if (items.some((it) => it.kind !== 'icc' && it.kind !== 'alpha')) notes.push('Kappa-type rows carry no band.');
  return s + `</svg><p class="note">${notes.join(' ')}</p>`;
}

interface RaterPoints {
  own: number[];
  cons: number[];
  ids: string[];
}

/** Per rater: own rating and the mean of the other raters of the same target (deterministically thinned). */
function consensusPoints(d: RatingsDimension, maxPoints: number): RaterPoints[] {
  const bt = byTarget(d);
  const per: RaterPoints[] = d.raters.map(() => ({ own: [], cons: [], ids: [] }));
  const count = new Float64Array(d.raters.length);
  for (let j = 0; j < d.rater.length; j++) count[d.rater[j]]++;
  const stride = Array.from(count, (c) => Math.max(1, Math.ceil(c / maxPoints)));
  const seen = new Float64Array(d.raters.length);
  for (let t = 0; t < bt.nTargets; t++) {
    const a = bt.start[t];
    const b = bt.start[t + 1];
    if (b - a < 2) continue;
    let s = 0;
    for (let j = a; j < b; j++) s += bt.value[j];
    for (let j = a; j < b; j++) {
      const r = bt.rater[j];
      if (seen[r]++ % stride[r] !== 0) continue;
      per[r].own.push(bt.value[j]);
      per[r].cons.push((s - bt.value[j]) / (b - a - 1));
      per[r].ids.push(d.targets[t]);
    }
  }
  return per;
}

function blandAltman(name: string, p: RaterPoints, dom: [number, number], diffMax: number): string {
  const W = 220;
  const H = 170;
  const x = scale(dom[0], dom[1], 34, W - 8);
  const y = scale(-diffMax, diffMax, H - 22, 8);
  const diffs = p.own.map((v, i) => v - p.cons[i]);
  const n = diffs.length;
  const mean = n ? diffs.reduce((s, v) => s + v, 0) / n : 0;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  let s = `<figure class="small"><svg class="plot" role="img" aria-label="Bland-Altman ${escapeHtml(name)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  s += `<rect x="34" y="8" width="${W - 42}" height="${H - 30}" fill="#fafafa" stroke="#ccc"/>`;
  s += `<line x1="34" x2="${W - 8}" y1="${r2(y(0))}" y2="${r2(y(0))}" stroke="#999"/>`;
  for (const t of niceTicks(-diffMax, diffMax, 4)) s += `<text x="30" y="${r2(y(t) + 3)}" font-size="9" text-anchor="end">${t}</text>`;
  for (const t of niceTicks(dom[0], dom[1], 4)) s += `<text x="${r2(x(t))}" y="${H - 8}" font-size="9" text-anchor="middle">${t}</text>`;
  for (let i = 0; i < n; i++) {
    s += `<circle cx="${r2(x((p.own[i] + p.cons[i]) / 2))}" cy="${r2(y(diffs[i]))}" r="2.5" fill="#1f5fa8" fill-opacity="0.35"><title>${escapeHtml(p.ids[i])}: ${escapeHtml(name)} ${r2(p.own[i])}, others ${r2(p.cons[i])}</title></circle>`;
  }
  if (n) s += `<line x1="34" x2="${W - 8}" y1="${r2(y(mean))}" y2="${r2(y(mean))}" stroke="#c0392b" stroke-width="1.5"/>`;
  // Limits of agreement need a spread of the differences: with fewer than 2 of them, or all equal, lines at the bias
  // would read as limits of zero width, a certainty no sample gives (as bias_ci95 is null then).
  const limits = n > 1 && sd > 0;
  if (limits) for (const l of [mean - 1.96 * sd, mean + 1.96 * sd]) s += `<line x1="34" x2="${W - 8}" y1="${r2(y(l))}" y2="${r2(y(l))}" stroke="#c0392b" stroke-dasharray="4 3"/>`;
  s += labelOutliers(p, diffs, mean, sd, x, y);
  s += `</svg><figcaption>${escapeHtml(name)}: ${baCaption(n, mean, sd, limits)}</figcaption></figure>`;
  return s;
}

/** The Bland-Altman plot's caption: bias and limits, or why the limits are not drawn. */
function baCaption(n: number, mean: number, sd: number, limits: boolean): string {
  if (n === 0) return 'no target shared with another rater';
  if (limits) return `bias ${f3(mean)}, limits ${f3(mean - 1.96 * sd)} to ${f3(mean + 1.96 * sd)}`;
  return `bias ${f3(mean)}, limits not drawn (${n === 1 ? 'one difference' : `all ${n} differences equal`}: no spread to draw them from)`;
}

/** The ids of points outside the limits of agreement, written beside them (at most 5 per plot, the farthest). */
function labelOutliers(p: RaterPoints, diffs: number[], mean: number, sd: number, x: (v: number) => number, y: (v: number) => number): string {
  const out = diffs.map((v, i) => ({ i, dev: Math.abs(v - mean) })).filter((o) => sd > 0 && o.dev > 1.96 * sd);
  out.sort((a, b) => b.dev - a.dev || a.i - b.i);
  return out
    .slice(0, 5)
    .map(({ i }) => {
      const id = p.ids[i].length > 12 ? p.ids[i].slice(0, 12) + '…' : p.ids[i];
      return `<text class="pt-label" x="${r2(x((p.own[i] + p.cons[i]) / 2) + 4)}" y="${r2(y(diffs[i]) + 3)}" font-size="8" fill="#7a1f12">${escapeHtml(id)}</text>`;
    })
    .join('');
}

function distributions(d: RatingsDimension): string {
  const cats = d.categories;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d.value) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const distinct = new Set(d.value).size;
  const discrete = cats !== null || (distinct <= 20 && d.value.every((v) => Number.isInteger(v)));
  const bins: number[] = discrete ? (cats ? cats.map((_, i) => i) : Array.from(new Set(d.value)).sort((a, b) => a - b)) : [];
  const nb = discrete ? bins.length : 20;
  const width = (hi - lo) / nb || 1;
  const counts = d.raters.map(() => new Float64Array(nb));
  for (let j = 0; j < d.value.length; j++) {
    const v = d.value[j];
    const b = discrete ? bins.indexOf(v) : Math.min(nb - 1, Math.floor((v - lo) / width));
    counts[d.rater[j]][b]++;
  }
  let out = '';
  d.raters.forEach((name, r) => {
    const c = counts[r];
    const total = c.reduce((s, v) => s + v, 0) || 1;
    const maxShare = Math.max(...Array.from(c, (v) => v / total), 1e-9);
    const W = 220;
    const H = 130;
    const bw = (W - 20) / nb;
    let s = `<figure class="small"><svg class="plot" role="img" aria-label="ratings of ${escapeHtml(name)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
    s += `<line x1="10" x2="${W - 10}" y1="${H - 22}" y2="${H - 22}" stroke="#999"/>`;
    for (let b = 0; b < nb; b++) {
      const h = ((c[b] / total) / maxShare) * (H - 40);
      const label = discrete ? (cats ? cats[bins[b]] : String(bins[b])) : (lo + b * width).toPrecision(3);
      s += `<rect x="${r2(10 + b * bw + 1)}" y="${r2(H - 22 - h)}" width="${r2(Math.max(bw - 2, 1))}" height="${r2(h)}" fill="#4a90d9"><title>${escapeHtml(label)}: ${c[b]}</title></rect>`;
      if (discrete && nb <= 12) s += `<text x="${r2(10 + b * bw + bw / 2)}" y="${H - 8}" font-size="9" text-anchor="middle">${escapeHtml(label.length > 6 ? label.slice(0, 6) + '…' : label)}</text>`;
    }
    if (!discrete) s += `<text x="10" y="${H - 8}" font-size="9">${escapeHtml(lo.toPrecision(3))}</text><text x="${W - 10}" y="${H - 8}" font-size="9" text-anchor="end">${escapeHtml(hi.toPrecision(3))}</text>`;
    s += `</svg><figcaption>${escapeHtml(name)} (${total} ratings)</figcaption></figure>`;
    out += s;
  });
  return out;
}

function spreadPlot(d: DimensionResult): string {
  const cat = d.data_type === 'categorical';
  const vals = d.targets.map((t) => (cat ? (t.majority_share === null ? null : 1 - t.majority_share) : t.sd));
  const W = 640;
  const H = 180;
  const maxN = 400;
  const shown = d.targets.slice(0, maxN);
  const maxV = Math.max(1e-9, ...vals.slice(0, maxN).map((v) => v ?? 0));
  const bw = (W - 50) / Math.max(shown.length, 1);
  const y = scale(0, maxV, H - 20, 10);
  let s = `<svg class="plot" role="img" aria-label="spread per target" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  for (const t of niceTicks(0, maxV, 4)) s += `<line x1="40" x2="${W - 10}" y1="${r2(y(t))}" y2="${r2(y(t))}" stroke="#eee"/><text x="36" y="${r2(y(t) + 3)}" font-size="9" text-anchor="end">${t}</text>`;
  shown.forEach((t, i) => {
    const v = vals[i] ?? 0;
    s += `<rect x="${r2(40 + i * bw)}" y="${r2(y(v))}" width="${r2(Math.max(bw - 0.5, 0.5))}" height="${r2(y(0) - y(v))}" fill="${t.contested ? '#c0392b' : '#9db8d6'}"><title>${escapeHtml(t.target)}: ${cat ? `majority share ${f3(t.majority_share)}` : `SD ${f3(t.sd)}`}${t.contested ? ' (contested)' : ''}</title></rect>`;
  });
  s += `<text x="40" y="${H - 4}" font-size="10">targets ranked by ${cat ? '1 − majority share' : 'SD'} (${shown.length} of ${d.targets.length} shown; red = contested)</text></svg>`;
  return s;
}

function iccTable(d: DimensionResult): string {
  if (!d.icc) return '';
  let s = `<table><thead><tr><th>type</th><th>form</th><th>ICC</th><th>95% CI</th><th>F</th><th>df1</th><th>df2</th><th>p</th><th>Koo &amp; Li (on CI)</th></tr></thead><tbody>`;
  for (const r of d.icc.rows) {
    s += `<tr><td>${r.type}</td><td>${escapeHtml(r.label)}</td><td>${f3(r.icc)}</td><td${r.reason && r.icc !== null ? ` title="${escapeHtml(r.reason)}"` : ''}>${r.ci95[0] === null ? (r.icc !== null && r.ci95[1] !== null ? `(−∞, ${f3(r.ci95[1])}]` : '—') : `[${f3(r.ci95[0])}, ${f3(r.ci95[1])}]`}</td><td>${r.f_infinite ? '∞' : f3(r.f)}</td><td>${r.df1 ?? "—"}</td><td>${r.df2 ?? "—"}</td><td>${r.p === null ? '—' : r.p.toPrecision(3)}</td><td>${escapeHtml(r.band_judged ?? r.reason ?? '—')}</td></tr>`;
  }
  return s + '</tbody></table>';
}

function raterTable(d: DimensionResult): string {
  const cat = d.data_type === 'categorical';
  const head = cat
    ? '<th>rater</th><th>items</th><th>agrees w/ majority</th><th>drift</th><th>flags</th>'
    : '<th>rater</th><th>items</th><th>mean</th><th>bias vs others [95% CI]</th><th>r (leave-one-out)</th><th>mean |diff| from others</th><th>drift</th><th>flags</th>';
  let s = `<table><thead><tr>${head}</tr></thead><tbody>`;
  for (const r of d.raters) {
    const cells = cat
      ? `<td>${f3(r.agreement_with_majority)}</td>`
      : `<td>${f3(r.mean)}</td><td>${f3(r.bias)}${r.bias_ci95 ? ` [${f3(r.bias_ci95[0])}, ${f3(r.bias_ci95[1])}]` : r.bias_ci95_reason && r.bias !== null ? ` <span title="${escapeHtml(r.bias_ci95_reason)}">[—]</span>` : ''}</td><td>${f3(r.corr_loo)}</td><td>${f3(r.mean_abs_diff_loo)}</td>`;
    s += `<tr${r.flags.length ? ' class="flag"' : ''}><td>${escapeHtml(r.rater)}</td><td>${r.n_items}</td>${cells}<td>${f3(r.drift)}</td><td>${escapeHtml(r.flags.join(', '))}</td></tr>`;
  }
  return s + '</tbody></table><p class="note">The outlier flags (bias, low_correlation, far_from_others, low_agreement) need a leave-one-out robust z beyond 3.5 (with at least 5 raters), a difference from the other raters that matters and one beyond the rater\'s own sampling error; few_items, constant and drift have rules of their own, with any number of raters (docs/agreement.md).</p>';
}

/** One dimension's section: header, coefficients, contested targets, raters, categories, distributions, plots. */
function dimensionSection(d: DimensionResult, dim: RatingsDimension, top: number, id: string): string {
  const title = d.dimension ? `Dimension: ${escapeHtml(d.dimension)}` : 'Ratings';
  let body = `<section><h2>${title}</h2><p>${d.data_type}, ${d.n_targets} targets, ${d.n_raters} raters, ${d.n_ratings} ratings, ${d.n_missing} missing cells${d.icc && d.icc.n_targets_dropped ? `; ICC on ${d.icc.n_targets} complete targets (${d.icc.n_targets_dropped} dropped)` : ''}${d.icc?.method === 'reml' ? '; ICC from REML variance components on all ratings' : ''}.${d.order_reason ? ` ${escapeHtml(d.order_reason)}.` : ''}</p>${shownWarnings(d.warnings, d.n_raters).map((m) => `<p class="note">Warning: ${escapeHtml(m)}.</p>`).join('')}`;
  body += `<h3>Coefficients with 95% CI</h3>${forestPlot(d)}${iccTable(d)}${retestAndPlanning(d)}`;
  const nContested = d.targets.filter((t) => t.contested).length;
  body += `<h3>Contested targets for adjudication (${Math.min(top, d.targets.length)} of ${d.targets.length} shown, ${nContested} contested)</h3>${contestedTable(d, dim, top, id)}`;
  const hint = excludeHint(d.raters, d.warnings);
  body += `<h3>Raters</h3>${raterTable(d)}${d.flags_note ? `<p class="note">${escapeHtml(d.flags_note)}.</p>` : ''}${d.consensus_note ? `<p class="note">${escapeHtml(d.consensus_note)}.</p>` : ''}${hint ? `<p class="note">${escapeHtml(hint)}.</p>` : ''}`;
  body += categoryAndPairs(d) + confusionMatrices(d, dim);
  body += `<h3>Rating distribution per rater</h3><div class="grid">${distributions(dim)}</div>`;
  if (d.data_type === 'numeric') body += blandAltmanPlots(dim);
  return body + `<h3>Spread per target</h3>${spreadPlot(d)}</section>`;
}

/** Each rater against the consensus of the others (Bland & Altman 1986), on shared axes; '' without points. */
function blandAltmanPlots(dim: RatingsDimension): string {
  const pts = consensusPoints(dim, 1500);
  let lo = Infinity;
  let hi = -Infinity;
  let dm = 0;
  for (const p of pts)
    for (let k = 0; k < p.own.length; k++) {
      const m = (p.own[k] + p.cons[k]) / 2;
      lo = Math.min(lo, m);
      hi = Math.max(hi, m);
      dm = Math.max(dm, Math.abs(p.own[k] - p.cons[k]));
    }
  if (!Number.isFinite(lo)) return '';
  let body = `<h3>Each rater against the consensus of the others (Bland–Altman)</h3><p class="note">x: mean of the rater and the others' mean; y: rater − others' mean; red: mean bias and 95% limits of agreement. Hover a point for its target id; points beyond the limits are labelled.</p><div class="grid">`;
  pts.forEach((p, r) => (body += blandAltman(dim.raters[r], p, [lo, hi], dm || 1)));
  return body + '</div>';
}

export function renderReport(table: RatingsTable, result: AgreementResult, opts: { gate?: GateResult | null; top?: number; title?: string } = {}): string {
  const top = opts.top ?? 25;
  const iccNote = iccMissingNote(result);
  let body = '';
  result.dimensions.forEach((d, i) => {
    const raw = table.dimensions[i];
    const dim = raw.occasion ? firstOccasion(raw) : raw;
    body += dimensionSection(d, dim, top, String(i));
  });
  const gate = opts.gate
    ? `<section><h2>Gate: ${opts.gate.passed ? 'passed' : 'FAILED'}</h2><ul>${opts.gate.checks.map((c) => `<li class="${c.passed ? '' : 'flag'}">${escapeHtml(c.dimension)}: ${escapeHtml(c.figure)} ${f3(c.value)} (min ${c.min}${gateTargets(c)}) ${c.passed ? 'ok' : 'FAIL'}${c.caveat ? `: ${escapeHtml(c.caveat)}` : ''}</li>`).join('')}</ul></section>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(opts.title ?? `Agreement report: ${table.file}`)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}h3{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}
tr.flag td,li.flag{background:#fdecea}.grid{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}figure.small{margin:0}figcaption{font-size:11px;color:#555;max-width:220px;overflow-wrap:anywhere}
.note{font-size:12px;color:#555}svg.plot{display:block}h4{font-size:13px;margin:12px 0 4px}
td.off,table.contested tr.flag td.off{background:#f6c9c2}td.na{background:#eee}th.rater{writing-mode:vertical-rl;transform:rotate(180deg);max-height:110px;font-weight:normal}
.sortable tbody{display:none}.sortable input{margin-left:10px}.sortable label{font-size:12px;margin-right:6px}
.sortable input.sort-rank:checked~table tbody.by-rank,.sortable input.sort-id:checked~table tbody.by-id,.sortable input.sort-value:checked~table tbody.by-value{display:table-row-group}
table.cm{margin:4px 8px 8px 0}table.cm caption{font-size:12px;text-align:left;padding-bottom:2px}table.cm td{text-align:center;min-width:26px}td.diag{outline:1px solid #1f5fa8}
span.bar{display:inline-block;height:10px;background:#4a90d9}
@media print{body{margin:8mm;font-size:11px}.sortable input,.sortable label{display:none}.sortable tbody{display:none!important}.sortable tbody.by-rank{display:table-row-group!important}
section{break-before:page}h2,h3,h4{break-after:avoid}figure,svg,table.cm,tr{break-inside:avoid}}
</style></head><body>
<h1>Agreement report</h1>
<p>File: <code>${escapeHtml(table.file)}</code> (${result.format} format).${iccNote ? ` Missing ratings: ${iccNote}.` : ''}${result.bootstrap ? ` Bootstrap: ${result.bootstrap.replicates} replicates, seed ${result.bootstrap.seed}.` : ''}${iccNote ? ' Bands: Koo &amp; Li (2016), judged on the 95% CI.' : ''}${result.excluded_raters ? ` ${escapeHtml(excludedText(result.excluded_raters))}.` : ''}</p>
${gate}${body}
</body></html>
`;
}
