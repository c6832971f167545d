import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('library entry point', () => {
  it("`import ... from 'mmprep'` gives the functions the CLI calls (package exports, built dist/)", () => {
    const names = ['probe', 'AudioDecoder', 'VideoDecoder', 'extractAudio', 'extractFace', 'syncSession', 'writeSyncMap', 'loadClock', 'readRatings', 'analyzeAgreement', 'goldLabels', 'readManifest', 'buildDataset', 'validateDataset', 'readTranscript', 'EXIT'];
    const script = `import('mmprep').then((m) => console.log(JSON.stringify(${JSON.stringify(names)}.filter((n) => m[n] === undefined))))`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});
