/**
 * A number as a user writes it on the command line: decimal digits with an optional point, sign and exponent (`2`,
 * `0.5`, `.5`, `-1`, `5e-1`). JavaScript's Number() also reads `0x10` (16), `0b11`, `0o7`, `Infinity`, and pads
 * with spaces (`' 2'`): none is what a value of seconds or a threshold is written as, and a typo (`0x1` for `0.1`)
 * became another number silently.
 */
export function isPlainDecimal(text: string): boolean {
  return /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/i.test(text);
}

/** The finite number a plain decimal (isPlainDecimal) writes, else NaN: never Number()'s `0x10` = 16, `''` = 0, or
 *  an infinite `1e999`. */
export function decimalNumber(text: string): number {
  const v = isPlainDecimal(text) ? Number(text) : NaN;
  return Number.isFinite(v) ? v : NaN;
}
