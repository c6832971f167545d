/**
 * Praat TextGrid transcripts, as forced aligners write them (Montreal Forced Aligner: an IntervalTier `words` and one
 * `phones`, or per speaker `<speaker> - words` / `<speaker> - phones`; P2FA, which aligned CMU-MOSI: `word` and
 * `phone` in the short format of old Praat, `File type = "ooTextFile short"`; FAVE: `<speaker> - word`). Both of Praat's text
 * formats are read: the "long" one (`xmin = 0`, `intervals [1]:`) and the "short" one (values only, one a line), as
 * Praat's own reader does: numbers, "strings" ("" escapes a quote) and <flags> in order, everything else a comment
 * (Praat's manual, "TextGrid file formats"). Encoding (UTF-8, UTF-16 with BOM, which Praat writes for a non-ASCII
 * label) is handled by readTranscript.
 *
 * The rule for tiers and words (docs/dataset.md, "Transcript clock"):
 * - word tiers are the IntervalTiers named `words` or `<speaker> - words`, or `word` (case and spaces around ignored); other tiers
 *   (`phones`, notes) are not read. A file with both a `words` tier and speaker tiers, two tiers of one name, or none is
 *   refused, naming its tiers.
 * - an interval labelled "", `sil`, `sp`, `<sil>` or `<eps>` is a silence, not a word (MFA marks silences ""); `<unk>`
 *   (MFA's word out of its dictionary) is a word: it was spoken, its frames are speech.
 * - utterances: a speaker's `utterances` / `<speaker> - utterances` tier (MFA's `--include_original_text`): each of its
 *   intervals with its text, holding the words whose midpoint it holds; otherwise (and for words no such interval
 *   holds) a run of one speaker's words with no silence of PAUSE_S or more between them (de Jong & Wempe's minimum
 *   pause, as src/audio/nuclei.ts). An interval holding several words ("ten of clubs", a hand-made tier) spreads them
 *   over its span by letters (word_timing "interpolated").
 * MFA's JSON output (`--output_format json`) holds the same tiers: mfaJsonTiers.
 */
import { InputError } from '../../common/errors.js';
import { fmtSeconds, interpolateWords, splitWords, wordTimingOf, type TranscriptWord, type Utterance } from './types.js';

/** Silences of at least this long (seconds) end an utterance (de Jong & Wempe 2009: pauses of 0.3 s or more). */
export const PAUSE_S = 0.3;

/** Labels that mark a silence in a word tier (MFA: ""; P2FA/HTK and Kaldi: sil, sp, <sil>, <eps>). */
const SILENCE_LABELS = new Set(['', 'sil', 'sp', '<sil>', '<eps>']);

type Token = { kind: 'num'; value: number; line: number } | { kind: 'str'; value: string; line: number } | { kind: 'flag'; value: string; line: number };

/** Praat's text-file tokens: "strings" (may span lines, "" is a quote), numbers, <flags>; other text is skipped. */
export function textGridTokens(text: string, file: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++; // LF, CRLF or a lone CR ends a line
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const at = line;
      let s = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new InputError('a "string" is not closed (its closing quote is missing)', { file, line: at });
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            s += '"';
            j += 2;
            continue;
          }
          break;
        }
        if (text[j] === '\n' || (text[j] === '\r' && text[j + 1] !== '\n')) line++;
        s += text[j++];
      }
      out.push({ kind: 'str', value: s, line: at });
      i = j + 1;
      continue;
    }
    const run = /[^\s"]+/y;
    run.lastIndex = i;
    const r = run.exec(text)![0];
    if (r.startsWith('!')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(r)) out.push({ kind: 'num', value: Number(r), line });
    else if (/^<\w+>$/.test(r)) out.push({ kind: 'flag', value: r, line });
    i += r.length;
  }
  return out;
}

/** An interval of a tier; `line`: where its label is in the file (none in MFA JSON). */
export interface Interval {
  start: number;
  end: number;
  label: string;
  line?: number;
}

export interface Tier {
  cls: string;
  name: string;
  line?: number;
  intervals: Interval[];
}

