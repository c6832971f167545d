/**
 * Praat TextGrid transcripts, as forced aligners write them (Montreal Forced Aligner: an IntervalTier `words` and one
 * `phones`, or per speaker `<speaker> - words` / `<speaker> - phones`; P2FA/FAVE likewise). Both of Praat's text
 * formats are read: the "long" one (`xmin = 0`, `intervals [1]:`) and the "short" one (values only, one a line), as
 * Praat's own reader does: numbers, "strings" ("" escapes a quote) and <flags> in order, everything else a comment
 * (Praat's manual, "TextGrid file formats"). Encoding (UTF-8, UTF-16 with BOM, which Praat writes for a non-ASCII
 * label) is handled by readTranscript.
 *
 * The rule for tiers and words (docs/dataset.md, "Transcript clock"):
 * - word tiers are the IntervalTiers named `words` or `<speaker> - words` (case and spaces around ignored); other tiers
 *   (`phones`, notes) are not read. A file with both a `words` tier and speaker tiers, two tiers of one name, or none is
 *   refused, naming its tiers.
 * - an interval labelled "", `sil`, `sp`, `<sil>` or `<eps>` is a silence, not a word (MFA marks silences ""); `<unk>`
 *   (MFA's word out of its dictionary) is a word: it was spoken, its frames are speech.
 * - an utterance is a run of one speaker's words with no silence of PAUSE_S or more between them (de Jong & Wempe's
 *   minimum pause, as src/audio/nuclei.ts); an interval holding several words ("ten of clubs", a hand-made tier) spreads
 *   them over its span by letters (word_timing "interpolated").
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
    if (c === '\n') line++;
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
        if (text[j] === '\n') line++;
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

interface Interval {
  start: number;
  end: number;
  label: string;
  line: number;
}

interface Tier {
  cls: string;
  name: string;
  line: number;
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
  const toks = textGridTokens(text, file);
  const rd = new Reader(toks, file);
  const type = rd.str('File type = "ooTextFile"');
  const cls = rd.str('Object class = "TextGrid"');
  if (type.value !== 'ooTextFile' || cls.value !== 'TextGrid')
    throw new InputError(`not a Praat TextGrid text file (File type "${type.value}", Object class "${cls.value}")`, { file, line: cls.line });
  rd.num('the TextGrid xmin');
  rd.num('the TextGrid xmax');
  if (rd.flag('<exists> or <absent>') !== '<exists>') return [];
  const n = rd.count('the number of tiers');
  return Array.from({ length: n }, () => readTier(rd, file));
}

/** The speaker of a word tier's name (`spk1 - words` → spk1; `words` → null), undefined for another tier. */
function wordTierSpeaker(name: string): string | null | undefined {
  const t = name.trim();
  if (/^words$/i.test(t)) return null;
  const m = /^(.*\S)\s+-\s+words$/i.exec(t);
  return m ? m[1].trim() : undefined;
}

/** The word tiers per the rule above, refused with the file's tier names when none, or when which to read is unclear. */
function wordTiers(tiers: Tier[], file: string): Array<{ tier: Tier; speaker: string | null }> {
  const names = tiers.map((t) => JSON.stringify(t.name)).join(', ') || 'none';
  const picked = tiers.flatMap((tier) => {
    const speaker = wordTierSpeaker(tier.name);
    return speaker === undefined ? [] : [{ tier, speaker }];
  });
  if (picked.length === 0)
    throw new InputError(`no word tier in the TextGrid (its tiers: ${names}): mmprep reads the IntervalTier named "words", or "<speaker> - words" per speaker (MFA's names); rename the tier of words`, { file });
  const seen = new Map<string, Tier>();
  for (const { tier, speaker } of picked) {
    if (tier.cls !== 'IntervalTier') throw new InputError(`tier "${tier.name}" is a point tier (TextTier): word times need an IntervalTier`, { file, line: tier.line });
    const key = (speaker ?? '').toLowerCase();
    if (seen.has(key)) throw new InputError(`two word tiers named "${seen.get(key)!.name}" and "${tier.name}" (tiers: ${names}): which holds the words is unclear; rename or remove one`, { file, line: tier.line });
    seen.set(key, tier);
  }
  if (seen.has('') && seen.size > 1)
    throw new InputError(`both a "words" tier and speakers' "<speaker> - words" tiers (tiers: ${names}): whose words the "words" tier holds is unclear; rename it "<speaker> - words" or remove it`, { file });
  return picked;
}

/** A tier's intervals as words (silences dropped), checked to be in time order. */
function tierWords(tier: Tier, file: string): Array<{ words: TranscriptWord[]; line: number }> {
  const out: Array<{ words: TranscriptWord[]; line: number }> = [];
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

/** One speaker's words cut into utterances at silences of PAUSE_S or more. */
function tierUtterances(tier: Tier, speaker: string | null, file: string): Utterance[] {
  const utts: Utterance[] = [];
  let cur: { words: TranscriptWord[]; line: number } | null = null;
  const close = () => {
    if (!cur) return;
    const w = cur.words;
    utts.push({ start_s: w[0].start_s, end_s: w[w.length - 1].end_s, text: w.map((x) => x.word).join(' '), speaker, words: w, word_timing: wordTimingOf(w), line: cur.line });
  };
  for (const iv of tierWords(tier, file)) {
    if (cur && iv.words[0].start_s - cur.words[cur.words.length - 1].end_s < PAUSE_S) cur.words.push(...iv.words);
    else {
      close();
      cur = { words: [...iv.words], line: iv.line };
    }
  }
  close();
  return utts;
}

/** A TextGrid without tiers is an empty transcript (as `{"segments": []}`: its session is named, "A transcript without utterances"). */
export function parseTextGrid(text: string, file: string): Utterance[] {
  const tiers = readTiers(text, file);
  if (tiers.length === 0) return [];
  return wordTiers(tiers, file).flatMap(({ tier, speaker }) => tierUtterances(tier, speaker, file));
}
