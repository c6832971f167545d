import type { Command } from 'commander';
import { EXIT } from '../common/errors.js';
import { runDemo } from '../dataset/demo.js';
import { action, jobsOption, numberOption, outputOf, outputOption } from './run.js';

export function register(program: Command): void {
  const cmd = program
    .command('demo')
    .description('run the whole pipeline (extract: sync, audio, face; agreement; dataset build; validate) on the bundled sample sessions');
  outputOption(cmd, 'output folder', 'mmprep-demo');
  jobsOption(cmd, 'sessions extracted at the same time', 1);
  cmd
    .option('--face-fps <n>', 'analyse the video at this frame rate (default: every frame, as mmprep extract does)', numberOption('--face-fps', { min: 0.1 }))
    .action(
      action(async (o: { output?: string; out?: string; jobs: number; faceFps?: number }) => {
        const r = await runDemo({ out: outputOf(o, true), jobs: o.jobs, faceFps: o.faceFps, log: (l) => process.stdout.write(l + '\n') });
        // A stage that is missing from this build or failed makes the demo exit 4 (a batch with failures).
        return r.ok ? EXIT.OK : EXIT.BATCH_FAILED;
      }),
    );
}
