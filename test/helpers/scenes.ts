/**
 * Sync cases rendered by scripts/make-sync-scenes.mjs and scripts/make-sync-rooms.mjs for one test file, through a
 * cache of rendered sets under test/.tmp/media-cache shared by test files and test runs.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv, ffmpegBinaries } from '../../src/media/ffmpeg-path.js';
import { probe, type ProbeResult } from '../../src/media/probe.js';
import { ROOT } from './cli.js';
import { generatorBinaries } from './ffmpeg.js';

const CACHE = join(ROOT, 'test', '.tmp', 'media-cache');
/**
 * What a generator's output depends on besides its arguments: its code, the modules of scripts/ it imports (wav.mjs,
 * rng.mjs: every seeded draw; scene-pixels-bytes.mjs: the scenes' pixel kernels) and the fixtures it reads (pictures:
 * make-sync-scenes.mjs --picture-from).
 */
const GENERATOR_INPUTS = [
  join(ROOT, 'scripts', 'wav.mjs'),
  join(ROOT, 'scripts', 'rng.mjs'),
  join(ROOT, 'scripts', 'scene-pixels-bytes.mjs'),
  join(ROOT, 'fixtures', 'sync', 'scenes'),
  join(ROOT, 'fixtures', 'sync', 'speech'),
  join(ROOT, 'fixtures', 'sync', 'pictures'),
];

function hashInto(h: ReturnType<typeof createHash>, path: string): void {
  if (!existsSync(path)) return;
  const names = readdirSync(path, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
  for (const n of names) h.update(`${n}\0`).update(readFileSync(join(path, n)));
}

/** The cache key: the script's bytes, its helper modules', the fixture files it reads and its arguments. */
function cacheKey(script: string, args: string[]): string {
  const h = createHash('sha256').update(readFileSync(join(ROOT, 'scripts', script)));
  for (const p of GENERATOR_INPUTS) {
    if (p.endsWith('.mjs')) h.update(readFileSync(p));
    else hashInto(h, p);
  }
  return `${script.replace(/\.mjs$/, '')}-${h.update(JSON.stringify(args)).digest('hex').slice(0, 24)}`;
}

/**
 * Runs `node scripts/<script> --out DIR ...args` once per distinct input (content-addressed: script, helpers, fixtures,
 * arguments) and copies the rendered set into `out` (merged with what is there). The generators are deterministic
 * (fixed seeds), so a cached set is the bytes a fresh run would write with the same ffmpeg, the tests' generator
 * (test/helpers/ffmpeg.ts generatorBinaries: the npm static build where it runs). Which build is not part of the key:
 * CI's second run decodes the very inputs its first run rendered, as a user's mmprep decodes files another encoder
 * made. `byMmprepsFfmpeg` renders with the ffmpeg mmprep finds instead (under a key of its own), for a case found in
 * a bench of that build's renders whose outcome another encoder changes. Two test files asking for the same set at once each render it;
 * the first rename wins and the other copy is dropped.
 */
export function renderCached(script: 'make-sync-scenes.mjs' | 'make-sync-rooms.mjs', out: string, args: string[], opts: { byMmprepsFfmpeg?: boolean } = {}): void {
  const cached = join(CACHE, cacheKey(script, args) + (opts.byMmprepsFfmpeg ? '-mmprep' : ''));
  if (!existsSync(cached)) {
    const part = `${cached}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(CACHE, { recursive: true });
    const gen = opts.byMmprepsFfmpeg ? mmprepsBinaries() : generatorBinaries();
    const env = { ...childEnv(), MMPREP_FFMPEG: gen.ffmpeg, MMPREP_FFPROBE: gen.ffprobe };
    execFileSync(process.execPath, [join(ROOT, 'scripts', script), '--out', part, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
    try {
      renameSync(part, cached);
    } catch (e) {
      if (!existsSync(cached)) throw e;
      rmSync(part, { recursive: true, force: true });
    }
  }
  mkdirSync(out, { recursive: true });
  cpSync(cached, out, { recursive: true });
}

/** The ffmpeg and ffprobe mmprep runs (MMPREP_FFMPEG, PATH, else the npm build), named to the generator as such: the
 * generators' own fallback is `ffmpeg` on PATH, absent on a machine with only the npm build. */
function mmprepsBinaries(): { ffmpeg: string; ffprobe: string } {
  const b = ffmpegBinaries();
  return { ffmpeg: b.ffmpeg.path, ffprobe: b.ffprobe.path };
}

/** Renders the cases `args` select (e.g. `['--set', 'busy']`) into `dir`, emptied first. */
export function renderScenes(dir: string, args: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  renderCached('make-sync-scenes.mjs', dir, [...args, '--quiet']);
}

/** A rendered case's truth.json. */
export function sceneTruth<T>(dir: string, id: string): T {
  return JSON.parse(readFileSync(join(dir, id, 'truth.json'), 'utf8')) as T;
}

const probes = new Map<string, Promise<ProbeResult>>();
/**
 * A file's probe, read once: for media made before the tests (a rendered case, a clip of beforeAll) and searched by
 * several tests. Keyed by path, size and modification time, so a file written again is probed again. A start of
 * Debian's ffprobe costs ~0.15 CPU s, and the search helpers probed their clip on every call.
 */
export function probeOnce(file: string): Promise<ProbeResult> {
  const st = statSync(file);
  const key = `${file}\0${st.size}\0${st.mtimeMs}`;
  let p = probes.get(key);
  if (!p) probes.set(key, (p = probe(file)));
  return p;
}
