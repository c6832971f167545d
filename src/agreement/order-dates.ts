/**
 * Dates in the order column: ISO 8601 only (ISO 8601-1:2019 calendar date YYYY-MM-DD, optionally with a time
 * hh:mm[:ss[.fff]] after 'T' or a space (RFC 3339 § 5.6 allows the space) and a UTC offset). A local format
 * ('03.11.2026', '11/03/2026', 'Nov 3 2026') is refused with the ISO form to write: V8's Date.parse read
 * '03.11.2026' as 11 March, month first, and so reordered a German export's ratings without a word (ttrial44b W1).
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Milliseconds since 1970 of an ISO 8601 date, NaN for anything else. A date-time without an offset is read as UTC
 * (Date.parse would take local time for it but UTC for a bare date, so a file mixing both would depend on the machine).
 */
export function isoDateMs(s: string): number {
  const m = ISO_DATE.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, hh, mm, ss] = m.map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || hh > 23 || mm > 59 || ss > 59) return NaN;
  const v = Date.parse(m[4] !== undefined && m[7] === undefined ? s.replace(' ', 'T') + 'Z' : s.replace(' ', 'T'));
  return v;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A trailing time ('10:06:12', ' 4:05 PM') as ISO's 'Thh:mm[:ss]', '' for none, null when it is not a time. */
function isoTime(rest: string): string | null {
  if (rest.trim() === '') return '';
  const t = /^[\sT,]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?$/.exec(rest);
  if (!t) return null;
  let h = Number(t[1]);
  if (t[4]) h = (h % 12) + (/p/i.test(t[4]) ? 12 : 0);
  return `T${pad(h)}:${t[2]}${t[3] ? ':' + t[3] : ''}`;
}

/** The ISO form of year, month, day (and the time); null when the numbers are no calendar date. */
function isoForm(y: number, mo: number, d: number, time: string): string | null {
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return null;
  return `${y}-${pad(mo)}-${pad(d)}${time}`;
}

/** 'Nov 3 2026', '3 November 2026', 'Tue, 03 Nov 2026 10:06:12': [year, month, day, rest] or null. */
function monthNameDate(s: string): [number, number, number, string] | null {
  const t = s.replace(/^[A-Za-z]{3,9}\.?,?\s+(?=\d|[A-Za-z]{3,9}\.?\s+\d)/, (w) => (monthIndex(w) < 0 ? '' : w));
  const md = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(.*)$/.exec(t);
  if (md && monthIndex(md[1]) >= 0) return [Number(md[3]), monthIndex(md[1]) + 1, Number(md[2]), md[4]];
  const dm = /^(\d{1,2})\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(.*)$/.exec(t);
  if (dm && monthIndex(dm[2]) >= 0) return [Number(dm[3]), monthIndex(dm[2]) + 1, Number(dm[1]), dm[4]];
  return null;
}

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.replace(/[.,\s]/g, '').slice(0, 3).toLowerCase());
}

/**
 * Why a non-number, non-ISO order value is refused and the ISO 8601 form to write instead. A dotted date is day
 * first (German, Russian, …); a slash or dash date is day first when its first number is above 12, month first when
 * its second is, and otherwise both readings are given.
 */
export function nonIsoOrderMessage(s: string): string {
  const head = `order value '${s}'`;
  const write = (iso: string) => `write dates in ISO 8601 (year-month-day), here ${iso}, or order numbers`;
  const named = monthNameDate(s);
  if (named) {
    const iso = isoForm(named[0], named[1], named[2], isoTime(named[3]) ?? '');
    if (iso) return `${head} is a date with a month name, which mmprep does not guess at: ${write(iso)}`;
  }
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(.*)$/.exec(s);
  const time = dotted ? isoTime(dotted[4]) : null;
  if (dotted && time !== null) {
    const iso = isoForm(Number(dotted[3]), Number(dotted[2]), Number(dotted[1]), time);
    if (iso) return `${head} is a local date (day.month.year), which mmprep does not guess at: ${write(iso)}`;
  }
  const slashed = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(.*)$/.exec(s);
  const stime = slashed ? isoTime(slashed[5]) : null;
  if (slashed && stime !== null) {
    const [a, b, y] = [Number(slashed[1]), Number(slashed[3]), Number(slashed[4])];
    const dayFirst = isoForm(y, b, a, stime);
    const monthFirst = isoForm(y, a, b, stime);
    const sep = slashed[2];
    if (dayFirst && monthFirst && a !== b) {
      return `${head} is a local date: day${sep}month${sep}year or month${sep}day${sep}year? mmprep does not guess: write dates in ISO 8601 (year-month-day), here ${dayFirst} if ${a} is the day, ${monthFirst} if ${a} is the month, or order numbers`;
    }
    const iso = dayFirst ?? monthFirst;
    if (iso) return `${head} is a local date (${dayFirst ? `day${sep}month` : `month${sep}day`}${sep}year), which mmprep does not guess at: ${write(iso)}`;
  }
  return `${head} is neither a number nor an ISO 8601 date: write dates as year-month-day (2026-11-03 or 2026-11-03T10:06:12), or order numbers`;
}
