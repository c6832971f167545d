/**
 * `mmprep doctor`: which ffmpeg/ffprobe mmprep runs (path, where it was found, version) and which face backends load
 * on this machine (each tried in its own worker thread, so one backend's tfjs state cannot affect another's).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegBinaries, type BinaryLocation } from '../media/ffmpeg-path.js';
import { isMmprepError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { backendVersions, FACE_BACKENDS, loadableBackendCheck, type FaceBackend } from './backend.js';
import { checkModelDir, defaultModelDir } from './models.js';
import { FramePool } from './pool.js';

const run = promisify(execFile);

export interface BinaryReport {
  path: string | null;
  source: BinaryLocation['source'] | null;
  version: string | null;
  error?: string;
}
export interface BackendReport {
  backend: FaceBackend;
  loads: boolean;
  versions: Record<string, string | null>;
  error?: string;
  /** Milliseconds to initialise Human and its models on this backend. */
  init_ms?: number;
}
/** Whether ffprobe reads a container (the npm ffprobe build crashes on MPEG-TS, as AVCHD camcorders write). */
export interface ContainerCheck {
  container: string;
  ok: boolean;
  error?: string;
}
export interface DoctorReport {
  mmprep_version: string;
  node_version: string;
  platform: string;
  ffmpeg: BinaryReport;
  ffprobe: BinaryReport;
  containers: ContainerCheck[];
  models: { dir: string; ok: boolean; error?: string };
  face_backends: BackendReport[];
}

async function binary(which: 'ffmpeg' | 'ffprobe'): Promise<BinaryReport> {
  let loc: BinaryLocation;
  try {
    loc = ffmpegBinaries()[which];
  } catch (e) {
    return { path: null, source: null, version: null, error: (e as Error).message };
  }
  try {
    const { stdout } = await run(loc.path, ['-version'], { timeout: 20_000 });
    const m = /version\s+(\S+)/.exec(stdout.split('\n')[0] ?? '');
    return { path: loc.path, source: loc.source, version: m ? m[1] : null };
  } catch (e) {
    return { path: loc.path, source: loc.source, version: null, error: `does not run (${(e as Error).message.split('\n')[0]})` };
  }
}

/** Writes a 0.2 s MPEG-TS file with ffmpeg and probes it (probe() turns an ffprobe crash into a one-line error). */
async function checkMpegTs(ffmpegOk: boolean): Promise<ContainerCheck> {
  const container = 'mpegts (.ts, .mts, .m2ts)';
  if (!ffmpegOk) return { container, ok: false, error: 'not checked: ffmpeg or ffprobe does not run' };
  const dir = await mkdtemp(join(tmpdir(), 'mmprep-doctor-'));
  try {
    const file = join(dir, 'check.ts');
    await run(ffmpegBinaries().ffmpeg.path, ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=1000:duration=0.2', '-c:a', 'mp2', '-f', 'mpegts', file], { timeout: 20_000 });
    const { probe } = await import('../media/probe.js');
    await probe(file);
    return { container, ok: true };
  } catch (e) {
    // probe()'s line names its file: here a file of the check's own, so the advice names a file of the user's.
    const why = (e as Error).message.replace(/^.*?check\.ts: /, '').split('\n')[0];
    return { container, ok: false, error: why.replace('reading this file (MPEG-TS)', 'reading an MPEG-TS file ffmpeg wrote').replace(/\bcheck(\.ts|-remuxed\.mkv)/g, 'yours$1') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function tryBackend(backend: FaceBackend, modelDir: string): Promise<BackendReport> {
  const versions = backendVersions(backend);
  try {
    loadableBackendCheck(backend);
  } catch (e) {
    return { backend, loads: false, versions, error: (e as Error).message };
  }
  const t0 = performance.now();
  const pool = new FramePool({ backend, modelDir, maxFaces: 1, detectorMinConfidence: 0.1 }, 1);
  try {
    await pool.warm();
    // One blank frame through the models too (start-up itself runs none), so "loads" means the backend runs them.
    pool.submit({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 });
    await pool.next();
    return { backend, loads: true, versions, init_ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { backend, loads: false, versions, error: isMmprepError(e) ? e.message : (e as Error).message };
  } finally {
    await pool.close();
  }
}

/**
 * `onStep`: told before each face backend is tried (loading Human's models on the cpu backend took ~2 minutes of a
 * new user's trial under load, with nothing said meanwhile).
 */
export async function doctor(opts: { modelDir?: string; onStep?: (what: string) => void } = {}): Promise<DoctorReport> {
  const dir = opts.modelDir ?? defaultModelDir();
  let models: DoctorReport['models'];
  try {
    models = { dir: checkModelDir(dir), ok: true };
  } catch (e) {
    models = { dir, ok: false, error: (e as Error).message };
  }
  const face_backends: BackendReport[] = [];
  for (const b of FACE_BACKENDS) {
    if (models.ok) opts.onStep?.(`loading the face models on the ${b} backend${b === 'cpu' ? ' (the slowest: a minute or more on a busy machine)' : ''}`);
    face_backends.push(models.ok ? await tryBackend(b, dir) : { backend: b, loads: false, versions: backendVersions(b), error: 'face models not found' });
  }
  const ffmpeg = await binary('ffmpeg');
  const ffprobe = await binary('ffprobe');
  return {
    mmprep_version: VERSION,
    node_version: process.version,
    platform: `${process.platform}-${process.arch}`,
    ffmpeg,
    ffprobe,
    containers: [await checkMpegTs(Boolean(ffmpeg.version && ffprobe.version))],
    models,
    face_backends,
  };
}

/** The report as aligned text lines. */
export function formatDoctor(r: DoctorReport): string {
  const lines = [`mmprep ${r.mmprep_version} on node ${r.node_version} (${r.platform})`];
  for (const k of ['ffmpeg', 'ffprobe'] as const) {
    const b = r[k];
    lines.push(b.path ? `${k.padEnd(8)} ${b.version ?? '?'}  ${b.path}  (from ${b.source === 'env' ? `$MMPREP_${k.toUpperCase()}` : b.source === 'path' ? 'PATH' : 'npm package'})${b.error ? `  ERROR: ${b.error}` : ''}` : `${k.padEnd(8)} NOT FOUND: ${b.error}`);
  }
  for (const c of r.containers) lines.push(`reads    ${c.container}: ${c.ok ? 'ok' : `NO: ${c.error}`}`);
  lines.push(`models   ${r.models.ok ? 'ok' : `MISSING: ${r.models.error}`}  ${r.models.dir}`);
  lines.push('face backends:');
  for (const b of r.face_backends) {
    const v = Object.entries(b.versions)
      .map(([p, ver]) => `${p}@${ver ?? 'not installed'}`)
      .join(', ');
    lines.push(`  ${b.backend.padEnd(15)} ${b.loads ? `loads (${b.init_ms} ms)` : 'does not load'}  ${v}${b.error ? `\n  ${' '.repeat(15)} ${b.error}` : ''}`);
  }
  return lines.join('\n') + '\n';
}
