/**
 * Praat's Pitch_pathFinder (pitch.ts) over candidate stores that went to temp files (spill.ts), in blocks of
 * SPILL_BLOCK_FRAMES frames: the forward pass needs only the previous frame's cumulative scores, so it runs block by
 * block with that frame carried as row 0 of the next block, writing the backpointers (psi) to a temp file; the
 * backtrack then reads the blocks back from the last. The same functions on the same values in the same order as
 * PitchAnalyzer.finish over the whole file: the same bits (test/audio-spill.test.ts).
 */
import { backtrackRange, bestLastPlace, forwardPass, localScores, strongestVoiced, type PitchTrack } from './pitch.js';
import { SPILL_BLOCK_FRAMES, SpillFile, type SpillStore } from './spill.js';

export interface SpilledCandidates {
  nCand: SpillStore;
  freq: SpillStore;
  strength: SpillStore;
  localPeak: SpillStore;
}

export interface PathCosts {
  silenceThreshold: number;
  voicingThreshold: number;
  octaveCost: number;
  /** Octave-jump and voiced/unvoiced costs, step-corrected. */
  jumpCost: number;
  vuCost: number;
}

/** Block buffers with one leading row: the frame before the block (its count, cumulative scores and log2 f). */
interface Rows {
  NC: Float32Array;
  LP: Float32Array;
  F: Float32Array;
  S: Float32Array;
  delta: Float64Array;
  lf: Float64Array;
  psi: Uint8Array;
}

function rows(mc: number): Rows {
  const r = SPILL_BLOCK_FRAMES + 1;
  return { NC: new Float32Array(r), LP: new Float32Array(r), F: new Float32Array(r * mc), S: new Float32Array(r * mc), delta: new Float64Array(r * mc), lf: new Float64Array(r * mc), psi: new Uint8Array(r * mc) };
}

/** Frames [a, b) of the stores into rows r0 .. r0 + b - a. */
function load(c: SpilledCandidates, R: Rows, a: number, b: number, r0: number, mc: number): void {
  const m = b - a;
  c.nCand.read(a, b, R.NC.subarray(r0, r0 + m));
  c.localPeak.read(a, b, R.LP.subarray(r0, r0 + m));
  c.freq.read(a, b, R.F.subarray(r0 * mc, (r0 + m) * mc));
  c.strength.read(a, b, R.S.subarray(r0 * mc, (r0 + m) * mc));
}

/** The forward pass block by block; psi goes to `psiFile`; returns the last frame's best candidate. */
function forwardBlocks(c: SpilledCandidates, n: number, mc: number, ceiling: number, globalPeak: number, k: PathCosts, maxStrength: Float32Array, octaveAbove: Uint8Array, psiFile: SpillFile): number {
  const R = rows(mc);
  for (let a = 0; a < n; a += SPILL_BLOCK_FRAMES) {
    const b = Math.min(n, a + SPILL_BLOCK_FRAMES);
    const m = b - a;
    // The first block starts at row 0 (frame 0 has no predecessor); later ones at row 1 after the carried frame.
    const r0 = a === 0 ? 0 : 1;
    load(c, R, a, b, r0, mc);
    const at = r0 * mc;
    localScores(R.F.subarray(at), R.S.subarray(at), R.NC.subarray(r0), R.LP.subarray(r0), m, mc, ceiling, globalPeak, k.silenceThreshold, k.voicingThreshold, k.octaveCost, R.delta.subarray(at), R.lf.subarray(at));
    strongestVoiced(R.F.subarray(at), R.S.subarray(at), R.NC.subarray(r0), m, mc, ceiling, k.octaveCost, maxStrength.subarray(a, b), octaveAbove.subarray(a, b), R.delta.subarray(at));
    forwardPass(R.NC, r0 + m, mc, k.jumpCost, k.vuCost, R.delta, R.lf, R.psi);
    psiFile.write(R.psi.subarray(at, at + m * mc), a * mc);
    const last = r0 + m - 1;
    R.NC[0] = R.NC[last];
    R.delta.copyWithin(0, last * mc, last * mc + mc);
    R.lf.copyWithin(0, last * mc, last * mc + mc);
  }
  return bestLastPlace(R.delta, R.NC, 0, mc);
}

/** The backtrack, blocks read from the last: f0 and strength of the voiced frames of the path. */
function backtrackBlocks(c: SpilledCandidates, n: number, mc: number, ceiling: number, place: number, psiFile: SpillFile, f0: Float32Array, strength: Float32Array): void {
  const R = rows(mc);
  const last = Math.floor((n - 1) / SPILL_BLOCK_FRAMES) * SPILL_BLOCK_FRAMES;
  for (let a = last; a >= 0; a -= SPILL_BLOCK_FRAMES) {
    const b = Math.min(n, a + SPILL_BLOCK_FRAMES);
    const m = b - a;
    c.freq.read(a, b, R.F.subarray(0, m * mc));
    c.strength.read(a, b, R.S.subarray(0, m * mc));
    psiFile.read(R.psi.subarray(0, m * mc), a * mc);
    place = backtrackRange(R.F, R.S, R.psi, m, mc, ceiling, place, f0.subarray(a, b), strength.subarray(a, b));
  }
}

/** PitchAnalyzer.finish over sealed spilled stores of n frames. */
export function finishSpilled(c: SpilledCandidates, n: number, mc: number, ceiling: number, globalPeak: number, k: PathCosts): PitchTrack {
  // f0 and maxStrength (voiced_prob) in shared memory: the main thread and the JSONL helper read them without copies.
  const f0 = new Float32Array(new SharedArrayBuffer(4 * n));
  const strength = new Float32Array(n);
  const maxStrength = new Float32Array(new SharedArrayBuffer(4 * n));
  const octaveAbove = new Uint8Array(new SharedArrayBuffer(n));
  if (n === 0) return { f0, strength, maxStrength, octaveAbove, n };
  const psiFile = SpillFile.create();
  try {
    const place = forwardBlocks(c, n, mc, ceiling, globalPeak, k, maxStrength, octaveAbove, psiFile);
    // Praat: no path when the signal is silent (maxStrength is still reported).
    if (globalPeak !== 0) backtrackBlocks(c, n, mc, ceiling, place, psiFile, f0, strength);
    return { f0, strength, maxStrength, octaveAbove, n };
  } finally {
    psiFile.close();
  }
}
