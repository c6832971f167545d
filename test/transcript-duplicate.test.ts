/**
 * A data engineer's trial: a transcript line given twice became two identical records, and the build said only
 * "overlapping utterance of one speaker". A repeated utterance (speaker, times and text) is now named a duplicate.
 */
import { describe, expect, it } from 'vitest';
import { transcriptOverlaps } from '../src/dataset/transcripts/check.js';
import type { Utterance } from '../src/dataset/transcripts/types.js';

const utt = (start_s: number, end_s: number, text: string, line: number, speaker: string | null = 'spk_a'): Utterance => ({ start_s, end_s, text, speaker, words: [], word_timing: 'interpolated', line });

describe('transcript warnings: a duplicated utterance', () => {
  it('is named a duplicate with both lines, not an overlap', () => {
    const w = transcriptOverlaps([utt(1, 2, 'ten of clubs', 1), utt(2.5, 3.5, 'four', 2), utt(2.5, 3.5, 'four', 3)], 't.jsonl');
    expect(w).toEqual([
      'transcript t.jsonl: 1 duplicated utterance (each copy becomes a record of its own, the same features and labels twice: delete the copy): line 3 repeats line 2 (speaker spk_a, 2.5-3.5 s, "four")',
    ]);
  });
  it('controls: overlapping utterances of other text are still overlaps; another speaker with the same words is not a duplicate', () => {
    expect(transcriptOverlaps([utt(1, 3, 'a', 1), utt(2, 4, 'b', 2)], 't')).toEqual(['transcript t: 1 overlapping utterance of one speaker: line 1 and line 2 overlap (speaker spk_a: 1-3 s and 2-4 s)']);
    expect(transcriptOverlaps([utt(1, 3, 'a', 1), utt(1, 3, 'a', 2, 'spk_b')], 't')).toEqual([]);
  });
});

// ttrial58d: a word of no length (WhisperX writes some; a TextGrid interval of no length) at its utterance's edge, or
// alone in an utterance of no length, was named "outside its utterance (6.2-6.2 s)".
describe('transcript warnings: a word of no length', () => {
  const w = (word: string, start_s: number, end_s: number) => ({ word, start_s, end_s, given: 'both' as const });
  const timed = (start_s: number, end_s: number, words: ReturnType<typeof w>[], line: number): Utterance => ({ ...utt(start_s, end_s, words.map((x) => x.word).join(' '), line), words, word_timing: 'source' });
  it('at its utterance edge or alone is inside it; one past the end is still named', () => {
    expect(transcriptOverlaps([timed(1, 2, [w('a', 1, 1.5), w('b', 2, 2)], 1), timed(6.2, 6.2, [w('uh', 6.2, 6.2)], 2), timed(7, 8, [w('c', 7, 7), w('d', 7, 8)], 3)], 't')).toEqual([]);
    expect(transcriptOverlaps([timed(1, 2, [w('a', 1, 1.5), w('b', 2.5, 2.5)], 1)], 't')).toEqual([
      'transcript t: 1 word outside its utterance: line 1: word 1 ("b", 2.5-2.5 s) is outside its utterance (1-2 s); the record covers 1-2.5 s (widened to its words)',
    ]);
  });
});
