import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers/cli.js';
import { VERSION } from '../src/common/version.js';

describe('library entry point', () => {
  it("`import ... from 'mmprep'` gives the functions the CLI calls (package exports, built dist/)", () => {
    const names = ['probe', 'AudioDecoder', 'VideoDecoder', 'extractAudio', 'extractFace', 'syncSession', 'writeSyncMap', 'loadClock', 'readRatings', 'analyzeAgreement', 'goldLabels', 'readManifest', 'buildDataset', 'validateDataset', 'readTranscript', 'EXIT'];
    const script = `import('mmprep').then((m) => console.log(JSON.stringify(${JSON.stringify(names)}.filter((n) => m[n] === undefined))))`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([]);
  });
});

describe('command line entry point', () => {
  it('help lists every command; --version and a command load without the others', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['probe', 'audio', 'extract', 'agreement', 'dataset', 'demo', 'face', 'sync', 'doctor']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(VERSION);
    const typo = await runCli(['aduio']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'aduio'[\s\S]*Did you mean audio/);
    const sub = await runCli(['help', 'sync']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: mmprep sync /m);
  });

  it('a wrong flag, flag value or argument count is one line "mmprep: … ; run with --help for usage", exit 2', async () => {
    // commander printed "error: …", its "(Did you mean …?)" and the hint on two or three lines
    const cases: Array<[string[], string]> = [
      [['agreement', 'r.csv', '--min-ic', '0.5'], "mmprep: unknown option '--min-ic' (Did you mean --min-icc?); run with --help for usage\n"],
      [['audio', 'x.wav', '--format', 'xml'], "mmprep: option '--format <fmt>' argument 'xml' is invalid. --format must be one of jsonl, csv, got 'xml'; run with --help for usage\n"],
      [['extract', 'm.csv', '-o', 'out', 'extra'], "mmprep: too many arguments for 'extract'. Expected 1 argument but got 2; run with --help for usage\n"],
      [['aduio'], "mmprep: unknown command 'aduio' (Did you mean audio?); run with --help for usage\n"],
      // ttrial56: extract and face name the frame rate apart, beyond commander's "Did you mean"
      [['face', 'x.mp4', '--face-fps', '1'], "mmprep: unknown option '--face-fps' (--face-fps is mmprep extract's; mmprep face's is --fps); run with --help for usage\n"],
      [['extract', 'm.csv', '-o', 'out', '--fps', '1'], "mmprep: unknown option '--fps' (--fps is mmprep face's; mmprep extract's is --face-fps); run with --help for usage\n"],
    ];
    for (const [args, line] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(line);
    }
  });
});
