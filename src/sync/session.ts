/**
 * `mmprep sync` as a library: finds the sync pulse (1 kHz beep, LED flash) in every stream of a session's files and
 * puts all streams on the reference stream's clock (SyncMap, see clock.ts).
 *
 * Placement, repeated until nothing changes: (1) a stream with a pulse is placed from any placed stream with a pulse
 * (the beep and the flash are taken as simultaneous; sound travels 2.9 ms per metre, so keep the speaker near the
 * microphones); drift comes from the pulses at both ends; (2) a stream of a file whose other stream is placed takes
 * that stream's clock (one device, one clock: 'container'); (3) an audio stream without a pulse is placed against a
 * placed audio stream by cross-correlation ('xcorr', the audio-offset-finder approach).
 */
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';
import { GateError, InputError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { probe, type ProbeResult } from '../media/probe.js';
import type { StreamKind, SyncMap, SyncStreamEntry } from './clock.js';
import { scanAudioTone } from './scan-audio.js';
import { scanVideoFlash } from './scan-video.js';
import { audioOffset } from './xcorr.js';
import { findOtherToneBurst } from './tone.js';
import { searchWindows, type Ends, type SearchWindow, type SyncWarning } from './windows.js';

export type PickRule = 'first' | 'strongest';
export type FallbackRule = 'xcorr' | 'none';

export interface SyncOptions {
  /** Beep frequency, Hz (default 1000). */
  toneHz?: number;
  /** Seconds searched at each end; 0 = the whole file (default 60). */
  searchS?: number;
  /** Pulses at the start only, or at both ends (drift) (default 'start'). */
  ends?: Ends;
  /** How to choose among candidate pulses of similar strength; default none (an AmbiguousPulseError). */
  pick?: PickRule | null;
  /** Placement of audio streams without a pulse (default 'xcorr'). */
  fallback?: FallbackRule;
  /** Least confidence of an xcorr placement (default 0.5, a peak ratio of 1.5). */
  minXcorrConfidence?: number;
  /** Longest side of decoded video frames (default 160). */
  maxSide?: number;
  /** Called with one line per stream scanned (progress). */
  onProgress?: (line: string) => void;
}

export interface SyncInput {
  file: string;
}

export interface Candidate {
  window: 'start' | 'end';
  t_s: number;
  strength: number;
  [k: string]: unknown;
}

/** Two or more candidate pulses of similar strength and no --pick: exit 3, nothing written. */
export class AmbiguousPulseError extends GateError {
  readonly file: string;
  readonly kind: StreamKind;
  readonly stream: number;
  readonly candidates: Candidate[];
  constructor(file: string, kind: StreamKind, stream: number, candidates: Candidate[], more: number) {
    const what = kind === 'audio' ? 'tone bursts' : 'flashes';
    const list = candidates.map((c) => `${c.t_s.toFixed(3)} s (${kind === 'audio' ? `${c.strength.toFixed(1)} dBFS` : `score ${c.strength.toFixed(1)}`})`).join(', ');
    super(
      `${file}: ${kind} stream ${stream}: ambiguous sync pulse in the ${candidates[0].window} window: ${candidates.length} ${what} of similar strength at ${list}; rerun with --pick first or --pick strongest${more ? ` (and ${more} more ambiguous window(s))` : ''}`,
    );
    this.file = file;
    this.kind = kind;
    this.stream = stream;
    this.candidates = candidates;
  }
}

const r7 = (v: number) => Math.round(v * 1e7) / 1e7;
const r3 = (v: number) => Math.round(v * 1e3) / 1e3;
const r2 = (v: number) => Math.round(v * 100) / 100;

interface StreamState {
  file: string;
  abs: string;
  kind: StreamKind;
  stream: number;
  detections: Array<Record<string, unknown>>;
  chosen: { start: Candidate | null; end: Candidate | null };
  warnings: SyncWarning[];
  kept: Float32Array | null;
  keptT0: number;
  keptEnd: Float32Array | null;
  keptEndT0: number;
  /** A hint for messages (a tone burst at another frequency). */
  hint?: string;
  sampleRate: number;
  placed: null | { offset: number; k: number | null; method: string; confidence: number; from: StreamState | null; extra?: Record<string, unknown> };
}

function roundDetection(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (typeof v !== 'number') out[k] = v && typeof v === 'object' ? roundDetection(v as Record<string, unknown>) : v;
    else if (k === 't_s' || k === 'duration_s') out[k] = r7(v);
    else out[k] = k.endsWith('_px') ? v : r3(v);
  }
  return out;
}

