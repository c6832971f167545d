/**
 * A new user's trial: a long sheet exported with its own column names (`item;coder;score`) was read as wide (no
 * 'target' or 'rater' column), and the error on the first rater name told them `pass --target-col coder`, which
 * fails again; `--rater-col coder` alone was ignored (still read as wide). Now the header is refused with the three
 * flags that read it, and --rater-col/--rating-col ask for the long layout. Negative control: a wide sheet whose
 * raters are named in a series (`coder1`, `coder2`) is read as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliInProcess, tempDir } from './helpers/cli.js';
import { readLabelFiles } from '../src/dataset/labels.js';
import type { InputError } from '../src/common/errors.js';

const tmp = tempDir('mmprep-agr-long-names-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

const rows: string[] = [];
for (let t = 0; t < 6; t++) for (const [r, d] of [['anna', 0], ['ben', 1], ['carla', -1]] as const) rows.push(`t${t};${r};${(t % 5) + 2 + d}`);
const LONG = ['item;coder;score', ...rows].join('\r\n') + '\r\n';

describe('a long sheet whose columns are not named target/rater/rating', () => {
  it('is refused naming the flags that read it (exit 2, one line), and those flags read it', async () => {
    const p = file('long.csv', '\ufeff' + LONG);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `mmprep: ${p}:1, column 2: no 'target' or 'rater' column, but 'coder' is named like the rater column of a long file (one rating per row): pass --target-col item --rater-col coder --rating-col score (or --format wide if 'coder' is a rater of a wide file)`,
    );
    const ok = await runCliInProcess(['agreement', p, '--target-col', 'item', '--rater-col', 'coder', '--rating-col', 'score', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const dim = JSON.parse(ok.stdout).dimensions[0];
    expect([dim.n_targets, dim.n_raters, dim.n_ratings]).toEqual([6, 3, 18]);
  });

  it('--rater-col alone asks for the long layout (it was ignored: read as wide)', async () => {
    const p = file('long2.csv', LONG);
    const r = await runCliInProcess(['agreement', p, '--rater-col', 'coder']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("long format needs columns 'target', 'rating'");
    expect(r.stderr).not.toContain('--target-col coder');
  });

  it('--format wide: the non-numeric rater name no longer suggests --target-col coder', async () => {
    const p = file('long3.csv', LONG);
    const r = await runCliInProcess(['agreement', p, '--format', 'wide']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("non-numeric rating 'anna' (use --categorical for labels)");
  });

  it('reads a wide sheet of raters named in a series (coder1, coder2) as before', async () => {
    const p = file('wide.csv', 'clip,coder1,coder2\na,1,2\nb,2,2\nc,3,3\nd,5,4\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).dimensions[0].n_raters).toBe(2);
  });
});

describe("a wide sheet made for dataset build (session_id, start_s, end_s beside the raters)", () => {
  const rows = ['s01;2,69;3,42;c0;8;9;7', 's01;4,185;5,715;c1;7;9;7', 's02;1,0;2,5;c2;3;4;3', 's02;3,0;4,0;c3;5;5;6'];
  it('reads the time columns as neither raters nor target ids', async () => {
    for (const [name, head, cut] of [
      ['spans.csv', 'session_id;start_s;end_s;clip;r1;r2;r3', 0],
      ['times.csv', 'start_s;end_s;clip;r1;r2;r3', 1],
    ] as const) {
      const p = file(name, '\ufeff' + [head, ...rows.map((r) => r.split(';').slice(cut).join(';'))].join('\r\n') + '\r\n');
      const r = await runCliInProcess(['agreement', p, '--decimal-comma', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const dim = JSON.parse(r.stdout).dimensions[0];
      expect([dim.n_targets, dim.n_raters, dim.n_ratings], name).toEqual([4, 3, 12]);
    }
  });

  it("under --decimal-comma a thousands-grouped '1.000' is refused as ambiguous (was read as 1, exit 0); '3.5' and '0.125' are read", async () => {
    const p = file('points.csv', 'target;r1;r2\nc0;1.000;2\nc1;3;4\nc2;5;5\n');
    const r = await runCliInProcess(['agreement', p, '--decimal-comma', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:2, column r1: rating '1.000' is ambiguous under --decimal-comma: a point there may be a thousands separator (1000) or a decimal point (1); write 1000 or 1,000\n`);
    const ok = file('points-ok.csv', 'target;r1;r2\nc0;3.5;2\nc1;0.125;4\nc2;5;5\n');
    expect((await runCliInProcess(['agreement', ok, '--decimal-comma', '--json'])).code).toBe(0);
    const spans = file('spans-k.csv', ['session_id;start_s;end_s;clip;r1;r2;r3', 's01;2,69;3,42;c0;8;9;7', 's01;1.250;1.900;c1;7;9;7'].join('\n') + '\n');
    // dataset build's span columns: the same refusal, naming file, line and column
    await expect(readLabelFiles([spans], { decimalComma: true })).rejects.toSatisfy((e: InputError) => e.toLine().startsWith(`${spans}:3, column start_s: start_s '1.250' is ambiguous under --decimal-comma`));
  });

  it('a sheet of sessions rated (session_id, r1, r2) keeps session_id as the target ids', async () => {
    const p = file('sessions.csv', 'session_id,r1,r2\ns01,3,4\ns02,5,5\ns03,2,1\n');
    const r = await runCliInProcess(['agreement', p, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).dimensions[0].n_targets).toBe(3);
  });
});

describe('a wide sheet with a column that describes the targets (speaker_id, duration), not a rater', () => {
  // Before: read as one more rater, exit 0 (ICC(2,1) 0.34 instead of 0.84 with a numeric speaker_id; gold labels
  // averaged with it). Now refused naming the column; 'order'/'time' stay the drift column, series raters are read.
  const rows = ['t1,1,3,4,3', 't2,2,2,2,3', 't3,4,5,4,5', 't4,6,1,2,1', 't5,7,4,4,5'];
  it.each(['speaker_id', 'session_id', 'Participant ID', 'duration', 'clip_duration_s', 'start', 'end_ms', 'age'])('%s is refused naming the column (exit 2)', async (col) => {
    const p = file(`w-${col.replace(/ /g, '')}.csv`, [`target,${col},r1,r2,r3`, ...rows].join('\n') + '\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`mmprep: ${p}:1, column ${col}: column '${col}' would be read as a rater (a wide file's columns other than the target 'target' are raters), but it is named like information about the targets: remove it from the sheet (or give the ratings in the long layout: target,rater,rating), or rename it if it really is a rater\n`);
  });
  it('controls: an order column, raters in a series (coder_1) and raters with plain names are read', async () => {
    for (const head of ['target,order,r1,r2,r3', 'target,coder_1,coder_2,coder_3,coder_4', 'target,anna,ben,carla,dev']) {
      const r = await runCliInProcess(['agreement', file('ok.csv', [head, ...rows].join('\n') + '\n'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).dimensions[0].n_raters).toBe(head.startsWith('target,order') ? 3 : 4);
    }
  });

  it("a 'rater' column beside a rating column per dimension (clip,rater,valence,arousal) is refused with the flags, not read as wide", async () => {
    const lines = ['clip,rater,valence,arousal'];
    for (let t = 0; t < 6; t++) for (const [j, r] of ['r1', 'r2', 'r3'].entries()) lines.push(`c${t},${r},${1 + ((t + j) % 7)},${1 + ((2 * t + j) % 7)}`);
    const p = file('per-dim.csv', lines.join('\n') + '\n');
    for (const extra of [[], ['--categorical']]) {
      const r = await runCliInProcess(['agreement', p, ...extra]);
      expect(r.code).toBe(2);
      // before: "non-numeric rating 'r1' (use --categorical for labels)", and with --categorical a rater named 'rater'
      expect(r.stderr).toBe(`mmprep: ${p}:1, column 2: a 'rater' column but no 'target' and 'rating' columns: a long file (one row per rater and target)? a rating column per dimension ('valence', 'arousal')? agreement reads one rating column: run it once per column (--target-col clip --rating-col valence, then --rating-col arousal), or write the file as target,rater,dimension,rating\n`);
    }
    const ok = await runCliInProcess(['agreement', p, '--target-col', 'clip', '--rating-col', 'arousal', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).dimensions[0].n_raters).toBe(3);
  });
});
