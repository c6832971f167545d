/**
 * One recording given to a session twice: by another path to the same file (a link, `./cam.mp4` and `cam.mp4` are
 * caught earlier as "given twice"), or as a byte-identical copy (a file copied for a second role, as when the lav
 * column was filled with the camera's file). Before 2026-12-02 it was searched and placed twice, exit 0: the second
 * copy at offset 0 against the first, and the session's own second recording left out unnoticed (test
 * sync-same-recording). No use of it is known: a camera's picture and its own sound are two streams of one file
 * already (and `mmprep extract` takes a file named under a video role and an audio role once).
 */
import { open, stat } from 'node:fs/promises';
import { InputError } from '../../common/errors.js';

const CHUNK = 1 << 20;

/** True when the two files hold the same bytes (read in 1 MiB chunks, stopping at the first difference). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = [await open(a, 'r'), await open(b, 'r')];
  try {
    const [ba, bb] = [Buffer.alloc(CHUNK), Buffer.alloc(CHUNK)];
    for (let pos = 0; ; pos += CHUNK) {
      const [ra, rb] = [await fa.read(ba, 0, CHUNK, pos), await fb.read(bb, 0, CHUNK, pos)];
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      if (ra.bytesRead < CHUNK) return true;
    }
  } finally {
    await fa.close();
    await fb.close();
  }
}

/**
 * Refuses (exit 2, one line naming both) a file that is another given file: the same file by another path, or a
 * byte-identical copy. Only files of equal size are read, each once at most, until their first difference.
 */
export async function refuseSameRecording(files: Array<{ file: string; abs: string }>): Promise<void> {
  const seen: Array<{ file: string; abs: string; dev: number; ino: number; size: number }> = [];
  for (const f of files) {
    const s = await stat(f.abs);
    for (const o of seen) {
      const link = o.dev === s.dev && o.ino === s.ino;
      if (!link && (o.size !== s.size || !(await sameBytes(o.abs, f.abs)))) continue;
      const how = link ? 'the same file as' : 'a byte-identical copy of';
      throw new InputError(`${how} ${o.file}: one recording given twice would be placed twice (against itself), and the session's other recording left out; give each recording once (a camera file gives both its picture and its own sound: no copy is needed for a sound role)`, { file: f.file });
    }
    seen.push({ ...f, dev: s.dev, ino: s.ino, size: s.size });
  }
}
