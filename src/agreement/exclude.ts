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

/** A value of --exclude-rater and the ids it may mean: itself, and with `lists` (the CLI) its comma-separated parts. */
function readingsOf(value: string, lists: boolean): { whole: string; parts: string[] | null } {
  const whole = value.trim();
  return { whole, parts: lists && whole.includes(',') ? whole.split(',').map((s) => s.trim()) : null };
}

/**
 * Every id a rating may be skipped for (trimmed, as the reader trims ids), each once: the values, and with `lists`
 * their comma-separated parts too, until resolveExcluded knows which the file has.
 */
export function excludeSet(values: readonly string[] | undefined, lists = false): Map<string, number> {
  const keys = (values ?? []).flatMap((v) => {
    const { whole, parts } = readingsOf(v, lists);
    return [whole, ...(parts ?? [])];
  });
  return new Map(keys.map((id) => [id, 0]));
}

/**
 * The raters left out, with their ratings skipped, once the file's ids are known (`met`: the ids of excludeSet the
 * file has). A value with commas (`lists`) is one id when the file has it ('Smith, J'), else the ids it lists; when the
 * file has both readings it is refused, as is an id the file does not have.
 */
export function resolveExcluded(counts: Map<string, number>, values: readonly string[] | undefined, lists: boolean, met: Set<string>, raters: readonly string[], file: string): Map<string, number> {
  const meant = new Map<string, number>();
  for (const v of values ?? []) {
    const { whole, parts } = readingsOf(v, lists);
    const alsoParts = parts?.filter((p) => met.has(p)) ?? [];
    if (parts !== null && met.has(whole) && alsoParts.length > 0) {
      const both = `rater '${whole}' and ${alsoParts.map((p) => `rater '${p}'`).join(', ')}`;
      throw new InputError(`--exclude-rater ${whole}: the file has ${both}: the value means either; rename one of them in the file`, { file });
    }
    const ids = parts === null || met.has(whole) ? [whole] : parts;
    if (ids.some((id) => id === '')) throw new InputError(`--exclude-rater ${whole}: an empty rater id between its commas: give the ids as the file writes them`, { file });
    for (const id of ids) meant.set(id, counts.get(id) ?? 0);
  }
  refuseUnknownExcluded(meant, met, raters, file);
  return meant;
}

/** An id of --exclude-rater that the file does not have: refused, naming a spelling of it when there is one. */
function refuseUnknownExcluded(excluded: Map<string, number>, found: Set<string>, raters: readonly string[], file: string): void {
  for (const id of excluded.keys()) {
    if (found.has(id)) continue;
    const twin = raters.find((r) => r.toLowerCase() === id.toLowerCase()) ?? raters.find((r) => spellingKey(r) === spellingKey(id));
    const hint = twin !== undefined ? `; did you mean '${twin}'?` : raters.length <= 12 ? ` (its raters: ${raters.map((r) => `'${r}'`).join(', ')})` : ` (its raters: ${raters.slice(0, 10).map((r) => `'${r}'`).join(', ')}, … ${raters.length} in all)`;
    throw new InputError(`--exclude-rater ${id}: no rater '${id}' in the file${hint}: give the id as the file writes it`, { file });
  }
}

/** The --exclude-rater option(s) that leave these raters out: one list, or one option each when an id has a comma. */
export function excludeOption(ids: readonly string[]): string {
  if (ids.some((id) => id.includes(','))) return ids.map((id) => `--exclude-rater ${shellWord(id)}`).join(' ');
  return `--exclude-rater ${ids.map(shellWord).join(',')}`;
}

/**
 * After the Raters table: how to see the figures without a flagged rater (null when none is flagged, or when leaving
 * one out would leave a single rater: with 2 raters it suggested a command that is refused). A flag every rater holds
 * (each with few_items on a small panel) says something of the data, not of one rater: leaving one out would not
 * answer it, so such a flag alone suggests nobody.
 */
