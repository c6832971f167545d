/**
 * What besides mmprep's own code decides the bytes `mmprep extract` writes, recorded in meta.json and compared by
 * `--resume`: the ffmpeg/ffprobe build (its decoders: the demo camera's AAC sound decodes to other samples with
 * Debian's ffmpeg 5.1 than with the npm package's N-47683 build, so audio.jsonl differs) and, for the face stage, the
 * models and tfjs packages Human runs. codeBuild() (src/common/version.ts) hashes src/ only: before 2026-12-02 a
 * `--resume` on a machine with another ffmpeg on PATH, or after an `npm ci` that brought other models, skipped every
 * session and left features of two builds side by side without a word.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../common/errors.js';
import { startAgainAfterGroupInterrupt } from '../media/children.js';
import { ffmpegBinaries } from '../media/ffmpeg-path.js';
import { libraryTraceEnv, loadedLibraries, notedFfmpegPart, noteFfmpegPart } from './toolchain-note.js';
import type { StageName, StageOptions } from './extract-stages.js';

/** A build or model set: a readable version and the fingerprint (first 16 hex digits of a sha256) compared by --resume. */
export interface ToolPart {
  version: string;
  fingerprint: string;
}

/** meta.json `tool.ffmpeg` (every stage decodes with it) and `tool.models` (runs with the face stage only). */
export interface Toolchain {
  ffmpeg: ToolPart;
  models?: ToolPart;
}

const hex16 = (h: ReturnType<typeof createHash>): string => h.digest('hex').slice(0, 16);

/**
 * `BIN -version`, in a child of its own session like every child (src/media/children.ts): one killed by the group's
 * Ctrl-C before it ran is started again, so a Ctrl-C at start-up does not fail the run (test extract-group-interrupt).
 */
async function versionOutput(bin: string): Promise<{ stdout: string; libraries: string[] }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const opts = { timeout: 20_000, maxBuffer: 1 << 22, detached: process.platform !== 'win32', env: libraryTraceEnv() };
      const { stdout, stderr } = await promisify(execFile)(bin, ['-version'], opts);
      return { stdout, libraries: loadedLibraries(stderr) };
    } catch (e) {
      const { signal, stdout } = e as { signal?: NodeJS.Signals | null; stdout?: string };
      if (startAgainAfterGroupInterrupt(signal ?? null, stdout?.length ?? 0, attempt)) continue;
      throw new InputError(`${bin} -version does not run (${(e as Error).message.split('\n')[0]}); mmprep doctor checks the ffmpeg and ffprobe it finds`);
    }
  }
}

/**
 * ffmpeg's and ffprobe's `-version` output (version, configuration, library versions), hashed together: from this
 * user's note while the binaries and their libraries are unchanged (toolchain-note.ts), else asked and noted.
 */
async function ffmpegPart(): Promise<ToolPart> {
  const bins = ffmpegBinaries();
  const paths = [bins.ffmpeg.path, bins.ffprobe.path];
  const noted = notedFfmpegPart(paths);
  if (noted) return noted;
  const h = createHash('sha256');
  let version = 'unknown';
  const libraries: string[] = [];
  for (const b of [bins.ffmpeg, bins.ffprobe]) {
    const run = await versionOutput(b.path);
    if (b === bins.ffmpeg) version = /version\s+(\S+)/.exec(run.stdout)?.[1] ?? 'unknown';
    h.update(run.stdout).update('\0');
    libraries.push(...run.libraries);
  }
  const part = { version, fingerprint: hex16(h) };
  noteFfmpegPart(paths, libraries, part);
  return part;
}

/** Human's version, the tfjs packages of the backend, and the bytes of every model file the face stage loads. */
async function modelsPart(backendName: string | undefined): Promise<ToolPart> {
  const { backendVersions, isFaceBackend } = await import('../face/backend.js');
  const { FACE_MODELS, defaultModelDir } = await import('../face/models.js');
  const backend = backendName !== undefined && isFaceBackend(backendName) ? backendName : 'wasm';
  const versions = backendVersions(backend);
  const h = createHash('sha256').update(JSON.stringify(versions)).update('\0');
  const dir = defaultModelDir();
  for (const m of FACE_MODELS) {
    const json = await readFile(join(dir, `${m}.json`));
    h.update(`${m}.json\0`).update(json).update('\0');
    const manifest = JSON.parse(json.toString('utf8')) as { weightsManifest?: Array<{ paths: string[] }> };
    for (const p of (manifest.weightsManifest ?? []).flatMap((g) => g.paths)) h.update(`${p}\0`).update(await readFile(join(dir, p))).update('\0');
  }
  return { version: `human ${versions['@vladmandic/human'] ?? 'unknown'}`, fingerprint: hex16(h) };
}

/** The toolchain of a run (once, in the main thread): ffmpeg always, the models when the face stage runs. */
export async function toolchainOf(stages: readonly StageName[], options: StageOptions): Promise<Toolchain> {
  const ffmpeg = await ffmpegPart();
  return stages.includes('face') ? { ffmpeg, models: await modelsPart(options.backend) } : { ffmpeg };
}

/** The part of the toolchain a stage's files depend on (meta.json `made_by.<stage>`). */
export function stageToolchain(t: Toolchain, stage: StageName): { ffmpeg: string; models?: string } {
  return stage === 'face' && t.models ? { ffmpeg: t.ffmpeg.fingerprint, models: t.models.fingerprint } : { ffmpeg: t.ffmpeg.fingerprint };
}

/**
 * Why files recorded with `was` (meta.json `tool`) cannot be reused by a run with `now`, or null. Missing records
 * (a folder made before 2026-12-02) count as different: nothing says which build made them.
 */
export function toolchainDiffers(was: Partial<Toolchain> | undefined, now: Toolchain): string | null {
  const what = (p: ToolPart | undefined) => (p ? `${p.version} (fingerprint ${p.fingerprint})` : 'not recorded (an mmprep before 2026-12-02)');
  if (was?.ffmpeg?.fingerprint !== now.ffmpeg.fingerprint) {
    return `ffmpeg build ${what(was?.ffmpeg)}, this run ${what(now.ffmpeg)}: decoders differ between ffmpeg builds, so its features may differ (run every shard and resume with the same ffmpeg: MMPREP_FFMPEG/MMPREP_FFPROBE or PATH)`;
  }
  if (now.models && was?.models?.fingerprint !== now.models.fingerprint) {
    return `face models ${what(was?.models)}, this run ${what(now.models)}: other models or tfjs packages give other face features`;
  }
  return null;
}
