/**
 * readRatings' fast path for plain CSV (src/agreement/plain-csv.ts) against csv-parse with readRatings' options, on
 * fuzzed files of delimiters, quotes, CR, LF, BOMs, spaces and non-ASCII text: wherever the fast path reads a file to
 * its end, csv-parse reads the same rows without an error; a file it gives up on (NotPlainCsv) is csv-parse's. One
 * file crosses the fast path's 1 MiB chunks with a non-ASCII cell on the boundary. ~1 s CPU.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachPlainRow, NotPlainCsv } from '../src/agreement/plain-csv.js';
import { tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-plain-csv-');
afterAll(() => tmp.cleanup());

/** The fast path's rows, or 'not plain'. */
async function fastRows(path: string, delimiter: string): Promise<string[][] | 'not plain'> {
  const rows: string[][] = [];
  try {
    await forEachPlainRow(path, delimiter, (row) => rows.push(row));
  } catch (e) {
    if (e instanceof NotPlainCsv) return 'not plain';
    throw e;
  }
  return rows;
}

/** csv-parse's rows with read.ts csvOptions, or its error code. */
function csvParseRows(bytes: Buffer, delimiter: string): string[][] | string {
  try {
    return parse(bytes, { bom: true, delimiter, skip_empty_lines: true, relax_quotes: false }) as string[][];
  } catch (e) {
    return (e as { code?: string }).code ?? 'error';
  }
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

const PIECES = ['a', 'r1', '7', '3.5', '', ' ', 'é', '中', 'NA', ',', ',', ';', '\t', '\n', '\n', '\n\n', '"', '"x"', '\r\n', '\r', '\uFEFF'];

/** A random file: a header of 2-4 cells, then lines mostly of that many cells, some pieces that break the rules. */
function fuzzFile(rnd: () => number, delimiter: string): string {
  const cells = 2 + Math.floor(rnd() * 3);
  const lines: string[] = [];
  for (let l = 0; l < 1 + Math.floor(rnd() * 12); l++) {
    const n = rnd() < 0.9 ? cells : cells + (rnd() < 0.5 ? -1 : 1);
    lines.push(Array.from({ length: n }, () => (rnd() < 0.93 ? PIECES[Math.floor(rnd() * 10)] : PIECES[Math.floor(rnd() * PIECES.length)])).join(delimiter));
  }
  const text = lines.join(rnd() < 0.1 ? '\n\n' : '\n') + (rnd() < 0.7 ? '\n' : '');
  return (rnd() < 0.2 ? '\uFEFF' : '') + (rnd() < 0.05 ? '\n' : '') + text;
}

describe('plain CSV fast path', () => {
  it('reads the rows csv-parse reads on every fuzzed file it takes, and gives up on the others', async () => {
    const rnd = lcg(53);
    const counts = { plain: 0, notPlain: 0 };
    for (let k = 0; k < 600; k++) {
      const delimiter = [',', ';', '\t'][k % 3];
      const path = join(tmp.dir, `f${k}.csv`);
      const bytes = Buffer.from(fuzzFile(rnd, delimiter), 'utf8');
      writeFileSync(path, bytes);
      const fast = await fastRows(path, delimiter);
      if (fast === 'not plain') {
        counts.notPlain++;
        continue;
      }
      counts.plain++;
      expect(csvParseRows(bytes, delimiter), `file ${k}: ${JSON.stringify(bytes.toString())}`).toEqual(fast);
    }
    // both ways are taken often: the comparison is not vacuous
    expect(counts.plain).toBeGreaterThan(150);
    expect(counts.notPlain).toBeGreaterThan(150);
  }, 60_000);

  it('reads a file across its 1 MiB chunks as csv-parse does, and gives up at a quote past the first chunk', async () => {
    const lines = ['target,rater,rating'];
    for (let i = 0, bytes = 0; bytes < 1.3 * (1 << 20); i++) bytes += lines[lines.push(`${i % 977 === 0 ? 'clip_é中' : 'clip_'}${i},r${i % 5},${i % 7}`) - 1].length + 1;
    const text = '\uFEFF' + lines.join('\n');
    const path = join(tmp.dir, 'big.csv');
    writeFileSync(path, text);
    const fast = await fastRows(path, ',');
    expect(fast).not.toBe('not plain');
    // compared as JSON: toEqual on 60,000 rows takes seconds
    const json = JSON.stringify(fast);
    expect(json.length).toBeGreaterThan(1 << 20);
    expect(json === JSON.stringify(csvParseRows(Buffer.from(text), ','))).toBe(true);
    writeFileSync(path, text + '\n"clip",r1,3\n');
    expect(await fastRows(path, ',')).toBe('not plain');
  }, 60_000);

  it('gives up on a delimiter it cannot split at and on a UTF-16 file', async () => {
    const path = join(tmp.dir, 'u16.csv');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('target,rater,rating\nt,r,1\n', 'utf16le')]));
    expect(await fastRows(path, ',')).toBe('not plain');
    writeFileSync(path, 'a||b\n1||2\n');
    expect(await fastRows(path, '||')).toBe('not plain');
  });
});
