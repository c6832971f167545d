/**
 * Offline model loading for Human. Human's Node builds load models with tf.loadGraphModel(url, {fetchFunc: fetch});
 * Node's fetch does not read file:// URLs and the WASM/CPU builds register no file-system IO router, so model loading
 * fails offline. We register a tfjs IO router for file:// URLs (tf.io.registerLoadRouter) whose LoadHandler reads the
 * model JSON and its weight shards from disk and hands tfjs the artifacts (tf.io.getModelArtifactsForJSON): the same
 * mechanism tfjs-node's own file:// handler uses, so Human's loader finds it through GraphModel.findIOHandler().
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputError } from '../common/errors.js';

const require = createRequire(import.meta.url);

/** The models the face pipeline uses (all ship in @vladmandic/human/models). */
export const FACE_MODELS = ['blazeface', 'facemesh', 'iris', 'emotion'] as const;

/** Root folder of the installed @vladmandic/human package. */
export function humanPackageDir(): string {
  // The package's "exports" resolves to dist/human.node.js under the "node" condition.
  return resolve(dirname(require.resolve('@vladmandic/human')), '..');
}

export function defaultModelDir(): string {
  return join(humanPackageDir(), 'models');
}

export function humanVersion(): string {
  return (JSON.parse(readFileSync(join(humanPackageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Checks that `dir` holds every model the pipeline needs (JSON + weight shards); an InputError naming what is missing. */
export function checkModelDir(dir: string): string {
  const abs = resolve(dir);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new InputError('model directory not found', { file: dir });
  }
  if (!st.isDirectory()) throw new InputError('model directory is not a directory', { file: dir });
  for (const m of FACE_MODELS) {
    const json = join(abs, `${m}.json`);
    if (!existsSync(json)) throw new InputError(`model directory has no ${m}.json (expected Human's models, e.g. ${defaultModelDir()})`, { file: dir });
    let manifest: { weightsManifest?: Array<{ paths: string[] }> };
    try {
      manifest = JSON.parse(readFileSync(json, 'utf8'));
    } catch (e) {
      throw new InputError(`model file is not valid JSON (${(e as Error).message})`, { file: json });
    }
    for (const g of manifest.weightsManifest ?? []) {
      for (const p of g.paths) {
        if (!existsSync(join(abs, p))) throw new InputError(`model weights ${p} missing`, { file: dir });
      }
    }
  }
  return abs;
}

/** Minimal view of the tfjs-core io namespace we use (typed loosely so both tfjs-core copies fit). */
interface TfIo {
  registerLoadRouter(router: (url: string | string[]) => unknown): void;
  getModelArtifactsForJSON(json: unknown, loadWeights: (manifest: WeightsGroup[]) => Promise<[unknown[], ArrayBuffer]>): Promise<unknown>;
}
interface WeightsGroup {
  paths: string[];
  weights: unknown[];
}

/** A tfjs LoadHandler reading a graph model's JSON and weight shards from the file system. */
export function fileLoadHandler(io: TfIo, modelJsonPath: string) {
  return {
    load: async () => {
      const text = await readFile(modelJsonPath, 'utf8');
      const json = JSON.parse(text) as unknown;
      const base = dirname(modelJsonPath);
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: unknown[] = [];
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) buffers.push(await readFile(join(base, p)));
        }
        return [specs, joinShards(buffers)];
      });
    },
  };
}

/**
 * The weight shards as the one ArrayBuffer tfjs decodes weights from. A single shard that fills its own ArrayBuffer
 * (fs.readFile's result for a file) is used as it is; several are copied once. Before, Buffer.concat and a slice
 * copied the 5.4 MB of the four models twice in every worker (16-18 -> 10-12 CPU ms a worker, docs/benchmarks-history.md face).
 */
export function joinShards(buffers: Uint8Array[]): ArrayBuffer {
  const [one] = buffers;
  if (buffers.length === 1 && one.byteOffset === 0 && one.byteLength === one.buffer.byteLength && one.buffer instanceof ArrayBuffer) return one.buffer;
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out.buffer;
}

const registered = new WeakSet<object>();

/** Registers the file:// load router on a tfjs io namespace (once per namespace). */
export function registerFileRouter(io: TfIo): void {
  if (registered.has(io)) return;
  registered.add(io);
  io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    return fileLoadHandler(io, fileURLToPath(url));
  });
}

/** The file:// base URL Human's modelBasePath should get for a model folder (with trailing slash). */
export function modelBaseUrl(dir: string): string {
  const u = pathToFileURL(resolve(dir)).href;
  return u.endsWith('/') ? u : u + '/';
}
