/**
 * The readable stdout table of `mmprep agreement`.
 */
import type { AgreementResult, DimensionResult } from './analyze.js';
import type { ChanceCoefficient } from './chance.js';
import type { GateCheck, GateResult } from './gate.js';
import { plannedRatersText } from './planning.js';
import { excludedText, excludeHint } from './exclude.js';
import { shownWarnings } from './typos.js';

/** An ICC check's target count against --min-icc-targets (", 8 targets, min 30"), or ''. */
export const gateTargets = (c: GateCheck): string => (c.min_targets === null ? '' : `, ${c.n_targets ?? 0} targets, min ${c.min_targets}`);

/** Fixed decimals; a value that rounds to zero is "0.000", never "-0.000" (alpha of -0.0000x printed so). */
const num = (v: number | null | undefined, d = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d).replace(/^-(0\.?0*)$/, '$1'));
const pval = (p: number | null): string => (p === null ? '—' : p === 0 ? '0' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const ci = (c: [number | null, number | null] | null): string => (c && c[0] !== null && c[1] !== null ? `[${num(c[0])}, ${num(c[1])}]` : '—');

function table(rows: string[][], indent = '  '): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

/** Control characters in ids would garble a terminal: show them escaped. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The '  SE —: …' lines under a table: the rows without an SE grouped by their own reason (a pair with kappa 1.000 was
 * given the first pair's "kappa 0.000 is at a stationary point", ttrial44b F3).
 */
function noSeLines(rows: Array<{ name: string; reason: string }>): string {
  const byReason = new Map<string, string[]>();
  for (const r of rows) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.name]);
  return [...byReason].map(([reason, names]) => `  SE —: ${names.join(', ')}: ${reason}\n`).join('');
}

function chanceText(d: DimensionResult): string {
  let s = '';
  if (d.order_reason) s += `Order: ${d.order_reason}\n`;
  const rows = [['coefficient', 'value', 'SE', '95% CI', 'p']];
  const noSe: Array<{ name: string; reason: string }> = [];
  const add = (name: string, c: ChanceCoefficient | null) => {
    if (!c) return;
    rows.push([name, c.coefficient === null ? `— (${c.reason})` : num(c.coefficient), num(c.se), ci(c.ci95), pval(c.p)]);
    if (c.coefficient !== null && c.se_reason) noSe.push({ name, reason: c.se_reason });
  };
  add("Gwet's AC1", d.gwet_ac1);
  if (d.ordered) add("Gwet's AC2 linear", d.gwet_ac2_linear);
  if (d.ordered) add("Gwet's AC2 quadratic", d.gwet_ac2_quadratic);
  add('Brennan-Prediger', d.brennan_prediger);
  add("Scott's pi (Fleiss, all targets)", d.scott_pi);
  add("Conger's kappa", d.conger);
  if (d.light) rows.push(["Light's kappa (mean pairwise Cohen)", d.light.kappa === null ? `— (${d.light.reason})` : num(d.light.kappa), d.light.se_bootstrap === null ? '' : num(d.light.se_bootstrap), d.light.ci95 ? ci(d.light.ci95) : '', '']);
  if (rows.length > 1) s += 'Chance-robust and multi-rater coefficients (t CI as irrCAC; Light: bootstrap CI)\n' + table(rows);
  s += noSeLines(noSe);
  // per category first: with many raters the pair table below is long (60 raters: 1770 pairs)
  if (d.fleiss_per_category && d.data_type === 'categorical') {
    const cr = [['category', 'share', 'kappa', 'SE (null)', 'z', 'p']];
    for (const c of Object.values(d.fleiss_per_category))
      cr.push([clean(c.category), c.share === null ? '—' : `${(100 * c.share).toFixed(1)} %`, c.kappa === null ? `— (${c.reason})` : num(c.kappa), num(c.se_null), num(c.z, 2), pval(c.p)]);
    s += "Fleiss' kappa per category (which labels the raters tell apart; share: of the ratings; z, p: against kappa 0, irr kappam.fleiss detail)\n" + table(cr);
  }
  if (d.cohen_pairs && d.cohen_pairs.length > 1) s += pairsText(d.cohen_pairs);
  return s;
}

