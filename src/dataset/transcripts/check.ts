/**
 * Checks of a transcript against the recording it belongs to (after its times are on the reference clock).
 *
 * Tolerance (docs/dataset.md, "Transcript clock"): a segment may run past either end of the recording by
 * max(one frame of the coarsest stream, min(0.5 s, half the segment's length)) — an ASR end rounded up a little, the
 * last word overlapping the end by a frame. More than that (wholly or mostly outside, or over 0.5 s out) means the
 * transcript is on another clock or in other units, and the session is refused.
 */
import { InputError } from '../../common/errors.js';
import { fmtSeconds, splitWords, type TranscriptWord, type Utterance } from './types.js';
import { fileSpanOf } from './index.js';

export interface RecordingExtent {
  start_s: number;
  end_s: number;
  /** The longest frame step of the session's streams (the one-frame allowance). */
  frame_s: number;
}

/** Seconds of [a, b] that lie outside the recording. */
export function outsideSeconds(a: number, b: number, rec: RecordingExtent): number {
  return Math.max(0, Math.min(b, rec.start_s) - a) + Math.max(0, b - Math.max(a, rec.end_s));
}

/** `a-b s`, or `a to b s` when a number is negative (a dash would read as a minus). */
export function fmtSpan(a: number, b: number): string {
  return a < 0 || b < 0 ? `${fmtSeconds(a)} to ${fmtSeconds(b)} s` : `${fmtSeconds(a)}-${fmtSeconds(b)} s`;
}

/** True when [a, b] lies further outside the recording than the tolerance above allows. */
export function isOutsideRecording(a: number, b: number, rec: RecordingExtent): boolean {
  const allowed = Math.max(rec.frame_s, Math.min(0.5, (b - a) / 2));
  return outsideSeconds(a, b, rec) > allowed + 1e-9;
}

/** Where an utterance is in its file, for messages: `line N` in InputError's location, or `segment N` in the text. */
export function utteranceWhere(u: Utterance): { line?: number; what: string } {
  // A line's utterance (JSONL, VTT/SRT cue, TextGrid interval) is an utterance; "segment" is Whisper's word (tuser58).
  return u.line !== undefined ? { line: u.line, what: 'utterance' } : { what: u.segment !== undefined ? `segment ${u.segment}` : 'segment' };
}

/**
 * 'is outside the recording (0-10 s)', or for a span mostly inside that runs past one end by more than the allowance
 * (a Whisper segment ending 0.6 s after the file), how far and what is allowed: 'inside' alone read as 'wholly out'.
 */
function howOutside(a: number, b: number, rec: RecordingExtent): string {
  const extent = fmtSpan(rec.start_s, rec.end_s);
  const out = outsideSeconds(a, b, rec);
  if (out >= (b - a) / 2) return `is outside the recording (${extent})`;
  const allowed = Math.max(rec.frame_s, Math.min(0.5, (b - a) / 2));
  const end = b > rec.end_s ? 'past the end' : 'before the start';
  return `runs ${fmtSeconds(out)} s ${end} of the recording (${extent}; up to ${fmtSeconds(allowed)} s is allowed)`;
}

/** An utterance's span widened to its words. */
function spanOf(u: Utterance): [number, number] {
  return [Math.min(u.start_s, ...u.words.map((w) => w.start_s)), Math.max(u.end_s, ...u.words.map((w) => w.end_s))];
}

/**
 * What to do: a transcript whose times are milliseconds (an export with `start: 2480`) is said to be so when its last
 * time is over 100 times the recording's end and every time divided by 1000 lies inside it (with the allowance);
 * a transcript on another clock (times a few seconds or minutes off) keeps "check the transcript's clock/units".
 */
function whatToDo(spans: Array<[number, number]>, rec: RecordingExtent, what = 'the transcript', fits: string | null = null): string {
  const hours = hourOffset(spans, rec);
  if (fits) return `its times fit ${fits}'s clock (sync.json): set the manifest's transcript_clock to ${fits}`;
  if (hours > 0) return `its times start at ${hours} h or later and, less ${hours} h (${hours * 3600} s), fit the recording: a timecode that starts at ${String(hours).padStart(2, '0')}:00:00 (an editor's or camera's hour offset)? subtract ${hours * 3600} s from every time`;
  return looksLikeMilliseconds(spans, rec) ? 'its times look like milliseconds (divided by 1000 they fit the recording): write them in seconds' : `check ${what}'s clock/units`;
}

/**
 * Whole hours every span lies after the recording's start by, when less those hours they all lie inside it (an SRT
 * cut on an editor's timecode starting at 01:00:00: a trial, 2026-12-06, C2, was told "milliseconds", which an SRT's
 * hh:mm:ss,mmm times cannot be); 0 when not.
 */
