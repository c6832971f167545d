/**
 * A ringing sound read as a beep's onset (issue 11 items 2 and 4: never a stream placed wrong with exit 0).
 *
 * Something struck near the tone's frequency (a resonance, a bell, a click ringing a surface, a ticking mechanism)
 * rings: its tone starts abruptly and dies away, and a struck-again one starts afresh. A train of such bursts ahead of
 * a beep has, like a beep, an abrupt start, a steady phase within each burst and tone in the band up to the beep, so
 * the change point of direct sound and echo (tone-step.ts) can take its first burst for the direct sound: a train of
 * 1 kHz bursts (1.5 times the beep's amplitude, one every 10 ms, each dying away with a 5 ms time constant) starting
 * 38.5 ms before a beep was read 38.5 ms early with onset_sd_s 0.1 ms, placeable.
 *
 * A beep does not do that. Its direct sound, once arrived, holds its amplitude and phase for the beep's length; the
 * room's echo adds reflections of random phase to it (the sum a random walk from the direct sound: tone-step.ts; its
 * energy building up as 1 - exp(-13.8 t / RT60), Kuttruff, "Room Acoustics", ch. 5). The sum can dip where the echo
 * cancels the direct sound, but a dip is the walk passing near zero, turning its phase as it passes; it does not die
 * away along one phase block after block. A burst dying away does: all of it decays together (an exponential decay
 * scales the complex amplitude, keeping its phase), and then it starts again with a step. So the tone after a
 * candidate onset is looked at in one-period blocks (the baseband summed over one tone period, as tone-step.ts), and a
 * restart is a decay followed by a new rise: from a block within BACK_DB of the highest block so far, at least
 * MIN_DECAY_BLOCKS blocks in which the block power never grows by more than STEP_TOLERANCE_DB and the phase stays
 * within MAX_DECAY_TURN_DEG of the decay's first block, falling by FALL_DB or more; then, within RISE_WITHIN_BLOCKS
 * blocks, a block RISE_DB or more over the decay's last, back within RISE_BACK_DB of the highest.
 *
 * Measured 2026-12-03 on the generator's room model (make-sync-rooms.mjs roomIR: a direct impulse and exponentially
 * decaying Gaussian reflections from 1.5 ms; RT60 0.1, 0.3, 0.5, 0.8 s, DRR +6, 0, -3, -6, -9 dB, 300 rooms each,
 * noise-free, a steady tone's first 60 ms; `node scripts/sim-ringing-rooms.mjs`): 9 of 6000 showed one restart (DRR -3
 * to -9 dB), none two. Without the one phase and the steady decay (any 10 dB fall under the highest block, then a 10 dB
 * rise within 2 blocks back within 4 dB of it), up to 37 of 200 did at DRR -9 dB: echo dips. The decay must also be
 * measurable: its first block at least FALL_DB + OVER_NOISE_DB over the noise of one-period blocks, else it is not
 * looked for (noise breaks a steady decay first). RISE_BACK_DB lets the beep after a ring be weaker than the ring.
 */
import type { Demod } from './tone-onset.js';

/** A decay falls by at least this, dB (a factor 3.2 in amplitude). */
export const FALL_DB = 10;
/** ... over at least this many one-period blocks (a decay, not one block's step down). */
export const MIN_DECAY_BLOCKS = 3;
/** ... each block's phase within this of the decay's first block, degrees. */
export const MAX_DECAY_TURN_DEG = 15;
/** ... no block more than this above the one before it, dB. */
export const STEP_TOLERANCE_DB = 0.5;
/** The new rise: at least this over the decay's last block, dB, ... */
export const RISE_DB = 10;
/** ... within this many blocks after it, ... */
export const RISE_WITHIN_BLOCKS = 2;
/** The decay starts within this of the highest block since the onset, dB. */
export const BACK_DB = 4;
/**
 * The new rise reaches within this of the highest block since the onset, dB (a beep up to this much weaker than the
 * ringing before it).
 */
