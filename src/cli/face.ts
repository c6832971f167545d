import { Option, type Command } from 'commander';
import { usableCpus } from '../common/cpus.js';
import { parseFormat, type OutputFormat } from '../common/records.js';
import { loadClock } from '../sync/clock.js';
import { FACE_BACKENDS, type FaceBackend } from '../face/backend.js';
import { DEFAULT_BLINK_EAR, DEFAULT_INFERENCE_SIDE, DEFAULT_MIN_CONFIDENCE, extractFace } from '../face/extract.js';
import { faceSummaryWarnings } from '../face/summary-warnings.js';
import { defaultModelDir } from '../face/models.js';
import { probeWithPacketTimes } from '../media/probe-packets.js';
import type { ProbeResult } from '../media/probe.js';
import { action, choiceOption, fileOf, numberOption, refuseUnwritableOutputs } from './run.js';

interface FaceCliOptions {
  output?: string;
  format: OutputFormat | 'openface';
  landmarks?: '68';
  plausibility: boolean;
  fps?: number;
  start?: number;
  end?: number;
  maxFaces: number;
  backend: FaceBackend;
  minConfidence: number;
  normalized: boolean;
  summary?: string;
  sync?: string;
  stream: number;
  workers?: number;
  jobs?: number;
  out?: string;
  models?: string;
  inferenceSide: number;
  blinkEar: number;
  flow: boolean;
}

export function register(program: Command): void {
  program
    .command('face')
    .description('per-frame facial landmark series (478-point mesh, head pose, eye/mouth openness, expressions) from a video, as JSONL or CSV')
    .argument('<video>', 'video file')
    .option('-o, --output <file>', 'output file (default: stdout; written atomically)')
    .option('--format <fmt>', 'jsonl, csv, or openface (OpenFace 2.0 CSV columns for what mmprep estimates)', (v) => parseFormatOption(v), 'jsonl' as OutputFormat)
    .option('--landmarks <set>', "also write this landmark subset: 68 (iBUG 300-W / dlib order) as 'landmarks68'", choiceOption('--landmarks', ['68'] as const))
    .option('--no-plausibility', 'keep meshes that fail the human-face plausibility check (animal faces, patterns, collapsed meshes)')
    .option('--fps <n>', 'analyse the first frame of every 1/N-second interval, keeping its real time (default: every frame)', numberOption('--fps', { min: 0.001 }))
    .option('--start <s>', 'start time in seconds (default: 0)', numberOption('--start', { min: 0 }))
    .option('--end <s>', 'end time in seconds, exclusive (default: end of file)', numberOption('--end', { min: 0 }))
    .option('--max-faces <n>', 'faces tracked per frame', numberOption('--max-faces', { min: 1, integer: true }), 1)
    .option('--backend <name>', `tfjs backend: ${FACE_BACKENDS.join(', ')}`, choiceOption('--backend', FACE_BACKENDS), 'wasm' as FaceBackend)
    .option('--min-confidence <p>', 'a face counts as found when both its detection and mesh scores are at least this', numberOption('--min-confidence', { min: 0, max: 1 }), DEFAULT_MIN_CONFIDENCE)
    .option('--normalized', 'landmarks as [x/width, y/height, z/width] instead of source pixels', false)
    .option('--summary <file>', 'also write the per-file summary (JSON) here')
    .option('--sync <sync.json>', 'put t_s on the session reference clock of this sync map (t_src_s keeps the source time)')
    .option('--stream <n>', 'video stream, 0-based among video streams', numberOption('--stream', { min: 0, integer: true }), 0)
    .option('-j, --jobs <n>', 'same as --workers', numberOption('--jobs', { min: 0, max: 64, integer: true }))
    .addOption(new Option('--out <file>', 'same as --output').hideHelp())
    .option('--workers <n>', `worker threads, one Human each (at most; one for a clip under 30 frames; 0: analyse in the main thread; default: one per usable CPU (affinity, cgroup quota, SLURM_CPUS_PER_TASK), here ${usableCpus()})`, numberOption('--workers', { min: 0, max: 64, integer: true }))
    .option('--models <dir>', `folder with Human's models (default: ${defaultModelDir()})`)
    .option('--inference-side <px>', 'downscale frames so that the longer side is at most this before inference', numberOption('--inference-side', { min: 64, integer: true }), DEFAULT_INFERENCE_SIDE)
    .option('--blink-ear <r>', 'blink when the mean eye aspect ratio is below this', numberOption('--blink-ear', { min: 0, max: 1 }), DEFAULT_BLINK_EAR)
    .option('--flow', 'dense optical flow (OpenCV Farneback) per face region: eyes, brows, mouth, nasolabial areas (loads OpenCV; slower)', false)
    .action(
      action(async (video: string, o: FaceCliOptions) => {
        await refuseUnwritableOutputs([fileOf(o.out ?? o.output), o.summary]);
        const clock = o.sync ? await loadClock(o.sync, video, 'video', o.stream) : undefined;
        // The probe and the packet times (shortPicture's, after the run) read in one ffprobe run and kept for this
        // process (probe-memo.ts), so extractFace's probe and the packet read start none: one ffprobe start less (~0.15
        // CPU s with Debian's build). A failure is not kept: extractFace probes again and reports it in its own order.
        await probeWithPacketTimes(video).catch(() => undefined);
        let probed: ProbeResult | undefined;
        const summary = await extractFace(video, {
          onProbed: (p) => (probed = p),
          out: o.out ?? o.output,
          format: o.format,
          summaryPath: o.summary,
          fps: o.fps,
          start: o.start,
          end: o.end,
          maxFaces: o.maxFaces,
          backend: o.backend,
          minConfidence: o.minConfidence,
          normalized: o.normalized,
          stream: o.stream,
          workers: o.jobs ?? o.workers,
          modelDir: o.models,
          inferenceSide: o.inferenceSide,
          blinkEar: o.blinkEar,
          landmarks68: o.landmarks === '68',
          plausibility: o.plausibility,
          flow: o.flow,
          clock,
        });
        if (!summary) return; // stdout's reader went away first: nothing more is read or said (README "Exit codes")
        for (const w of [...faceSummaryWarnings(summary), ...(await shortPicture(video, o, probed))]) process.stderr.write(`mmprep face: ${video}: warning: ${w}\n`);
      }),
    );
}

/**
 * The picture analysed ending before its file's sound (a camera that stopped recording its picture): extract's line
 * (src/media/file-end.ts), as a warning: face.jsonl covers the picture there is, not the file's span. Not said when
 * --end stops before the picture does.
 */
async function shortPicture(video: string, o: FaceCliOptions, probed: ProbeResult | undefined): Promise<string[]> {
  const [{ probe }, { shortStreams }] = await Promise.all([import('../media/probe.js'), import('../media/file-end.js')]);
  const short = (await shortStreams(probed ?? (await probe(video)))).filter((s) => s.kind === 'video' && s.n === o.stream);
  return short.filter((s) => o.end === undefined || o.end > s.end_s).map((s) => s.text);
}

function parseFormatOption(v: string): OutputFormat | 'openface' {
  const f = choiceOption('--format', ['jsonl', 'csv', 'openface'] as const)(v);
  return f === 'openface' ? f : parseFormat(f);
}
