/**
 * Segments of a session: transcript utterances, fixed windows, or the time spans of labelled targets.
 */
import { isPlainDecimal } from '../common/decimal.js';
import { InputError } from '../common/errors.js';
import { AUDIO_STEP_S } from './transcript-fit.js';
import type { TranscriptWord, Utterance } from './transcripts/types.js';

export type SegmentMode = { kind: 'utterance' } | { kind: 'fixed'; len: number; hop: number } | { kind: 'labels' };

export function parseSegmentMode(text: string): SegmentMode {
  const t = text.trim().toLowerCase();
  if (t === 'utterance') return { kind: 'utterance' };
  if (t === 'labels') return { kind: 'labels' };
  if (t.startsWith('fixed:')) return parseFixed(text.trim());
  throw new InputError(`--segments must be utterance, fixed:LEN[:HOP] (seconds) or labels, got '${text}'`);
}

/**
 * `fixed:LEN[:HOP]`: each a plain decimal number of seconds above 0 (`2`, `0.5`, `.5`, `5e-1`; common/decimal.ts),
 * the whole value trimmed as every choice option's. Refused, each with a line naming the part and the rule: a value
 * that is not one (`fixed:-1`, `fixed:abc`, `fixed:`, `fixed:0x10`, `fixed:2s`), and a space inside the value
 * (`fixed: 2`, read as 2 before: one spelling per value, as the card and manifest.json write it).
 */
function parseFixed(given: string): SegmentMode {
  const parts = given.slice('fixed:'.length).split(':');
  const opt = `--segments '${given}'`;
  const rule = `write fixed:LEN or fixed:LEN:HOP, LEN and HOP in seconds above 0 (e.g. fixed:2 or fixed:2:1)`;
  if (parts.length > 2) throw new InputError(`${opt}: ${parts.length} values after fixed:, at most 2 (LEN and HOP); ${rule}`);
  if (/\s/.test(given)) throw new InputError(`${opt}: a space inside the value; ${rule}, without spaces`);
  const secs = parts.map((v, i) => {
    const name = i === 0 ? 'LEN' : 'HOP';
    if (v === '') throw new InputError(`${opt}: ${name} is missing; ${rule}`);
    const n = isPlainDecimal(v) ? Number(v) : NaN;
    if (!(n > 0)) throw new InputError(`${opt}: ${name} '${v}' is ${Number.isNaN(n) ? `not a number of seconds${spellingHint(v)}` : 'not above 0'}; ${rule}`);
    // 1e400 reads as Infinity: one record per session, then "none of the records has features" (exit 4).
    if (!Number.isFinite(n)) throw new InputError(`${opt}: ${name} '${v}' is not a finite number of seconds; ${rule}`);
    return n;
  });
  return belowFrameStep(opt, { kind: 'fixed', len: secs[0], hop: secs[1] ?? secs[0] });
}

/**
 * Windows finer than the records' frame step are refused: every record's frames lie on the 10 ms audio grid (extract's
 * hop; the face is resampled onto it, or under --face-rate native its video frames lie further apart). A window
 * shorter than that holds no frame in most places (`fixed:0.0001` built ~300 000 records for a 30 s session, nearly
 * all without audio or face), and a hop shorter than that repeats its neighbour's frames in record after record.
 */
function belowFrameStep(opt: string, m: { kind: 'fixed'; len: number; hop: number }): SegmentMode {
  const step = AUDIO_STEP_S;
  const ms = `${step * 1000} ms`;
  if (m.len < step - 1e-9) throw new InputError(`${opt}: LEN ${m.len} s is shorter than the records' ${ms} frame step (the audio hop; face frames lie on it or further apart), so most windows would hold no frame; the smallest useful LEN is ${step} s (fixed:${step})`);
  if (m.hop < step - 1e-9) throw new InputError(`${opt}: HOP ${m.hop} s is shorter than the records' ${ms} frame step (the audio hop), so windows would repeat their neighbours' frames (${Math.round(step / m.hop)} records per frame); the smallest useful HOP is ${step} s (fixed:${m.len}:${step})`);
  return m;
}

/** What was probably meant by a value with a unit (`2s`, `500ms`) or a decimal comma (`2,5`), or ''. */
function spellingHint(v: string): string {
  const unit = /^([0-9]*\.?[0-9]+)(ms|s)$/i.exec(v);
  if (unit) return ` (seconds without a unit: ${unit[2].toLowerCase() === 'ms' ? Number(unit[1]) / 1000 : Number(unit[1])})`;
  return /^[0-9]+,[0-9]+$/.test(v) ? ` (a decimal point, not a comma: ${v.replace(',', '.')})` : '';
}

/**
 * `fixed:LEN:HOP` with HOP > LEN leaves HOP - LEN seconds between windows that no record covers (nor its words, which
 * belong to the window holding their midpoint): the stderr note that says so, or null.
 */
export function fixedGapNote(m: SegmentMode): string | null {
  if (m.kind !== 'fixed' || !(m.hop > m.len + 1e-9)) return null;
  const gap = r6(m.hop - m.len);
  return `--segments ${segmentModeText(m)}: the hop (${m.hop} s) is longer than the window (${m.len} s), so the records leave ${gap} s out after every window (${r6((100 * gap) / m.hop)} % of each session, its words included); give HOP <= LEN to cover the recording`;
}