/** The Fleiss row's n: its targets, and for a crowd design the ratings each had (Fleiss 1971: not by the same raters). */
function fleissTargets(f: { n_subjects_used: number; ratings_per_target?: number | null }): string {
  return f.ratings_per_target ? `${f.n_subjects_used} targets x ${f.ratings_per_target} ratings (each by other raters: Fleiss 1971)` : `${f.n_subjects_used} targets`;
}

/** Up to this many rater pairs (6 raters) the text lists every pair; above, the TEXT_LOWEST_PAIRS lowest kappas. */
const TEXT_ALL_PAIRS = 15;
const TEXT_LOWEST_PAIRS = 10;

/** Cohen's kappa per rater pair: every pair, or with many raters the lowest (who agrees with whom least). */
function pairsText(all: NonNullable<DimensionResult['cohen_pairs']>): string {
  const many = all.length > TEXT_ALL_PAIRS;
  // stable: equal kappas keep file order; a null kappa (no common target) last
  const shown = many ? [...all].sort((a, b) => (a.kappa ?? Infinity) - (b.kappa ?? Infinity)).slice(0, TEXT_LOWEST_PAIRS) : all;
  const name = (p: (typeof all)[number]) => `${clean(p.raters[0])} vs ${clean(p.raters[1])}`;
  const pr = [['pair', 'n', 'kappa', 'SE', '95% CI']];
  for (const p of shown) pr.push([name(p), String(p.n), p.kappa === null ? `— (${p.reason})` : num(p.kappa), num(p.se), ci(p.ci95_asymptotic ?? null)]);
  const which = many ? `: the ${TEXT_LOWEST_PAIRS} lowest of ${all.length} pairs; every pair in --json (cohen_pairs)` : '';
  return (
    `Cohen's kappa per rater pair (asymptotic SE, Fleiss, Cohen & Everitt 1969)${which}\n` +
    table(pr) +
    noSeLines(shown.flatMap((p) => (p.se === null && p.se_reason ? [{ name: name(p), reason: p.se_reason }] : [])))
  );
}

/** The --tolerance line: targets whose ratings span at most the tolerance, and pairs at most that far apart. */
function toleranceText(w: DimensionResult['percent_agreement']['within_tolerance']): string {
  if (!w) return '';
  const apart = `${w.tolerance} ${w.unit === 'level' ? (w.tolerance === 1 ? 'level' : 'levels') : ''}`.trimEnd();
  if (w.reason) return `Percent agreement within ${apart}: — (${w.reason})\n`;
  const pct = (x: number | null) => num(x === null ? null : x * 100, 1);
  return `Percent agreement within ${apart} (irr::agree tolerance): all ratings within ${apart} on ${pct(w.all_within)} % of ${w.n_targets} targets; pairs ${pct(w.pairwise_within)} %\n`;
}

function planningText(d: DimensionResult): string {
  const p = d.planning;
  if (!p) return '';
  return `Planning (${p.icc_type}): SEM ${num(p.sem)} (SD ${num(p.sd)}); raters for ICC >= ${p.target_icc}: ${plannedRatersText(p.icc, p.raters_needed)} (from the lower 95% bound: ${plannedRatersText(p.icc, p.raters_needed_ci_lower)})${p.reason ? ` (${p.reason})` : ''}\n`;
}

function retestText(d: DimensionResult): string {
  const r = d.test_retest;
  if (!r) return '';
  const rows = [['rater', 'repeated targets', 'occasions', d.data_type === 'categorical' ? 'kappa (1st vs 2nd)' : 'ICC(3,1)', '95% CI', 'identical']];
  for (const x of r.raters) {
    rows.push([clean(x.rater), String(x.n_targets_repeated), x.occasions.map(clean).join(','), x.icc3 ? num(x.icc3.icc) : x.kappa ? num(x.kappa.kappa) : `— (${x.reason})`, x.icc3 ? ci(x.icc3.ci95) : ci(x.kappa?.ci95_asymptotic ?? null), num(x.identical)]);
  }
  return `Test-retest: ${r.n_ratings_repeated} repeated ratings over occasions ${r.occasions.map(clean).join(', ')}; inter-rater figures use ${r.inter_rater_uses}\n` + table(rows);
}

