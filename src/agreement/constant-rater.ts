/**
 * A rater flagged `constant` (one value for all of at least 5 ratings while the dimension's ratings vary:
 * src/agreement/diagnostics.ts constantRaters) said as a warning, not only as a flag in the Raters table: a new user's
 * trial (2026-12-05) saw a rater who gave 5 to every target get the flag alone, and `—` for their leave-one-out r with
 * no reason. Such a rater (a straight-liner, or a column filled down in a spreadsheet) carries no information on which
 * target is higher and pulls every coefficient toward chance agreement.
 */
import type { RaterDiagnostics } from './diagnostics.js';
import type { RatingsDimension } from './types.js';
import { shownName } from './variants.js';
import { shellWord } from '../common/shell.js';

export interface ConstantRaterWarning {
  code: 'constant_rater';
  rater: string;
  /** The one value they gave (a label for categorical ratings). */
  value: number | string;
  n_ratings: number;
  message: string;
}

/**
 * The share of the other raters' ratings of rater ri's targets that equal `v` (their one value). At AGREES_SHARE or
 * more the rater is not the odd one out: the dimension itself is nearly one value (59 of 60 clips 'neutral' by every
 * rater: the two who never left 'neutral' were called straight-liners and told to leave, ttrial48a P2).
 */
function othersAgreeShare(d: RatingsDimension, ri: number, v: number): number {
  const mine = new Set<number>();
  for (let i = 0; i < d.value.length; i++) if (d.rater[i] === ri) mine.add(d.target[i]);
  let [same, all] = [0, 0];
  for (let i = 0; i < d.value.length; i++) {
    if (d.rater[i] === ri || !mine.has(d.target[i])) continue;
    all++;
    if (d.value[i] === v) same++;
  }
  return all === 0 ? 0 : same / all;
}
const AGREES_SHARE = 0.9;

export function constantRaterWarnings(d: RatingsDimension, raters: RaterDiagnostics[]): ConstantRaterWarning[] {
  const inDim = d.name ? ` of dimension '${d.name}'` : '';
  return raters.flatMap((r) => {
    if (!r.flags.includes('constant')) return [];
    const ri = d.raters.indexOf(r.rater);
    const at = d.rater.indexOf(ri);
    if (ri < 0 || at < 0 || othersAgreeShare(d, ri, d.value[at]) >= AGREES_SHARE) return [];
    const value = d.categories ? d.categories[d.value[at]] : d.value[at];
    const numeric = d.categories === null;
    // Two raters: leaving one out leaves one, which agreement refuses (test agreement-exclude-rater).
    const leaveOut = d.raters.length > 2 ? `if so, leave them out (--exclude-rater ${shellWord(r.rater)})` : 'with two raters the figures mean little: check the export, or have the targets rated again';
    return [
      {
        code: 'constant_rater' as const,
        rater: r.rater,
        value,
        n_ratings: r.n_items,
        message:
          `rater '${shownName(r.rater)}' gave ${numeric ? value : `'${value}'`} to all ${r.n_items} of their targets${inDim} while the other ratings vary: a straight-liner, or a column filled down in the spreadsheet? ` +
          `Their ratings tell no target from another${numeric ? ' (their leave-one-out r is undefined: —)' : ''} and pull every coefficient toward chance; ${leaveOut}`,
      },
    ];
  });
}
