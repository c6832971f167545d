/** Types of scripts/make-content-pairs.mjs's exports (a case's signals built in memory, 16 kHz), for the tests. */
export interface Condition {
  cond: string;
  rt60: number;
  drrP: number;
  drrI: number;
  pOverI?: number;
  snr: number;
  hum?: boolean;
  agc?: boolean;
  rustle?: boolean;
  maxGap?: number;
  enc: string;
  dur: number;
  offset?: number;
  wrongBeep?: number;
  args: string[];
}
export interface Draws {
  seed: number;
  fP: number;
  fI: number;
  offset: number;
  k: number;
  lavDur: number;
  beeps: number[];
  micBeeps: number[];
}
export function conditions(): Condition[];
export function draws(c: Condition, seed: number, slot: number): Draws;
export function session(c: Condition, s: Draws): { lav: Float32Array; mic: Float32Array };
