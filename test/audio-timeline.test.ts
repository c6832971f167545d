/**
 * MMPREP_TIMELINE=1 (src/common/timeline.ts): `mmprep audio` writes timing marks of both of its threads to stderr,
 * for studying the command's critical path (docs/benchmarks-history.md); without it stderr has none, and the outputs are the
 * same bytes either way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-timeline-');
const p = (name: string) => join(tmp.dir, name);
const speech = join(FIXTURES, 'audio', 'wav', 'cards_005.flac');
afterAll(() => tmp.cleanup());

const MARK = /^mmprep timeline: (main|thread \d+) (.+) wall (\d+\.\d) ms cpu (\d+\.\d|NaN) ms$/;

describe('MMPREP_TIMELINE', () => {
  it('marks the main thread and the pitch worker on stderr, in order; none without it; the same outputs', async () => {
    const marked = await runCli(['audio', speech, '-o', p('a.jsonl'), '--summary', p('a.json')], { env: { MMPREP_TIMELINE: '1' } });
    expect(marked.code, marked.stderr).toBe(0);
    const lines = marked.stderr.split('\n').filter((l) => l.startsWith('mmprep timeline: '));
    const marks = lines.map((l) => {
      const m = MARK.exec(l);
      expect(m, l).not.toBeNull();
      return { thread: m![1], what: m![2], wall: Number(m![3]) };
    });
    const main = marks.filter((m) => m.thread === 'main');
    expect(main.map((m) => m.what)).toEqual(expect.arrayContaining(['bin', 'cli loaded', 'first chunk', 'track in', 'records done', 'exit']));
    expect(main[0].what).toBe('bin');
    expect(main.at(-1)!.what).toBe('exit');
    for (let i = 1; i < main.length; i++) expect(main[i].wall).toBeGreaterThanOrEqual(main[i - 1].wall);
    // The pitch worker's track is done before the main thread has it (one clock for both threads).
    const done = marks.find((m) => m.thread !== 'main' && m.what === 'track done');
    expect(done).toBeDefined();
    expect(done!.wall).toBeLessThanOrEqual(main.find((m) => m.what === 'track in')!.wall);

    const plain = await runCli(['audio', speech, '-o', p('b.jsonl'), '--summary', p('b.json')], { env: { MMPREP_TIMELINE: '' } });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('mmprep timeline');
    expect(readFileSync(p('a.jsonl')).equals(readFileSync(p('b.jsonl')))).toBe(true);
    expect(readFileSync(p('a.json'), 'utf8')).toBe(readFileSync(p('b.json'), 'utf8'));
  });
});