export function hourOffset(spans: Array<[number, number]>, rec: RecordingExtent): number {
  if (spans.length === 0) return 0;
  const hours = Math.floor((Math.min(...spans.map(([a]) => a)) - rec.start_s) / 3600);
  if (hours < 1) return 0;
  return spans.every(([a, b]) => !isOutsideRecording(a - hours * 3600, b - hours * 3600, rec)) ? hours : 0;
}

/** Spans whose last time is over 100 times the recording's end and which, divided by 1000, all lie inside it. */
export function looksLikeMilliseconds(spans: Array<[number, number]>, rec: RecordingExtent): boolean {
  if (spans.length === 0) return false;
  const last = Math.max(...spans.map(([, b]) => b));
  return last > 100 * Math.max(rec.end_s, 1) && spans.every(([a, b]) => !isOutsideRecording(a / 1000, b / 1000, rec));
}

/**
 * ' (its word "clubs" 9.9-11.2 s; the segment itself 6.576-9.8 s)' when the utterance's own span is inside the
 * recording and one of its words takes it out (a Whisper word ending past the file was blamed on its segment alone,
 * ttrial47 C5): the word furthest out is named. '' otherwise.
 */
function wordBeyond(u: Utterance, rec: RecordingExtent): string {
  if (isOutsideRecording(u.start_s, u.end_s, rec) || u.words.length === 0) return '';
  const out = (w: { start_s: number; end_s: number }) => Math.max(rec.start_s - w.start_s, w.end_s - rec.end_s);
  const w = u.words.reduce((m, x) => (out(x) > out(m) ? x : m));
  return ` (its word ${JSON.stringify(w.word.trim())} ${fmtSpan(w.start_s, w.end_s)}; the segment itself ${fmtSpan(u.start_s, u.end_s)})`;
}

/**
 * The first role, other than the one the transcript was read on, on whose clock (sync.json, file time to reference
 * time) every utterance's own times lie inside the recording; null when none. tuser62: a transcript timed on a camera
 * 4.26 s off the lav, transcript_clock left empty, was refused with "check the transcript's clock/units" alone.
 */
export function fittingRole(utts: Utterance[], rec: RecordingExtent, roles: ReadonlyArray<{ role: string; clock: (t: number) => number }>, readOn: string): string | null {
  if (utts.length === 0) return null;
  for (const r of roles) {
    if (r.role === readOn) continue;
    const fits = utts.every((u) => {
      const [a, b] = fileSpanOf(u) ?? spanOf(u);
      return !isOutsideRecording(r.clock(a), r.clock(b), rec);
    });
    if (fits) return r.role;
  }
  return null;
}

/**
 * Throws InputError naming the transcript file and line of the first utterance (span widened to its words) outside the
 * recording; `fits`, a role on whose clock the transcript fits (fittingRole), is then named as the fix.
 */
export function checkInsideRecording(utts: Utterance[], rec: RecordingExtent, file: string, clockRole?: string, fits: string | null = null): void {
  for (const u of utts) {
    const [a, b] = spanOf(u);
    if (!isOutsideRecording(a, b, rec)) continue;
    const where = utteranceWhere(u);
    const own = fileSpanOf(u);
    // a transcript on another role's clock: the times the file writes too (the check is on the reference clock)
    const inFile = own ? ` on the reference clock (${fmtSpan(own[0], own[1])} in the transcript, on ${clockRole ? `${clockRole}'s clock` : 'the clock its transcript_clock names'})` : '';
    throw new InputError(`${where.what} ${fmtSpan(a, b)}${inFile}${wordBeyond(u, rec)} ${howOutside(a, b, rec)}: ${whatToDo(utts.map(spanOf), rec, 'the transcript', fits)}`, { file, line: where.line });
  }
}

/**
 * `--segments labels` makes a record of every labelled span, so a span outside the recording (a labels file in
 * milliseconds, on another clock, or naming the wrong session) would be a record without any feature: refused as a
 * transcript is, naming the labels file and the target (same tolerance).
 */
export function checkSpansInside(spans: Array<{ target: string; start_s: number; end_s: number }>, rec: RecordingExtent, file: string): void {
  for (const s of spans) {
    if (!isOutsideRecording(s.start_s, s.end_s, rec)) continue;
    const all = spans.map((x): [number, number] => [x.start_s, x.end_s]);
    throw new InputError(`target '${s.target}' ${fmtSpan(s.start_s, s.end_s)} ${howOutside(s.start_s, s.end_s, rec)}: ${whatToDo(all, rec, 'the labels file')}`, { file });
  }
}

/** `line N` / `segment N` of an utterance, for warnings. */
function label(u: Utterance): string {
  return u.line !== undefined ? `line ${u.line}` : u.segment !== undefined ? `segment ${u.segment}` : 'an utterance';
}

