/**
 * A fourth new user's trial: an SRT or WebVTT export saved under a .json name (or JSON Lines named .json) was refused
 * with JSON.parse's own words ("not valid JSON (Unexpected non-whitespace character after JSON at position 2)"),
 * which do not say what the file is. The line now names the format the text is in and the extension to give it.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/common/errors.js';
import { readTranscript } from '../src/dataset/transcripts/index.js';
import { detectTranscriptFormat, parseTranscript } from '../src/dataset/transcripts/parse.js';

const SRT = '1\n00:00:02,690 --> 00:00:03,420\nten of clubs\n\n2\n00:00:04,185 --> 00:00:05,715\nfour queen of clubs\n';
const VTT = 'WEBVTT\n\n00:00:02.690 --> 00:00:03.420\nten of clubs\n';
const JSONL = '{"start": 2.69, "end": 3.42, "text": "ten of clubs"}\n{"start": 4.185, "end": 5.715, "text": "four queen"}\n';

function message(text: string, file: string): string {
  try {
    parseTranscript(text, detectTranscriptFormat(file, text), file);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).toLine();
  }
  throw new Error('not refused');
}

describe('a transcript under another format\'s extension', () => {
  it('SRT, WebVTT and JSON Lines named .json are refused naming what they are', () => {
    expect(message(SRT, 't.json')).toBe('t.json: not valid JSON: the text is SubRip (SRT) cues: name the file .srt (or convert it to Whisper JSON)');
    expect(message(VTT, 't.json')).toBe('t.json: not valid JSON: the text is WebVTT: name the file .vtt (or convert it to Whisper JSON)');
    expect(message(JSONL, 't.json')).toBe('t.json: not valid JSON: the text is JSON Lines (one object a line): name the file .jsonl');
  });

  it('a broken JSON file keeps JSON.parse\'s words', () => {
    expect(message('{"segments": [', 't.json')).toMatch(/^t\.json: not valid JSON \(/);
  });

  it('a transcript file that is gone says so (was "cannot read transcript" alone)', async () => {
    const e = (await readTranscript('/nonexistent/t.json').catch((x: unknown) => x)) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.toLine()).toBe('/nonexistent/t.json: cannot read transcript: no such file');
  });
});
