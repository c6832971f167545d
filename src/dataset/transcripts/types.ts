/** Word-timed transcripts as mmprep uses them: utterances with words, times in seconds. */

export interface TranscriptWord {
  word: string;
  start_s: number;
  end_s: number;
  /**
   * Which of the word's times its file gave (kept in memory, not written to records): 'both', 'start' (WebVTT inline
   * `<hh:mm:ss.mmm>` times are word starts; the end is the next time), absent: neither (spread by interpolateWords).
   */
  given?: 'both' | 'start';
}

export interface Utterance {
  start_s: number;
  end_s: number;
  text: string;
  speaker: string | null;
  words: TranscriptWord[];
  /**
   * 'source': every word's start and end came from the file; 'interpolated': some did not (SRT and plain VTT cues:
   * none, spread by letters; a WhisperX word without times: filled between its neighbours; WebVTT inline times: starts
   * only, each end the next word's start). wordTimingOf().
   */
  word_timing: 'source' | 'interpolated';
  /** Where the utterance is in its file, for messages: the JSONL line or the cue's timing line (1-based), or the Whisper segment index. */
  line?: number;
  segment?: number;
}

/** Seconds for messages: at most 3 decimals, without float noise (5.337, not 5.337000000000001). */
export function fmtSeconds(v: number, digits = 3): string {
  return String(Number(v.toFixed(digits)));
}

/** Two times for a message that says one is before the other: 3 decimals, or 6 where 3 would print them equal. */
export function fmtSecondsPair(a: number, b: number): [string, string] {
  const d = fmtSeconds(a) === fmtSeconds(b) ? 6 : 3;
  return [fmtSeconds(a, d), fmtSeconds(b, d)];
}

export type TranscriptFormat = 'whisper' | 'jsonl' | 'vtt' | 'srt' | 'textgrid';
export const TRANSCRIPT_FORMATS: readonly TranscriptFormat[] = ['whisper', 'jsonl', 'vtt', 'srt', 'textgrid'];

/**
 * Spreads words over [start, end] in proportion to their letter counts, with one letter's worth of gap between words
 * (the first starts at `start`, the last ends at `end`): the usual fallback when a subtitle gives only cue times.
 */
export function interpolateWords(words: string[], start: number, end: number): TranscriptWord[] {
  if (words.length === 0) return [];
  const total = words.reduce((a, w) => a + w.length, 0) + words.length - 1;
  const span = Math.max(0, end - start);
  let acc = 0;
  return words.map((w, i) => {
    const a = total > 0 ? start + (span * acc) / total : start;
    acc += w.length;
    const b = i === words.length - 1 ? start + span : total > 0 ? start + (span * acc) / total : start;
    acc += 1;
    return { word: w, start_s: a, end_s: Math.max(a, b) };
  });
}

/**
 * An utterance's word_timing: 'source' only when the file gave both times of every word. Before 2026-12-06 one timed
 * word made the whole utterance 'source' (a WhisperX word without times got its neighbours' gap, ttrial50 W4), and
 * WebVTT inline times, which give starts only, read 'source' too.
 */
export function wordTimingOf(words: readonly TranscriptWord[]): 'source' | 'interpolated' {
  return words.length > 0 && words.every((w) => w.given === 'both') ? 'source' : 'interpolated';
}

export function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w.length > 0);
}
