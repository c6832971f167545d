/**
 * The ffmpeg and ffprobe children of this thread, so a session rolled back on interrupt can end them and wait for
 * them before its worker thread is terminated. They run in their own process group (ffmpeg-path.ts), so the
 * terminal's SIGINT does not reach them; and a child whose worker thread is terminated is never waited for by
 * anyone in mmprep: it stays a zombie (`<defunct>`) until mmprep exits, then until whatever PID 1 is reaps it.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';

const live = new Set<ChildProcess>();
let stopped = false;

/** True once killChildren() ran: no new child may start in this thread (the session is being rolled back). */
export function childrenStopped(): boolean {
  return stopped;
}

/** Tracks a spawned child until it exits; one that starts after killChildren() (its spawn was under way) is killed. */
export function trackChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  recordOwnSignals(child);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) for (const f of idle.splice(0)) f();
  });
  if (stopped) child.kill('SIGKILL');
}

const idle: Array<() => void> = [];

/** How many times a child is started in all when it keeps dying of the group's SIGINT before it ran (see below). */
export const SPAWN_ATTEMPTS = 3;

/**
 * Start the child again? Children run in their own session (spawn's `detached`), so a Ctrl-C sent to mmprep's
 * process group does not reach them; but libuv forks first and the child calls setsid() only afterwards, with every
 * signal blocked: a SIGINT sent to the group in between stays pending and kills the child (default action) when
 * libuv unblocks signals just before exec. A loaded machine stretches that window from microseconds to milliseconds
 * (a child waits for a CPU after the fork). Such a child printed nothing and nobody in mmprep sends SIGINT to a
 * child, so one that died of SIGINT with no output is started again, unless this thread is rolling back.
 */
export function startAgainAfterGroupInterrupt(signal: NodeJS.Signals | null, outputBytes: number, attempt: number): boolean {
  return signal === 'SIGINT' && outputBytes === 0 && !stopped && attempt < SPAWN_ATTEMPTS;
}

/** The signals this process sent to each child while it still ran (its kill(), ours or fluent-ffmpeg's). */
const ownSignals = new WeakMap<ChildProcess, Set<string>>();

/**
 * Does the child still run (not even a zombie)? Node learns of an exit from SIGCHLD, possibly after the child's pipe
 * closed; on Linux /proc tells a dead child not yet waited for (state Z) from a running one.
 */
function running(child: ChildProcess): boolean {
  if (child.exitCode !== null || child.signalCode !== null) return false;
  if (process.platform !== 'linux' || child.pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'latin1');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false; // reaped meanwhile
  }
}

/** Wraps child.kill so a death by a signal this process sent (sentByUs) is told from one sent by someone else. */
function recordOwnSignals(child: ChildProcess): void {
  const kill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    const name = typeof signal === 'number' ? Object.keys(constants.signals).find((k) => constants.signals[k as NodeJS.Signals] === signal) : (signal ?? 'SIGTERM');
    if (name && running(child)) {
      const sent = ownSignals.get(child) ?? new Set<string>();
      ownSignals.set(child, sent.add(name));
    }
    return kill(signal);
  };
}

/** Did this process send `signal` to the child while it ran (so a death by it is ours, not someone else's)? */
export function sentByUs(child: ChildProcess, signal: NodeJS.Signals | null): boolean {
  return signal !== null && (ownSignals.get(child)?.has(signal) ?? false);
}

/**
 * Why a decoder's death by this signal makes its output untrustworthy, or null. A SIGTERM that this process sent
 * (`own`) is fluent-ffmpeg's kill 20 ms after the pipe closed, once the decode was complete: trusted. One from
 * someone else (a group SIGTERM reaching ffmpeg right after exec, before it catches the signal; Slurm signalling every
 * process) may have cut the decode short: untrusted, named so that interrupt.ts holds it for mmprep's own interrupt.
 * SIGINT comes from the group's Ctrl-C only before the child ran (it had written nothing: see above). Any other
 * signal (the kernel's out-of-memory SIGKILL, a crash), or a SIGINT after the decoder wrote (sent to it alone), may
 * have cut the decode short with no error line, which must not pass as a short recording. None while this thread
 * rolls back (it kills with SIGKILL).
 */
export function untrustedDeath(signal: NodeJS.Signals | null, outputBytes = 0, own = false): string | null {
  if (signal === null || (signal === 'SIGTERM' && own) || (signal === 'SIGINT' && outputBytes === 0) || stopped) return null;
  const why = signal === 'SIGKILL' ? 'killed by SIGKILL: out of memory, or killed by someone' : signal === 'SIGTERM' ? 'was killed with signal SIGTERM by another process' : `died of ${signal}`;
  return `ffmpeg ${why}; its output may be incomplete: run again`;
}

/**
 * Why a decode that ended this way failed, or null (a complete decode). fluent-ffmpeg reports "Output stream closed"
 * instead of the exit code when the exit is seen more than 20 ms after the pipe closed (a descheduled ffmpeg under
 * load), so the code is read here: an ffmpeg that caught SIGINT or SIGTERM (sent to it alone, or by Slurm or systemd
 * to every process) stops, closes its output early and exits 255, and that must not pass as a shorter recording.
 */
export function decodeFailure(exit: { code: number | null; signal: NodeJS.Signals | null; own?: boolean }, outputBytes: number, stderrLine: () => string): string | null {
  if (stopped) return null;
  if (exit.code !== null && exit.code !== 0) return stderrLine() || `ffmpeg exited with code ${exit.code}`;
  return untrustedDeath(exit.signal, outputBytes, exit.own);
}

/**
 * Kills every tracked child (SIGKILL) and resolves once none is left (each exited, i.e. was waited for) and none
 * started for 50 ms, or after timeoutMs; from then on no new child starts in this thread (childrenStopped).
 */
export async function killChildren(timeoutMs = 2000): Promise<void> {
  stopped = true;
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const c of live) c.kill('SIGKILL');
    if (live.size > 0) await new Promise<void>((res) => {
      idle.push(res);
      setTimeout(res, Math.max(0, until - Date.now()));
    });
    await new Promise((res) => setTimeout(res, 50));
    if (live.size === 0 || Date.now() >= until) return;
  }
}

/**
 * Waits until every tracked child has exited (been waited for): a decoder killed when its session stopped early may
 * not have been reaped yet when the session returns, and its idle worker may be terminated next. Children still
 * running after graceMs are killed (and waited for up to another graceMs).
 */
export async function settleChildren(graceMs = 1000): Promise<void> {
  const wait = (ms: number) =>
    live.size === 0
      ? Promise.resolve()
      : new Promise<void>((res) => {
          idle.push(res);
          setTimeout(res, ms);
        });
  await wait(graceMs);
  if (live.size === 0) return;
  for (const c of live) c.kill('SIGKILL');
  await wait(graceMs);
}