const OVERLAP_EPS_S = 1e-6;
const OVERLAPS_NAMED = 5;

/**
 * Overlaps that are likely transcript errors, as warnings (never refused: overlapping speech of different speakers is
 * normal): utterances of one speaker (or of a transcript without speakers) that overlap, compared by the spans their
 * records cover (widened to their words); words of one utterance that overlap (source word times only; touching is not
 * overlapping); and a word wholly outside its own utterance (a segment's times corrected and its words' not): its
 * record was silently widened over the gap, with the features of whatever was said there. The first few are named.
 */
export function transcriptOverlaps(utts: Utterance[], file: string): string[] {
  const more = (list: string[]) => (list.length > OVERLAPS_NAMED ? `; and ${list.length - OVERLAPS_NAMED} more` : '');
  const kinds: Array<[string[], string, string]> = [
    [utteranceDuplicates(utts), 'duplicated utterance (each copy becomes a record of its own, the same features and labels twice: delete the copy)', 'duplicated utterances (each copy becomes a record of its own, the same features and labels twice: delete the copies)'],
    [utteranceOverlaps(utts), 'overlapping utterance of one speaker', 'overlapping utterances of one speaker'],
    [wordOverlaps(utts), 'overlapping word', 'overlapping words'],
    [wordsOutside(utts), 'word outside its utterance', 'words outside their utterances'],
  ];
  return kinds.filter(([list]) => list.length > 0).map(([list, one, many]) => `transcript ${file}: ${list.length} ${list.length > 1 ? many : one}: ${list.slice(0, OVERLAPS_NAMED).join('; ')}${more(list)}`);
}

/** A token as the text/words comparison sees it: lower case, letters and digits only (Whisper's " Hello," is "hello"). */
const bare = (t: string): string => t.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Indexes of `a`'s items that a longest common subsequence with `b` leaves out (the classic DP, Hirschberg's table). */
function unmatchedOf(a: readonly string[], b: readonly string[]): number[] {
  const n = a.length;
  const m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out: number[] = [];
  let [i, j] = [0, 0];
  while (i < n) {
    if (j < m && a[i] === b[j]) [i, j] = [i + 1, j + 1];
    else if (j < m && L[i][j + 1] >= L[i + 1][j]) j++;
    else out.push(i++);
  }
  return out;
}

/**
 * Utterances whose words[] do not spell their text (ttrial50 W5: "now turn your head" with words now, turn, head):
 * a record's `text` and `words` then disagree, and a loader that zips the text's tokens with the word features is
 * misaligned from the missing token on. Compared on letters and digits alone, so punctuation and a word split
 * differently ("don't" as don + 't) pass; each such utterance names the tokens of its text without a word.
 */
function textWordsMismatch(utts: Utterance[]): string[] {
  const found: string[] = [];
  for (const u of utts) {
    const tokens = splitWords(u.text);
    const words = u.words.map((w) => w.word);
    if (tokens.map(bare).join('') === words.map(bare).join('')) continue;
    const missing = unmatchedOf(tokens.map(bare), words.map(bare)).map((i) => `"${tokens[i]}" (token ${i + 1})`);
    const extra = unmatchedOf(words.map(bare), tokens.map(bare)).map((i) => `"${words[i]}"`);
    const what = [missing.length ? `${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''} without a word` : '', extra.length ? `word${extra.length > 1 ? 's' : ''} ${extra.slice(0, 3).join(', ')} not in the text` : ''].filter(Boolean).join('; ');
    found.push(`${label(u)} ("${u.text}"): text ${tokens.length} token${tokens.length === 1 ? '' : 's'}, words ${words.length}: ${what}`);
  }
  return found;
}

/**
 * The text-versus-words warning of a transcript (textWordsMismatch), or none: the record keeps the file's text and
 * its words (with their features) as given.
 */
export function transcriptWordsWarning(utts: Utterance[], file: string): string[] {
  const list = textWordsMismatch(utts);
  if (list.length === 0) return [];
  const more = list.length > OVERLAPS_NAMED ? `; and ${list.length - OVERLAPS_NAMED} more` : '';
  const n = list.length;
  return [
    `transcript ${file}: ${n} utterance${n > 1 ? 's' : ''} whose words[] do not spell ${n > 1 ? 'their' : 'its'} text: ${list.slice(0, OVERLAPS_NAMED).join('; ')}${more}; each record keeps the text and the words as given, so a loader that pairs the text's tokens with words[] (and their features) is misaligned: use words[], or fix the transcript's words`,
  ];
}