/** Reads tokens in order, each error naming what was expected and the line. */
class Reader {
  private k = 0;
  constructor(
    private readonly toks: Token[],
    private readonly file: string,
  ) {}
  private next(what: string, kind: Token['kind']): Token {
    const t = this.toks[this.k];
    const line = t?.line ?? this.toks[this.toks.length - 1]?.line;
    if (!t) throw new InputError(`the TextGrid ends before ${what}: the file is cut short`, { file: this.file, line });
    if (t.kind !== kind) throw new InputError(`expected ${what} (a ${kind === 'num' ? 'number' : kind === 'str' ? '"string"' : '<flag>'}), found ${JSON.stringify(t.value)}: not a Praat TextGrid text file?`, { file: this.file, line });
    this.k++;
    return t;
  }
  num(what: string): number {
    return this.next(what, 'num').value as number;
  }
  str(what: string): { value: string; line: number } {
    const t = this.next(what, 'str');
    return { value: t.value as string, line: t.line };
  }
  flag(what: string): string {
    return this.next(what, 'flag').value as string;
  }
  count(what: string): number {
    const n = this.num(what);
    if (!Number.isInteger(n) || n < 0) throw new InputError(`${what} must be a whole number, got ${n}`, { file: this.file, line: this.toks[this.k - 1].line });
    return n;
  }
}

function readTier(rd: Reader, file: string): Tier {
  const cls = rd.str('a tier class ("IntervalTier" or "TextTier")');
  const name = rd.str('the tier name');
  rd.num(`tier "${name.value}" xmin`);
  rd.num(`tier "${name.value}" xmax`);
  const n = rd.count(`the size of tier "${name.value}"`);
  const intervals: Interval[] = [];
  if (cls.value === 'IntervalTier') {
    for (let i = 0; i < n; i++) {
      const start = rd.num(`interval ${i + 1} xmin of tier "${name.value}"`);
      const end = rd.num(`interval ${i + 1} xmax of tier "${name.value}"`);
      const label = rd.str(`interval ${i + 1} text of tier "${name.value}"`);
      intervals.push({ start, end, label: label.value, line: label.line });
    }
  } else if (cls.value === 'TextTier') {
    for (let i = 0; i < n; i++) {
      rd.num(`point ${i + 1} time of tier "${name.value}"`);
      rd.str(`point ${i + 1} mark of tier "${name.value}"`);
    }
  } else throw new InputError(`tier "${name.value}" has class "${cls.value}", not IntervalTier or TextTier`, { file, line: cls.line });
  return { cls: cls.value, name: name.value, line: name.line, intervals };
}

function readTiers(text: string, file: string): Tier[] {
  const head = text.trimStart();
  if (head.startsWith('"Praat chronological TextGrid text file"'))
    throw new InputError('a Praat "chronological" TextGrid is not read: in Praat, open it and save it with "Save as text file" (or "Save as short text file")', { file, line: 1 });
  const rd = new Reader(textGridTokens(text, file), file);
  readHeader(rd, file);
  if (rd.flag('<exists> or <absent>') !== '<exists>') return [];
  const n = rd.count('the number of tiers');
  return Array.from({ length: n }, () => readTier(rd, file));
}

/**
 * The speaker of a tier named `<kind>` or `<speaker> - <kind>` (MFA's names; spaces around '-' optional, as MFA's own
 * reader takes them; the singular too: P2FA's `word`, FAVE's `<speaker> - word`): `spk1 - words` → spk1, `words` →
 * null; undefined for a tier of another kind.
 */
function tierSpeaker(name: string, kind: 'words' | 'utterances'): string | null | undefined {
  const t = name.trim();
  const singular = kind.slice(0, -1); // P2FA writes "word", FAVE "<speaker> - word"
  if (new RegExp(`^${singular}s?$`, 'i').test(t)) return null;
  const m = new RegExp(`^(.*\\S)\\s*-\\s*${singular}s?$`, 'i').exec(t);
  return m ? m[1].trim() : undefined;
}

