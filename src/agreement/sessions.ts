/**
 * Parts of the work the lead can chase: the exports a joined file holds (the header repeats between them: `cat
 * lab1.csv lab2.csv`) and the sessions the target ids name ('s03_c07': session 's03').
 *
 * - rater_missed_targets: a rater without a rating of a large share of the targets the others rated (a skipped
 *   session or export). Before, nothing said it: the ICC silently dropped those targets (a third of them with one
 *   session skipped of three) and alpha used the rater's other ratings.
 * - rater_in_two_exports: one rater id with ratings in two exports of a joined file (two labs' 'r1', or one
 *   person's work split): read as one rater, as R and pandas read one id; said, naming the id and the exports' lines.
 */
import type { RatingsDimension } from './types.js';
import { distinctRaterTargets, raterTargetCounts } from './typos.js';
import { shownName } from './variants.js';

export interface MissedTargetsWarning {
  code: 'rater_missed_targets';
  rater: string;
  /** Targets of the dimension without a rating of this rater, and all targets. */
  n_missed: number;
  n_targets: number;
  /** Sessions (target-id prefixes) or exports of a joined file wholly missed, as named in the message. */
  missed_parts: string[];
  message: string;
}

export interface SharedRaterWarning {
  code: 'rater_in_two_exports';
  raters: string[];
  message: string;
}

/** A rater is said when they missed at least this share of the targets (and 2 targets) more than the median rater. */
const MIN_MISSED_SHARE = 0.1;

/** Per rating, the export it came from (0 before the first repeated header, 1 after it, …); null for a single export. */
export function exportOf(d: RatingsDimension): { part: Int32Array; nParts: number } | null {
  const heads = d.source?.headerRecords ?? [];
  if (heads.length === 0) return null;
  const part = new Int32Array(d.record.length);
  for (let i = 0; i < d.record.length; i++) {
    let p = 0;
    while (p < heads.length && heads[p] < d.record[i]) p++;
    part[i] = p;
  }
  return { part, nParts: heads.length + 1 };
}

/** An export of a joined file by its lines: "lines 2-7" (first), "lines 9-14", "lines 16 to the end" (last). */
function exportName(d: RatingsDimension, p: number): string {
  const heads = d.source?.headerRecords ?? [];
  const line = (k: number) => d.source?.lines.get(heads[k]);
  const from = p === 0 ? 2 : (line(p - 1) ?? NaN) + 1;
  const to = p < heads.length ? (line(p) ?? NaN) - 1 : null;
  if (!Number.isFinite(from) || (to !== null && !Number.isFinite(to))) return `export ${p + 1} of ${heads.length + 1}`;
  return to === null ? `lines ${from} to the end` : `lines ${from}-${to}`;
}

/** "the header repeats on line 8" / "on lines 8, 15". */
function headerLinesText(d: RatingsDimension): string {
  const lines = (d.source?.headerRecords ?? []).map((r) => d.source?.lines.get(r) ?? '?');
  return `the header repeats on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`;
}

/** Targets grouped by their id's session prefix ('s03_c07' -> 's03'); null unless 2+ sessions of 2+ targets each. */
function sessionsOf(d: RatingsDimension): Map<string, number[]> | null {
  const groups = new Map<string, number[]>();
  d.targets.forEach((id, t) => {
    const m = /^(.+?)[_\-/:@.|][^_\-/:@.|]+$/.exec(id);
    if (!m) return;
    const list = groups.get(m[1]) ?? [];
    list.push(t);
    groups.set(m[1], list);
  });
  const sessions = new Map([...groups].filter(([, ts]) => ts.length >= 2));
  return sessions.size >= 2 ? sessions : null;
}

/** Named parts (exports, else sessions) each with its targets. */
function partsOf(d: RatingsDimension): Array<{ name: string; targets: Set<number> }> {
  const ex = exportOf(d);
  if (ex) {
    const sets = Array.from({ length: ex.nParts }, () => new Set<number>());
    for (let i = 0; i < ex.part.length; i++) sets[ex.part[i]].add(d.target[i]);
    return sets.map((targets, p) => ({ name: `the export of ${exportName(d, p)}`, targets }));
  }
  return [...(sessionsOf(d) ?? [])].map(([name, ts]) => ({ name: `session '${name}'`, targets: new Set(ts) }));
}

/**
 * Per rater (by index), the targets left with fewer raters than the most-rated target that it did not rate, from the
 * distinct (rater, target) pairs (a Set of targets per rater and a pass over every target per rater took 0.3 s CPU on
 * bench-agreement's 1M ratings).
 */
