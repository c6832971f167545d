/** UTF-8 checks shared by the readers of text files a user writes (CSV manifests and ratings, transcripts). */
import { Buffer, isUtf8 } from 'node:buffer';
import { InputError } from './errors.js';

/** Index of the first byte of `buf` that does not start a whole, valid UTF-8 sequence (-1: none). */
export function firstInvalidUtf8(buf: Uint8Array): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > buf.length || !isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return -1;
}

/** Newlines (0x0A) in buf, found by Buffer's native indexOf (a reduce with a callback per byte took 0.3 s CPU on the
 *  28 MB of bench-agreement's 1M ratings, checkUtf8File; this 0.02 s). */
export function countNewlines(buf: Uint8Array): number {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/**
 * A transcript's text: UTF-8 (a BOM is dropped by the parsers), or UTF-16 with a BOM (Windows Notepad's "Unicode");
 * anything else is refused naming the line of the first bad byte. A Windows-1252 file read as UTF-8 turned 'café'
 * into 'caf\uFFFD', silently, in the word records of the dataset.
 */
export function decodeTranscriptBytes(buf: Buffer, file: string): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf.subarray(2));
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf.subarray(2));
  if (isUtf8(buf)) return buf.toString('utf8');
  const at = Math.max(0, firstInvalidUtf8(buf));
  const byte = buf[at].toString(16).toUpperCase().padStart(2, '0');
  const line = countNewlines(buf.subarray(0, at)) + 1;
  throw new InputError(`transcript is not UTF-8 (byte 0x${byte} on this line): save it as UTF-8, or convert it (iconv -f windows-1252 -t utf-8)`, { file, line });
}