export function segmentModeText(m: SegmentMode): string {
  return m.kind === 'fixed' ? `fixed:${m.len}:${m.hop}` : m.kind;
}

export interface Segment {
  id: string;
  start_s: number;
  end_s: number;
  text: string | null;
  words: TranscriptWord[];
  /** The transcript's speaker labels of the segment's words (of the utterance itself in utterance mode), distinct, in time order. */
  speakers: string[];
  word_timing: 'source' | 'interpolated' | null;
}

export interface LabelSpan {
  start_s: number;
  end_s: number;
}

/** Times in a record are rounded to the µs (record.ts rounds its words' times the same way). */
export const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

/**
 * Words whose midpoint lies in [a, b), in time order (by start; stable), their speakers in order of first word. Taken
 * utterance by utterance, a window over two speakers' overlapping utterances (an interview, MFA's speaker tiers) held
 * one's words and then the other's: `eight of spades four <unk> right` for words starting 4.71 5.10 5.29 5.74 5.30 5.75 s
 * (ttrial58d), a sequence out of step with the window's frames.
 */
function wordsIn(utts: Utterance[] | null, a: number, b: number): { words: TranscriptWord[]; speakers: string[]; timing: Segment['word_timing'] } {
  if (!utts) return { words: [], speakers: [], timing: null };
  const found: Array<{ w: TranscriptWord; speaker: string | null }> = [];
  let timing: Segment['word_timing'] = null;
  for (const u of utts) {
    if (u.end_s < a || u.start_s > b) continue;
    for (const w of u.words) {
      const mid = (w.start_s + w.end_s) / 2;
      if (mid >= a && mid < b) {
        found.push({ w, speaker: u.speaker });
        // per word (since 2026-12-06): a window of an utterance's timed words is 'source' beside its untimed numeral's
        timing = timing === 'interpolated' || w.given !== 'both' ? 'interpolated' : 'source';
      }
    }
  }
  found.sort((x, y) => x.w.start_s - y.w.start_s); // Array.prototype.sort is stable (ES2019)
  const speakers: string[] = [];
  for (const { speaker } of found) if (speaker !== null && !speakers.includes(speaker)) speakers.push(speaker);
  return { words: found.map((f) => f.w), speakers, timing };
}

/**
 * The segments of one session, sorted by start (then end). `range` is the session's extent on the reference clock
 * (fixed windows tile it; the last window, the first that reaches its end, may be shorter).
 */
export function makeSegments(
  sessionId: string,
  mode: SegmentMode,
  ctx: { utterances: Utterance[] | null; range: { start_s: number; end_s: number } | null; labelSpans: LabelSpan[] },
): Segment[] {
  const out: Segment[] = [];
  if (mode.kind === 'utterance') {
    (ctx.utterances ?? []).forEach((u, i) => {
      out.push({
        id: `${sessionId}/u${String(i).padStart(4, '0')}`,
        start_s: r6(u.start_s),
        end_s: r6(u.end_s),
        text: u.text,
        words: u.words,
        speakers: u.speaker === null ? [] : [u.speaker],
        word_timing: u.word_timing,
      });
    });
  } else if (mode.kind === 'fixed') {
    if (ctx.range) {
      const { start_s, end_s } = ctx.range;
      for (let i = 0; ; i++) {
        const a = r6(start_s + i * mode.hop);
        if (a >= end_s) break;
        const b = r6(Math.min(a + mode.len, end_s));
        const w = wordsIn(ctx.utterances, a, b);
        out.push({ id: `${sessionId}/w${String(i).padStart(5, '0')}`, start_s: a, end_s: b, text: ctx.utterances ? w.words.map((x) => x.word).join(' ') : null, words: w.words, speakers: w.speakers, word_timing: w.timing });
        // A window that reaches the end is the last: with HOP < LEN the next ones would lie wholly inside it (ttrial55:
        // fixed:2:1 ended each 10 s session with 8.995-10.005 and then 9.995-10.005, a "2 s" record of one frame).
        if (a + mode.len >= end_s) break;
      }
    }
  } else {
    const seen = new Set<string>();
    const spans = ctx.labelSpans
      .filter((s) => {
        const k = `${r6(s.start_s)}:${r6(s.end_s)}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .sort((x, y) => x.start_s - y.start_s || x.end_s - y.end_s);
    spans.forEach((s, i) => {
      const w = wordsIn(ctx.utterances, s.start_s, s.end_s);
      out.push({ id: `${sessionId}/l${String(i).padStart(4, '0')}`, start_s: r6(s.start_s), end_s: r6(s.end_s), text: ctx.utterances ? w.words.map((x) => x.word).join(' ') : null, words: w.words, speakers: w.speakers, word_timing: w.timing });
    });
  }
  return out.map((s, i) => ({ s, i })).sort((x, y) => x.s.start_s - y.s.start_s || x.s.end_s - y.s.end_s || x.i - y.i).map((x) => x.s);
}
