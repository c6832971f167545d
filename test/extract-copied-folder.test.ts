/**
 * `extract --resume` over a folder holding another session's output (copied or renamed by hand): a new user's trial was
 * told "redone although --resume: its meta.json records media files of another size or sha256 than this row names now:
 * video media/p01_camera.mp4 (125131 bytes then, 129920 now)", the meta.json being p07's. The redo is right; the reason
 * now says whose meta.json it is. Half a second of tone as the one medium (no ffmpeg to make it), --only sync.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types
import { writeWav } from '../scripts/wav.mjs';
import { runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-copied-folder-');
afterAll(() => tmp.cleanup());

/** Half a second of a tone at `hz` as a 16 kHz 16-bit mono WAV (no ffmpeg needed to make it). */
function writeToneWav(path: string, hz: number): void {
  writeWav(path, Float32Array.from({ length: 8000 }, (_, i) => 0.09 * Math.sin((2 * Math.PI * hz * i) / 16000)), 16000, 16);
}

describe('extract --resume over another session\'s folder', () => {
  it("redoes it, saying its meta.json is of that other session", async () => {
    writeToneWav(join(tmp.dir, 'p07.wav'), 300);
    writeToneWav(join(tmp.dir, 'p01.wav'), 500);
    const run = (id: string) => {
      writeFileSync(join(tmp.dir, `${id}.csv`), `session_id,speaker_id,lav_audio\n${id},spk_${id},${id}.wav\n`);
      return runCli(['extract', `${id}.csv`, '-o', 'out', '--only', 'sync', '--resume', '--progress', 'lines'], { cwd: tmp.dir });
    };
    expect((await run('p07')).code).toBe(0);
    cpSync(join(tmp.dir, 'out', 'p07'), join(tmp.dir, 'out', 'p01'), { recursive: true });
    const r = await run('p01');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("session p01 (line 2): redone although --resume: its meta.json records session 'p07', not this one (a folder copied or renamed from another session's output?)");
  }, 60_000);
});
