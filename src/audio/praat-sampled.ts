/**
 * Praat's "Sampled" conventions (Praat fon/Sampled.cpp), 1-based as in Praat: sample i of a sound sits at
 * x1 + (i - 1) * dx with x1 = dx / 2 for a sound read from a file; frame grids of short-term analyses are centred
 * in the signal (Sampled_shortTermAnalysis).
 */
export interface Grid {
  /** Number of samples / frames. */
  nx: number;
  dx: number;
  /** Time of sample / frame 1. */
  x1: number;
}

export const xToLowIndex = (g: Grid, x: number) => Math.floor((x - g.x1) / g.dx) + 1;
export const xToHighIndex = (g: Grid, x: number) => Math.ceil((x - g.x1) / g.dx) + 1;
/** Melder_iround = floor(x + 0.5). */
export const xToNearestIndex = (g: Grid, x: number) => Math.floor((x - g.x1) / g.dx + 0.5) + 1;
export const indexToX = (g: Grid, i: number) => g.x1 + (i - 1) * g.dx;
export const xToIndex = (g: Grid, x: number) => (x - g.x1) / g.dx + 1;

/** The grid of a sound of n samples at rate sr, as Praat reads it from a file (xmin 0, x1 = dx / 2). */
export function soundGrid(n: number, sr: number): Grid {
  const dx = 1 / sr;
  return { nx: n, dx, x1: 0.5 * dx };
}

/**
 * Sampled_shortTermAnalysis: as many frames of `windowDuration` as fit, `timeStep` apart, centred in the sound.
 * Returns null when the sound is shorter than one window (Praat refuses then).
 */
export function shortTermGrid(sound: Grid, windowDuration: number, timeStep: number): Grid | null {
  const myDuration = sound.dx * sound.nx;
  if (windowDuration > myDuration) return null;
  const nx = Math.floor((myDuration - windowDuration) / timeStep) + 1;
  if (nx < 1) return null;
  const ourMidTime = sound.x1 - 0.5 * sound.dx + 0.5 * myDuration;
  const thyDuration = nx * timeStep;
  return { nx, dx: timeStep, x1: ourMidTime - 0.5 * thyDuration + 0.5 * timeStep };
}

/** Sampled_getWindowSamples: [imin, imax] (1-based) of the samples in [xmin, xmax]; n = 0 when none. */
export function windowSamples(g: Grid, xmin: number, xmax: number): [number, number, number] {
  const rimin = 1 + Math.ceil((xmin - g.x1) / g.dx);
  const rimax = 1 + Math.floor((xmax - g.x1) / g.dx);
  const imin = rimin < 1 ? 1 : rimin;
  const imax = rimax > g.nx ? g.nx : rimax;
  return imin > imax ? [imin, imax, 0] : [imin, imax, imax - imin + 1];
}