/** Pulses are 100-500 ms long (docs/sync.md): two onsets closer than this are one pulse. */
const SAME_PULSE_S = 0.1;

/** Chooses the pulse of one window: the only one, the clear winner, or by rule; null plus ambiguity otherwise. */
function choose(all: Candidate[], pick: PickRule | null, clearMargin: (a: number, b: number) => boolean): { chosen: Candidate | null; ambiguous: Candidate[] | null; extra: number } {
  if (all.length === 0) return { chosen: null, ambiguous: null, extra: 0 };
  // A candidate within SAME_PULSE_S of a stronger one is the same pulse seen again (one flash lighting several parts
  // of the picture): not a rival in time, so it never makes the choice ambiguous; the strongest sighting stands.
  const byStrengthAll = all.slice().sort((a, b) => b.strength - a.strength || a.t_s - b.t_s);
  const byStrength: Candidate[] = [];
  for (const c of byStrengthAll) if (!byStrength.some((k) => Math.abs(k.t_s - c.t_s) < SAME_PULSE_S)) byStrength.push(c);
  const cands = byStrength;
  if (cands.length === 1) return { chosen: cands[0], ambiguous: null, extra: all.length - 1 };
  if (pick === 'first') return { chosen: cands.slice().sort((a, b) => a.t_s - b.t_s)[0], ambiguous: null, extra: all.length - 1 };
  if (pick === 'strongest') return { chosen: byStrength[0], ambiguous: null, extra: all.length - 1 };
  if (clearMargin(byStrength[0].strength, byStrength[1].strength)) return { chosen: byStrength[0], ambiguous: null, extra: all.length - 1 };
  const similar = byStrength.filter((c) => !clearMargin(byStrength[0].strength, c.strength));
  return { chosen: null, ambiguous: similar.sort((a, b) => a.t_s - b.t_s), extra: 0 };
}

async function mapLimit<T>(items: T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]);
    }
  });
  await Promise.all(workers);
}

/**
 * Finds the pulses in every stream of `inputs` and returns the session's clock map (paths absolute; writeSyncMap
 * makes them relative to the map's folder). Throws InputError (exit 2) when a file has no audio or video, a file is
 * too short for the search windows, or a stream cannot be placed; AmbiguousPulseError (exit 3) for similar
 * candidates without `pick`. opts.ref: the reference file (its first audio stream, else its video).
 */
