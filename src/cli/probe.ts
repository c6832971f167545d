import type { Command } from 'commander';
import { probe } from '../media/probe.js';
import { action } from './run.js';

export function register(program: Command): void {
  program
    .command('probe')
    .description('print container and stream facts of media files as JSON (one object per file, JSONL)')
    .argument('<files...>', 'media files')
    .option('--pretty', 'indent the JSON', false)
    .action(
      action(async (files: string[], opts: { pretty: boolean }) => {
        // Every file is checked before anything is printed: a bad file fails the command with one line.
        const results = [];
        for (const f of files) results.push(await probe(f));
        for (const r of results) process.stdout.write(JSON.stringify(r, null, opts.pretty ? 2 : undefined) + '\n');
      }),
    );
}
