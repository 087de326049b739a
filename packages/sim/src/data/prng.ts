/**
 * A small seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128 bits
 * of state, period ≥ 2^32, passes PractRand to multi-terabyte lengths) seeded through splitmix32 so that nearby
 * seeds (1, 2, 3…) give unrelated streams. Everything is 32-bit integer arithmetic, so the same seed gives the
 * same stream on every platform and Node version: the basis of the engine's byte-identical determinism.
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [lo, hi], both ends inclusive (lo ≤ hi, both integers). */
  int(lo: number, hi: number): number;
  /** Standard normal (mean 0, variance 1), Box–Muller. */
  normal(): number;
  /** Exponential with the given mean (> 0). */
  exponential(mean: number): number;
}

const TWO_POW_32 = 4_294_967_296;

/** splitmix32 step: spreads a 32-bit seed over the state words. */
function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let z = state.x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seeds may be any finite number: the integer part's low and high 32 bits are both mixed in, so 1 and 2^32 + 1
 * differ. Non-integer seeds are truncated toward zero.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const whole = Math.trunc(seed);
  const lo = whole % TWO_POW_32 | 0;
  const hi = Math.floor(whole / TWO_POW_32) | 0;
  const mix = { x: lo ^ Math.imul(hi, 0x27d4eb2d) };
  let a = splitmix32(mix);
  let b = splitmix32(mix);
  let c = splitmix32(mix);
  let d = 1;
  // The spare second Box–Muller deviate; NaN = none cached.
  let spare = Number.NaN;

  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's documented warm-up.
  for (let i = 0; i < 12; i++) nextU32();

  const next = (): number => nextU32() / TWO_POW_32;

  return {
    next,
    int(lo: number, hi: number): number {
      if (!(hi >= lo)) throw new RangeError(`int(${lo}, ${hi}): hi must be ≥ lo`);
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    normal(): number {
      if (!Number.isNaN(spare)) {
        const value = spare;
        spare = Number.NaN;
        return value;
      }
      // 1 - next() is in (0, 1]: the log never sees 0.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    exponential(mean: number): number {
      return -Math.log(1 - next()) * mean;
    },
  };
}