/** The tiers of one kind per the rule above, refused with the file's tier names when which to read is unclear. */
function namedTiers(tiers: Tier[], file: string, kind: 'words' | 'utterances'): Array<{ tier: Tier; speaker: string | null }> {
  const names = tiers.map((t) => JSON.stringify(t.name)).join(', ') || 'none';
  const picked = tiers.flatMap((tier) => {
    const speaker = tierSpeaker(tier.name, kind);
    return speaker === undefined ? [] : [{ tier, speaker }];
  });
  const seen = new Map<string, Tier>();
  for (const { tier, speaker } of picked) {
    if (tier.cls !== 'IntervalTier') throw new InputError(`tier "${tier.name}" is a point tier (TextTier): ${kind === 'words' ? 'word' : 'utterance'} times need an IntervalTier`, { file, line: tier.line });
    const key = (speaker ?? '').toLowerCase();
    if (seen.has(key)) throw new InputError(`two ${kind} tiers named "${seen.get(key)!.name}" and "${tier.name}" (tiers: ${names}): which holds the ${kind} is unclear; rename or remove one`, { file, line: tier.line });
    seen.set(key, tier);
  }
  if (seen.has('') && seen.size > 1)
    throw new InputError(`both a "${kind}" tier and speakers' "<speaker> - ${kind}" tiers (tiers: ${names}): whose ${kind} the "${kind}" tier holds is unclear; rename it "<speaker> - ${kind}" or remove it`, { file });
  return picked;
}

type Run = { words: TranscriptWord[]; line?: number };

/** A tier's intervals as words (silences dropped), checked to be in time order. */
function tierWords(tier: Tier, file: string): Run[] {
  const out: Run[] = [];
  let prevEnd = -Infinity;
  for (const [i, iv] of tier.intervals.entries()) {
    if (!(iv.end >= iv.start)) throw new InputError(`tier "${tier.name}" interval ${i + 1}: end ${fmtSeconds(iv.end)} s is before start ${fmtSeconds(iv.start)} s`, { file, line: iv.line });
    if (iv.start < prevEnd - 1e-9)
      throw new InputError(`tier "${tier.name}" interval ${i + 1} starts at ${fmtSeconds(iv.start)} s, before the interval before it ends (${fmtSeconds(prevEnd)} s): intervals out of order`, { file, line: iv.line });
    prevEnd = iv.end;
    if (SILENCE_LABELS.has(iv.label.trim().toLowerCase())) continue;
    const ws = splitWords(iv.label);
    const words = ws.length === 1 ? [{ word: ws[0], start_s: iv.start, end_s: iv.end, given: 'both' as const }] : interpolateWords(ws, iv.start, iv.end);
    out.push({ words, line: iv.line });
  }
  return out;
}

/** An utterance of a run of words; with `span` (an utterances-tier interval), its times, text and line (for messages). */
function utteranceOf(run: Run, speaker: string | null, span?: { start: number; end: number; text: string; line?: number }): Utterance {
  const w = run.words;
  const text = span ? splitWords(span.text).join(' ') : w.map((x) => x.word).join(' ');
  return { start_s: span?.start ?? w[0].start_s, end_s: span?.end ?? w[w.length - 1].end_s, text, speaker, words: w, word_timing: wordTimingOf(w), line: span ? span.line : run.line };
}

/** Word runs cut at silences of PAUSE_S or more. */
function pauseRuns(items: Run[]): Run[] {
  const runs: Run[] = [];
  for (const it of items) {
    const cur = runs[runs.length - 1];
    if (cur && it.words[0].start_s - cur.words[cur.words.length - 1].end_s < PAUSE_S - 1e-9) cur.words.push(...it.words);
    else runs.push({ words: [...it.words], line: it.line });
  }
  return runs;
}

/**
 * One speaker's utterances: MFA's `utterances` tier (`--include_original_text`) when the speaker has one, each
 * non-silent interval an utterance with its text and the words whose midpoint it holds (one MFA could not align, with no
 * words, keeps its text, its words spread over it by letters as an SRT cue's: word_timing "interpolated"); words no such
 * interval holds, and a speaker without that tier, are cut into utterances at pauses (pauseRuns). No word is left out.
 */
function speakerUtterances(words: Tier, utts: Tier | undefined, speaker: string | null, file: string): Utterance[] {
  const spans = utts ? tierWords(utts, file) : [];
  const held: Run[] = spans.map((r) => ({ words: [], line: r.line }));
  const loose: Run[] = [];
  let k = 0; // both in time order: one pass
  for (const it of tierWords(words, file)) {
    const mid = (it.words[0].start_s + it.words[it.words.length - 1].end_s) / 2;
    while (k < spans.length && spanEnd(spans[k]) < mid) k++;
    if (k < spans.length && spans[k].words[0].start_s <= mid) held[k].words.push(...it.words);
    else loose.push(it);
  }
  const fromSpans = spans.map((r, i) => {
    const span = { start: r.words[0].start_s, end: spanEnd(r), text: r.words.map((x) => x.word).join(' '), line: r.line };
    return utteranceOf(held[i].words.length ? held[i] : r, speaker, span);
  });
  return fromSpans.concat(pauseRuns(loose).map((r) => utteranceOf(r, speaker)));
}

