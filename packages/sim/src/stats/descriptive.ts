/** Descriptive statistics used by the aggregates and comparisons. Inputs are plain finite numbers. */

/** Mean, median and 95th percentile of a sample; null when the sample is empty (missing data is never a pass). */
export interface Summary {
  readonly mean: number | null;
  readonly median: number | null;
  readonly p95: number | null;
}

export function mean(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Quantile q ∈ [0, 1] of an ascending-sorted sample by linear interpolation between closest ranks
 * (Hyndman–Fan type 7, numpy's default): h = (n − 1)q, x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo] as number;
  return a + (h - lo) * ((sorted[hi] as number) - a);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values as ArrayLike<number>);
  out.sort();
  return out;
}

export function summarize(values: ArrayLike<number>): Summary {
  if (values.length === 0) return { mean: null, median: null, p95: null };
  const sorted = sortedCopy(values);
  return { mean: mean(values), median: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95) };
}
