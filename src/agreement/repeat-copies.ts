/**
 * --repeated on a duplicated export: every second occasion a copy of the first. An annotation lead's trial (ttrial44b
 * W3) joined one Label Studio export twice and passed --repeated (which the duplicate refusal offers): ICC(3,1) 1.000
 * for every rater, exit 0, although each repeated row had the first row's created_at. A retest is rated later, so:
 *
 * - every repeated row equal to its first row cell for cell, in a file with columns besides target, rater, rating and
 *   dimension (an id, a time): refused, a duplicated export;
 * - every repeated row at the same date-time (a time of day, not a bare date or a sequence number that each export
 *   may start afresh) in the order column as its first row: refused, an export given twice (perhaps edited);
 * - a file of only the role columns whose every repeated rating (at least MIN_SAID of them) equals the first: a
 *   warning, since a careful rater on a short scale may repeat every rating.
 */

export const MIN_SAID = 10;

interface FirstRow {
  rec: number;
  cells: string;
  time: string | null;
}

export interface RepeatCopiesVerdict {
  /** 'refuse' stops the read (exit 2), 'warn' is a note. */
  kind: 'refuse' | 'warn';
  message: string;
  /** A repeated record and its first record (for the lines). */
  rec: number;
  firstRec: number;
}

export class RepeatCopies {
  private readonly first = new Map<string, FirstRow>();
  private repeats = 0;
  private sameRows = 0;
  private sameTimes = 0;
  private example: { rec: number; firstRec: number; time: string | null } | null = null;

  /** `cells`: the whole row; `time`: the order cell when it holds a date-time, else null. */
  see(key: string, rec: number, cells: string[], time: string | null): void {
    const joined = cells.map((c) => c.trim()).join('\u0000');
    const f = this.first.get(key);
    if (f === undefined) {
      this.first.set(key, { rec, cells: joined, time });
      return;
    }
    this.repeats++;
    if (f.cells === joined) this.sameRows++;
    if (time !== null && f.time === time) this.sameTimes++;
    this.example ??= { rec, firstRec: f.rec, time };
  }

  /** `extraColumns`: the file has columns besides target, rater, rating and dimension; `timeCol`: the order column. */
  verdict(extraColumns: boolean, timeCol: string | null): RepeatCopiesVerdict | null {
    const ex = this.example;
    if (ex === null || this.repeats === 0) return null;
    const n = this.repeats;
    const keep = 'keep one copy and run without --repeated; a test-retest file has the second pass rated later (or an occasion column)';
    if (extraColumns && this.sameRows === n) {
      return { kind: 'refuse', rec: ex.rec, firstRec: ex.firstRec, message: `--repeated: every one of the ${n} repeated rows is a copy of its first row, cell for cell (this line repeats {FIRST}): a duplicated export, not a retest; ${keep}` };
    }
    if (timeCol !== null && this.sameTimes === n) {
      return { kind: 'refuse', rec: ex.rec, firstRec: ex.firstRec, message: `--repeated: every one of the ${n} repeated rows has the same '${timeCol}' as its first row (here '${ex.time}', as on {FIRST}): an export given twice (edited?), not a retest; ${keep}` };
    }
    if (!extraColumns && this.sameRows === n && n >= MIN_SAID) {
      return { kind: 'warn', rec: ex.rec, firstRec: ex.firstRec, message: `warning: --repeated: every one of the ${n} repeated ratings equals the rater's first rating of that target (rows given twice, a duplicated export?): the test-retest figures are then perfect by construction; if the file joins one export twice, keep one copy` };
    }
    return null;
  }
}

/** An order cell that names a time of day (ISO date-time), which two occasions of a retest cannot share. */
export function isDateTime(cell: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(cell);
}
