/**
 * The extract summary counts the manifest's warnings (a copied row, a file shared by speakers, speaker id variants)
 * with the sessions' warnings, and lists them first in ExtractSummary.warnings (session_id null, the manifest line).
 * Three 1 s tones made at test time, audio stage only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestWarnings } from '../src/batch/extract.js';
import { readManifest } from '../src/batch/manifest.js';
import { ffmpegSync } from './helpers/ffmpeg.js';
import { runCli, tempDir } from './helpers/cli.js';

const { dir, cleanup } = tempDir('mmprep-extract-mwarn-');
afterAll(() => cleanup());
let m = '';
beforeAll(() => {
  for (const [f, hz] of [['a.wav', 300], ['b.wav', 500]] as const) ffmpegSync(['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=1:sample_rate=16000`, join(dir, f)]);
  m = join(dir, 'm.csv');
  // s02 copies s01's row under another speaker; s03's speaker id is spk_a spelt another way.
  writeFileSync(m, 'session_id,speaker_id,lav_audio\ns01,spk_a,a.wav\ns02,spk_b,a.wav\ns03,SPK-A,b.wav\n');
});

describe('extract summary: manifest warnings', () => {
  it('are listed first in the summary with their manifest line', async () => {
    const w = manifestWarnings((await readManifest(m)).notes);
    expect(w).toEqual([
      { session_id: null, line: 3, warning: expect.stringMatching(/m\.csv:3: session 's02' has the same media files as session 's01' \(line 2\)/) },
      { session_id: null, line: 0, warning: expect.stringMatching(/speaker ids that differ only in case.*'spk_a'.*'SPK-A'/) },
    ]);
  });

  it("are counted in the stdout summary's warnings and printed on stderr", async () => {
    const r = await runCli(['extract', m, '-o', join(dir, 'out'), '--only', 'audio', '--progress', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ done: 3, warnings: 2 });
    expect(r.stderr.match(/^mmprep extract: warning: /gm)).toHaveLength(2);
  }, 120_000);
});
