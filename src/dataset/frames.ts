/**
 * Streaming readers of the per-frame feature files extract writes (audio.jsonl, face.jsonl): one parsed record at a
 * time, memory flat whatever the length. Large fields the dataset does not use (face `landmarks`, 478x3 numbers, most
 * of a face line) are cut out of the text before JSON.parse, which is most of the parse time saved.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../common/errors.js';
import type { FieldShape } from './features.js';

export type Frame = Record<string, unknown> & { t_s: number };

/** Removes `"key":[...]` (a JSON array value, possibly nested) from one JSON object line; the line if absent. */
export function dropArrayField(line: string, key: string): string {
  const k = line.indexOf(`"${key}":[`);
  if (k < 0) return line;
  let i = k + key.length + 4;
  let depth = 1;
  while (i < line.length && depth > 0) {
    const c = line.charCodeAt(i);
    if (c === 91) depth++;
    else if (c === 93) depth--;
    i++;
  }
  // Remove one neighbouring comma so the object stays valid JSON.
  let a = k;
  let b = i;
  if (line[b] === ',') b++;
  else if (line[a - 1] === ',') a--;
  return line.slice(0, a) + line.slice(b);
}

export interface FrameReaderOptions {
  /** Array fields to cut before parsing (e.g. ['landmarks', 'faces']). */
  drop?: string[];
  /** The fields the records take from each frame, by shape: each must be there and of its type. */
  fields?: Record<string, FieldShape>;
  /** The stream's frame step (s) when its frames lie on a regular grid (audio): a frame missing or repeated is refused. */
  gridStep?: number;
}

/**
 * What is wrong with the frame's fields the records take (null when nothing): a field missing (a file of an older
 * mmprep or another tool), a value not of its shape (a string or an Infinity from `1e999` where a number belongs), a
 * vector of another length than the file's first one. They went into the records as they were, exit 0: a string
 * that `dataset validate` then failed, a missing field as null throughout, a short MFCC vector not at all.
 */
export function frameFieldProblem(o: Frame, fields: Record<string, FieldShape>, lengths: Map<string, number>): string | null {
  for (const [name, shape] of Object.entries(fields)) {
    const v = o[name];
    if (v === undefined) return `field ${name}: missing (a file of an older mmprep or another tool?): extract the session again, or leave ${name} out of the features`;
    if (v === null || shape === 'matrix') continue;
    const okScalar = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
    const scalar = shape === 'scalar' || shape === 'angle';
    if (shape === 'bool' ? typeof v !== 'boolean' : scalar ? !okScalar(v) : !(Array.isArray(v) && v.every(okScalar)))
      return `field ${name}: ${shown(v)} is not ${shape === 'bool' ? 'true, false' : scalar ? 'a finite number' : 'an array of finite numbers'} or null`;
    if (shape === 'vector') {
      const n = lengths.get(name) ?? (lengths.set(name, (v as unknown[]).length), (v as unknown[]).length);
      if ((v as unknown[]).length !== n) return `field ${name}: ${(v as unknown[]).length} values, where the file's first ${name} has ${n}`;
    }
  }
  return null;
}

/** A value as the file wrote it, near enough: Infinity (read from `1e999`) as Infinity, not JSON's null. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return `[${v.slice(0, 4).map(shown).join(',')}${v.length > 4 ? ',…' : ''}]`;
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)).slice(0, 40);
}

/** A frame of a regular grid that is not one step after the previous one (a frame missing or written twice). */
function gridProblem(t: number, last: number, step: number): string | null {
  if (!Number.isFinite(last)) return null;
  const d = t - last;
  if (d > 1.5 * step) return `t_s ${t} is ${Number(d.toFixed(6))} s after the previous frame (${last}), the stream's step is ${step} s: a frame is missing, and the records' grid (frame k at t0_s + k / rate_hz) would misplace every frame after it`;
  if (d < 0.5 * step) return `t_s ${t} is ${Number(d.toFixed(6))} s after the previous frame (${last}), the stream's step is ${step} s: a frame written twice?`;
  return null;
}

