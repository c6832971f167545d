/**
 * The adjudication parts of the HTML report (no script: the page's CSP forbids it): the contested targets with every
 * rater's rating side by side, sortable by CSS alone (radio buttons show one of several pre-sorted row groups),
 * confusion matrices per rater pair and against the others' majority, per-category kappas and the pairwise kappa
 * matrix, the test-retest table and the planning figures.
 */
import type { DimensionResult } from './analyze.js';
import { byTarget, type ByTarget } from './layout.js';
import { pairTables } from './pairs.js';
import { plannedRatersText } from './planning.js';
import { escapeHtml } from './report-html.js';
import type { RatingsDimension } from './types.js';

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));
/** Most raters shown as columns of the contested table and most pairs given a confusion matrix. */
const MAX_RATER_COLUMNS = 40;
const MAX_PAIR_MATRICES = 15;

function shown(d: RatingsDimension, v: number): string {
  return d.categories ? d.categories[v] : String(Number(v.toPrecision(6)));
}

/** Per target index: rater index -> rating. */
function ratingsOf(bt: ByTarget, t: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let j = bt.start[t]; j < bt.start[t + 1]; j++) m.set(bt.rater[j], bt.value[j]);
  return m;
}

/** Contested targets with every rater's rating; sort by rank, target id or consensus value without a script. */
export function contestedTable(d: DimensionResult, dim: RatingsDimension, top: number, key: string): string {
  const bt = byTarget(dim);
  const index = new Map(dim.targets.map((t, i) => [t, i]));
  const rows = d.targets.slice(0, top);
  const cat = d.data_type === 'categorical';
  const nr = Math.min(dim.raters.length, MAX_RATER_COLUMNS);
  const cells = rows.map((t) => {
    const got = ratingsOf(bt, index.get(t.target)!);
    let s = `<td>${t.rank}</td><td>${escapeHtml(t.target)}</td><td>${t.n_ratings}</td>`;
    s += cat ? `<td>${escapeHtml(t.majority ?? '—')}</td><td>${f3(t.majority_share)}</td>` : `<td>${f3(t.mean)}</td><td>${f3(t.sd)}</td>`;
    s += `<td>${t.contested ? 'yes' : ''}</td>`;
    for (let r = 0; r < nr; r++) {
      const v = got.get(r);
      const off = v !== undefined && (cat ? shown(dim, v) !== t.majority : t.sd !== null && t.sd > 0 && Math.abs(v - t.mean!) > t.sd);
      s += `<td class="${v === undefined ? 'na' : off ? 'off' : ''}">${v === undefined ? '' : escapeHtml(shown(dim, v))}</td>`;
    }
    return { t, html: `<tr${t.contested ? ' class="flag"' : ''}>${s}</tr>` };
  });
  const orders: Array<[string, string, (a: (typeof cells)[0], b: (typeof cells)[0]) => number]> = [
    ['rank', 'most contested first', (a, b) => a.t.rank - b.t.rank],
    ['id', 'target id', (a, b) => (a.t.target < b.t.target ? -1 : a.t.target > b.t.target ? 1 : 0)],
    ['value', cat ? 'majority label' : 'mean rating', cat ? (a, b) => (a.t.majority ?? '').localeCompare(b.t.majority ?? '') || a.t.rank - b.t.rank : (a, b) => (a.t.mean ?? 0) - (b.t.mean ?? 0) || a.t.rank - b.t.rank],
  ];
  let s = `<div class="sortable">`;
  orders.forEach(([id, label], i) => (s += `<input type="radio" name="sort-${key}" id="sort-${key}-${id}" class="sort-${id}"${i === 0 ? ' checked' : ''}><label for="sort-${key}-${id}">${escapeHtml(label)}</label>`));
  s += `<table class="contested"><thead><tr><th>rank</th><th>target</th><th>n</th>${cat ? '<th>majority</th><th>share</th>' : '<th>mean</th><th>SD</th>'}<th>contested</th>`;
  for (let r = 0; r < nr; r++) s += `<th class="rater">${escapeHtml(dim.raters[r])}</th>`;
  s += '</tr></thead>';
  for (const [id, , cmp] of orders) s += `<tbody class="by-${id}">${[...cells].sort(cmp).map((c) => c.html).join('')}</tbody>`;
  s += '</table></div>';
  const more = dim.raters.length > nr ? ` The first ${nr} of ${dim.raters.length} raters are shown.` : '';
  return `${s}<p class="note">Sort with the buttons above the table. Shaded cells: the rating differs from the majority label (labels) or lies more than one SD from the target's mean (numbers); grey: not rated.${more}</p>`;
}

