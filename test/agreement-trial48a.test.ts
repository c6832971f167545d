/**
 * Layouts a new user's trial (ttrial48a, 2026-12-06) saw read wrongly with exit 0: a survey export whose rows are the
 * respondents (W1), `Anna_1, Anna_2` passes read as dimensions (W2), a confidence column per rater (W5), an ELAN
 * transcript tier read as a rater (W6), the id column last (W7), JSON multi-label cells (W8), `Mean`/`SD`/`Total` rows
 * (W9) and missing ratings written as words (W10). Each is now read right or refused naming the layout; negative
 * controls check that the neighbouring layouts still read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRatings } from '../src/agreement/read.js';
import { runCliInProcess, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-agr-trial48a-');
afterAll(() => tmp.cleanup());

function file(name: string, text: string): string {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
}

/** 8 targets x 3 raters on 1-7, rows as in a wide sheet. */
const M = [
  [3, 3, 4],
  [6, 5, 6],
  [2, 2, 1],
  [7, 6, 7],
  [4, 5, 4],
  [1, 2, 2],
  [5, 5, 6],
  [6, 7, 6],
];

/** The transposed sheet: a row per respondent, a column per question. */
const survey = (first: string, q: (j: number) => string) =>
  [first, ...M.map((_, j) => q(j))].join(',') + '\n' + [0, 1, 2].map((r) => [`R_${'abcde'[r]}1234`, ...M.map((row) => row[r])].join(',')).join('\n') + '\n';

describe('W1: a survey export, one row per respondent', () => {
  it.each([
    ['ResponseId', (j: number) => `Q${j + 1}_1`],
    ['Timestamp', (j: number) => `Clip ${j + 1} [Valence]`],
    ['participant', (j: number) => `Q${j + 1}`],
  ])('first column %s: refused naming the layout and the transpose (exit 2)', async (first, q) => {
    const p = file(`survey_${first}.csv`, survey(first, q));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^mmprep: \\S+:1, column ${first}: each row looks like one respondent's answers \\(a survey export: column '${first}' names the respondents.*transpose the sheet.*\\n$`));
  });

  it("a full Qualtrics export: the ResponseId message no longer says to remove it, but that rows are respondents", async () => {
    const p = file('qualtrics.csv', 'StartDate,Status,ResponseId,Q1_1,Q2_1,Q3_1\n2026-11-01,IP Address,R_abc12,1,2,3\n2026-11-01,IP Address,R_bcd12,2,2,3\n');
    await expect(readRatings(p)).rejects.toThrow(/each row looks like one respondent's answers .*Qualtrics' extra header rows/);
  });

  it("negative control: a 'participant' column of targets rated by rater columns is read", async () => {
    const p = file('participants.csv', 'participant,rater1,rater2,rater3\n' + M.map((row, i) => [`p${i}`, ...row].join(',')).join('\n') + '\n');
    const t = await readRatings(p);
    expect([t.dimensions[0].targets.length, t.dimensions[0].raters]).toEqual([8, ['rater1', 'rater2', 'rater3']]);
  });
});

describe('W2: WORD_NUMBER columns', () => {
  const grid = (cols: string[]) => ['clip', ...cols].join(',') + '\n' + M.map((row, i) => [`c${i}`, row[0], row[1], row[2], row[0]].join(',')).join('\n') + '\n';

  it("'Anna_1, Anna_2, Ben_1, Ben_2' (passes or dimensions?) is refused with the long layouts (was: dimensions Anna, Ben)", async () => {
    const p = file('passes.csv', grid(['Anna_1', 'Anna_2', 'Ben_1', 'Ben_2']));
    await expect(readRatings(p)).rejects.toThrow(
      /pair the words 'Anna', 'Ben' with the numbers or pass codes '1', '2': raters Anna, Ben each rating 2 times \(passes\), or dimensions .* target,rater,dimension,rating.* target,rater,occasion,rating/,
    );
    await expect(readRatings(file('t1t2.csv', grid(['Anna_t1', 'Anna_t2', 'Ben_t1', 'Ben_t2'])))).rejects.toThrow(/pass codes 't1', 't2'/);
  });

  it("'valence_1, valence_2, arousal_1, arousal_2' (known dimensions) is still read as raters 1, 2 in two dimensions", async () => {
    const t = await readRatings(file('dims.csv', grid(['valence_1', 'valence_2', 'arousal_1', 'arousal_2'])));
    expect(t.dimensions.map((d) => [d.name, d.raters])).toEqual([
      ['valence', ['1', '2']],
      ['arousal', ['1', '2']],
    ]);
  });
});

