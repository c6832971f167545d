/**
 * An input still being written while extract runs (a recording or upload landing in the archive during the nightly
 * array) gave a session marked done, exit 0: its stages each read another length of the file and meta.json recorded
 * the size hashed at the start (ttrial51 W1: meta.json 17 s, audio.jsonl 29 s of a 60 s streaming WAV). Now the
 * inputs are stat'ed again before meta.json is written and a change fails the session, rolled back
 * (src/batch/input-change.ts). A stage of a custom stage table appends to the input here, as a recorder would
 * between two stages; the real stages are not needed for it (in-process, no decode). A complete file that records no
 * duration (Matroska written to a pipe) is kept with a warning, as meta.json's media_s is 0 for it.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../src/batch/extract.js';
import { changeOf } from '../src/batch/input-change.js';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { generatorBinaries } from './helpers/ffmpeg.js';

let dir: string;
let cleanup: () => void;

/** A stage module whose sync stage writes sync.json and, when `grow` is given, appends 4 kB to that file first. */
function stagesModule(name: string, grow: string | null): string {
  const path = join(dir, name);
  writeFileSync(path, [
    "import { appendFileSync, writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    `export const stages = { sync: async (ctx) => { ${grow ? `appendFileSync(${JSON.stringify(grow)}, Buffer.alloc(4096));` : ''} writeFileSync(join(ctx.dir, 'sync.json'), '{}'); return { files: ['sync.json'] }; } };`,
  ].join('\n'));
  return path;
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('mmprep-input-changed-'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'grow.flac'));
  copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(dir, 'still.flac'));
  // 1 s of FLAC in Matroska written to a pipe: complete, but no duration that ffprobe reads.
  const mkv = execFileSync(generatorBinaries().ffmpeg, ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'flac', '-f', 'matroska', 'pipe:1']);
  writeFileSync(join(dir, 'live.mkv'), mkv);
});
afterAll(() => cleanup());

describe('an input that changes while its session is extracted', () => {
  it('fails the session (a failed session: exit 4) naming the file and both sizes, rolled back (no folder left)', async () => {
    const m = join(dir, 'grow.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio\ng01,a,grow.flac\n');
    const out = join(dir, 'out-grow');
    const size = readFileSync(join(dir, 'grow.flac')).length;
    const r = await extract(m, { out, only: ['sync'], jobs: 1, progress: 'none', resume: false, stagesModule: stagesModule('grow.mjs', join(dir, 'grow.flac')) });
    expect(r).toMatchObject({ done: 0, failed: 1 });
    expect(existsSync(join(out, 'g01'))).toBe(false);
    const line = JSON.parse(readFileSync(join(out, '_errors.jsonl'), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ session_id: 'g01', stage: 'inputs' });
    expect(line.reason).toBe(`lav_audio: grow.flac: changed while it was being extracted (size ${size} -> ${size + 4096} bytes): a recording or upload still being written; extract it once it is complete (--resume redoes it)`);
  });

  it('a session whose inputs stay as they were is done; one with no duration gets a warning', async () => {
    const m = join(dir, 'still.csv');
    writeFileSync(m, 'session_id,speaker_id,lav_audio\ns01,a,still.flac\nk01,b,live.mkv\n');
    const out = join(dir, 'out-still');
    const r = await extract(m, { out, only: ['sync'], jobs: 1, progress: 'none', resume: false, stagesModule: stagesModule('still.mjs', null) });
    expect(r).toMatchObject({ done: 2, failed: 0 });
    const meta = JSON.parse(readFileSync(join(out, 'k01', 'meta.json'), 'utf8')) as { media_s: number; inputs: { duration_s: number | null }[] };
    expect(meta).toMatchObject({ media_s: 0, inputs: [{ duration_s: null }] });
    const warned = r.warnings.filter((w) => /live\.mkv records no duration that ffprobe reads .*meta\.json media_s is 0/.test(w.warning));
    expect(warned.map((w) => w.session_id)).toEqual(['k01']);
  });

  it('says how a file changed: replaced, grown, grown while hashed, rewritten in place', () => {
    const s = { dev: 1, ino: 7, size: 100, mtimeMs: 0 };
    expect(changeOf(s, { ...s }, 100)).toBeNull();
    expect(changeOf(s, { ...s, ino: 8, size: 90 }, 100)).toBe('(replaced by another file: size 100 -> 90 bytes)');
    expect(changeOf(s, { ...s, size: 150, mtimeMs: 5 }, 100)).toBe('(size 100 -> 150 bytes)');
    expect(changeOf(s, { ...s }, 60)).toBe('(size 60 -> 100 bytes)');
    expect(changeOf(s, { ...s, mtimeMs: 1000 }, 100)).toMatch(/^\(rewritten in place: same size 100 bytes, modified 1970-01-01T00:00:00\.000Z -> 1970-01-01T00:00:01\.000Z\)$/);
    expect(changeOf(s, null, 100)).toBe('(it is gone or no longer readable)');
  });
});
