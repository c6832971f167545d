import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ROLLBACK_EXIT_MS } from '../batch/interrupt.js';
import { removeInterruptedOutputsSync } from '../common/atomic.js';
import { EXIT } from '../common/errors.js';
import { discardRunningBuilds } from '../dataset/build.js';
import { DemoControl, removeDemoOutputsSync, runDemo } from '../dataset/demo.js';
import { action, exitInterrupted, jobsOption, numberOption, outputOf, outputOption } from './run.js';

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
        const out = resolve(outputOf(o, true));
        const control = new DemoControl();
        const signals = interruptHandlers(control, out, !existsSync(out));
        try {
          const r = await runDemo({ out, jobs: o.jobs, faceFps: o.faceFps, control, log: (l) => process.stdout.write(l + '\n') });
          if (r.interrupted) signals.finish();
          // A stage that is missing from this build or failed makes the demo exit 4 (a batch with failures).
          return r.ok ? EXIT.OK : EXIT.BATCH_FAILED;
        } finally {
          signals.remove();
        }
      }),
    );
}

/**
 * Ctrl-C / SIGTERM during the demo: the running extract sessions are rolled back (their worker threads write files
 * the main thread does not track), then every demo output in `out` is removed, one line, exit 130 (README). Between
 * stages, on a second signal, or when the rollback takes longer than ROLLBACK_EXIT_MS, that happens at once.
 */
function interruptHandlers(control: DemoControl, out: string, madeOut: boolean): { finish: () => never; remove: () => void } {
  let signal: NodeJS.Signals = 'SIGINT';
  const finish = (): never => {
    removeInterruptedOutputsSync();
    discardRunningBuilds();
    removeDemoOutputsSync(out, madeOut);
    process.stderr.write(`mmprep demo: interrupted (${signal}): the demo's files in ${out} were removed; run it again\n`);
    exitInterrupted(130);
  };
  const onSignal = (s: NodeJS.Signals) => {
    signal = s;
    if (control.stopped || !control.extracting) return finish();
    control.stopped = true;
    control.extracting.stop('rollback');
    setTimeout(finish, ROLLBACK_EXIT_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    finish,
    remove: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
