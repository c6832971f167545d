/**
 * The mmprep command line: commander program with one module per command (src/cli/<command>.ts), each thin:
 * parse options, call the library, format output.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { reportError, setVerbose } from './run.js';
import { register as probe } from './probe.js';
import { register as audio } from './audio.js';
import { register as extract } from './extract.js';
import { register as agreement } from './agreement.js';
import { register as dataset } from './dataset.js';
import { register as demo } from './demo.js';
import { register as face } from './face.js';
import { register as doctor } from './doctor.js';
import { register as sync } from './sync.js';

const COMMANDS: Array<(p: Command) => void> = [probe, audio, extract, agreement, dataset, demo, face, sync, doctor];

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mmprep')
    .description('Turn recorded emotion-study sessions into training-ready multimodal datasets, offline.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces on errors', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  program.hook('preAction', (_this, actionCommand) => {
    const o = { ...program.opts(), ...actionCommand.opts() } as { verbose?: boolean };
    setVerbose(Boolean(o.verbose));
  });
  for (const reg of COMMANDS) reg(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code (see README "Exit codes"). */
export async function main(argv: string[]): Promise<number> {
  setVerbose(argv.includes('--verbose'));
  // `mmprep … | head`: the reader went away; stop quietly as Unix tools do instead of failing on EPIPE.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.OK);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.BAD_INPUT; // commander already printed the message
    }
    return reportError(e);
  }
}
