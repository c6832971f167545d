/**
 * The lock of one session folder, so two `mmprep extract` runs into one -o (a second run started by mistake, shards of
 * different N, a retried pod while the first one still runs) never write one session at once. Without it both said
 * `done`, the last meta.json could list the other run's files under its own options, and a run whose session failed
 * removed the other's finished files. The run's main thread holds OUT/<id>/.extract.lock while the session runs and
 * touches it every HEARTBEAT_MS; another run waits for it. O_EXCL creation as lockfile(1) and npm's proper-lockfile
 * do; a lock is stale (taken over) when its process is gone (same host name) or it was not touched for STALE_MS (any
 * host: a killed pod on another node).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = '.extract.lock';
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

/** What a lock file holds: who holds it. */
export interface LockHolder {
  pid: number;
  host: string;
  started_at: string;
  token: string;
}

export interface SessionLock {
  dir: string;
  path: string;
  token: string;
}

/** A stale lock this run removed to take the session: whose it was, how long since it was refreshed, and why it was stale. */
export interface TakenOver {
  holder: LockHolder | null;
  age_s: number;
  why: 'not refreshed' | 'process gone';
}

/**
 * The lock (with the stale lock it replaced, if any), or who holds it (null: unreadable, being written); null when the
 * folder cannot be made (the session says why).
 */
export type LockAttempt = { lock: SessionLock; tookOver?: TakenOver } | { busy: LockHolder | null };

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    return typeof h?.pid === 'number' && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** Signal 0 sends nothing: it only asks whether the process exists (EPERM: it does, under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock is stale (null: it is live), with the seconds since it was last refreshed (0 when it is gone meanwhile). */
function staleness(path: string, holder: LockHolder | null): Omit<TakenOver, 'holder'> | null {
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return { age_s: 0, why: 'not refreshed' }; // gone meanwhile
  }
  const ageMs = Date.now() - mtime;
  const age_s = Math.max(0, Math.round(ageMs / 1000));
  if (ageMs > STALE_MS) return { age_s, why: 'not refreshed' };
  const gone = holder !== null && holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
  return gone ? { age_s, why: 'process gone' } : null;
}

function isStale(path: string, holder: LockHolder | null): boolean {
  return staleness(path, holder) !== null;
}

/** Who holds the lock of session folder `dir` now (a live, fresh lock), else null: for dataset build's reason. */
export function liveHolder(dir: string): LockHolder | null {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path)) return null;
  const holder = readHolder(path);
  return holder && !isStale(path, holder) ? holder : null;
}

function createLock(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } catch (e) {
    // A full disk: an empty lock left behind kept the failed session's folder (rmdir) and read as held by no one.
    closeSync(fd);
    rmSync(path, { force: true });
    throw e;
  }
  closeSync(fd);
  return true;
}

/** Takes the lock of the session folder `dir` (made when missing), or says who holds it; null when it cannot be made. */
export function tryLockSession(dir: string): LockAttempt | null {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started_at: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  let tookOver: TakenOver | undefined;
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (createLock(path, me)) return { lock: { dir, path, token: me.token }, ...(tookOver ? { tookOver } : {}) };
      const holder = readHolder(path);
      const stale = staleness(path, holder);
      if (!stale) return { busy: holder };
      if (existsSync(path)) tookOver = { holder, ...stale };
      rmSync(path, { force: true });
    }
  } catch {
    return null; // a file in the way, an unwritable folder: the session itself reports it
  }
  return { busy: readHolder(path) };
}

/** Still ours (not taken over as stale by another run)? */
function stillHeld(lock: SessionLock): boolean {
  return readHolder(lock.path)?.token === lock.token;
}

/** The heartbeat: a lock still held gets a new mtime, so other runs do not take it as stale. */
export function touchLock(lock: SessionLock): void {
  if (!stillHeld(lock)) return;
  const now = new Date();
  try {
    utimesSync(lock.path, now, now);
  } catch {
    // removed meanwhile: nothing to keep fresh
  }
}

/** Removes the lock (when still ours) and the session folder when nothing else is in it (a failed or rolled-back session). */
export function releaseLock(lock: SessionLock): void {
  if (stillHeld(lock)) rmSync(lock.path, { force: true });
  try {
    rmdirSync(lock.dir);
  } catch {
    // not empty: the session's files
  }
}

/**
 * The line saying this run took over a stale lock (ttrial51 F6: a 60 s takeover from another host was not said, and
 * the periodic lines showed nothing of the wait before it).
 */
export function takeoverText(t: TakenOver, path: string): string {
  const who = t.holder ? `pid ${t.holder.pid} on host ${t.holder.host}, since ${t.holder.started_at}` : 'an unreadable lock';
  const why = t.why === 'process gone' ? `its process is gone (last refreshed ${t.age_s} s ago)` : `not refreshed for ${t.age_s} s (over ${STALE_MS / 1000} s: that run is taken as ended)`;
  return `took over the lock of another mmprep extract run (${who}; ${path}): ${why}`;
}

/** Seconds since the lock file was last refreshed ('?' when it is gone meanwhile). */
function lockAgeS(path: string): string {
  try {
    return String(Math.max(0, Math.round((Date.now() - statSync(path).mtimeMs) / 1000)));
  } catch {
    return '?';
  }
}

/** The line saying who holds a session's lock. */
export function holderText(holder: LockHolder | null, path: string): string {
  const who = holder ? `pid ${holder.pid} on host ${holder.host}, since ${holder.started_at}, refreshed ${lockAgeS(path)} s ago` : 'a run that is starting';
  return `is being extracted by another mmprep extract run into this folder (${who}; ${path}); waiting for it to finish (a lock not refreshed for ${STALE_MS / 1000} s, or whose process is gone, is taken over)`;
}