/** Async iterator of the frames of a JSONL feature file, in file order; bad lines are InputErrors with the line. */
export async function* readFrames(path: string, opts: FrameReaderOptions = {}): AsyncGenerator<Frame> {
  const drop = opts.drop ?? [];
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let rest = '';
  let line = 0;
  let last = -Infinity;
  const lengths = new Map<string, number>();
  const parse = (text: string): Frame | null => {
    line++;
    if (text.length === 0 || text === '\r') return null;
    let t = text;
    for (const d of drop) t = dropArrayField(t, d);
    let o: Frame;
    try {
      o = JSON.parse(t) as Frame;
    } catch (e) {
      throw new InputError(`not valid JSON (${(e as Error).message})`, { file: path, line });
    }
    if (typeof o?.t_s !== 'number' || !Number.isFinite(o.t_s)) throw new InputError('frame without a numeric t_s', { file: path, line });
    if (o.t_s < last) throw new InputError(`t_s goes back in time (${o.t_s} after ${last})`, { file: path, line });
    const bad = (opts.gridStep ? gridProblem(o.t_s, last, opts.gridStep) : null) ?? (opts.fields ? frameFieldProblem(o, opts.fields, lengths) : null);
    if (bad) throw new InputError(bad, { file: path, line });
    last = o.t_s;
    return o;
  };
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = rest + chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      const f = parse(text.slice(start, nl));
      if (f) yield f;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  const f = parse(rest);
  if (f) yield f;
}

/** A pull reader with one frame of lookahead, for merging frames into segments in time order. */
export class FrameCursor {
  private it: AsyncGenerator<Frame>;
  private head: Frame | null = null;
  private done = false;
  constructor(it: AsyncGenerator<Frame>) {
    this.it = it;
  }
  async peek(): Promise<Frame | null> {
    if (this.head || this.done) return this.head;
    const r = await this.it.next();
    if (r.done) this.done = true;
    else this.head = r.value;
    return this.head;
  }
  async next(): Promise<Frame | null> {
    const f = await this.peek();
    this.head = null;
    return f;
  }
  async close(): Promise<void> {
    await this.it.return(undefined);
  }
}

/** Frames of a file's head (within its first MB) that its frame step is measured on. */
const HEAD_FRAMES = 101;

/**
 * The stream's frame duration from its first frames: their common interval when they are evenly spaced (audio's 10 ms,
 * a video analysed at every frame), else their mean interval. `extract --face-fps 10` of a 25 fps video keeps the
 * first frame of each 0.1 s, frames 0.12 and 0.08 s apart: the median interval of the first ten said 0.12 s, and the
 * records' native `rate_hz` 8.33 where 10 frames a second came (15 fps: 12.5), exit 0. A frame dropped among the
 * first 100 moves the mean by about 1 %.
 */
export function frameStep(times: number[]): number | null {
  const steps = (ts: number[]) => ts.slice(1).map((t, i) => t - ts[i]).filter((x) => x > 0).sort((a, b) => a - b);
  const d = steps(times);
  if (d.length === 0) return null;
  // evenly spaced (up to t_s rounded to 6 digits): the median of the first ten intervals, as the records always had
  if (d[d.length - 1] - d[0] <= 1e-5) return steps(times.slice(0, 11))[Math.floor(steps(times.slice(0, 11)).length / 2)];
  return (times[times.length - 1] - times[0]) / (times.length - 1);
}

/** The t_s of the first and last complete lines of a JSONL feature file (reads the head and the tail only). */
export async function timeRange(path: string): Promise<{ first: number; last: number; step: number | null } | null> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size === 0) return null;
    const headLen = Math.min(size, 1 << 20);
    const head = Buffer.alloc(headLen);
    await fh.read(head, 0, headLen, 0);
    const headLines = head.toString('utf8').split('\n');
    const times: number[] = [];
    for (const l of headLines.slice(0, -1)) {
      const m = /"t_s":\s*(-?[0-9.eE+-]+)/.exec(l);
      if (m) times.push(Number(m[1]));
      if (times.length >= HEAD_FRAMES) break;
    }
    if (times.length === 0) {
      const m = /"t_s":\s*(-?[0-9.eE+-]+)/.exec(headLines[0]);
      if (!m) return null;
      times.push(Number(m[1]));
    }
    let tailLen = Math.min(size, 1 << 16);
    let last: number | null = null;
    while (last === null) {
      const buf = Buffer.alloc(tailLen);
      await fh.read(buf, 0, tailLen, size - tailLen);
      const lines = buf.toString('utf8').split('\n').filter((l) => l.trim() !== '');
      // The first line of a tail window may be cut; use the last line that starts with '{'.
      for (let i = lines.length - 1; i >= 0 && last === null; i--) {
        if (i === 0 && tailLen < size) break;
        const m = lines[i].startsWith('{') ? /"t_s":\s*(-?[0-9.eE+-]+)/.exec(lines[i]) : null;
        if (m) last = Number(m[1]);
      }
      if (last === null) {
        if (tailLen >= size) break;
        tailLen = Math.min(size, tailLen * 4);
      }
    }
    return { first: times[0], last: last ?? times[times.length - 1], step: frameStep(times) };
  } finally {
    await fh.close();
  }
}
