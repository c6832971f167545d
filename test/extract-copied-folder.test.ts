/**
 * `extract --resume` over a folder holding another session's output (copied or renamed by hand): a new user's trial was
 * told "redone although --resume: its meta.json records media files of another size or sha256 than this row names now:
 * video media/p01_camera.mp4 (125131 bytes then, 129920 now)", the meta.json being p07's. The redo is right; the reason
 * now says whose meta.json it is. Half a second of tone as the one medium (no ffmpeg to make it), --only sync.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-copied-folder-');
afterAll(() => tmp.cleanup());

function writeToneWav(path: string, hz: number): void {
  const n = 8000;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * hz * i) / 16000)), 44 + 2 * i);
  writeFileSync(path, b);
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
