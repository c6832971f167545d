/**
 * `mmprep doctor`: which ffmpeg/ffprobe mmprep runs (path, where it was found, version) and which face backends load
 * on this machine (each tried in its own worker thread, so one backend's tfjs state cannot affect another's).
 */
import { execFile } from 'node:child_process';
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
export interface DoctorReport {
  mmprep_version: string;
  node_version: string;
  platform: string;
  ffmpeg: BinaryReport;
  ffprobe: BinaryReport;
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
    return { backend, loads: true, versions, init_ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { backend, loads: false, versions, error: isMmprepError(e) ? e.message : (e as Error).message };
  } finally {
    await pool.close();
  }
}

export async function doctor(opts: { modelDir?: string } = {}): Promise<DoctorReport> {
  const dir = opts.modelDir ?? defaultModelDir();
  let models: DoctorReport['models'];
  try {
    models = { dir: checkModelDir(dir), ok: true };
  } catch (e) {
    models = { dir, ok: false, error: (e as Error).message };
  }
  const face_backends: BackendReport[] = [];
  for (const b of FACE_BACKENDS) {
    face_backends.push(models.ok ? await tryBackend(b, dir) : { backend: b, loads: false, versions: backendVersions(b), error: 'face models not found' });
  }
  return {
    mmprep_version: VERSION,
    node_version: process.version,
    platform: `${process.platform}-${process.arch}`,
    ffmpeg: await binary('ffmpeg'),
    ffprobe: await binary('ffprobe'),
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