function shortMissed(d: RatingsDimension, counts: ReturnType<typeof raterTargetCounts>): Int32Array {
  const ratings = new Int32Array(d.raters.length);
  for (const x of counts) ratings[x.index] = x.nRatings;
  const pairs = distinctRaterTargets(d, ratings);
  const k = new Int32Array(d.targets.length); // distinct raters per target
  for (const t of pairs.target) k[t]++;
  const maxK = k.reduce((m, v) => Math.max(m, v), 0);
  let nShort = 0;
  for (const v of k) if (v < maxK) nShort++;
  const missed = new Int32Array(d.raters.length).fill(nShort);
  for (let j = 0; j < pairs.rater.length; j++) if (k[pairs.target[j]] < maxK) missed[pairs.rater[j]]--;
  return missed;
}

/**
 * Raters who missed at least a tenth of the targets (and 2) more than the median rater did, counting only targets
 * left with fewer raters than the most-rated target (a panel design, where another rater took those targets, is not
 * a skip): each named with the count, the sessions or exports they have no rating in, or their first missed targets.
 */
export function missedTargetsWarnings(d: RatingsDimension, iccDrops: boolean): MissedTargetsWarning[] {
  const nT = d.targets.length;
  const counts = raterTargetCounts(d);
  const missed = shortMissed(d, counts);
  const short = counts.map((x) => missed[x.index]);
  const sorted = [...short].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const min = Math.max(2, Math.ceil(MIN_MISSED_SHARE * nT));
  const named = counts.filter((_, i) => short[i] - median >= min).sort((a, b) => a.n - b.n || a.index - b.index);
  const parts = named.length ? partsOf(d) : [];
  return named.map((x) => missedWarning(d, x, parts, iccDrops));
}

/** One rater's rater_missed_targets warning. */
function missedWarning(d: RatingsDimension, x: ReturnType<typeof raterTargetCounts>[number], parts: ReturnType<typeof partsOf>, iccDrops: boolean): MissedTargetsWarning {
  const nT = d.targets.length;
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  const whole = parts.filter((p) => p.targets.size > 0 && ![...p.targets].some((t) => x.targets.has(t)));
  const gone = d.targets.map((_, t) => t).filter((t) => !x.targets.has(t));
  const where = whole.length
    ? `no rating in ${whole.slice(0, 3).map((p) => `${p.name} (${p.targets.size} targets)`).join(', ')}${whole.length > 3 ? ` and ${whole.length - 3} more` : ''}`
    : `e.g. ${gone.slice(0, 5).map((t) => `'${shownName(d.targets[t])}'`).join(', ')}${gone.length > 5 ? ', …' : ''}`;
  const effect = iccDrops
    ? 'the ICC leaves those targets out (it uses the targets every rater rated; --missing model keeps them); alpha uses the ratings given'
    : 'alpha and the coefficients over every target use the ratings given';
  const message = `rater '${shownName(x.name)}' has no rating of ${nT - x.n} of the ${nT} targets${inDim} (${Math.round((100 * (nT - x.n)) / nT)} %): ${where}; a skipped session? ${effect}`;
  return { code: 'rater_missed_targets', rater: x.name, n_missed: nT - x.n, n_targets: nT, missed_parts: whole.map((p) => p.name), message };
}

/**
 * Rater ids with ratings in two or more exports of a joined file: read as one rater each (R and pandas would too).
 * Said once per dimension when the exports' raters differ (two labs, each with an 'r1'); exports with the same raters
 * (one campaign's sessions, exported one by one) are the usual case and not said.
 */
export function sharedRaterWarnings(d: RatingsDimension): SharedRaterWarning[] {
  const ex = exportOf(d);
  if (!ex) return [];
  const ratersIn = Array.from({ length: ex.nParts }, () => new Set<number>());
  for (let i = 0; i < ex.part.length; i++) ratersIn[ex.part[i]].add(d.rater[i]);
  const used = ratersIn.filter((s) => s.size > 0);
  const sameRaters = used.every((s) => s.size === used[0].size && [...s].every((r) => used[0].has(r)));
  const shared = d.raters.map((_, r) => r).filter((r) => ratersIn.filter((s) => s.has(r)).length >= 2);
  if (sameRaters || shared.length === 0) return [];
  const partsOfRater = (r: number) => ratersIn.map((s, p) => (s.has(r) ? p : -1)).filter((p) => p >= 0);
  const named = shared.slice(0, 5).map((r) => `'${shownName(d.raters[r])}' (${partsOfRater(r).map((p) => exportName(d, p)).join(' and ')})`);
  const more = shared.length > 5 ? ` and ${shared.length - 5} more` : '';
  const inDim = d.name ? ` in dimension '${d.name}'` : '';
  const message =
    `rater id${shared.length > 1 ? 's' : ''} ${named.join(', ')}${more} ${shared.length > 1 ? 'have' : 'has'} ratings in more than one of the exports this file joins (${headerLinesText(d)}), whose raters differ${inDim}: ` +
    `each id is read as one rater; if an id names two people (two labs' 'r1'), give each export's rater an id of their own in the file (e.g. 'lab2-r1')`;
  return [{ code: 'rater_in_two_exports', raters: shared.map((r) => d.raters[r]), message }];
}