/** The ICC table (psych::ICC's six rows), with the reason of every row whose figure or lower bound is null. */
function iccText(i: NonNullable<DimensionResult['icc']>): string {
  let s =
    i.method === 'anova'
      ? `ICC (two-way ANOVA on ${i.n_targets} complete targets${i.n_targets_dropped ? `, ${i.n_targets_dropped} incomplete targets dropped; --missing model uses every rating` : ''})\n`
      : `ICC (REML variance components on all ratings: target ${num(i.variance_components?.target, 4)}, rater ${num(i.variance_components?.rater, 4)}, residual ${num(i.variance_components?.residual, 4)})\n`;
  if (i.reason && i.rows.every((r) => r.icc === null)) return s + `  undefined: ${i.reason}\n`;
  const rows = [['type', 'form', 'ICC', '95% CI', 'F', 'df1', 'df2', 'p', 'Koo & Li (on CI)']];
  for (const r of i.rows) {
    const rci = r.icc !== null && r.ci95[0] === null && r.ci95[1] !== null ? `(-inf, ${num(r.ci95[1])}]` : ci(r.ci95);
    rows.push([r.type, r.label, num(r.icc), rci, r.f_infinite ? 'Inf' : num(r.f, 2), String(r.df1 ?? '—'), String(r.df2 ?? '—'), pval(r.p), r.band_judged ?? '—']);
  }
  s += table(rows);
  for (const r of i.rows) if ((r.icc === null || r.ci95[0] === null) && r.reason) s += `  ${r.type}: ${r.reason}\n`;
  return s;
}

/** Under the Raters table: the raters whose bias CI is '—' (a zero-width [x, x] before), grouped by the reason. */
function biasCiLines(d: DimensionResult): string {
  const rows = d.raters.flatMap((r) => (r.bias !== null && r.bias_ci95 === null && r.bias_ci95_reason ? [{ name: clean(r.rater), reason: r.bias_ci95_reason }] : []));
  return noSeLines(rows).replace(/^ {2}SE —: /gm, '  bias CI —: ');
}

/** Under a wide sheet's Raters table: why drift is '—' (ttrial44b S1: wide sheets never get drift, and nothing said so). */
const WIDE_DRIFT = 'drift —: a wide sheet has no time per rating; drift needs a long file (target, rater, rating and a time or order column)';