describe('W5: a confidence or comment column beside each rater', () => {
  const conf = (suffix: string) => {
    const head = ['clip', ...['Anna', 'Ben', 'Cleo'].flatMap((r) => [r, `${r}${suffix}`])].join(',');
    return head + '\n' + M.map((row, i) => [`c${i}`, ...row.flatMap((x) => [x, 1 + (i % 5)])].join(',')).join('\n') + '\n';
  };
  it.each(['_conf', ' confidence', '_RT', '_certainty'])("'Anna%s': refused naming every such column and --exclude-rater (was read as 6 raters)", async (suffix) => {
    const p = file(`conf${suffix.replace(/\W/g, '_')}.csv`, conf(suffix));
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`columns 'Anna${suffix}', 'Ben${suffix}', 'Cleo${suffix}' would be read as raters, but are named like a rater's confidence, response time or comment`);
    expect(r.stderr).toContain(`leave them out with --exclude-rater '${['Anna', 'Ben', 'Cleo'].map((n) => n + suffix).join(',')}'`);
  });

  it('with them left out (--exclude-rater), the three raters are read', async () => {
    const t = await readRatings(file('conf_ok.csv', conf('_conf')), { excludeRaters: ['Anna_conf', 'Ben_conf', 'Cleo_conf'] });
    expect(t.dimensions[0].raters).toEqual(['Anna', 'Ben', 'Cleo']);
  });
});

