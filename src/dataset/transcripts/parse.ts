/**
 * Transcript readers: Whisper / WhisperX JSON (openai-whisper `--word_timestamps True` output and WhisperX's aligned
 * output: `segments[]` with `start`, `end`, `text`, optional `speaker` and `words[]` of {word, start, end}), plain JSONL
 * (one utterance a line: `start`, `end`, `text`, optional `speaker`, optional `words` of {word|text, start, end}),
 * WebVTT (W3C WebVTT: cue timings, `<v Speaker>` voice spans, inline `<hh:mm:ss.ttt>` timestamps as word starts, as
 * YouTube/WhisperX word-level VTT writes them) and SRT (SubRip: cue times only, so word times are interpolated).
 * Praat TextGrids (MFA's word tiers) are read by ./textgrid.ts.
 * Times are returned as written in the file; readTranscript() maps them onto the reference clock.
 */
import { decimalNumber } from '../../common/decimal.js';
import { InputError } from '../../common/errors.js';
import { mfaJsonTiers, parseTextGrid, utterancesFromTiers } from './textgrid.js';
import { fmtSeconds, fmtSecondsPair, interpolateWords, splitWords, wordTimingOf, type TranscriptFormat, type TranscriptWord, type Utterance } from './types.js';

function num(v: unknown, file: string, line: number | undefined, what: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && Number.isFinite(decimalNumber(v.trim()))) return decimalNumber(v.trim());
  throw new InputError(`${what} must be a finite number of seconds, got ${JSON.stringify(v)}`, { file, line });
}

function checkSpan(start: number, end: number, file: string, line: number | undefined, what: string): void {
  if (end >= start) return;
  const [e, b] = fmtSecondsPair(end, start);
  throw new InputError(`${what}: end ${e} s is before start ${b} s`, { file, line });
}

/** Words from JSON objects; words without times (WhisperX leaves numerals unaligned) are interpolated between neighbours. */
function jsonWords(raw: unknown, seg: { start: number; end: number }, file: string, line: number | undefined, segment?: number): TranscriptWord[] {
  if (!Array.isArray(raw)) return [];
  const items: Array<{ word: string; start: number | null; end: number | null }> = [];
  let prev: { i: number; word: string; start: number } | null = null;
  const where = segment !== undefined ? `segment ${segment}: ` : '';
  for (const [i, w] of raw.entries()) {
    if (!w || typeof w !== 'object') throw new InputError(`word ${i} is not an object`, { file, line });
    const o = w as Record<string, unknown>;
    const text = typeof o.word === 'string' ? o.word : typeof o.text === 'string' ? o.text : null;
    if (text === null) throw new InputError(`word ${i} has no "word" (or "text") string`, { file, line });
    const has = o.start !== undefined && o.start !== null && o.end !== undefined && o.end !== null;
    const start = has ? num(o.start, file, line, `word ${i} start`) : null;
    const end = has ? num(o.end, file, line, `word ${i} end`) : null;
    if (start !== null && end !== null) checkSpan(start, end, file, line, `${where}word ${i} ("${text.trim()}")`);
    if (start !== null && prev && start < prev.start)
      throw new InputError(`${where}word ${i} ("${text.trim()}") starts at ${fmtSeconds(start)} s, before word ${prev.i} ("${prev.word}") at ${fmtSeconds(prev.start)} s: words out of order`, { file, line });
    if (start !== null) prev = { i, word: text.trim(), start };
    if (text.trim() !== '') items.push({ word: text.trim(), start, end });
  }
  // Fill untimed words: between the previous word's end and the next timed word's start.
  const out: TranscriptWord[] = [];
  let i = 0;
  while (i < items.length) {
    const it = items[i];
    if (it.start !== null && it.end !== null) {
      out.push({ word: it.word, start_s: it.start, end_s: it.end, given: 'both' });
      i++;
      continue;
    }
    let j = i;
    while (j < items.length && (items[j].start === null || items[j].end === null)) j++;
    const a = out.length ? out[out.length - 1].end_s : seg.start;
    const b = j < items.length ? (items[j].start as number) : seg.end;
    out.push(...interpolateWords(items.slice(i, j).map((x) => x.word), a, Math.max(a, b)));
    i = j;
  }
  return out;
}

/**
 * What a .json transcript that does not parse holds instead, said with the extension to give it (an SRT or WebVTT
 * export saved as .json, JSON Lines named .json), or null: JSON.parse's own words say nothing of that.
 */
