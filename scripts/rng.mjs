/**
 * The seeded generator the scripts share (mulberry32, Tommy Ettinger's 32-bit generator), so a generated file is the
 * same on every machine. One copy: make-demo-fixtures, make-many-raters, make-sync-rooms, make-sync-scenes,
 * sim-changepoint-tails and the tests (through rng.d.mts) import it; src/dataset/synthetic-features.ts keeps its own
 * (src/ does not import scripts/).
 */

/** mulberry32: uniform numbers in [0, 1) from a 32-bit seed. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** mulberry32 (`u`) and a standard normal from it (`g`, Box-Muller: two draws of `u` each). */
export function rng(seed) {
  const u = mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
  return { u, g };
}
