/** Types of scripts/rng.mjs, so tests import the scripts' one seeded generator type-checked. */
export function mulberry32(seed: number): () => number;
export function rng(seed: number): { u: () => number; g: () => number };
