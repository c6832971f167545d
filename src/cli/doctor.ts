import type { Command } from 'commander';
import { doctor, formatDoctor } from '../face/doctor.js';
import { action } from './run.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('show which ffmpeg/ffprobe mmprep uses and which face backends load on this machine (always exits 0)')
    .option('--json', 'print the report as JSON', false)
    .option('--models <dir>', "folder with Human's models to check (default: the installed @vladmandic/human models)")
    .action(
      action(async (o: { json: boolean; models?: string }) => {
        const r = await doctor({ modelDir: o.models, onStep: (what) => process.stderr.write(`mmprep doctor: ${what}\n`) });
        process.stdout.write(o.json ? JSON.stringify(r) + '\n' : formatDoctor(r));
      }),
    );
}
