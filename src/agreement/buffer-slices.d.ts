/** Node's Buffer methods behind toString(encoding, start, end), without its argument checks (plain-csv.ts). */
declare module 'node:buffer' {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    utf8Slice(start: number, end: number): string;
  }
}
export {};
