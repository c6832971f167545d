/** One generated room case (scripts/make-sync-rooms.mjs --only) and its room microphone's beeps, for the beep-sd tests. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanAudioTone } from '../../src/sync/tone/scan-audio.js';
import { probe } from '../../src/media/probe.js';
import { renderCached } from './scenes.js';

/**
 * Renders case `id` of room variant `variant` under `root` (through the media cache) and returns its folder. `files`
 * 'mic': the room microphone and truth.json only (make-sync-rooms.mjs --files mic: the same bytes, without the lav's
 * convolution, ~0.6 of a case's ~2.8 CPU s), in a folder of its own.
 */
export function roomCase(root: string, id: string, variant: number, files: 'all' | 'mic' = 'all'): string {
  const out = join(root, files === 'mic' ? `v${variant}-mic` : `v${variant}`);
  const only = files === 'mic' ? ['--files', 'mic'] : [];
  if (!existsSync(join(out, id, 'truth.json'))) renderCached('make-sync-rooms.mjs', out, ['--set', 'full', '--variant', String(variant), '--only', id, ...only]);
  return join(out, id);
}

/**
 * The room microphone's detections over the whole file, its true beeps (its own clock) and its true offset. The case
 * is rendered without its lav unless `files` is 'all' (the caller reads the lav too).
 */
export async function roomMicCase(root: string, id: string, variant: number, files: 'all' | 'mic' = 'mic') {
  const dir = roomCase(root, id, variant, files);
  const mic = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')).streams[1];
  const file = join(dir, mic.file);
  const scan = await scanAudioTone(file, [{ name: 'all', start_s: 0, duration_s: null }], { probed: await probe(file) });
  return { dir, truth: mic.pulses_src_s as number[], offset: mic.offset_s as number, dets: scan.windows[0].detections };
}

/** A room microphone's truth (truth.json `streams[i]`): its offset and drift against the reference, its true beeps. */
export interface MicTruth {
  offset_s: number;
  drift_ppm: number;
  pulses_src_s: number[];
}

/** A placed stream's largest clock error at its true pulse times (its own clock), seconds. */
export function micClockError(m: { offset_s: number; drift_ppm: number | null }, t: MicTruth): number {
  return Math.max(...t.pulses_src_s.map((x) => Math.abs(m.offset_s + (m.drift_ppm ?? 0) * 1e-6 * x - (t.offset_s + t.drift_ppm * 1e-6 * x))));
}