describe('W6: an ELAN transcript tier beside the raters', () => {
  const LABELS = ['happy', 'sad', 'angry', 'neutral', 'happy', 'sad'];
  const SENTENCES = ['so I went there', 'and then she said no', 'that was really great', 'it is fine', 'we should go home', 'I do not know'];
  const rows = (tiers: string[]) =>
    'Tier\tBegin\tAnnotation\n' +
    tiers.flatMap((tier, k) => LABELS.map((l, i) => `${tier}\t${i * 2}.5\t${tier === 'transcript' ? SENTENCES[i] : k === 1 && i === 2 ? 'sad' : l}`)).join('\n') +
    '\n';
  const args = { targetColumn: 'Begin', raterColumn: 'Tier', ratingColumn: 'Annotation', categorical: true };

  it('refused naming the tier and --exclude-rater (was a third rater: Fleiss 0.125 for 0.625)', async () => {
    const p = file('elan.txt', rows(['emotion_AK', 'emotion_BM', 'transcript']));
    await expect(readRatings(p, args)).rejects.toThrow(/rater 'transcript' wrote sentences that no other rater uses \('so I went there', .*--exclude-rater transcript/);
  });

  it('negative control: three raters with one-word labels are read', async () => {
    const t = await readRatings(file('elan_ok.txt', rows(['emotion_AK', 'emotion_BM', 'emotion_CL'])), args);
    expect(t.dimensions[0].raters.length).toBe(3);
  });
});

describe('W7: the id column last', () => {
  const head = (id: string) => `Anna,Ben,Carl,${id}\n` + M.map((row, i) => [...row.map((x) => x * 10 + 3), 101 + i].join(',')).join('\n') + '\n';
  it.each(['stimulus', 'stim', 'video', 'clip'])("'%s' last is read as the target ids, with a note (was: Anna's ratings as ids)", async (id) => {
    const t = await readRatings(file(`last_${id}.csv`, head(id)));
    const d = t.dimensions[0];
    expect(t.columns.target).toBe(id);
    expect(d.raters).toEqual(['Anna', 'Ben', 'Carl']);
    expect(d.targets).toEqual(M.map((_, i) => String(101 + i)));
    expect(t.notes).toContain(`column '${id}' is read as the target ids (named like ids; the first column 'Anna' is not), every other column as a rater; if 'Anna' holds the ids, pass --target-col Anna`);
  });

  it('negative controls: an id column first stays the target; a rater named like a quality of the video is a rater', async () => {
    const t = await readRatings(file('first.csv', 'clip,r1,r2,video_quality\nc1,1,2,3\nc2,3,3,4\nc3,2,2,2\n'));
    expect(t.columns.target).toBe('clip');
    const q = await readRatings(file('quality.csv', 'item_name,r1,r2,video_quality\na,1,2,3\nb,3,3,4\nc,2,2,2\n'));
    expect([q.columns.target, q.dimensions[0].raters]).toEqual(['item_name', ['r1', 'r2', 'video_quality']]);
    const n = await readRatings(file('names.csv', 'Anna,Ben,Carl,video_quality\na,1,2,3\nb,3,3,4\nc,2,2,2\n'));
    expect([n.columns.target, n.dimensions[0].raters]).toEqual(['Anna', ['Ben', 'Carl', 'video_quality']]);
  });

  it("negative control: raters with initials 'RT' and 'JS' are raters, not a response-time column", async () => {
    const t = await readRatings(file('rt.csv', 'clip,AB,RT,JS\nc1,1,2,1\nc2,3,3,4\nc3,2,2,2\n'));
    expect(t.dimensions[0].raters).toEqual(['AB', 'RT', 'JS']);
  });
});

describe('W8: multi-label JSON cells', () => {
  it.each(['"{""choices"": [""happy"", ""surprised""]}"', '"[""happy"",""sad""]"'])('%s: refused as multi-label (was read as a category)', async (cell) => {
    const p = file('multi.csv', `target,rater,rating\nc1,a,happy\nc1,b,happy\nc2,a,sad\nc2,b,${cell}\nc3,a,sad\nc3,b,sad\n`);
    await expect(readRatings(p, { categorical: true })).rejects.toThrow(/is a JSON list or object \(a multi-select field.*not one label/);
  });
});

describe('W9: summary rows under the data', () => {
  it.each(['Mean', 'SD', 'Total', 'AVERAGE', 'Std. Dev.'])("a '%s' row: refused naming the row (was read as a target)", async (name) => {
    const p = file(`sum_${name.replace(/\W/g, '_')}.csv`, 'clip,Anna,Ben,Carl\n' + M.map((row, i) => [`c${i}`, ...row].join(',')).join('\n') + `\n${name},4.25,4.38,4.5\n`);
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `mmprep: ${p}:10, column clip: row '${name}' looks like a summary the sheet computed below the ratings (a mean, SD or total of each rater's column), not a target: read as one it would be one more target rated by every rater, in the figures and the gold labels: delete the summary rows and run again\n`,
    );
  });
});

describe('W10: a missing rating written as a word', () => {
  it.each(['missing', 'skip', 'unsure', "don't know"])("'%s' among labels: a warning naming it and --na; 'none' and 'neutral' are not warned", async (word) => {
    const p = file('words.csv', `clip,r1,r2,r3\nc1,happy,happy,${word}\nc2,sad,sad,sad\nc3,none,neutral,none\nc4,happy,sad,happy\n`);
    const t = await readRatings(p, { categorical: true });
    const warned = (t.notes ?? []).filter((n) => n.includes('look like a missing rating'));
    expect(warned.length).toBe(1);
    expect(warned[0]).toContain(`label(s) '${word}' are read as categories`);
    expect(warned[0]).toContain('pass --na ');
    const na = await readRatings(p, { categorical: true, naValues: [word] });
    expect((na.notes ?? []).some((n) => n.includes('look like a missing rating'))).toBe(false);
  });
});

describe('messages that misled (ttrial48a, second section): now they name the layout', () => {
  const refused = async (name: string, text: string, re: RegExp, opts = {}) => {
    const p = file(name, text);
    await expect(readRatings(p, opts)).rejects.toThrow(re);
  };

  it("Excel's 'sep=;' line above the header (was: malformed CSV, 4 cells for 2)", () =>
    refused('sep.csv', 'sep=;\nclip;r1;r2\nc1;1;2\nc2;3;3\n', /line 1 \('sep=;'\) is Excel's delimiter line, not the header: delete it/));

  it('a header over two rows (was: column 1 has no name)', () =>
    refused('twohdr.csv', ';Valence;;Arousal;\nClip;Anna;Ben;Anna;Ben\nc1;1;2;3;4\nc2;2;2;3;3\n', /lines 1 and 2 look like one header over two rows \(line 1: 'Valence', 'Arousal' over merged cells/));

  it("a merged header cell filled across its block ('Valence;Valence;Valence;Arousal;…'): the duplicate message says so", () =>
    refused('filled.csv', 'Clip;Valence;Valence;Valence;Arousal;Arousal;Arousal\nc1;3;2;3;3;3;3\nc2;5;4;4;5;4;6\n', /duplicate column name 'Valence' .*; 'Valence' over 3 columns looks like a merged header cell over a block of raters/));

  it('an ELAN export without its header (was: non-numeric rating 00:00:06.227)', () =>
    refused('nohdr.txt', 'v_AK\t00:00:02.147\t2.147\t5\nv_AK\t00:00:06.227\t6.227\t1\nv_BM\t00:00:02.147\t2.147\t4\n', /line 1 holds values, not column names \('00:00:02.147', '2.147'\): the file has no header line/));

  it('an empty dimension cell is blamed on its own line (was: the last line, "fewer than two raters")', async () => {
    const p = file('dimblank.csv', 'target,rater,rating,dimension\nc1,r1,1,valence\nc1,r2,2,\nc1,r1,3,arousal\nc1,r2,3,arousal\nc2,r1,2,valence\nc2,r2,2,valence\nc2,r1,4,arousal\nc2,r2,5,arousal\n');
    const r = await runCliInProcess(['agreement', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mmprep: ${p}:3, column dimension: empty dimension cell (other rows name 'valence', 'arousal'): write the dimension of this rating, or delete the row\n`);
  });

  it("a second block under a title row and the header again (was: a duplicate, offering --repeated)", () =>
    refused(
      'blocks.csv',
      'clip;Anna;Ben\nc1;1;2\nc2;3;3\nc3;5;4\n;;\nArousal;;\nclip;Anna;Ben\nc1;4;4\nc2;2;3\nc3;1;1\n',
      /row 'Arousal' and the header again below it \(line 7\) start a second block of the sheet/,
    ));

  it.each(['t', 'frame', 'Time (ms)'])("a trace whose time column is '%s' (was: pass --target-col 't,target', every sample a target)", (col) =>
    refused(`trace_${col.replace(/\W/g, '_')}.csv`, `target,rater,${col},rating\nc1,r1,0,0.1\nc1,r1,1,0.2\nc1,r2,0,0.3\nc1,r2,1,0.2\n`, /is rated again \(first on line 2\) at another '.*' \(1 here, 0 there\): samples of a continuous trace over time\?/),
  );

  it("a Unicode minus and an e-mail column are named (was: use --categorical)", async () => {
    await refused('minus.csv', 'clip;r1;r2\nc1;0,5;0,7\nc2;\u22120,7;\u22121\n', /a Unicode minus '\u2212' \(U\+2212\), not '-'\? replace it/, { decimalComma: true });
    await refused('email.csv', 'clip,Email,r1,r2\nc1,a@lab.org,1,2\nc2,b@lab.org,3,3\n', /column 'Email' holds e-mail addresses, not ratings/);
  });
});