export function excludeHint(raters: ReadonlyArray<{ rater: string; flags: string[] }>, warnings: ReadonlyArray<{ code: string }> = []): string | null {
  const heldByAll = (flag: string) => raters.every((r) => r.flags.includes(flag));
  const flagged = raters.filter((r) => r.flags.some((f) => !heldByAll(f))).map((r) => shellWord(r.rater));
  if (flagged.length === 0 || raters.length < 3) return null;
  const { suspects, note } = suspectsFirst(raters, warnings, flagged);
  // the constant or copied raters first: the others' flags are read against them
  flagged.sort((a, b) => Number(suspects.includes(b)) - Number(suspects.includes(a)));
  const more = flagged.length > 1 ? ` (or ${flagged.slice(1, 4).join(', ')}${flagged.length > 4 ? ', …' : ''})` : '';
  return `to see the figures without a flagged rater, run again with --exclude-rater ${flagged[0]}${more}${note}`;
}

/**
 * A constant rater (constant_rater) and one of two raters who gave identical ratings (identical_raters: a copy?) move
 * every other rater's bias and r, which are read against them: with them in, two honest raters of an annotation lead's
 * export read r 0.79 and 0.81 beside the copied pair's 0.92 and were flagged low_correlation, and the hint named them
 * first (ttrial56; without the copy and the constant rater neither is flagged). Those go first, then the flags again.
 */
function suspectsFirst(raters: ReadonlyArray<{ rater: string }>, warnings: ReadonlyArray<{ code: string }>, flagged: readonly string[]): { suspects: string[]; note: string } {
  const ids: string[] = [];
  for (const w of warnings as ReadonlyArray<{ code: string; rater?: string; raters?: readonly string[] }>) {
    const id = w.code === 'constant_rater' ? w.rater : w.code === 'identical_raters' ? w.raters?.[1] : undefined;
    if (id !== undefined && !ids.includes(id) && !(w.code === 'identical_raters' && ids.includes(w.raters![0]))) ids.push(id);
  }
  const suspects = ids.map(shellWord);
  const others = flagged.filter((f) => !suspects.includes(f));
  if (suspects.length === 0 || others.length === 0 || raters.length - suspects.length < 2) return { suspects, note: '' };
  const who = `${others.slice(0, 4).join(', ')}${others.length > 4 ? ', …' : ''}`;
  return { suspects, note: `; the flags of ${who} are read against the rater(s) the warnings above name (constant, or identical to another), who move every other rater's bias and r: leave those out first (${excludeOption(ids)}) and read the flags again` };
}

/**
 * After the Raters table, when raters are flagged: which raters the "others" each rater is compared with (bias, r,
 * mean |diff|, the report's Bland-Altman plots) and the gold labels include. Every rater not left out by
 * --exclude-rater, the flagged ones too, as psych::alpha's r.drop (each item against the sum of all the others) and
 * Bland & Altman's method against the others' mean: leaving flagged raters out of the comparison would make the flags
 * decide the consensus they are judged against. Null when no rater is flagged.
 */
export function consensusNote(raters: ReadonlyArray<{ rater: string; flags: string[] }>, labels = false): string | null {
  const flagged = raters.filter((r) => r.flags.length > 0).map((r) => `'${r.rater}'`);
  if (flagged.length === 0) return null;
  const who = flagged.length > 4 ? `${flagged.slice(0, 4).join(', ')} and ${flagged.length - 4} more` : flagged.join(', ');
  const them = flagged.length === 1 ? 'it' : 'them';
  // Labels have no bias, r or mean |diff| column (a trial, 2026-12-05): what they are compared on is the majority.
  const on = labels ? 'agreement with the majority' : 'bias, r, mean |diff|';
  return `each rater is compared with every other rater (${on}), the flagged ${flagged.length === 1 ? 'rater' : 'raters'} ${who} among them, as psych's alpha r.drop compares each item with all the others; the gold labels count ${them} too`;
}

/** The stderr note, the table's and report's line: "left out as --exclude-rater asks: rater 'r4' (20 ratings)". */
export function excludedText(excluded: readonly ExcludedRater[]): string {
  return `left out as --exclude-rater asks: ${excluded.map((e) => `rater '${e.rater}' (${e.n_ratings} rating${e.n_ratings === 1 ? '' : 's'})`).join(', ')}`;
}