/** `2.78-5.6 s (widened to its words)`: a record's span, and that it is not the utterance's own. */
function spanText(u: Utterance): string {
  const [a, b] = spanOf(u);
  return `${fmtSpan(a, b)}${a !== u.start_s || b !== u.end_s ? ' (widened to its words)' : ''}`;
}

/** One speaker's utterance given twice (same times and text): a line pasted twice, or two exports joined. */
const duplicateKey = (u: Utterance): string => JSON.stringify([u.speaker ?? '', u.start_s, u.end_s, u.text]);

/** Utterances that repeat an earlier one (speaker, times and text), as `line 5 repeats line 4 (…)`. */
function utteranceDuplicates(utts: Utterance[]): string[] {
  const first = new Map<string, Utterance>();
  const found: string[] = [];
  for (const u of utts) {
    const prev = first.get(duplicateKey(u));
    if (prev) found.push(`${label(u)} repeats ${label(prev)} (${u.speaker === null ? 'no speaker given' : `speaker ${u.speaker}`}, ${fmtSpan(u.start_s, u.end_s)}, "${u.text}")`);
    else first.set(duplicateKey(u), u);
  }
  return found;
}

function utteranceOverlaps(utts: Utterance[]): string[] {
  const found: string[] = [];
  const lastOf = new Map<string, Utterance>();
  for (const u of utts) {
    const key = u.speaker ?? '';
    const prev = lastOf.get(key);
    if (prev && duplicateKey(prev) === duplicateKey(u)) continue; // a duplicate: utteranceDuplicates names it
    if (prev && spanOf(u)[0] < spanOf(prev)[1] - OVERLAP_EPS_S)
      found.push(`${label(prev)} and ${label(u)} overlap (${u.speaker === null ? 'no speaker given' : `speaker ${u.speaker}`}: ${spanText(prev)} and ${spanText(u)})`);
    if (!prev || spanOf(u)[1] > spanOf(prev)[1]) lastOf.set(key, u);
  }
  return found;
}

function wordOverlaps(utts: Utterance[]): string[] {
  const found: string[] = [];
  for (const u of utts) {
    for (let i = 1; i < u.words.length; i++) {
      const [a, b] = [u.words[i - 1], u.words[i]];
      if (a.given === 'both' && b.given === 'both' && b.start_s < a.end_s - OVERLAP_EPS_S)
        found.push(`${label(u)}: words ${i - 1} ("${a.word}", ${fmtSpan(a.start_s, a.end_s)}) and ${i} ("${b.word}", ${fmtSpan(b.start_s, b.end_s)}) overlap`);
    }
  }
  return found;
}

/**
 * Whether a word lies in its utterance's span: shares time with it, or, for a word of no length (WhisperX writes some; a
 * TextGrid's one-word utterance of no length), is a point within it. Such a word at its utterance's edge, or alone in
 * an utterance of no length, was named "outside its utterance (6.2-6.2 s)" (ttrial58d).
 */
function wordInside(w: TranscriptWord, u: Utterance): boolean {
  if (w.end_s > w.start_s) return w.end_s > u.start_s + OVERLAP_EPS_S && w.start_s < u.end_s - OVERLAP_EPS_S;
  return w.start_s >= u.start_s - OVERLAP_EPS_S && w.start_s <= u.end_s + OVERLAP_EPS_S;
}

/** Source-timed words (a start at least) that share no time with their utterance's own span. */
function wordsOutside(utts: Utterance[]): string[] {
  const found: string[] = [];
  for (const u of utts) {
    for (const [i, w] of u.words.entries()) {
      if (w.given === undefined || wordInside(w, u)) continue;
      found.push(`${label(u)}: word ${i} ("${w.word}", ${fmtSpan(w.start_s, w.end_s)}) is outside its utterance (${fmtSpan(u.start_s, u.end_s)}); the record covers ${spanText(u)}`);
    }
  }
  return found;
}

/**
 * A transcript that names several speakers (an interview, a diarised recording) as a warning: every record of the
 * session carries the manifest's one speaker_id, so the user must know that some records hold another person's words
 * (each record's `transcript_speakers` says whose). Speakers in order of first utterance, with their utterance counts.
 */
export function transcriptSpeakers(utts: Utterance[], file: string, speakerId: string): string[] {
  const count = new Map<string, number>();
  for (const u of utts) if (u.speaker !== null) count.set(u.speaker, (count.get(u.speaker) ?? 0) + 1);
  if (count.size < 2) return [];
  const list = [...count].map(([s, n]) => `${s}: ${n} utterance${n > 1 ? 's' : ''}`).join(', ');
  return [
    `transcript ${file}: names ${count.size} speakers (${list}) but every record gets speaker_id ${speakerId}: each record's transcript_speakers says whose words it holds (filter on it, or give the transcript only ${speakerId}'s utterances)`,
  ];
}
