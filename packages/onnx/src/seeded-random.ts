/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2^32) for probe batches and random example policies.
 * Determinism is the point (DESIGN.md principle 2): the same seed gives the same weights and the same probe
 * rows on every machine, so a validation report can be reproduced. Not for cryptography.
 */
export type Rng = () => number;

/** Returns a generator of floats uniform in [0, 1); `seed` is reduced to an unsigned 32-bit integer. */
export function mulberry32(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [min, max). */
export const uniform = (rng: Rng, min: number, max: number): number => min + (max - min) * rng();