function otherFormatHint(text: string): string | null {
  const head = text.trimStart();
  if (/^File type = "ooTextFile( short)?"/.test(head)) return 'the text is a Praat TextGrid: name the file .TextGrid';
  if (head.startsWith('WEBVTT')) return 'the text is WebVTT: name the file .vtt (or convert it to Whisper JSON)';
  if (/^\d+[ \t]*(\r\n?|\n)\s*\d[\d:,.]*\s*-->/.test(head)) return 'the text is SubRip (SRT) cues: name the file .srt (or convert it to Whisper JSON)';
  const lines = head.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  const objects = lines.length > 1 && lines.slice(0, 3).every((l) => {
    try {
      const o: unknown = JSON.parse(l);
      return o !== null && typeof o === 'object' && !Array.isArray(o);
    } catch {
      return false;
    }
  });
  return objects ? 'the text is JSON Lines (one object a line): name the file .jsonl' : null;
}

export function parseWhisperJson(text: string, file: string): Utterance[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const hint = otherFormatHint(text);
    throw new InputError(hint ? `not valid JSON: ${hint}` : `not valid JSON (${(e as Error).message})`, { file });
  }
  const segs = (doc as { segments?: unknown })?.segments;
  // MFA's JSON (`mfa align --output_format json`) names its tiers as its TextGrids do: read by the same rule.
  const tiers = Array.isArray(segs) ? null : mfaJsonTiers(doc, file);
  if (tiers) return utterancesFromTiers(tiers, file);
  if (!Array.isArray(segs)) throw new InputError('not a Whisper/WhisperX transcript (no "segments" array) nor MFA JSON (no "tiers" object)', { file });
  return segs.map((s, i) => {
    if (!s || typeof s !== 'object') throw new InputError(`segment ${i} is not an object`, { file });
    const o = s as Record<string, unknown>;
    const start = num(o.start, file, undefined, `segment ${i} start`);
    const end = num(o.end, file, undefined, `segment ${i} end`);
    checkSpan(start, end, file, undefined, `segment ${i}`);
    const t = typeof o.text === 'string' ? o.text.trim() : '';
    const words = jsonWords(o.words, { start, end }, file, undefined, i);
    const ws = words.length ? words : interpolateWords(splitWords(t), start, end);
    return { start_s: start, end_s: end, text: t, speaker: typeof o.speaker === 'string' ? o.speaker : null, words: ws, word_timing: wordTimingOf(ws), segment: i };
  });
}

export function parseJsonlTranscript(text: string, file: string): Utterance[] {
  const out: Utterance[] = [];
  // CR, LF or CRLF ends a line (a classic Mac editor's lone CR too): JSON strings cannot hold a raw CR.
  const lines = text.split(/\r\n|\r|\n/);
  for (const [k, raw] of lines.entries()) {
    const line = k + 1;
    if (raw.trim() === '') continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch (e) {
      throw new InputError(`not valid JSON (${(e as Error).message})`, { file, line });
    }
    if (!o || typeof o !== 'object' || Array.isArray(o)) throw new InputError('each line must be a JSON object', { file, line });
    const start = num(o.start ?? o.start_s, file, line, '"start"');
    const end = num(o.end ?? o.end_s, file, line, '"end"');
    checkSpan(start, end, file, line, 'utterance');
    if (typeof o.text !== 'string') throw new InputError('"text" must be a string', { file, line });
    const words = jsonWords(o.words, { start, end }, file, line);
    const ws = words.length ? words : interpolateWords(splitWords(o.text), start, end);
    out.push({ start_s: start, end_s: end, text: o.text.trim(), speaker: typeof o.speaker === 'string' ? o.speaker : null, words: ws, word_timing: wordTimingOf(ws), line });
  }
  return out;
}

/** `hh:mm:ss.ttt`, `mm:ss.ttt` (WebVTT) or `hh:mm:ss,ttt` (SRT). */
function parseTimestamp(s: string): number | null {
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})$/.exec(s.trim());
  if (!m) return null;
  const h = m[1] ? Number(m[1]) : 0;
  return h * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4].padEnd(3, '0')) / 1000;
}

const TIMING = /^\s*(\S+)\s+-->\s+(\S+)/;

function decodeEntities(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&lrm;|&rlm;/g, '').replace(/&amp;/g, '&');
}

interface Cue {
  start: number;
  end: number;
  payload: string[];
  line: number;
}

/** Where the timing line of a cue block should be: after an SRT cue number or a WebVTT cue identifier, else first. */
function timingIndex(block: string[], kind: 'vtt' | 'srt'): number {
  if (block.length < 2 || block[0].includes('-->')) return 0;
  return kind === 'srt' ? (/^\s*\d+\s*$/.test(block[0]) ? 1 : 0) : 1;
}

/** 1-based column of `part` in `line` (searched from `from`). */
function columnOf(line: string, part: string, from = 0): number {
  return line.indexOf(part, from) + 1;
}

