import type { Command } from 'commander';
import { InputError, isMmprepError, type MmprepError } from '../common/errors.js';
import { probe, type ProbeResult } from '../media/probe.js';
import { action } from './run.js';

export function register(program: Command): void {
  program
    .command('probe')
    .description('print container and stream facts of media files as JSON (one object per file, JSONL)')
    .argument('<files...>', 'media files')
    .option('--pretty', 'indent the JSON', false)
    .action(
      action(async (files: string[], opts: { pretty: boolean }) => {
        const results = await probeEvery(files);
        for (const r of results) process.stdout.write(JSON.stringify(r, null, opts.pretty ? 2 : undefined) + '\n');
      }),
    );
}

/**
 * Every file is probed before anything is printed: bad files fail the command (exit 2), each named on its own line
 * (`mmprep probe *.mp4` with three bad files names all three, not only the first), nothing on stdout.
 */
async function probeEvery(files: string[]): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const bad: MmprepError[] = [];
  for (const f of files) {
    try {
      results.push(await probe(f));
    } catch (e) {
      if (!isMmprepError(e)) throw e;
      bad.push(e);
    }
  }
  if (bad.length === 1) throw bad[0];
  if (bad.length > 1) {
    for (const e of bad) process.stderr.write(`mmprep: ${e.toLine()}\n`);
    throw new InputError(`${bad.length} of ${files.length} files could not be probed (each named above); nothing was printed`);
  }
  return results;
}