export async function syncSession(inputs: SyncInput[], opts: SyncOptions & { ref?: string } = {}): Promise<SyncMap> {
  if (inputs.length === 0) throw new InputError('no media files given');
  const toneHz = opts.toneHz ?? 1000;
  const searchS = opts.searchS ?? 60;
  const ends: Ends = opts.ends ?? 'start';
  const pick = opts.pick ?? null;
  const fallback = opts.fallback ?? 'xcorr';
  const minXc = opts.minXcorrConfidence ?? 0.5;
  const seen = new Set<string>();
  const probes: Array<{ file: string; abs: string; p: ProbeResult; windows: SearchWindow[]; warnings: SyncWarning[] }> = [];
  for (const { file } of inputs) {
    const abs = resolve(file);
    if (seen.has(abs)) throw new InputError('given twice', { file });
    seen.add(abs);
    const p = await probe(file);
    if (!p.streams.some((s) => s.type === 'audio' || s.type === 'video')) throw new InputError('has no audio or video stream', { file });
    const dur = p.duration_s ?? null;
    const { windows, warnings } = searchWindows(file, dur, searchS, ends);
    probes.push({ file, abs, p, windows, warnings });
  }
  if (opts.ref !== undefined && !probes.some((q) => q.abs === resolve(opts.ref as string))) {
    throw new InputError(`--ref ${opts.ref} is not one of the media files given`, { file: opts.ref });
  }

  // One state per stream: every audio stream, then every video stream, of every file, in input order.
  const states: StreamState[] = [];
  const jobs: Array<() => Promise<void>> = [];
  for (const q of probes) {
    const audio = q.p.streams.filter((s) => s.type === 'audio');
    const video = q.p.streams.filter((s) => s.type === 'video' && !/^(mjpeg|png|bmp)$/.test(s.codec ?? ''));
    for (const [kind, list] of [['audio', audio], ['video', video]] as const) {
      for (let n = 0; n < list.length; n++) {
        const st: StreamState = {
          file: q.file,
          abs: q.abs,
          kind,
          stream: n,
          detections: [],
          chosen: { start: null, end: null },
          warnings: q.warnings.slice(),
          kept: null,
          keptT0: 0,
          keptEnd: null,
          keptEndT0: 0,
          sampleRate: 0,
          placed: null,
        };
        states.push(st);
        const dur = q.p.duration_s ?? Infinity;
        const split = (t: number, w: string): 'start' | 'end' => (w === 'all' ? (t < dur / 2 ? 'start' : 'end') : (w as 'start' | 'end'));
        jobs.push(async () => {
          if (kind === 'audio') {
            const scan = await scanAudioTone(q.file, q.windows, { toneHz, stream: n, probed: q.p, keepS: Math.min(searchS > 0 ? searchS : 120, 120) });
            st.kept = scan.kept;
            st.keptT0 = scan.keptT0;
            st.keptEnd = scan.keptEnd;
            st.keptEndT0 = scan.keptEndT0;
            st.sampleRate = scan.sampleRate;
            for (const w of scan.windows) for (const d of w.detections) st.detections.push({ ...d, window: split(d.t_s, d.window) });
          } else {
            const scan = await scanVideoFlash(q.file, q.windows, { stream: n, probed: q.p, maxSide: opts.maxSide });
            for (const w of scan.windows) for (const d of w.detections) st.detections.push({ ...d, window: split(d.t_s, d.window) });
          }
          opts.onProgress?.(`${q.file}: ${kind} stream ${n}: ${st.detections.length} candidate pulse(s)`);
        });
      }
    }
  }
  await mapLimit(jobs, 2, (j) => j());

  // Choose pulses per window.
  const ambiguous: Array<{ st: StreamState; cands: Candidate[] }> = [];
  for (const st of states) {
    // Strength: the beep's level (its SNR depends on what else sounds around it) or the flash's jump score.
    const strength = (d: Record<string, unknown>) => Number(st.kind === 'audio' ? d.level_dbfs : d.score);
    const clear = st.kind === 'audio' ? (a: number, b: number) => a - b >= 6 : (a: number, b: number) => a >= 2 * b;
    for (const w of ['start', 'end'] as const) {
      const cands: Candidate[] = st.detections.filter((d) => d.window === w).map((d) => ({ ...d, window: w, t_s: Number(d.t_s), strength: strength(d) }));
      const c = choose(cands, pick, clear);
      if (c.ambiguous) ambiguous.push({ st, cands: c.ambiguous });
      st.chosen[w] = c.chosen;
      if (c.extra > 0 && c.chosen) {
        st.warnings.push({ code: 'extra_pulses', message: `${c.extra} more candidate pulse(s) in the ${w} window; chose ${c.chosen.t_s.toFixed(3)} s (${pick ?? 'clearly strongest'})` });
      }
      if (c.chosen) {
        const conf = Number(c.chosen.confidence);
        if (st.kind === 'audio' && (conf < 0.5 || Number(c.chosen.snr_db) < 0)) {
          st.warnings.push({ code: 'low_snr', message: `${w} beep at ${c.chosen.t_s.toFixed(3)} s has low SNR (${Number(c.chosen.snr_db).toFixed(1)} dB, ${Number(c.chosen.band_snr_db).toFixed(1)} dB in band)` });
        }
        if (st.kind === 'video' && conf < 0.5) {
          st.warnings.push({ code: 'low_contrast', message: `${w} flash at ${c.chosen.t_s.toFixed(3)} s stands out little (score ${Number(c.chosen.score).toFixed(1)})` });
        }
      }
    }
    if (!st.chosen.start && !st.chosen.end) {
      let hint = '';
      if (st.kind === 'audio' && st.kept) {
        const other = findOtherToneBurst(st.kept, st.sampleRate, st.keptT0, toneHz);
        if (other) hint = ` (but a tone burst at about ${other.hz} Hz at ${other.t_s.toFixed(3)} s: --tone-hz ${other.hz}?)`;
      }
      st.warnings.push({ code: 'not_found', message: st.kind === 'audio' ? `no ${toneHz} Hz tone burst found${hint}` : 'no flash found' });
      st.hint = hint;
    } else if (ends === 'both' && (!st.chosen.start || !st.chosen.end)) {
      st.warnings.push({ code: 'no_end_pulse', message: `no pulse in the ${st.chosen.start ? 'end' : 'start'} window: drift unknown` });
    }
  }
  if (ambiguous.length) throw new AmbiguousPulseError(ambiguous[0].st.file, ambiguous[0].st.kind, ambiguous[0].st.stream, ambiguous[0].cands, ambiguous.length - 1);

  // Reference stream.
  const refAbs = opts.ref !== undefined ? resolve(opts.ref) : probes[0].abs;
  const ofRef = states.filter((s) => s.abs === refAbs);
  const ref = ofRef.find((s) => s.kind === 'audio') ?? ofRef[0];
  ref.placed = { offset: 0, k: 0, method: 'reference', confidence: 1, from: null };
  const refReason = `${opts.ref !== undefined ? '--ref' : 'the first file'}'s ${ref.kind === 'audio' ? 'first audio stream' : 'video stream (it has no audio)'}`;

  const pulseOf = (s: StreamState) => s.chosen.start ?? s.chosen.end;
  let changed = true;
  while (changed) {
    changed = false;
    // 1. Pulse to pulse.
    for (const s of states) {
      if (s.placed || !pulseOf(s)) continue;
      const shared = states.filter((o) => o.placed && ((o.chosen.start && s.chosen.start) || (o.chosen.end && s.chosen.end)));
      const from = shared.find((o) => o.chosen.start && o.chosen.end && s.chosen.start && s.chosen.end) ?? shared[0];
      if (!from || !from.placed) continue;
      const clk = (t: number) => t + (from.placed as NonNullable<StreamState['placed']>).offset + ((from.placed as NonNullable<StreamState['placed']>).k ?? 0) * t;
      const a1 = from.chosen.start && s.chosen.start ? [clk(from.chosen.start.t_s), s.chosen.start.t_s] : null;
      const a2 = from.chosen.end && s.chosen.end ? [clk(from.chosen.end.t_s), s.chosen.end.t_s] : null;
      let k: number | null = null;
      let offset: number;
      if (a1 && a2 && a2[1] - a1[1] > 1) {
        k = (a2[0] - a1[0]) / (a2[1] - a1[1]) - 1;
        offset = a1[0] - a1[1] * (1 + k);
      } else {
        const pair = (a1 ?? a2) as number[];
        offset = pair[0] - pair[1];
      }
      let extra: Record<string, unknown> | undefined;
      // A picture takes the drift of its own file's sound when beeps at both ends measured it: one device, one
      // clock, and beep onsets are some 100x more precise than flash onsets. Its own flash drift is kept beside.
      const sib = s.kind === 'video' ? states.find((o) => o.abs === s.abs && o.kind === 'audio' && o.placed?.method === 'tone' && o.placed.k !== null) : undefined;
      if (sib && sib.placed && sib.placed.k !== null) {
        const pair = (a1 ?? a2) as number[];
        extra = { drift_source: `audio stream ${sib.stream} of the same file`, drift_flash_ppm: k === null ? null : r3(k * 1e6) };
        k = sib.placed.k;
        offset = pair[0] - pair[1] * (1 + k);
      }
      const confs = [s.chosen.start, s.chosen.end].filter(Boolean).map((c) => Number((c as Candidate).confidence));
      s.placed = { offset, k, method: s.kind === 'audio' ? 'tone' : 'flash', confidence: Math.min(...confs, from.placed.confidence), from, extra };
      changed = true;
    }
    if (changed) continue;
    // 2. Same file, same clock.
    for (const s of states) {
      if (s.placed) continue;
      const sib = states.find((o) => o.placed && o.abs === s.abs);
      if (!sib || !sib.placed) continue;
      s.placed = { offset: sib.placed.offset, k: sib.placed.k, method: 'container', confidence: sib.placed.confidence, from: sib };
      s.warnings.push({ code: 'container_clock', message: `placed with the clock of the same file's ${sib.kind} stream ${sib.stream} (no pulse of its own)` });
      changed = true;
    }
    if (changed) continue;
    // 3. Cross-correlation against a placed audio stream.
    if (fallback === 'xcorr') {
      for (const s of states) {
        if (s.placed || s.kind !== 'audio' || !s.kept) continue;
        const partners = states.filter((o) => o.placed && o.kind === 'audio' && o.kept && o.sampleRate === s.sampleRate);
        let best: { o: StreamState; r: NonNullable<ReturnType<typeof audioOffset>> } | null = null;
        for (const o of partners) {
          const r = audioOffset(o.kept as Float32Array, o.keptT0, s.kept, s.keptT0, s.sampleRate);
          if (r && (!best || r.confidence > best.r.confidence)) best = { o, r };
        }
        if (!best) continue;
        if (best.r.confidence < minXc) {
          s.warnings.push({ code: 'xcorr_weak', message: `cross-correlation with ${best.o.file} is not conclusive (peak ratio ${best.r.peak_ratio.toFixed(2)})` });
          continue;
        }
        const o = best.o.placed as NonNullable<StreamState['placed']>;
        // t_o = t_s (1 + k1) + c: with both ends cross-correlated, the change of offset over time is the drift
        // (each offset taken at the middle of its window); otherwise k1 = 0 and the drift stays unknown.
        let k1: number | null = null;
        let c = best.r.offset_s;
        let endRes: ReturnType<typeof audioOffset> = null;
        if (ends === 'both' && s.keptEnd && best.o.keptEnd) {
          endRes = audioOffset(best.o.keptEnd, best.o.keptEndT0, s.keptEnd, s.keptEndT0, s.sampleRate);
          const tm1 = s.keptT0 + s.kept.length / s.sampleRate / 2;
          const tm2 = s.keptEndT0 + s.keptEnd.length / s.sampleRate / 2;
          if (endRes && endRes.confidence >= minXc && tm2 - tm1 > 1) {
            k1 = (endRes.offset_s - best.r.offset_s) / (tm2 - tm1);
            c = best.r.offset_s - k1 * tm1;
          } else {
            s.warnings.push({ code: 'no_end_pulse', message: `no pulse, and the end windows do not cross-correlate with ${best.o.file}${endRes ? ` (peak ratio ${endRes.peak_ratio.toFixed(2)})` : ''}: drift unknown` });
          }
        }
        // Then onto the reference clock through o's clock: t_ref = t_o (1 + k_o) + off_o.
        const ko = o.k ?? 0;
        const kTotal = k1 === null ? null : (1 + ko) * (1 + k1) - 1;
        s.placed = {
          offset: (1 + ko) * c + o.offset,
          k: kTotal,
          method: 'xcorr',
          confidence: Math.min(best.r.confidence, o.confidence),
          from: best.o,
          extra: {
            xcorr: {
              peak_ratio: r3(Math.min(best.r.peak_ratio, 1e6)),
              fine_peak_ratio: best.r.fine_peak_ratio === null ? null : r3(Math.min(best.r.fine_peak_ratio, 1e6)),
              overlap_s: r3(best.r.overlap_s),
              end_peak_ratio: endRes ? r3(Math.min(endRes.peak_ratio, 1e6)) : null,
            },
          },
        };
        s.warnings.push({ code: 'fallback', message: `no pulse: placed by cross-correlating its audio with ${best.o.file} (peak ratio ${best.r.peak_ratio.toFixed(2)})` });
        changed = true;
      }
    }
  }

  const anyPulse = states.some((s) => pulseOf(s));
  const anyXcorr = states.some((s) => s.placed?.method === 'xcorr');
  const where = searchS > 0 ? `the first${ends === 'both' ? ' and last' : ''} ${searchS} s` : 'the whole file';
  if (!anyPulse && !anyXcorr && states.length > 0) {
    const names = probes.map((q) => q.file).join(', ');
    const hint = states.find((s) => s.hint)?.hint ?? '';
    throw new InputError(`no sync pulse (${toneHz} Hz tone burst or flash) found in ${where} of any stream${hint}${fallback === 'xcorr' ? ', and no two audio tracks could be aligned by content' : ''}`, { file: names });
  }
  const unplaced = states.filter((s) => !s.placed);
  if (unplaced.length) {
    const s = unplaced[0];
    if (!pulseOf(ref) && !states.some((o) => o.placed && o !== ref && pulseOf(o))) {
      const refWhy = ref.kind === 'audio' ? `no ${toneHz} Hz tone burst in ${where}${ref.hint ?? ''}` : `no flash in ${where}`;
      throw new InputError(
        `the reference ${ref.kind} stream ${ref.stream} has ${refWhy}, so ${s.file} ${s.kind} stream ${s.stream} cannot be put on its clock${unplaced.length > 1 ? ` (nor ${unplaced.length - 1} more stream(s))` : ''}; choose another --ref`,
        { file: ref.file },
      );
    }
    const why = s.warnings.find((w) => w.code === 'xcorr_weak')?.message ?? (s.kind === 'audio' ? `no ${toneHz} Hz tone burst in ${where}${s.hint ?? ''}` : `no flash in ${where}`);
    throw new InputError(`${s.kind} stream ${s.stream} cannot be put on the reference clock: ${why}${unplaced.length > 1 ? ` (${unplaced.length - 1} more stream(s) unplaced)` : ''}`, { file: s.file });
  }

  const entries: SyncStreamEntry[] = states.map((s) => {
    const pl = s.placed as NonNullable<StreamState['placed']>;
    const e: SyncStreamEntry = {
      file: s.abs,
      kind: s.kind,
      stream: s.stream,
      offset_s: r7(pl.offset),
      drift_ppm: pl.k === null ? null : r3(pl.k * 1e6),
      method: pl.method,
      confidence: r3(pl.confidence),
    };
    if (pl.from) e.placed_from = { file: pl.from.abs, kind: pl.from.kind, stream: pl.from.stream };
    e.pulses = {
      start_s: s.chosen.start ? r7(s.chosen.start.t_s) : null,
      end_s: s.chosen.end ? r7(s.chosen.end.t_s) : null,
    };
    if (pl.extra) Object.assign(e, pl.extra);
    e.detections = s.detections.map(roundDetection);
    e.warnings = s.warnings;
    return e;
  });
  return {
    version: 1,
    reference: { file: ref.abs, kind: ref.kind, stream: ref.stream },
    reference_reason: refReason,
    tool: { name: 'mmprep', version: VERSION },
    options: { tone_hz: toneHz, search_s: searchS, ends, pick, fallback },
    streams: entries,
  };
}

function relPath(from: string, file: string): string {
  if (!isAbsolute(file)) return file.split(sep).join('/');
  const r = relative(from, file);
  return (r === '' ? '.' : r).split(sep).join('/');
}

/** The map with its file paths relative to `dir` (as sync.json stores them). */
export function relativizeSyncMap(map: SyncMap, dir: string): SyncMap {
  const fix = <T extends { file: string }>(o: T): T => ({ ...o, file: relPath(dir, o.file) });
  return {
    ...map,
    reference: fix(map.reference),
    streams: map.streams.map((e) => {
      const out = fix(e);
      if (e.placed_from && typeof e.placed_from === 'object') out.placed_from = fix(e.placed_from as { file: string });
      return out;
    }),
  };
}

/** Writes sync.json atomically (temp file + rename), paths relative to its folder, 2-space JSON + newline. */
export async function writeSyncMap(path: string, map: SyncMap): Promise<void> {
  const dir = dirname(resolve(path));
  await writeFileAtomic(path, JSON.stringify(relativizeSyncMap(map, dir), null, 2) + '\n');
}
