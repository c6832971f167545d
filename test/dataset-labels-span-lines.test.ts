/**
 * A labels file's span columns (a new user's trial, 2026-12-06, C4): an empty session_id on line 8 was refused as
 * "target 's01_u1' has another session_id/start_s/end_s than on an earlier line" on line 9. Now the empty cell is
 * named on its own line, and a target given two spans names both lines' spans.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { readLabelFiles } from '../src/dataset/labels.js';

const tmp = tempDir('mmprep-labels-span-lines-');
afterAll(() => tmp.cleanup());
const RATINGS = readFileSync(join(FIXTURES, 'demo', 'ratings.csv'), 'utf8').trim().split('\n');

/** The demo ratings with line `n` (1-based, header line 1) edited. */
function edited(name: string, n: number, edit: (line: string) => string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, RATINGS.map((l, i) => (i === n - 1 ? edit(l) : l)).join('\n') + '\n');
  return p;
}

async function refusal(p: string): Promise<string> {
  try {
    await readLabelFiles([p]);
  } catch (e) {
    const err = e as Error & { location: { line?: number; column?: string } };
    return `${err.location.line}:${err.location.column ?? ''}: ${err.message}`;
  }
  return 'accepted';
}

describe('labels span columns', () => {
  it('an empty session_id is named on its own line (was blamed on the next line of its target)', async () => {
    const p = edited('empty.csv', 8, (l) => l.replace(/^s01,/, ','));
    expect(await refusal(p)).toMatch(/^8:session_id: empty session_id for target 's01_u1': every row/);
  });

  it('a target given two spans names both, with the earlier line', async () => {
    const p = edited('two.csv', 9, (l) => l.replace(',4.185,', ',4.2,'));
    expect(await refusal(p)).toBe("9:: target 's01_u1' is 's01' 4.2-5.715 s here but 's01' 4.185-5.715 s on line 8: one target, one span");
  });
});

describe('a point rating', () => {
  it('start_s equal to end_s is refused on its line (was: "no audio or face features ... run extract")', async () => {
    const p = edited('point.csv', 2, (l) => l.replace(',3.420,', ',2.690,'));
    expect(await refusal(p)).toMatch(/^2:: start_s and end_s are both 2\.69 s for target 's01_u0': a point in time, not the span a rating is of/);
  });
});