/** Checks one timing line (1-based `line`) and returns its start and end; errors name the line and the column. */
function readTiming(text: string, file: string, line: number, kind: 'vtt' | 'srt'): { start: number; end: number } {
  const form = kind === 'srt' ? 'hh:mm:ss,mmm --> hh:mm:ss,mmm' : 'hh:mm:ss.mmm --> hh:mm:ss.mmm';
  const m = TIMING.exec(text);
  if (!m) throw new InputError(`bad cue timing "${text.trim()}" (expected "${form}")`, { file, line, column: columnOf(text, text.trim()) });
  const a = parseTimestamp(m[1]);
  const b = parseTimestamp(m[2]);
  const startCol = columnOf(text, m[1]);
  const endCol = columnOf(text, m[2], text.indexOf('-->'));
  if (a === null) throw new InputError(`bad start time '${m[1]}' (expected "${form}")`, { file, line, column: startCol });
  if (b === null) throw new InputError(`bad end time '${m[2]}' (expected "${form}")`, { file, line, column: endCol });
  if (b < a) throw new InputError(`cue ends (${fmtSecondsPair(b, a)[0]} s) before it starts (${fmtSecondsPair(b, a)[1]} s)`, { file, line, column: endCol });
  return { start: a, end: b };
}

function readCues(text: string, file: string, kind: 'vtt' | 'srt'): Cue[] {
  // WebVTT's line terminators are CRLF, LF or a lone CR (W3C WebVTT, 6.1); SRT files from classic Mac OS editors end
  // lines with a lone CR too, which read as one line of every cue ("bad cue timing" on the whole file).
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let i = 0;
  if (kind === 'vtt') {
    if (!/^WEBVTT(\s|$)/.test(lines[0] ?? '')) throw new InputError('not a WebVTT file (first line must start with WEBVTT)', { file, line: 1 });
    while (i < lines.length && lines[i].trim() !== '') i++; // header block
  }
  const cues: Cue[] = [];
  while (i < lines.length) {
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i >= lines.length) break;
    const blockStart = i;
    const block: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') block.push(lines[i++]);
    if (kind === 'vtt' && /^(NOTE|STYLE|REGION)(\s|$)/.test(block[0])) continue;
    // The line that should hold the timing: errors point at it, not at the cue number above it.
    const ti = timingIndex(block, kind);
    const line = blockStart + ti + 1;
    if (kind === 'srt' && block.length === 1 && /^\s*\d+\s*$/.test(block[0]))
      throw new InputError(`cue number ${block[0].trim()} is not followed by a timing line "start --> end"`, { file, line, column: 1 });
    if (!block[ti].includes('-->')) {
      const what = ti < block.length ? `found "${block[ti].trim().slice(0, 60)}"` : 'the cue has no timing line';
      throw new InputError(`expected a cue timing line "start --> end", ${what}`, { file, line, column: 1 });
    }
    const { start, end } = readTiming(block[ti], file, line, kind);
    // A timing line in the text: the blank line before the next cue is missing (its cue would be merged into this one).
    for (let j = ti + 1; j < block.length; j++) {
      const m = TIMING.exec(block[j]);
      if (m && parseTimestamp(m[1]) !== null && parseTimestamp(m[2]) !== null) {
        // SRT: the blank line belongs before the cue number above the timing.
        const before = kind === 'srt' && j - 1 > ti && /^\s*\d+\s*$/.test(block[j - 1]) ? blockStart + j : blockStart + j + 1;
        throw new InputError(`a cue timing line inside the text of the cue timed on line ${line}: a blank line is missing before line ${before}`, { file, line: blockStart + j + 1, column: 1 });
      }
    }
    cues.push({ start, end, payload: block.slice(ti + 1), line });
  }
  return cues;
}

