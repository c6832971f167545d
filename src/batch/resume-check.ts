/**
 * `extract --resume` over a folder whose done sessions were made with other stage options than the command line's
 * (or than their row's `sync_options` cell): refused before any work unless `--redo-changed`. A resume of one shard
 * without the `--face-fps 2` its folder was made with redid every session at every frame and replaced the 2-fps
 * outputs, the only sign "redone although --resume" lines as each finished (ttrial51 F4: hours on a cluster, a mixed
 * release). Only options count: a session whose inputs, mmprep code, ffmpeg build or face models changed is redone as
 * documented (README "mmprep extract", --resume), and one that failed last time (in an errors file of OUT) is retried.
 * Reads each selected session's meta.json and OUT's errors files; writes nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../common/errors.js';
import { flagOf, META_FILE, relevantOptions, type SessionMeta } from './extract-session.js';
import type { StageName, StageOptions } from './extract-stages.js';
import type { ManifestSession } from './manifest.js';
import type { Shard } from './shard.js';

/** One stage option whose value in OUT's meta.json differs from this run's for a session. */
export interface OptionChange {
  /** The option's key (faceFps). */
  key: string;
  /** Its value in OUT (undefined: not given then) and now (undefined: not given now). */
  was: unknown;
  now: unknown;
  /** The row's `sync_options` cell changed it (its manifest line), or the command line (null). */
  rowLine: number | null;
}

type Options = Record<string, unknown>;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The options a stage's files in OUT were made with: its `made_by` record, else (a meta.json whose stage made no
 * file: an audio-only session's face) the run's options that stage reads; undefined when not recorded (an older
 * mmprep's null, a stage the folder never ran: nothing to compare, the session is redone as before).
 */
function recordedOptions(meta: SessionMeta, stage: StageName): Options | undefined {
  const rec = meta.made_by?.[stage];
  if (rec) return rec.options && typeof rec.options === 'object' ? (rec.options as Options) : undefined;
  if (Array.isArray(meta.stages) && meta.stages.includes(stage) && meta.options && typeof meta.options === 'object') return relevantOptions(meta.options, [stage]) as Options;
  return undefined;
}

/**
 * The stage options of this run's stages whose value differs between a session's meta.json and this run (the command
 * line's options under the row's `sync_options`), each key once; a key the row's cell changed is the row's.
 */
export function optionChanges(meta: SessionMeta, session: ManifestSession, stages: readonly StageName[], cmdOptions: StageOptions): OptionChange[] {
  const now = { ...cmdOptions, ...(session.sync_options ?? {}) } as StageOptions;
  const rowWas = (meta.made_by?.sync?.row_options ?? {}) as Options;
  const rowNow = (session.sync_options ?? {}) as Options;
  const changes = new Map<string, OptionChange>();
  for (const stage of stages) {
    const was = recordedOptions(meta, stage);
    if (!was) continue;
    const cur = relevantOptions(now, [stage]) as Options;
    for (const key of [...new Set([...Object.keys(was), ...Object.keys(cur)])].sort()) {
      if (changes.has(key) || same(was[key], cur[key])) continue;
      const byRow = stage === 'sync' && !same(rowWas[key], rowNow[key]);
      changes.set(key, { key, was: was[key], now: cur[key], rowLine: byRow ? session.line : null });
    }
  }
  return [...changes.values()];
}

/** The session ids an errors file of OUT lists (failed in the last run that processed them: retried, not refused). */
async function failedIds(out: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const names = await readdir(out).catch(() => [] as string[]);
  for (const n of names.filter((f) => /^_errors(\.shard-\d+-of-\d+)?\.jsonl$/.test(f))) {
    for (const line of (await readFile(join(out, n), 'utf8').catch(() => '')).split('\n')) {
      try {
        const id = (JSON.parse(line) as { session_id?: unknown }).session_id;
        if (typeof id === 'string') ids.add(id);
      } catch {
        // an empty line, or one cut short by a kill
      }
    }
  }
  return ids;
}

async function metaOf(dir: string): Promise<SessionMeta | null> {
  try {
    return JSON.parse(await readFile(join(dir, META_FILE), 'utf8')) as SessionMeta;
  } catch {
    return null;
  }
}

/** The selected sessions done in OUT whose stage options differ from this run's, with their changes, in manifest order. */
export async function sessionsWithOtherOptions(out: string, selected: readonly ManifestSession[], stages: readonly StageName[], cmdOptions: StageOptions): Promise<Array<{ session: ManifestSession; changes: OptionChange[] }>> {
  const failed = await failedIds(out);
  const found: Array<{ session: ManifestSession; changes: OptionChange[] }> = [];
  for (const session of selected) {
    if (failed.has(session.session_id)) continue;
    const meta = await metaOf(join(out, session.session_id));
    if (!meta || meta.session_id !== session.session_id) continue; // not done, or another session's folder (said when redone)
    const changes = optionChanges(meta, session, stages, cmdOptions);
    if (changes.length) found.push({ session, changes });
  }
  return found;
}

/** A value as the line shows it: `not given`, `given` (a flag without value), or the value. */
function valueText(v: unknown): string {
  if (v === undefined) return 'not given';
  if (v === true) return 'given';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function idsText(ids: string[]): string {
  return `${ids.length} session${ids.length > 1 ? 's' : ''}: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`;
}

/**
 * The refusal (exit 2), one line: how many sessions, each option that differs with its value in OUT and now and the
 * sessions it concerns (grouped; the first five differences), and what to do.
 */
export function otherOptionsRefusal(found: Array<{ session: ManifestSession; changes: OptionChange[] }>, selected: number, out: string, shard: Shard | null): InputError {
  const groups = new Map<string, { text: string; ids: string[] }>();
  for (const { session, changes } of found) {
    for (const c of changes) {
      const where = c.rowLine === null ? flagOf(c.key) : `${flagOf(c.key)} in the sync_options cell of line ${c.rowLine}`;
      const text = `${where}: ${valueText(c.was)} in the folder, ${valueText(c.now)} now`;
      const g = groups.get(text) ?? { text, ids: [] };
      g.ids.push(session.session_id);
      groups.set(text, g);
    }
  }
  const shown = [...groups.values()].slice(0, 5).map((g) => `${g.text} (${idsText(g.ids)})`);
  const more = groups.size > 5 ? `; and ${groups.size - 5} more difference(s)` : '';
  const of = shard && shard.count > 1 ? `shard ${shard.index}/${shard.count}'s ${selected}` : `the manifest's ${selected}`;
  const row = found.some((f) => f.changes.some((c) => c.rowLine !== null)) ? ', the rows\' sync_options cells as they were' : '';
  return new InputError(
    `--resume: ${found.length} of ${of} sessions are done in ${out} with other stage options than this run's and would be redone: ${shown.join('; ')}${more}; nothing was done. To skip them, run again with the options the folder was made with (the flags as above${row}); to redo them with this run's options, add --redo-changed`,
  );
}