function dimensionText(d: DimensionResult, top: number, format: 'long' | 'wide'): string {
  let s = `\n== ${d.dimension ? `dimension '${clean(d.dimension)}'` : 'ratings'}: ${d.data_type}, ${d.n_targets} targets, ${d.n_raters} raters, ${d.n_ratings} ratings, ${d.n_missing} missing ==\n`;
  for (const m of shownWarnings(d.warnings, d.n_raters)) s += `Warning: ${clean(m)}\n`;
  if (d.icc) s += iccText(d.icc) + planningText(d);
  s += retestText(d);
  const a = d.krippendorff_alpha;
  const arow = [['metric', 'alpha', 'bootstrap 95% CI']];
  for (const m of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
    if (a[m].alpha === null && a[m].reason?.startsWith('not defined')) continue;
    arow.push([m, a[m].alpha === null ? `— (${a[m].reason})` : num(a[m].alpha), a[m].ci95 ? ci(a[m].ci95) : '']);
  }
  s += "Krippendorff's alpha\n" + table(arow);
  if (d.kappa_reason) s += `Kappas: not computed (${d.kappa_reason})\n`;
  else {
    const krow = [['coefficient', 'kappa', 'bootstrap 95% CI', 'n']];
    if (d.fleiss_kappa) krow.push(["Fleiss' kappa", d.fleiss_kappa.kappa === null ? `— (${d.fleiss_kappa.reason})` : num(d.fleiss_kappa.kappa), d.fleiss_kappa.ci95 ? ci(d.fleiss_kappa.ci95) : '', fleissTargets(d.fleiss_kappa)]);
    if (d.cohen_kappa) {
      const c = d.cohen_kappa;
      for (const w of d.ordered ? (['unweighted', 'linear', 'quadratic'] as const) : (['unweighted'] as const)) {
        krow.push([`Cohen's kappa ${w} (${clean(c.raters[0])} vs ${clean(c.raters[1])})`, c[w].kappa === null ? `— (${c[w].reason})` : num(c[w].kappa), c[w].ci95 ? ci(c[w].ci95) : '', `${c.n_pairs} pairs`]);
      }
    }
    s += 'Kappas\n' + table(krow);
  }
  s += chanceText(d);
  const pa = d.percent_agreement;
  s += `Percent agreement: all raters agree on ${num(pa.all_agree === null ? null : pa.all_agree * 100, 1)} % of ${pa.n_targets} targets; pairwise ${num(pa.pairwise === null ? null : pa.pairwise * 100, 1)} %\n`;
  s += toleranceText(pa.within_tolerance);

  const cat = d.data_type === 'categorical';
  const rr = [cat ? ['rater', 'items', 'agrees w/ majority', 'drift', 'flags'] : ['rater', 'items', 'mean', 'bias vs others [95% CI]', 'r (leave-one-out)', 'mean |diff|', 'drift', 'flags']];
  for (const r of d.raters) {
    rr.push(
      cat
        ? [clean(r.rater), String(r.n_items), num(r.agreement_with_majority), num(r.drift), r.flags.join(',')]
        : [clean(r.rater), String(r.n_items), num(r.mean), `${num(r.bias)} ${ci(r.bias_ci95)}`, num(r.corr_loo), num(r.mean_abs_diff_loo), num(r.drift), r.flags.join(',')],
    );
  }
  const hint = excludeHint(d.raters, d.warnings);
  s += 'Raters\n' + table(rr) + biasCiLines(d) + (format === 'wide' ? `  (${WIDE_DRIFT})\n` : '') + (d.flags_note ? `  (${d.flags_note})\n` : '') + (d.consensus_note ? `  (${clean(d.consensus_note)})\n` : '') + (hint ? `  (${clean(hint)})\n` : '');
  const nContested = d.targets.filter((t) => t.contested).length;
  const show = top > 0 ? d.targets.slice(0, top) : d.targets;
  // What * means, said where it is used (a new user's trial: the header never said what counts as contested).
  const rule = cat ? 'no label has more than half of its ratings' : "its sd stands out among the targets' (robust z over 3.5) and tops their median sd by a tenth of the rating range";
  s += `Most contested targets (${show.length} of ${d.targets.length}; ${nContested} marked contested *: ${rule})\n`;
  const tr = [cat ? ['rank', 'target', 'n', 'majority', 'share', ''] : ['rank', 'target', 'n', 'mean', 'sd', 'range', '']];
  for (const t of show) {
    tr.push(
      cat
        ? [String(t.rank), clean(t.target), String(t.n_ratings), clean(t.majority ?? '—'), num(t.majority_share), t.contested ? '*' : '']
        : [String(t.rank), clean(t.target), String(t.n_ratings), num(t.mean), num(t.sd), num(t.range), t.contested ? '*' : ''],
    );
  }
  s += table(tr);
  return s;
}

/**
 * How the ICC treated missing ratings, or null when no dimension has an ICC (categorical ratings: the kappas and
 * alpha take every rating, so the ICC's policy does not apply and is not mentioned).
 */
export function iccMissingNote(result: AgreementResult): string | null {
  if (!result.dimensions.some((d) => d.icc)) return null;
  return result.missing === 'model' ? 'REML model on all ratings' : 'incomplete targets dropped for the ICC';
}

export function formatAgreementText(result: AgreementResult, opts: { top?: number; gate?: GateResult | null } = {}): string {
  const missing = iccMissingNote(result);
  let s = `mmprep agreement: ${clean(result.file)} (${result.format} format${missing ? `; missing ratings: ${missing}` : ''}${result.bootstrap ? `; bootstrap ${result.bootstrap.replicates} replicates, seed ${result.bootstrap.seed}` : ''})\n`;
  if (result.excluded_raters) s += `${clean(excludedText(result.excluded_raters))}\n`;
  for (const d of result.dimensions) s += dimensionText(d, opts.top ?? 10, result.format);
  if (opts.gate) {
    s += `\nGate: ${opts.gate.passed ? 'passed' : 'FAILED'}\n`;
    for (const c of opts.gate.checks) s += `  ${c.passed ? 'ok  ' : 'FAIL'} ${clean(c.dimension)}: ${c.figure} ${num(c.value, 4)} (min ${c.min}${gateTargets(c)})${c.caveat ? `: ${clean(c.caveat)}` : ''}\n`;
  }
  return s;
}