export function parseVtt(text: string, file: string): Utterance[] {
  return readCues(text, file, 'vtt').map((c) => {
    let speaker: string | null = null;
    const body = c.payload.join(' ');
    const v = /<v(?:\.[^\s>]*)?\s+([^>]+)>/.exec(body);
    if (v) speaker = decodeEntities(v[1].trim());
    // Split the payload at inline timestamps: each piece's words start at the timestamp before it.
    const pieces: Array<{ t: number; text: string }> = [];
    let cur = { t: c.start, text: '' };
    const re = /<(\d[^>]*)>|<[^>]*>|([^<]+)/g;
    let m: RegExpExecArray | null;
    let timed = false;
    while ((m = re.exec(body))) {
      if (m[1] !== undefined) {
        const t = parseTimestamp(m[1]);
        if (t === null) {
          // The payload line holding it (the payload starts on the line after the timing line).
          const k = Math.max(0, c.payload.findIndex((l) => l.includes(`<${m![1]}>`)));
          throw new InputError(`bad inline timestamp <${m[1]}> (expected <hh:mm:ss.mmm>)`, { file, line: c.line + 1 + k, column: (c.payload[k] ?? '').indexOf(`<${m[1]}>`) + 1 });
        }
        if (t < cur.t) {
          const k = Math.max(0, c.payload.findIndex((l) => l.includes(`<${m![1]}>`)));
          throw new InputError(`inline timestamp <${m[1]}> is before the word time before it (${fmtSeconds(cur.t)} s): words out of order`, { file, line: c.line + 1 + k, column: (c.payload[k] ?? '').indexOf(`<${m[1]}>`) + 1 });
        }
        pieces.push(cur);
        cur = { t, text: '' };
        timed = true;
      } else if (m[2] !== undefined) cur.text += m[2];
    }
    pieces.push(cur);
    const words: TranscriptWord[] = [];
    for (const [k, p] of pieces.entries()) {
      const ws = splitWords(decodeEntities(p.text));
      const end = k + 1 < pieces.length ? pieces[k + 1].t : c.end;
      const spread = interpolateWords(ws, p.t, Math.max(p.t, end));
      // A piece's first word starts at its inline time (the cue's start for the first piece); its end is not given.
      if (timed && spread.length > 0) spread[0].given = 'start';
      words.push(...spread);
    }
    const plain = words.map((w) => w.word).join(' ');
    return { start_s: c.start, end_s: c.end, text: plain, speaker, words, word_timing: wordTimingOf(words), line: c.line } satisfies Utterance;
  });
}

export function parseSrt(text: string, file: string): Utterance[] {
  return readCues(text, file, 'srt').map((c) => {
    const body = decodeEntities(c.payload.join(' ').replace(/<[^>]*>/g, '').replace(/\{\\[^}]*\}/g, ''));
    const t = splitWords(body).join(' ');
    return { start_s: c.start, end_s: c.end, text: t, speaker: null, words: interpolateWords(splitWords(t), c.start, c.end), word_timing: 'interpolated', line: c.line } satisfies Utterance;
  });
}

/** By extension (.json whisper, .jsonl/.ndjson, .vtt, .srt, .textgrid in any case), else by content. */
export function detectTranscriptFormat(path: string, text: string): TranscriptFormat {
  const p = path.toLowerCase();
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson')) return 'jsonl';
  if (p.endsWith('.json')) return 'whisper';
  if (p.endsWith('.vtt')) return 'vtt';
  if (p.endsWith('.srt')) return 'srt';
  if (p.endsWith('.textgrid')) return 'textgrid';
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (/^(File type = "ooTextFile( short)?"|"Praat chronological TextGrid text file")/.test(head)) return 'textgrid';
  if (head.startsWith('WEBVTT')) return 'vtt';
  if (head.startsWith('{') && /"segments"\s*:/.test(text.slice(0, 100000))) return 'whisper';
  if (head.startsWith('{')) return 'jsonl';
  if (/^\d+[ \t]*(\r\n?|\n)\s*\d/.test(head)) return 'srt';
  // ELAN's XML: named, with the export that mmprep reads (its tier of words then named as the TextGrid rule says).
  if (p.endsWith('.eaf') || /^(<\?xml[^>]*>\s*)?<ANNOTATION_DOCUMENT/.test(head))
    throw new InputError("an ELAN .eaf is not read: in ELAN, File > Export As > Praat TextGrid, and name the tier of words 'words' (or '<speaker> - words' per speaker)", { file: path });
  throw new InputError('unknown transcript format (expected Whisper JSON, JSONL, WebVTT, SRT or Praat TextGrid)', { file: path });
}

export function parseTranscript(raw: string, format: TranscriptFormat, file: string): Utterance[] {
  // A UTF-8 BOM (Windows Notepad's 'UTF-8 with BOM') is not part of the text: JSON.parse refused it as a token.
  const text = raw.replace(/^\uFEFF/, '');
  let u: Utterance[];
  switch (format) {
    case 'whisper':
      u = parseWhisperJson(text, file);
      break;
    case 'jsonl':
      u = parseJsonlTranscript(text, file);
      break;
    case 'vtt':
      u = parseVtt(text, file);
      break;
    case 'srt':
      u = parseSrt(text, file);
      break;
    case 'textgrid':
      u = parseTextGrid(text, file);
      break;
  }
  // Stable order by start time (files are usually ordered; some diarised outputs are per speaker).
  return u.map((x, i) => ({ x, i })).sort((a, b) => a.x.start_s - b.x.start_s || a.i - b.i).map((e) => e.x);
}
