/**
 * `mmprep audio FILE -o OUT --summary SUM ...` without a process of its own: extractAudio in this process (the function
 * the command runs, src/cli/audio.ts runAudio) and the warning lines the command would print for its summary
 * (audioSourceWarnings, as runAudio prints them). For tests of what the analysis finds and says; the command's own
 * contracts (its exit codes, stdout, its option parsing, the lines about a stream that ends early) keep a runCli test.
 * Only the flags listed in FLAGS are understood (anything else throws: use runCli).
 */
import { extractAudio, type ExtractAudioOptions } from '../../src/audio/extract.js';
import { audioSourceWarnings } from '../../src/audio/source-warnings.js';

const FLAGS: Record<string, [keyof ExtractAudioOptions, 'number' | 'string' | true]> = {
  '-o': ['out', 'string'],
  '--summary': ['summaryPath', 'string'],
  '--voice': ['voice', true],
  '--sr': ['sampleRate', 'number'],
  '--stream': ['stream', 'number'],
  '--channel': ['channel', 'number'],
  '--f0-floor': ['f0Floor', 'number'],
  '--f0-ceiling': ['f0Ceiling', 'number'],
  '--voice-ceiling': ['voiceCeiling', 'number'],
  '--keep-sync-beep': ['keepSyncBeep', true],
  '--tone-hz': ['toneHz', 'number'],
};

export interface AudioLibResult {
  /** What the command would write on stderr: one `mmprep audio: FILE: warning: ...` line per warning. */
  stderr: string;
}

/** args: the command line after `mmprep audio`, the file first (as the tests write it). */
export async function audioInProcess(args: string[]): Promise<AudioLibResult> {
  const [file, ...rest] = args;
  const o: Record<string, unknown> = { fmax: null }; // the command's default (src/cli/audio.ts audioParams)
  for (let i = 0; i < rest.length; i++) {
    const f = FLAGS[rest[i]];
    if (!f) throw new Error(`audioInProcess: ${rest[i]} is not handled here: use runCli`);
    o[f[0]] = f[1] === true ? true : f[1] === 'number' ? Number(rest[++i]) : rest[++i];
  }
  if (o.out === undefined) throw new Error('audioInProcess: give -o (the records would go to the test process\'s stdout)');
  const summary = await extractAudio(file, o as ExtractAudioOptions);
  return { stderr: audioSourceWarnings(summary, file).map((w) => `mmprep audio: ${file}: warning: ${w}\n`).join('') };
}
