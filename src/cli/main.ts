/**
 * The mmprep command line: commander program with one module per command (src/cli/<command>.ts), each thin:
 * parse options, call the library, format output.
 */
import { watchStdout } from '../common/stdout.js';
import { Command, CommanderError } from 'commander';
import { forgetCreatedOutputs } from '../common/atomic.js';
import { EXIT } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { reportError, setVerbose, usageErrorLine } from './run.js';

type Register = (p: Command) => void;

/**
 * The commands in help order. Each module is imported only when needed: a command run loads its own module (and so
 * its library) alone, which keeps `mmprep probe x` from loading Human, tfjs and the agreement code (about 0.1 s);
 * help and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  probe: () => import('./probe.js'),
  audio: () => import('./audio.js'),
  extract: () => import('./extract.js'),
  agreement: () => import('./agreement.js'),
  dataset: () => import('./dataset.js'),
  demo: () => import('./demo.js'),
  face: () => import('./face.js'),
  sync: () => import('./sync.js'),
  doctor: () => import('./doctor.js'),
};

/** The command named on the command line (the first argument that is not an option), when it is one of ours. */
function commandIn(argv: string[]): string | null {
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? first : null;
}

/** Set by main: the command line asks for JSON on stdout (`--json`, or `extract`, whose stdout is always JSON). */
let jsonOnStdout = false;

/** Set by main: the keys (null or empty) of the command's own failure object (printJsonFailure's fields there). */
let jsonFailureKeys: Record<string, unknown> = {};

/**
 * The keys each command's --json failure object carries besides ok/error/exit_code (src/cli/dataset.ts, extract.ts,
 * agreement.ts printJsonFailure), empty: a usage error printed only ok, error and exit_code, so a CI job reading
 * `checks` or `dir` of `dataset validate --json` met a missing key (trial B, session 42).
 */
function failureKeysOf(named: string | null, argv: string[]): Record<string, unknown> {
  const sub = argv.slice(2).filter((a) => !a.startsWith('-'))[1];
  if (named === 'dataset' && sub === 'validate') return { dir: null, records: null, files: null, bytes: null, checks: [] };
  if (named === 'dataset' && sub === 'build') return { manifest: null, out: null };
  if (named === 'extract') return { manifest: null, out: null };
  if (named === 'agreement') return { file: null, dimensions: [] };
  return {};
}

/** A usage error's line on stderr and, when JSON is wanted, the failure object on stdout (CI parses stdout). */
function writeUsageError(line: string, write: (s: string) => void): void {
  write(line);
  if (jsonOnStdout) process.stdout.write(JSON.stringify({ ok: false, ...jsonFailureKeys, error: line.trim().replace(/^mmprep: /, ''), exit_code: EXIT.BAD_INPUT }) + '\n');
}

export async function buildProgram(only: string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = new Command();
  program
    .name('mmprep')
    .description('Turn recorded emotion-study sessions into training-ready multimodal datasets, offline.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--verbose', 'print stack traces on errors', false)
    .configureOutput({ outputError: (text, write) => writeUsageError(usageErrorLine(text), write) }) // one line (BRIEF: bad input)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  program.hook('preAction', (_this, actionCommand) => {
    const o = { ...program.opts(), ...actionCommand.opts() } as { verbose?: boolean };
    setVerbose(Boolean(o.verbose));
  });
  for (const m of await Promise.all(only.map((name) => COMMANDS[name]()))) m.register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code (see README "Exit codes"). */
export async function main(argv: string[]): Promise<number> {
  setVerbose(argv.includes('--verbose'));
  // `mmprep … | head`: the reader went away; stop writing to stdout, finish the other outputs, keep the exit code.
  watchStdout();
  forgetCreatedOutputs();
  const named = commandIn(argv);
  // agreement -o FILE takes its --json output to that file, so stdout stays empty there
  const toFile = named === 'agreement' && argv.some((a) => /^(-o|--output|--out)(=|$)/.test(a));
  jsonOnStdout = (argv.includes('--json') && !toFile) || named === 'extract';
  jsonFailureKeys = failureKeysOf(named, argv);
  const versionOnly = !named && argv.slice(2).some((a) => a === '-V' || a === '--version');
  // `mmprep audio`'s pitch worker starts before the command's code loads (pitch-worker-start.ts startEarly; bin/mmprep.js
  // starts it before loading this module); ended here unless the command took it.
  const early = named === 'audio' && !argv.some((a) => a === '-h' || a === '--help') ? (await import('../audio/pitch-worker-start.js')).PrestartedPitchWorker : null;
  early?.startEarly();
  // `mmprep face`'s workers likewise (face/early-workers.ts; bin/mmprep.js starts them first); ended here unless the
  // run took them.
  const earlyFace = named === 'face' ? await import('../face/early-workers.js') : null;
  earlyFace?.startEarlyFaceWorkers(argv);
  try {
    return await runProgram(argv, named, versionOnly);
  } finally {
    early?.disposeEarly();
    await earlyFace?.disposeEarlyFaceWorkers();
  }
}

/** Builds the program for the named command and runs it; returns the exit code. */
async function runProgram(argv: string[], named: string | null, versionOnly: boolean): Promise<number> {
  const program = await buildProgram(named ? [named] : versionOnly ? [] : undefined);
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.OK);
  } catch (e) {
    if (e instanceof CommanderError) {
      // 'commander.help' with a non-zero code: no command (or no subcommand) given; the help went to stderr.
      if (e.code === 'commander.help' && e.exitCode !== 0) return EXIT.BAD_INPUT;
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.OK;
      return EXIT.BAD_INPUT; // commander already printed the message
    }
    return reportError(e);
  }
}
