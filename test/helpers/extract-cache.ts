/**
 * `mmprep extract` runs that several test files start from (a folder to resume, a clock to keep or change), made once
 * per distinct input through a cache under test/.tmp/extract-cache shared by the test files of a run: each file gets
 * its own copy of the output. For tests whose claim is about what comes after an extract; a test of extract's own
 * output or exit runs it itself (or checks the cached run's output, the bytes a fresh run gives).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ffmpegBinaries } from '../../src/media/ffmpeg-path.js';
import { ROOT, runCli, type CliResult } from './cli.js';

const CACHE = join(ROOT, 'test', '.tmp', 'extract-cache');

/** Every file under `dir` (sorted relative names and bytes) into the hash. */
function hashTree(h: ReturnType<typeof createHash>, dir: string, rel = ''): void {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = join(rel, e.name);
    if (e.isDirectory()) hashTree(h, dir, r);
    else if (e.isFile()) h.update(`${r}\0`).update(readFileSync(join(dir, r)));
  }
}

/** The files of the manifest's folder that it names in a cell (its media). */
function inputsOf(manifest: string): string[] {
  const cells = new Set(readFileSync(manifest, 'utf8').split(/[,;\t\r\n]/).map((c) => c.trim().replace(/^"|"$/g, '')));
  return readdirSync(dirname(manifest), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== basename(manifest) && cells.has(e.name))
    .map((e) => e.name)
    .sort();
}

/**
 * The cache key: what the output's bytes depend on. The built code (dist/, which the CLI runs: a src change that is
 * built runs extract again), the ffmpeg and ffprobe binaries mmprep would take (env MMPREP_FFMPEG/MMPREP_FFPROBE, PATH,
 * npm: CI's second run decodes with another build), the installed packages (face models, tfjs), Node's version, the
 * manifest's bytes, its media's bytes (with their names) and the arguments. Not the names of the manifest and of the
 * output folder: no output file records them (the media's relative paths are the same from any folder beside it).
 */
function cacheKey(manifest: string, args: string[]): string {
  const h = createHash('sha256');
  hashTree(h, join(ROOT, 'dist'));
  const { ffmpeg, ffprobe } = ffmpegBinaries();
  for (const b of [ffmpeg.path, ffprobe.path]) {
    const real = realpathSync(b);
    const st = statSync(real);
    h.update(`${real}\0${st.size}\0${st.mtimeMs}\0`);
  }
  h.update(readFileSync(join(ROOT, 'package-lock.json'))).update(process.version);
  h.update(readFileSync(manifest));
  for (const name of inputsOf(manifest)) h.update(`${name}\0`).update(readFileSync(join(dirname(manifest), name)));
  return h.update(JSON.stringify(args)).digest('hex').slice(0, 24);
}

/**
 * `mmprep extract MANIFEST -o OUT ...args` as the CLI would run it, its output copied into `out` (a folder beside the
 * manifest, not there yet). The media must be files beside the manifest named in it (relative paths: the copy's
 * sync.json and meta.json name them as a run in the test's folder would). Run once per distinct key (cacheKey) in a
 * folder of the cache; a run that fails is not kept. The result's code and stderr are the run's; its stdout names the
 * cache's folder. The session's files are the bytes a run in the test's folder gives (audio.summary.json and
 * face.summary.json name their input as the manifest's cell does, not by its absolute path): extract-group-interrupt
 * compares a run of its own with them byte for byte. Two files asking at once each run it; the first rename wins.
 */
export async function extractCached(manifest: string, out: string, args: string[]): Promise<CliResult> {
  if (dirname(out) !== dirname(manifest)) throw new Error(`extractCached: ${out} is not beside ${manifest}`);
  if (existsSync(out)) throw new Error(`extractCached: ${out} exists`);
  if (/[\\/]/.test(readFileSync(manifest, 'utf8'))) throw new Error(`extractCached: ${manifest} names a path: only files beside it`);
  const cached = join(CACHE, cacheKey(manifest, args));
  if (!existsSync(join(cached, 'result.json'))) {
    const part = `${cached}.part-${process.pid}`;
    rmSync(part, { recursive: true, force: true });
    mkdirSync(part, { recursive: true });
    cpSync(manifest, join(part, 'manifest.csv'));
    for (const name of inputsOf(manifest)) cpSync(join(dirname(manifest), name), join(part, name));
    const r = await runCli(['extract', join(part, 'manifest.csv'), '-o', join(part, 'out'), ...args]);
    if (r.code !== 0) {
      rmSync(part, { recursive: true, force: true });
      return r;
    }
    writeFileSync(join(part, 'result.json'), JSON.stringify(r));
    try {
      renameSync(part, cached);
    } catch (e) {
      if (!existsSync(join(cached, 'result.json'))) throw e;
      rmSync(part, { recursive: true, force: true });
    }
  }
  cpSync(join(cached, 'out'), out, { recursive: true });
  return JSON.parse(readFileSync(join(cached, 'result.json'), 'utf8')) as CliResult;
}