export const RISE_BACK_DB = 12;
/** The decay's first block stands this far over the noise of one-period blocks beyond FALL_DB, dB. */
const OVER_NOISE_DB = 6;

export interface ToneRestart {
  /** Restarts found between the onset and the end of the span. */
  count: number;
  /** The first restart: where its decay starts and where the new rise is, seconds after the onset. */
  decay_from_s: number;
  rise_at_s: number;
  /** How far its decay fell and the new rise rose, dB. */
  fall_db: number;
  rise_db: number;
}

/** Block powers and unit phasors of one-period blocks from t0 (samples) to t1. */
function blockTrack(demod: Demod, t0: number, t1: number, M: number): { p: number[]; ur: number[]; ui: number[] } {
  const p: number[] = [];
  const ur: number[] = [];
  const ui: number[] = [];
  for (let a = Math.round(t0); a + M <= Math.round(t1); a += M) {
    const [re, im] = demod(a, a + M);
    const m = Math.hypot(re, im);
    p.push((m / M) ** 2);
    ur.push(m > 0 ? re / m : 1);
    ui.push(m > 0 ? im / m : 0);
  }
  return { p, ur, ui };
}

/** The last block of a decay from block k: power not growing (within STEP_TOLERANCE_DB), phase within MAX_DECAY_TURN_DEG. */
function decayEnd(p: number[], ur: number[], ui: number[], k: number): number {
  const grow = 10 ** (STEP_TOLERANCE_DB / 10);
  const cosTurn = Math.cos((MAX_DECAY_TURN_DEG * Math.PI) / 180);
  let j = k;
  while (j + 1 < p.length && p[j + 1] <= p[j] * grow && ur[j + 1] * ur[k] + ui[j + 1] * ui[k] >= cosTurn) j++;
  return j;
}

/**
 * Restarts of the tone in one-period blocks (M samples) from a candidate onset t0 to t1 (samples): a decay along one
 * phase and a new rise (see the file's comment), or null when there is none. noiseBlockP: the noise's block power.
 */
export function toneRestarts(demod: Demod, t0: number, t1: number, M: number, sampleRate: number, noiseBlockP: number): ToneRestart | null {
  const { p, ur, ui } = blockTrack(demod, t0, t1, M);
  const back = 10 ** (-BACK_DB / 10);
  let highest = Math.max(p[0] ?? 0, p[1] ?? 0);
  let first: ToneRestart | null = null;
  let count = 0;
  for (let k = 0; k < p.length; ) {
    highest = Math.max(highest, p[k]);
    const j = decayEnd(p, ur, ui, k);
    const measurable = p[k] >= noiseBlockP * 10 ** ((FALL_DB + OVER_NOISE_DB) / 10);
    if (j - k >= MIN_DECAY_BLOCKS && measurable && p[k] >= highest * back && p[j] <= p[k] * 10 ** (-FALL_DB / 10)) {
      const m = riseAfter(p, j, highest * 10 ** (-RISE_BACK_DB / 10));
      if (m !== null) {
        count++;
        first ??= { count: 0, decay_from_s: (k * M) / sampleRate, rise_at_s: (m * M) / sampleRate, fall_db: 10 * Math.log10(p[k] / p[j]), rise_db: 10 * Math.log10(p[m] / p[j]) };
      }
    }
    k = Math.max(k + 1, j);
  }
  return first ? { ...first, count } : null;
}

/** The first block within RISE_WITHIN_BLOCKS after block j at least RISE_DB over it and at least `least`, or null. */
function riseAfter(p: number[], j: number, least: number): number | null {
  for (let m = j + 1; m < p.length && m <= j + RISE_WITHIN_BLOCKS; m++) if (p[m] >= p[j] * 10 ** (RISE_DB / 10) && p[m] >= least) return m;
  return null;
}