function heatColor(share: number): string {
  const a = Math.max(0, Math.min(1, share));
  return `rgba(31,95,168,${(0.08 + 0.8 * a).toFixed(3)})`;
}

function matrixHtml(title: string, rowName: string, colName: string, cats: string[], tab: Float64Array, q: number): string {
  let max = 0;
  for (const c of tab) max = Math.max(max, c);
  let s = `<table class="cm"><caption>${title}</caption><thead><tr><th>${escapeHtml(rowName)} ↓ / ${escapeHtml(colName)} →</th>${cats.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>`;
  for (let i = 0; i < q; i++) {
    s += `<tr><th>${escapeHtml(cats[i])}</th>`;
    for (let j = 0; j < q; j++) {
      const v = tab[i * q + j];
      s += `<td class="${i === j ? 'diag' : ''}" style="background:${v ? heatColor(v / (max || 1)) : 'transparent'}${v / (max || 1) > 0.55 ? ';color:#fff' : ''}">${v || ''}</td>`;
    }
    s += '</tr>';
  }
  return s + '</tbody></table>';
}

/** Labels: a confusion matrix per rater pair (up to 15) and each rater against the others' majority. */
export function confusionMatrices(d: DimensionResult, dim: RatingsDimension): string {
  if (!dim.categories) return '';
  const cats = dim.categories;
  const q = cats.length;
  const bt = byTarget(dim);
  const pt = pairTables(bt, bt.value, q);
  let s = '<h3>Confusion matrices</h3><div class="grid">';
  const k = dim.raters.length;
  let shownPairs = 0;
  if (pt) {
    for (let a = 0; a < k && shownPairs < MAX_PAIR_MATRICES; a++)
      for (let b = a + 1; b < k && shownPairs < MAX_PAIR_MATRICES; b++) {
        const tab = pt.tables.get(a * k + b);
        if (!tab) continue;
        const pk = d.cohen_pairs?.find((p) => p.raters[0] === dim.raters[a] && p.raters[1] === dim.raters[b]);
        s += matrixHtml(`${escapeHtml(dim.raters[a])} vs ${escapeHtml(dim.raters[b])} (kappa ${f3(pk?.kappa)})`, dim.raters[a], dim.raters[b], cats, tab, q);
        shownPairs++;
      }
  }
  s += '</div>';
  const pairs = (k * (k - 1)) / 2;
  if (pairs > shownPairs) s += `<p class="note">${shownPairs} of ${pairs} rater pairs shown; every pair's kappa is in the matrix below.</p>`;
  s += `<h4>Each rater against the majority of the others</h4><div class="grid">`;
  const ties = new Float64Array(k);
  const tabs = dim.raters.map(() => new Float64Array(q * q));
  const count = new Float64Array(q);
  for (let t = 0; t < bt.nTargets; t++) {
    for (let j = bt.start[t]; j < bt.start[t + 1]; j++) {
      count.fill(0);
      for (let i = bt.start[t]; i < bt.start[t + 1]; i++) if (i !== j) count[bt.value[i]]++;
      let best = -1;
      let tie = false;
      for (let c = 0; c < q; c++) {
        if (count[c] === 0) continue;
        if (best < 0 || count[c] > count[best]) {
          best = c;
          tie = false;
        } else if (count[c] === count[best]) tie = true;
      }
      if (best < 0) continue;
      if (tie) ties[bt.rater[j]]++;
      else tabs[bt.rater[j]][bt.value[j] * q + best]++;
    }
  }
  dim.raters.forEach((name, r) => (s += matrixHtml(`${escapeHtml(name)} vs majority${ties[r] ? ` (${ties[r]} ties left out)` : ''}`, name, 'majority', cats, tabs[r], q)));
  return s + '</div>';
}

