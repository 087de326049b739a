/**
 * Seeded randomness inside the replay loop (DESIGN.md principle 2: the same inputs and seed give byte-identical
 * results). Set-up work (order generation, bootstrap resampling) uses the data layer's `createRng`; the replay
 * loop needs one independent stream per episode for thousands of episodes without an object per episode and
 * without allocating, hence `nextUniform(state, i)`: a mulberry32 step over one slot of a `Uint32Array`
 * (32-bit state, period 2^32, good enough for simulation noise; not for cryptography).
 */

/** Mixes two 32-bit values into one well-spread 32-bit seed (murmur3's finaliser over a combine). */
export function mixSeed(a: number, b: number): number {
  let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul((b >>> 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Reduces any finite integer seed (up to 2^53) to 32 bits without discarding the high bits. */
export function seed32(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const s = Math.trunc(seed);
  const lo = s >>> 0;
  const hi = Math.floor(Math.abs(s) / 4294967296) >>> 0;
  return mixSeed(lo, hi ^ (s < 0 ? 0xffffffff : 0));
}

/** 32-bit FNV-1a of a string: stable seeds derived from names (e.g. one bootstrap stream per baseline). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One mulberry32 step on `state[i]`; returns a float uniform in [0, 1). */
export function nextUniform(state: Uint32Array, i: number): number {
  const s = ((state[i] as number) + 0x6d2b79f5) >>> 0;
  state[i] = s;
  let t = Math.imul(s ^ (s >>> 15), s | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
