/**
 * The stretches of a stream's window that one cross-correlation lag leaves without a partner: b's samples outside its
 * overlap with a at that lag. A lag found by cross-correlation is the time shift that aligns the whole shared sound
 * (Knapp & Carter 1976); a sound heard twice (a clip one talker says near the lav and another, louder, near the room
 * microphone at another time) can make a wrong lag the only clear one, and such a lag overlaps the partner's window
 * only over the repeated clip's neighbourhood. The stretches it leaves out are cross-correlated on their own
 * (place.ts checkRest): sound there that matches the partner clearly at another lag is a second clear lag, told apart
 * by where each matches (xcorr-span.ts) or refused.
 */

/** A stretch left out shorter than this is not checked (two runs of the span test, xcorr-span.ts). */
export const REST_MIN_S = 4.6;

/**
 * b's sample ranges [from, to) outside its overlap with a (lengths aLen, bLen; first-sample times aT0, bT0) at the
 * offset offsetS (add to a time in b to get a's time), each at least REST_MIN_S long.
 */
export function outsideOverlap(aLen: number, aT0: number, bLen: number, bT0: number, sr: number, offsetS: number): Array<[number, number]> {
  const lag = Math.round((offsetS - aT0 + bT0) * sr); // b's sample n holds the sound of a's sample n + lag
  const from = Math.min(bLen, Math.max(0, -lag));
  const to = Math.max(from, Math.min(bLen, aLen - lag));
  return ([[0, from], [to, bLen]] as Array<[number, number]>).filter(([p, q]) => q - p >= REST_MIN_S * sr);
}
