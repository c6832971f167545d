/**
 * A manifest row's own sync options (column `sync_options`): the flags a user found for one session by running
 * `mmprep sync` or `mmprep extract` on it alone (`--pick first`, `--share-camera-clock`, `--ends both --search-s 30`),
 * kept with the session so a batch and its `--resume` run that session the same way. Before 2026-12-06 the only way
 * was a separate run for that session, which every later `extract manifest --resume` redid without them and failed
 * (a new user's trial, ttrial49 R7: a batch that could never end with exit 0).
 */
import type { StageOptions } from './extract-stages.js';
import { parsePickRule } from '../sync/choose.js';

export type RowSyncOptions = Pick<StageOptions, 'toneHz' | 'searchS' | 'ends' | 'pick' | 'shareCameraClock' | 'onePulse' | 'fallback'>;

const CHOICES: Record<string, { key: 'ends' | 'pick' | 'fallback'; values: readonly string[] }> = {
  '--ends': { key: 'ends', values: ['start', 'both'] },
  '--fallback': { key: 'fallback', values: ['none', 'xcorr'] },
  '--pick': { key: 'pick', values: ['first', 'strongest', 'at:T'] },
};
const NUMBERS: Record<string, { key: 'searchS' | 'toneHz'; min: number; max: number }> = {
  '--search-s': { key: 'searchS', min: 0, max: Infinity },
  '--tone-hz': { key: 'toneHz', min: 20, max: 20000 },
};
const SWITCHES: Record<string, 'shareCameraClock' | 'onePulse'> = { '--share-camera-clock': 'shareCameraClock', '--one-pulse': 'onePulse' };

/** The flags every row may carry, for messages. */
export const ROW_SYNC_FLAGS = [...Object.keys(CHOICES), ...Object.keys(NUMBERS), ...Object.keys(SWITCHES)];

/** The cell's flags as options, or the one problem with them (one line, naming the flag and what is allowed). */
export function parseRowSyncOptions(cell: string): { options: RowSyncOptions } | { problem: string } {
  const words = cell.trim().split(/\s+/).filter((w) => w !== '');
  const options: RowSyncOptions = {};
  for (let i = 0; i < words.length; i++) {
    const [flag, inline] = words[i].split(/=(.*)/s, 2);
    const value = (): string | undefined => inline ?? words[++i];
    if (flag in SWITCHES) {
      if (inline !== undefined) return { problem: `${flag} takes no value` };
      options[SWITCHES[flag]] = true;
    } else if (flag in CHOICES) {
      const c = CHOICES[flag];
      const v = value();
      // --pick at:T (choose.ts parsePickRule): the reference's beep nearest T s, for a session with a ringtone or a restart's beep.
      const chosen = v === undefined ? null : flag === '--pick' ? parsePickRule(v) : c.values.includes(v) ? v : null;
      if (chosen === null) return { problem: `${flag} needs one of ${c.values.join(', ')}${v === undefined ? '' : ` (got '${v}')`}` };
      (options as Record<string, unknown>)[c.key] = chosen;
    } else if (flag in NUMBERS) {
      const n = NUMBERS[flag];
      const v = value();
      const x = v === undefined || v.trim() === '' ? NaN : Number(v);
      if (!Number.isFinite(x) || x < n.min || x > n.max) return { problem: `${flag} needs a number${n.max < Infinity ? ` from ${n.min} to ${n.max}` : ` of at least ${n.min}`}${v === undefined ? '' : ` (got '${v}')`}` };
      options[n.key] = x;
    } else return { problem: `'${words[i]}' is not a sync option a row can carry (allowed: ${ROW_SYNC_FLAGS.join(', ')})` };
  }
  return { options };
}
