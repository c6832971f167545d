/**
 * `--exclude-rater ID`: agreement without a rater (the one the diagnostics flagged), every figure, the gold labels and
 * the report computed as if the file had no rating by them. The reader skips their ratings (long: their rows; wide:
 * their column) before any check, so a rater whose ratings the reader would refuse (another scale, a summary column
 * found by its values) can be left out too. An id that is not in the file is refused, naming the nearest spelling.
 */
import { InputError } from '../common/errors.js';
import { shellWord } from '../common/shell.js';
import { spellingKey } from './variants.js';

/** A rater left out, with the ratings of theirs that were skipped. */
export interface ExcludedRater {
  rater: string;
  n_ratings: number;
}

/** The ids to leave out (trimmed, as the reader trims ids), each once. */
export function excludeSet(ids: readonly string[] | undefined): Map<string, number> {
  return new Map((ids ?? []).map((id) => [id.trim(), 0]));
}

/** An id of --exclude-rater that the file does not have: refused, naming a spelling of it when there is one. */
export function refuseUnknownExcluded(excluded: Map<string, number>, found: Set<string>, raters: readonly string[], file: string): void {
  for (const id of excluded.keys()) {
    if (found.has(id)) continue;
    const twin = raters.find((r) => r.toLowerCase() === id.toLowerCase()) ?? raters.find((r) => spellingKey(r) === spellingKey(id));
    const hint = twin !== undefined ? `; did you mean '${twin}'?` : raters.length <= 12 ? ` (its raters: ${raters.map((r) => `'${r}'`).join(', ')})` : ` (its raters: ${raters.slice(0, 10).map((r) => `'${r}'`).join(', ')}, … ${raters.length} in all)`;
    throw new InputError(`--exclude-rater ${id}: no rater '${id}' in the file${hint}: give the id as the file writes it`, { file });
  }
}

/** After the Raters table: how to see the figures without a flagged rater (null when none is flagged). */
export function excludeHint(raters: ReadonlyArray<{ rater: string; flags: string[] }>): string | null {
  const flagged = raters.filter((r) => r.flags.length > 0).map((r) => shellWord(r.rater));
  if (flagged.length === 0) return null;
  const more = flagged.length > 1 ? ` (or ${flagged.slice(1, 4).join(', ')}${flagged.length > 4 ? ', …' : ''})` : '';
  return `to see the figures without a flagged rater, run again with --exclude-rater ${flagged[0]}${more}`;
}

/** The stderr note, the table's and report's line: "left out as --exclude-rater asks: rater 'r4' (20 ratings)". */
export function excludedText(excluded: readonly ExcludedRater[]): string {
  return `left out as --exclude-rater asks: ${excluded.map((e) => `rater '${e.rater}' (${e.n_ratings} rating${e.n_ratings === 1 ? '' : 's'})`).join(', ')}`;
}
