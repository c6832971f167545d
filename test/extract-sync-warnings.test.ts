/**
 * `mmprep extract` and the sync warnings: a session of one stream (method `single_stream`: its own reference clock,
 * nothing aligned) is an audio-only row with nothing to align, recorded in sync.json but not a session warning on
 * every run (ttrial51 F2; `mmprep sync` of one file still says it); a pulse
 * forced by --pick (`forced_pick`, with how many candidates its window held): a new user's trial (ttrial45b finding 2)
 * ran `extract --pick first` over a lav with two equal beeps, exit 0, `"warnings":0` and nothing on stderr.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCli, tempDir } from './helpers/cli.js';
import { ffmpegSync } from './helpers/ffmpeg.js';

const tmp = tempDir('mmprep-extract-sync-warn-');
afterAll(() => tmp.cleanup());

describe('extract and the sync warnings of a session', () => {
  it('an audio-only session: the single_stream warning in sync.json, not a session warning (nothing to align: ttrial51 F2)', async () => {
    copyFileSync(join(FIXTURES, 'demo', 's01_lav.flac'), join(tmp.dir, 'lav.flac'));
    const manifest = join(tmp.dir, 'manifest.csv');
    writeFileSync(manifest, 'session_id,speaker_id,lav_audio\ns1,p1,lav.flac\n');
    const out = join(tmp.dir, 'out');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'sync', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/single_stream/);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 1, failed: 0, warnings: 0 });
    const map = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8'));
    expect(map.streams[0]).toMatchObject({ method: 'single_stream', warnings: expect.arrayContaining([expect.objectContaining({ code: 'single_stream' })]) });
  }, 120_000);

  it('--pick first over a lav with two equal beeps: a forced_pick line naming the stream and its candidates, counted', async () => {
    const lav = join(FIXTURES, 'demo', 's01_lav.flac');
    // The demo lav's beep (1.502 s, 200 ms) copied 2 s later over its speech: two beeps of equal strength in its start window.
    ffmpegSync(['-i', lav, '-i', lav, '-filter_complex', '[1]atrim=1.4:1.8,asetpts=PTS-STARTPTS,adelay=3400|3400[b];[0][b]amix=inputs=2:duration=first,volume=2', '-c:a', 'flac', join(tmp.dir, 'two.flac')]);
    copyFileSync(lav, join(tmp.dir, 'room.flac'));
    const manifest = join(tmp.dir, 'pick.csv');
    writeFileSync(manifest, 'session_id,speaker_id,lav_audio,room_audio\ns1,p1,two.flac,room.flac\n');
    const out = join(tmp.dir, 'pick');
    const r = await runCli(['extract', manifest, '-o', out, '--only', 'sync', '--pick', 'first', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/mmprep extract: session s1 \(line 2\): warning: sync: two\.flac audio stream 0: forced_pick: --pick first chose the start beep at 1\.50\d s \(other beeps of similar strength\); check it: 2 candidates in its start window, at 1\.50\d s \(chosen\) and 3\.50\d s/);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ done: 1, failed: 0 });
    expect(summary.warnings).toBeGreaterThanOrEqual(1);
    const map = JSON.parse(readFileSync(join(out, 's1', 'sync.json'), 'utf8'));
    expect(map.streams.find((e: { file: string }) => e.file.endsWith('two.flac')).forced_pick).toBe('first');
  }, 120_000);
});