const spanEnd = (r: Run): number => r.words[r.words.length - 1].end_s;

/** Utterances from a file's tiers (a TextGrid's, or MFA JSON's): word tiers, with their speakers' utterance tiers. */
export function utterancesFromTiers(tiers: Tier[], file: string): Utterance[] {
  if (tiers.length === 0) return [];
  const words = namedTiers(tiers, file, 'words');
  if (words.length === 0) {
    const names = tiers.map((t) => JSON.stringify(t.name)).join(', ');
    throw new InputError(`no word tier (its tiers: ${names}): mmprep reads the IntervalTier named "words" (or "word"), or "<speaker> - words" per speaker (the names of MFA, P2FA and FAVE): if one of these tiers holds the words, rename it; a phones tier alone has no words (MFA writes a words tier beside it)`, { file });
  }
  const utts = namedTiers(tiers, file, 'utterances');
  const uttOf = (speaker: string | null) => utts.find((u) => (u.speaker ?? '').toLowerCase() === (speaker ?? '').toLowerCase())?.tier;
  return words.flatMap(({ tier, speaker }) => speakerUtterances(tier, uttOf(speaker), speaker, file));
}

/** A TextGrid's header: its file type and class (refused when not a TextGrid's), then the span it declares. */
function readHeader(rd: Reader, file: string): { xmin: number; xmax: number } {
  const type = rd.str('File type = "ooTextFile"');
  const cls = rd.str('Object class = "TextGrid"');
  // "ooTextFile short": the short format's header in Praat before 4.x, still read by Praat.
  if (!['ooTextFile', 'ooTextFile short'].includes(type.value) || cls.value !== 'TextGrid')
    throw new InputError(`not a Praat TextGrid text file (File type "${type.value}", Object class "${cls.value}")`, { file, line: cls.line });
  return { xmin: rd.num('the TextGrid xmin'), xmax: rd.num('the TextGrid xmax') };
}

/**
 * The span a TextGrid declares (its xmin, xmax: the length of the audio it was made on; MFA writes the aligned WAV's),
 * read without its tiers; null when the text is not a TextGrid's (the reader refuses it elsewhere).
 */
export function textGridSpan(text: string, file: string): { xmin: number; xmax: number } | null {
  try {
    return readHeader(new Reader(textGridTokens(text.slice(0, 4096), file), file), file);
  } catch {
    return null;
  }
}

/** A TextGrid without tiers is an empty transcript (as `{"segments": []}`: its session is named, "A transcript without utterances"). */
export function parseTextGrid(text: string, file: string): Utterance[] {
  return utterancesFromTiers(readTiers(text, file), file);
}

/**
 * MFA's JSON output (`mfa align --output_format json`: `{"start", "end", "tiers": {name: {"type": "interval",
 * "entries": [[begin, end, label], ...]}}}`, montreal_forced_aligner/textgrid.py export_textgrid), read by the tier rule
 * above. Null when `doc` has no `tiers` object.
 */
export function mfaJsonTiers(doc: unknown, file: string): Tier[] | null {
  const tiers = (doc as { tiers?: unknown })?.tiers;
  if (!tiers || typeof tiers !== 'object' || Array.isArray(tiers)) return null;
  return Object.entries(tiers as Record<string, unknown>).map(([name, t]) => {
    const o = (t ?? {}) as { type?: unknown; entries?: unknown };
    if (!Array.isArray(o.entries)) throw new InputError(`MFA JSON tier "${name}" has no "entries" array`, { file });
    const intervals = o.entries.map((e, i) => {
      const ok = Array.isArray(e) && e.length >= 3 && typeof e[0] === 'number' && typeof e[1] === 'number' && typeof e[2] === 'string';
      if (!ok) throw new InputError(`MFA JSON tier "${name}" entry ${i} is not [begin, end, "label"]: ${JSON.stringify(e).slice(0, 60)}`, { file });
      return { start: e[0] as number, end: e[1] as number, label: e[2] as string };
    });
    return { cls: o.type === 'interval' || o.type === undefined ? 'IntervalTier' : 'TextTier', name, intervals };
  });
}
