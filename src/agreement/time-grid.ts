/**
 * Raters whose time (order) column steps differ: traces sampled every 100 ms beside one every 40 ms, cut into targets
 * at each rater's own times ('s0@0.10', 's0@0.12'), share a target only where the grids coincide, so the ICC keeps a
 * fifth of them and icc_few_targets blamed the raters. Said in that warning: resample onto one grid first.
 */
import type { RatingsDimension } from './types.js';

const near = (a: number, b: number) => Math.abs(a - b) <= 0.01 * Math.max(a, b);

/**
 * The step of a rater's sorted times when they lie on a regular grid (4 of 5 positive steps within 1 % of the
 * median step), else null: times of a trace, not the dates or irregular times at which a rater rated clips.
 */
function gridStep(times: number[]): number | null {
  if (times.some((t) => Math.abs(t) >= 1e9)) return null; // ISO dates (ms since 1970): when the clip was rated
  times.sort((a, b) => a - b);
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i] > times[i - 1]) steps.push(times[i] - times[i - 1]);
  if (steps.length < 4) return null;
  steps.sort((a, b) => a - b);
  const s = steps[steps.length >> 1];
  return steps.filter((x) => near(x, s)).length >= 0.8 * steps.length ? s : null;
}

/** "the raters' time steps differ ('r1', 'r2' every 0.1; 'r3' every 0.04) …", or null (no times, or one step). */
export function timeGridNote(d: RatingsDimension): string | null {
  if (!d.order) return null;
  const times = d.raters.map((): number[] => []);
  for (let i = 0; i < d.rater.length; i++) if (Number.isFinite(d.order[i])) times[d.rater[i]].push(d.order[i]);
  const groups = new Map<number, string[]>();
  times.forEach((t, r) => {
    const s = gridStep(t);
    if (s === null) return;
    const key = [...groups.keys()].find((k) => near(k, s)) ?? s;
    groups.set(key, [...(groups.get(key) ?? []), d.raters[r]]);
  });
  if (groups.size < 2) return null;
  const shown = [...groups].map(([s, names]) => `${names.slice(0, 3).map((n) => `'${n}'`).join(', ')}${names.length > 3 ? ', …' : ''} every ${Number(s.toPrecision(4))}`);
  return `the raters' time steps differ (${shown.join('; ')}): targets cut at each rater's own times rarely coincide; resample every trace onto one time grid before making targets`;
}
