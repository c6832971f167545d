/**
 * A media file that becomes unreadable after a run checked it (permissions changed, a network mount dropped): a new
 * user's batch on a cluster got "not a media file ffmpeg can read (Permission denied): check that it is a complete
 * audio or video file (a copy cut short fails so) and replace it" (the file was complete) or, between stages,
 * "internal error: EACCES: permission denied" (README: internal error means a bug). Now: "cannot read …: permission
 * denied; give the user mmprep runs as read access …". The tests run as root, whom chmod 000 does not stop, so
 * ffprobe's refusal is played by a stand-in printing ffprobe's own words, and the OS errors are made by hand.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unreadableInput } from '../src/common/errors.js';
import { ffmpegBinaries } from '../src/media/ffmpeg-path.js';
import { runCli, tempDir } from './helpers/cli.js';

const tmp = tempDir('mmprep-input-unreadable-');
afterAll(() => tmp.cleanup());

/** An ffprobe that answers as ffprobe does for a file it may not open (`-version` by the real one, for the toolchain check). */
function deniedFfprobe(): string {
  const path = join(tmp.dir, 'denied-ffprobe');
  const real = ffmpegBinaries().ffprobe.path;
  writeFileSync(path, `#!/bin/sh\n[ "$1" = -version ] && exec '${real}' "$@"\nfor a; do last="$a"; done\necho "$last: Permission denied" >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('an input that cannot be read', () => {
  it('ffprobe denied: the reason and what to do, not "replace it" (mmprep audio, and a batch session)', async () => {
    writeFileSync(join(tmp.dir, 'a.wav'), Buffer.alloc(2000, 1));
    const env = { MMPREP_FFPROBE: deniedFfprobe() };
    const r = await runCli(['audio', 'a.wav', '-o', 'a.jsonl'], { cwd: tmp.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mmprep: a\.wav: cannot read: permission denied; give the user mmprep runs as read access/)]);
    writeFileSync(join(tmp.dir, 'm.csv'), 'session_id,speaker_id,lav_audio\ns1,spk,a.wav\n');
    const x = await runCli(['extract', 'm.csv', '-o', 'out', '--only', 'sync', '--progress', 'none'], { cwd: tmp.dir, env });
    expect(x.code).toBe(4);
    expect(x.stderr).toMatch(/cannot read: permission denied; give the user mmprep runs as read access/);
    expect(x.stderr).not.toMatch(/replace it|internal error/);
  }, 60_000);

  it('an OS error of a read names the path and what to do; a write, or an error without a path, is not taken for one', () => {
    const osError = (code: string, syscall: string, path?: string) => Object.assign(new Error(`${code}: x`), { code, syscall, path });
    expect(unreadableInput(osError('EACCES', 'open', '/data/p13_lav.wav'))?.toLine()).toBe('cannot read /data/p13_lav.wav: permission denied; give the user mmprep runs as read access (ls -l, chmod, chown) or check the mount');
    expect(unreadableInput(osError('EIO', 'read', '/nfs/a.wav'))?.message).toMatch(/^cannot read \/nfs\/a\.wav: input\/output error; a failing disk or a network mount/);
    expect(unreadableInput(osError('ENOENT', 'open', '/data/gone.wav'))?.exitCode).toBe(2);
    expect(unreadableInput(osError('EACCES', 'write', '/out/x.jsonl'))).toBeNull();
    expect(unreadableInput(osError('EACCES', 'open'))).toBeNull();
    expect(unreadableInput(new Error('something else'))).toBeNull();
  });
});
