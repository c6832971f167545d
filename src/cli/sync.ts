import { syncWarningLines } from '../sync/warnings.js';
import { singleStreamLines } from '../batch/extract-stages.js';
import type { Command } from 'commander';
import { relativizeSyncMap, syncSession, writeSyncMap, type FallbackRule, type PickRule } from '../sync/session.js';
import type { SyncMap } from '../sync/clock.js';
import type { Ends } from '../sync/windows.js';
import { dirname, resolve } from 'node:path';
import { action, choiceOption, pickOption, fileOf, isVerbose, numberOption, refuseUnwritableOutputs } from './run.js';

interface Opts {
  ref?: string;
  toneHz: number;
  searchS: number;
  ends: Ends;
  pick?: PickRule;
  fallback: FallbackRule;
  shareCameraClock: boolean;
  onePulse: boolean;
  maxSide?: number;
  output: string;
  quiet: boolean;
}

/** One line per stream: what a person checks first. */
export function summarizeSyncMap(map: SyncMap): string {
  const rows = [['file', 'kind', 'stream', 'offset_s', 'offset_sd_ms', 'drift_ppm', 'method', 'confidence', 'warnings']];
  for (const e of map.streams) {
    const w = Array.isArray(e.warnings) ? (e.warnings as Array<{ code: string }>).map((x) => x.code).join(',') : '';
    const sd = typeof e.offset_sd_s === 'number' ? (e.offset_sd_s * 1000).toFixed(2) : '-';
    // As sync.json holds it: an unmeasured drift (null, 0 applied) with its sd (report.ts reportedSds: 57.7 ppm).
    const driftSd = typeof e.drift_sd_ppm === 'number' ? `±${e.drift_sd_ppm.toFixed(1)}` : '';
    const drift = `${e.drift_ppm === null ? 'null' : e.drift_ppm.toFixed(1)}${driftSd}`;
    rows.push([e.file, e.kind, String(e.stream), e.offset_s === null ? 'null' : e.offset_s.toFixed(6), sd, drift, e.method, e.confidence === null ? 'null' : e.confidence.toFixed(3), w || '-']);
  }
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(width[c]))).join('  ')).join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('sync')
    .description(
      'find the sync pulse (tone burst and LED flash) in every audio and video stream of the files and write the clock map (sync.json) that puts all streams on the reference stream\'s clock. A stream is placed only from a pulse that stands clearly out (else by its other pulse, the same file\'s other stream or cross-correlation of its content, which places a microphone only to about ±9 ms (--fallback none refuses that), or not at all). Exit 2: bad input, or a stream that cannot be placed (the line says which and why); exit 3: placeable pulses of similar strength (look, then rerun with --pick). Nothing is written on failure.',
    )
    .argument('<media...>', 'media files of one session (video files count as two streams: picture and sound)')
    .option('--ref <file>', 'reference file: its first audio stream (or its video if it has no audio) is the clock (default: the first file)')
    .option('--tone-hz <hz>', 'beep frequency in Hz', numberOption('--tone-hz', { min: 20, max: 20000 }), 1000)
    .option('--search-s <s>', 'seconds searched at the start (and end) of each file, at most half of it; 0 = the whole file', numberOption('--search-s', { min: 0 }), 60)
    .option('--ends <which>', 'start: pulse at the start only; both: pulses at both ends, giving drift_ppm', choiceOption('--ends', ['start', 'both'] as const), 'start')
    .option('--pick <rule>', 'force a choice in every window of every stream among all its candidates, placeable or not: first (the earliest, even over a clear choice), strongest, or at:T (the reference\'s beep nearest T s on its own clock, within 0.5 s; at:T1,T2 for both ends; every other sound\'s beep is then the one its content pairs with it); the output marks it forced_pick (default: none)', pickOption)
    .option('--fallback <how>', "an audio stream without a usable pulse: xcorr (placed by cross-correlating its content with a placed audio track: only to about ±9 ms, the talkers' lag and not the beep's, as talkers and loudspeaker stand at other distances from the microphones; offset_sd_s and a content_lag warning say so) or none (refused, exit 2; its line says whether its content would place it)", choiceOption('--fallback', ['xcorr', 'none'] as const), 'xcorr')
    .option('--share-camera-clock', "a camera's picture (or sound) with no usable pulse of its own takes the clock of the same file's sound (or picture); the camera's audio/video skew (up to 50 ms) is then unmeasured and added to offset_sd_s (without it such a stream is refused)", false)
    .option('--one-pulse', "the session had one sync pulse (no end pulse): with --search-s 0, a stream's only pulse pairs with another stream's only pulse in the other half of its file (devices started at different times); the output marks it one_pulse. Needs --search-s 0 and --ends start", false)
    .option('--max-side <px>', 'longest side of decoded video frames for flash search (default: 320)', numberOption('--max-side', { min: 16, integer: true }))
    .option('-o, --output <file>', "where to write the clock map ('-' = stdout)", 'sync.json')
    .option('--quiet', 'do not print the summary table', false)
    .action(
      action(async (files: string[], o: Opts) => {
        await refuseUnwritableOutputs([fileOf(o.output)]);
        const map = await syncSession(
          files.map((file) => ({ file })),
          {
            ref: o.ref,
            toneHz: o.toneHz,
            searchS: o.searchS,
            ends: o.ends,
            pick: o.pick ?? null,
            fallback: o.fallback,
            shareCameraClock: o.shareCameraClock,
            onePulse: o.onePulse,
            maxSide: o.maxSide,
            onProgress: isVerbose() ? (line) => process.stderr.write(`mmprep sync: ${line}\n`) : undefined,
          },
        );
        if (o.output === '-') {
          process.stdout.write(JSON.stringify(relativizeSyncMap(map, process.cwd()), null, 2) + '\n');
          if (!o.quiet) process.stderr.write(summarizeSyncMap(relativizeSyncMap(map, process.cwd())));
        } else {
          await writeSyncMap(o.output, map);
          if (!o.quiet) {
            const rel = relativizeSyncMap(map, dirname(resolve(o.output)));
            process.stdout.write(`${o.output}: reference ${rel.reference.file} ${rel.reference.kind} stream ${rel.reference.stream} (${String(map.reference_reason)})\n`);
            process.stdout.write(summarizeSyncMap(rel));
          }
        }
        const told = relativizeSyncMap(map, process.cwd());
        for (const w of [...syncWarningLines(told), ...singleStreamLines(told)]) process.stderr.write(`mmprep sync: warning: ${w}\n`);
      }),
    );
}
