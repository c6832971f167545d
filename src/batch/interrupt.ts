/**
 * A signal sent to mmprep's whole process group (Ctrl-C in a terminal, `kill -TERM -PGID`) or to every process of a
 * job (Slurm signals every task process of the step; a container runtime may too) also reaches the ffprobe and ffmpeg
 * children of the running sessions, sometimes first. Such a child dies, its session fails, and the failure may reach
 * the main thread before mmprep's own signal handler has run. A failure that says a child was killed by SIGTERM or
 * SIGINT is therefore held for a short while: if mmprep's own interrupt follows, the session is rolled back (it was
 * interrupted, not broken); if none comes (someone killed that child alone), it is recorded as the failure it is.
 */

/**
 * On rollback a running session's worker is asked to kill its ffmpeg/ffprobe children and wait for them
 * (src/media/children.ts) before it is terminated; this long at most (a terminated worker's children are never waited
 * for and stay zombies until mmprep exits).
 */
export const CHILDREN_GRACE_MS = 2500;

/** How long a failure that names a child's death by SIGTERM/SIGINT waits for mmprep's own interrupt. */
export const CHILD_SIGNAL_GRACE_MS = 3000;
/**
 * How long any other failure reported by an ffmpeg/ffprobe child waits: ffmpeg catches SIGTERM/SIGINT, stops and
 * exits 255, and its stderr may end on an error line that hides the signal (the npm 2018 build prints "Error marking
 * filters as finished"), so the reason cannot always tell. mmprep's own handler normally runs within milliseconds.
 */
export const CHILD_FAILURE_GRACE_MS = 1000;

/**
 * The interrupt signal a failure reason says killed a child, or null. Matches fluent-ffmpeg's "ffmpeg/ffprobe was
 * killed with signal SIGTERM" (probe's wording too), an older probe's "ffprobe crashed (SIGTERM)", and ffmpeg's own
 * "Exiting normally, received signal 15." (the exit it takes when it catches the signal).
 */
export function childSignalIn(reason: string | undefined): 'SIGTERM' | 'SIGINT' | null {
  if (!reason) return null;
  const named = /(?:killed with signal|crashed \()\s*(SIGTERM|SIGINT)\b/.exec(reason);
  if (named) return named[1] as 'SIGTERM' | 'SIGINT';
  const numbered = /received signal (15|2)\b/.exec(reason);
  if (numbered) return numbered[1] === '15' ? 'SIGTERM' : 'SIGINT';
  return null;
}

/** Does the reason come from an ffmpeg or ffprobe child (a decode or probe failure)? */
export function fromChildProcess(reason: string | undefined): boolean {
  return reason !== undefined && /cannot decode|ffmpeg|ffprobe/i.test(reason);
}

interface Stoppable {
  mode: 'run' | 'finish' | 'rollback';
  onStop(l: (m: 'finish' | 'rollback') => void): void;
}

/**
 * For a failure a child's death may explain, while the run is not (yet) interrupted: waits up to the grace period
 * (CHILD_SIGNAL_GRACE_MS when the reason names SIGTERM/SIGINT, CHILD_FAILURE_GRACE_MS for other ffmpeg/ffprobe
 * failures, none otherwise) for the run's own interrupt. Resolves true when the run is interrupted (the session is to
 * be rolled back, not recorded).
 */
export function interruptFollows(reason: string | undefined, control: Stoppable, grace = { signalled: CHILD_SIGNAL_GRACE_MS, child: CHILD_FAILURE_GRACE_MS }): Promise<boolean> {
  if (control.mode !== 'run') return Promise.resolve(true);
  const ms = childSignalIn(reason) ? grace.signalled : fromChildProcess(reason) ? grace.child : 0;
  if (ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(control.mode !== 'run'), ms);
    control.onStop(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * How long a rollback may take before mmprep exits anyway: the children's grace period plus time to terminate the
 * workers and remove their folders. A step that never returns (a system call stuck in a libuv thread, such as the
 * open of a FIFO no one writes) must not keep mmprep alive after SIGTERM, as it did before (SIGKILL was needed).
 */
export const ROLLBACK_EXIT_MS = CHILDREN_GRACE_MS + 5000;

/**
 * Arms the last resort of an interrupt: after `ms` (at once for ms = 0) mmprep prints one line and dies of the signal
 * itself (status 143 for SIGTERM, 130 for SIGINT), like SIGKILL leaving only temp files that the next run removes.
 * process.exit() is no use here: it waits for the stuck libuv thread. The timer does not keep a finished run alive.
 */
export function exitUnlessDone(ms: number, signal: 'SIGTERM' | 'SIGINT'): void {
  const die = () => {
    process.stderr.write(`mmprep extract: ${signal}: the rollback did not finish${ms > 0 ? ` within ${ms / 1000} s` : ''}; exiting now (run again with --resume)\n`);
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  };
  if (ms <= 0) return die();
  setTimeout(die, ms).unref();
}
