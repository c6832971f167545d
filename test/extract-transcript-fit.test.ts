/**
 * extract checks each session's transcript against the features it just wrote, as dataset build will: a transcript in
 * milliseconds (or on another clock) is a warning naming the file at extract, hours before the build refuses the
 * session. The features are fine, so the session is done (meta.json written, exit 0). Two 1 s tones, audio stage only.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-tfit-');
afterAll(() => cleanup());
let m = '';
beforeAll(() => {
  for (const [f, hz] of [['a.wav', 300], ['b.wav', 500]] as const) ffmpegSync(['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=1:sample_rate=16000`, join(dir, f)]);
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ segments: [{ start: 0.1, end: 0.8, text: 'hi' }] }));
  writeFileSync(join(dir, 'ms.json'), JSON.stringify({ segments: [{ start: 100, end: 800, text: 'hi' }] }));
  m = join(dir, 'm.csv');
  writeFileSync(m, 'session_id,speaker_id,lav_audio,transcript\ns01,spk_a,a.wav,ok.json\ns02,spk_b,b.wav,ms.json\n');
});

describe('extract: transcript against the recording', () => {
  it('warns for a transcript in milliseconds, names the file, and still finishes the session', async () => {
    const out = join(dir, 'out');
    const r = await runCli(['extract', m, '-o', out, '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 2, failed: 0, warnings: 1 });
    const w = r.stderr.split('\n').filter((l) => /warning: transcript:/.test(l));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/session s02 \(line 3\): warning: transcript: .*ms\.json: segment 0 100-800 s is outside the recording \(0-1(\.\d+)? s\): its times look like milliseconds .*write them in seconds; dataset build will refuse this session/);
    expect(existsSync(join(out, 's02', 'meta.json'))).toBe(true);
  }, 120_000);
});
