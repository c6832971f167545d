import type { Command } from 'commander';
import { InputError, isMmprepError, type MmprepError } from '../common/errors.js';
import { effectiveSar } from '../media/decode-video.js';
import { probe, type ProbeResult, type StreamInfo } from '../media/probe.js';
import { action } from './run.js';

export function register(program: Command): void {
  program
    .command('probe')
    .description('print container and stream facts of media files as JSON (one object per file, JSONL)')
    .argument('<files...>', 'media files')
    .option('--pretty', 'indent the JSON', false)
    .action(
      action(async (files: string[], opts: { pretty: boolean }) => {
        const results = await probeEvery(files);
        for (const r of results) process.stdout.write(JSON.stringify({ ...r, streams: r.streams.map(withDisplaySize) }, null, opts.pretty ? 2 : undefined) + '\n');
      }),
    );
}

/**
 * Every file is probed before anything is printed: bad files fail the command (exit 2), each named on its own line
 * (`mmprep probe *.mp4` with three bad files names all three, not only the first), nothing on stdout.
 */
async function probeEvery(files: string[]): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const bad: MmprepError[] = [];
  for (const f of files) {
    try {
      results.push(await probe(f));
    } catch (e) {
      if (!isMmprepError(e)) throw e;
      bad.push(e);
    }
  }
  if (bad.length === 1) throw bad[0];
  if (bad.length > 1) {
    for (const e of bad) process.stderr.write(`mmprep: ${e.toLine()}\n`);
    throw new InputError(`${bad.length} of ${files.length} files could not be probed (each named above); nothing was printed`);
  }
  return results;
}

/**
 * A video stream with its displayed size after `display_width_px`/`display_height_px`: the stored width stretched by a
 * sample aspect ratio other than 1 (anamorphic DV/HDV, a scaled export), then width and height swapped at a rotation
 * of 90 or 270 degrees, as `mmprep face` analyses it (decode-video.ts videoGeometry) and players show it;
 * width_px/height_px stay the stored frame's. ttrial55: a 320x320 file at SAR 2 said 320x320 where face analysed 640x320.
 */
export function withDisplaySize(s: StreamInfo): StreamInfo & { display_width_px?: number | null; display_height_px?: number | null } {
  if (s.type !== 'video') return s;
  const swap = s.rotation_deg === 90 || s.rotation_deg === 270;
  const { index, type, codec, sample_rate_hz, channels, width_px, height_px, ...rest } = s;
  const shownWidth = width_px === null ? null : Math.max(1, Math.round(width_px * effectiveSar(s.sample_aspect_ratio)));
  return { index, type, codec, sample_rate_hz, channels, width_px, height_px, display_width_px: swap ? height_px : shownWidth, display_height_px: swap ? shownWidth : height_px, ...rest };
}
