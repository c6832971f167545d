/**
 * dataset build on feature files whose frames are not what the records assume (a file of an older mmprep or another
 * tool, resealed in meta.json): a missing or repeated audio frame (the records' grid, frame k at t0_s + k / rate_hz,
 * misplaced every frame after it), a string or an overflowing number where a number belongs, a short MFCC vector, a
 * field missing from every frame. Each went into the release, exit 0; the session now fails naming file, line and
 * field (the rest is written, exit 4).
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from './helpers/cli.js';
import { buildDataset } from '../src/dataset/build.js';
import { writeSyntheticSession } from '../src/dataset/synthetic-features.js';

const tmp = tempDir('mmprep-frame-check-');
afterAll(() => tmp.cleanup());
const MANIFEST = join(FIXTURES, 'demo', 'manifest.csv');
const FEATURES = join(tmp.dir, 'features');

beforeAll(async () => {
  for (const [i, id] of ['s01', 's02', 's03'].entries()) await writeSyntheticSession(FEATURES, { session_id: id, duration_s: 10, seed: 41 + i, mediaDir: join(FIXTURES, 'demo') });
});

let n = 0;
/** A copy of the features with s01's `file` rewritten line by line and resealed in its meta.json; the build's s01 error. */
async function s01Error(file: string, edit: (lines: string[]) => string[]): Promise<string | null> {
  const feats = join(tmp.dir, `f${n++}`);
  cpSync(FEATURES, feats, { recursive: true });
  const p = join(feats, 's01', file);
  const text = edit(readFileSync(p, 'utf8').split('\n').filter((l) => l)).join('\n') + '\n';
  writeFileSync(p, text);
  const mp = join(feats, 's01', 'meta.json');
  const meta = JSON.parse(readFileSync(mp, 'utf8'));
  const o = meta.outputs.find((x: { file: string }) => x.file === file);
  Object.assign(o, { sha256: createHash('sha256').update(text).digest('hex'), size_bytes: Buffer.byteLength(text) });
  writeFileSync(mp, JSON.stringify(meta, null, 2) + '\n');
  const r = await buildDataset(MANIFEST, { features: feats, out: join(tmp.dir, `o${n}`), segments: 'fixed:2' });
  return r.manifest.sessions.find((s) => s.session_id === 's01')!.error;
}
/** Edits the record on line i + 1. */
const at = (i: number, fn: (r: Record<string, unknown>) => void) => (ls: string[]) => ls.map((l, k) => (k === i ? edited(l, fn) : l));
function edited(line: string, fn: (r: Record<string, unknown>) => void): string {
  const r = JSON.parse(line);
  fn(r);
  return JSON.stringify(r);
}

describe('dataset build: frames the records cannot hold as they are', () => {
  it('untouched features build', async () => {
    expect(await s01Error('audio.jsonl', (ls) => ls)).toBe(null);
  });

  it('an audio frame missing or written twice', async () => {
    expect(await s01Error('audio.jsonl', (ls) => [...ls.slice(0, 300), ...ls.slice(301)])).toMatch(/audio\.jsonl:301: t_s 3\.01 is 0\.02 s after the previous frame \(2\.99\), the stream's step is 0\.01 s: a frame is missing/);
    expect(await s01Error('audio.jsonl', (ls) => [...ls.slice(0, 301), ls[300], ...ls.slice(301)])).toMatch(/audio\.jsonl:302: t_s 3 is 0 s after the previous frame \(3\), the stream's step is 0\.01 s: a frame written twice\?/);
  });

  it('a string, an overflowing number, a short vector', async () => {
    expect(await s01Error('audio.jsonl', at(300, (r) => (r.rms = '0.5')))).toMatch(/audio\.jsonl:301: field rms: "0\.5" is not a finite number or null$/);
    expect(await s01Error('audio.jsonl', (ls) => ls.map((l, k) => (k === 300 ? l.replace(/"zcr":[^,}]+/, '"zcr":1e999') : l)))).toMatch(/audio\.jsonl:301: field zcr: Infinity is not a finite number or null$/);
    expect(await s01Error('audio.jsonl', at(300, (r) => (r.mfcc = (r.mfcc as number[]).slice(0, 5))))).toMatch(/audio\.jsonl:301: field mfcc: 5 values, where the file's first mfcc has 13$/);
  });

  it('a face field missing from every frame (an older face stage)', async () => {
    expect(await s01Error('face.jsonl', (ls) => ls.map((l) => edited(l, (r) => delete r.expr_neutral)))).toMatch(/face\.jsonl:1: field expr_neutral: missing \(a file of an older mmprep or another tool\?\): extract the session again, or leave expr_neutral out of the features$/);
  });
});