/** Per-category Fleiss' kappa with a bar, and the pairwise Cohen's kappa matrix as a heat map. */
export function categoryAndPairs(d: DimensionResult): string {
  let s = '';
  if (d.fleiss_per_category && d.data_type === 'categorical') {
    s += `<h3>Agreement per category (Fleiss' kappa)</h3><table><thead><tr><th>category</th><th>kappa</th><th></th><th>share</th><th>SE (null)</th><th>z</th><th>p</th><th>95% CI (bootstrap)</th></tr></thead><tbody>`;
    for (const c of Object.values(d.fleiss_per_category)) {
      const w = c.kappa === null ? 0 : Math.round(Math.max(0, Math.min(1, c.kappa)) * 120);
      s += `<tr><td>${escapeHtml(c.category)}</td><td>${c.kappa === null ? escapeHtml(`— (${c.reason})`) : f3(c.kappa)}</td><td><span class="bar" style="width:${w}px"></span></td><td>${c.share === null ? '—' : `${(100 * c.share).toFixed(1)} %`}</td><td>${f3(c.se_null)}</td><td>${c.z === null ? '—' : c.z.toFixed(2)}</td><td>${c.p === null ? '—' : c.p.toPrecision(3)}</td><td>${c.ci95 ? `[${f3(c.ci95[0])}, ${f3(c.ci95[1])}]` : '—'}</td></tr>`;
    }
    s += '</tbody></table>';
  }
  const pairs = d.cohen_pairs;
  if (pairs && d.n_raters > 2 && d.n_raters <= MAX_RATER_COLUMNS) {
    const names: string[] = [];
    for (const p of pairs) for (const r of p.raters) if (!names.includes(r)) names.push(r);
    const at = new Map(pairs.map((p) => [`${p.raters[0]}\u0000${p.raters[1]}`, p]));
    s += `<h3>Cohen's kappa per rater pair</h3><table class="cm"><thead><tr><th></th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr></thead><tbody>`;
    names.forEach((a, i) => {
      s += `<tr><th>${escapeHtml(a)}</th>`;
      names.forEach((b, j) => {
        const p = i < j ? at.get(`${a}\u0000${b}`) : j < i ? at.get(`${b}\u0000${a}`) : undefined;
        const v = p?.kappa ?? null;
        s += i === j ? '<td class="na"></td>' : `<td style="background:${v === null ? 'transparent' : heatColor(v)}${v !== null && v > 0.6 ? ';color:#fff' : ''}" title="${escapeHtml(`${a} vs ${b}: n ${p?.n ?? 0}, SE ${f3(p?.se)}`)}">${f3(v)}</td>`;
      });
      s += '</tr>';
    });
    s += `</tbody></table><p class="note">Light's kappa (their mean): ${f3(d.light?.kappa)}. Hover a cell for n and the asymptotic SE.</p>`;
  }
  return s;
}

export function retestAndPlanning(d: DimensionResult): string {
  let s = '';
  const p = d.planning;
  if (p) {
    s += `<h3>Planning</h3><p>${escapeHtml(p.icc_type)} ${f3(p.icc)}: standard error of measurement ${f3(p.sem)} rating units (SD ${f3(p.sd)}); raters whose mean reaches ICC ${p.target_icc}: <b>${plannedRatersText(p.icc, p.raters_needed)}</b> (from the CI's lower bound: ${plannedRatersText(p.icc, p.raters_needed_ci_lower)})${p.reason ? ` — ${escapeHtml(p.reason)}` : ''}.</p>`;
  }
  const r = d.test_retest;
  if (r) {
    const cat = d.data_type === 'categorical';
    s += `<h3>Test-retest (intra-rater)</h3><p class="note">Occasions ${escapeHtml(r.occasions.join(', '))}; the inter-rater figures above use ${escapeHtml(r.inter_rater_uses)}.</p><table><thead><tr><th>rater</th><th>repeated targets</th><th>${cat ? "Cohen's kappa (1st vs 2nd)" : 'ICC(3,1)'}</th><th>95% CI</th><th>identical</th></tr></thead><tbody>`;
    for (const x of r.raters) {
      const v = x.icc3 ? x.icc3.icc : (x.kappa?.kappa ?? null);
      const ci = x.icc3 ? x.icc3.ci95 : (x.kappa?.ci95_asymptotic ?? null);
      s += `<tr><td>${escapeHtml(x.rater)}</td><td>${x.n_targets_repeated}</td><td>${v === null ? escapeHtml(`— (${x.reason ?? 'undefined'})`) : f3(v)}</td><td>${ci && ci[0] !== null ? `[${f3(ci[0])}, ${f3(ci[1])}]` : '—'}</td><td>${f3(x.identical)}</td></tr>`;
    }
    s += '</tbody></table>';
  }
  return s;
}
