import { twoSidedNormalP } from './normal.js';

/** Differences smaller than this (in the metric's unit, bps for IS) are treated as exact zeros (ties with 0). */
export const ZERO_DIFFERENCE_TOLERANCE = 1e-9;

export interface WilcoxonResult {
  /** Pairs with a non-zero difference (the ones ranked). */
  readonly n: number;
  /** Pairs dropped because their difference is zero (Wilcoxon's zero handling). */
  readonly zeros: number;
  /** Sum of the ranks of positive differences. */
  readonly wPlus: number;
  /** Normal-approximation statistic (continuity- and tie-corrected); null for the exact method or n = 0. */
  readonly z: number | null;
  /** Two-sided p-value; 1 when every difference is zero; null when there are no pairs at all. */
  readonly pValue: number | null;
  readonly method: 'exact' | 'normal' | 'none';
}

/** Largest n for which the exact null distribution is enumerated (when there are no tied ranks). */
const EXACT_MAX_N = 25;

/**
 * Wilcoxon signed-rank test of H0 "the differences are symmetric about 0", two-sided.
 *
 * - Zeros (|d| < ZERO_DIFFERENCE_TOLERANCE) are dropped (Wilcoxon's original method) and reported.
 * - Tied |d| get the average of their ranks.
 * - n ≤ 25 with no ties: exact null distribution of W+ (all 2^n sign assignments, by dynamic programming).
 * - Otherwise the normal approximation: mean n(n+1)/4, variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over tie groups
 *   of size t, and a 0.5 continuity correction. Adequate for n ≥ 20 (the brief's bar); for smaller n with ties it
 *   is the best available here and is labelled `normal`.
 */
export function wilcoxonSignedRank(differences: ArrayLike<number>): WilcoxonResult {
  const nonZero: number[] = [];
  let zeros = 0;
  for (let i = 0; i < differences.length; i++) {
    const d = differences[i] as number;
    if (Math.abs(d) < ZERO_DIFFERENCE_TOLERANCE) zeros++;
    else nonZero.push(d);
  }
  const n = nonZero.length;
  if (differences.length === 0) return { n: 0, zeros: 0, wPlus: 0, z: null, pValue: null, method: 'none' };
  if (n === 0) return { n: 0, zeros, wPlus: 0, z: null, pValue: 1, method: 'none' };

  const order = nonZero.map((_, i) => i).sort((a, b) => Math.abs(nonZero[a] as number) - Math.abs(nonZero[b] as number) || a - b);
  const ranks = new Float64Array(n);
  let tieTerm = 0; // Σ (t³ − t)
  for (let start = 0; start < n; ) {
    let end = start + 1;
    const value = Math.abs(nonZero[order[start] as number] as number);
    while (end < n && Math.abs(nonZero[order[end] as number] as number) - value < ZERO_DIFFERENCE_TOLERANCE) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k] as number] = averageRank;
    const t = end - start;
    tieTerm += t * t * t - t;
    start = end;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if ((nonZero[i] as number) > 0) wPlus += ranks[i] as number;

  if (n <= EXACT_MAX_N && tieTerm === 0) {
    return { n, zeros, wPlus, z: null, pValue: exactTwoSidedP(n, wPlus), method: 'exact' };
  }
  const mu = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (variance <= 0) return { n, zeros, wPlus, z: null, pValue: 1, method: 'normal' };
  const z = Math.max(0, Math.abs(wPlus - mu) - 0.5) / Math.sqrt(variance);
  return { n, zeros, wPlus, z: wPlus >= mu ? z : -z, pValue: twoSidedNormalP(z), method: 'normal' };
}

/** Exact two-sided p-value of W+ = w for n untied ranks: 2 · min(P(W+ ≤ w), P(W+ ≥ w)), capped at 1. */
function exactTwoSidedP(n: number, w: number): number {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1); // counts[s] = number of sign assignments with W+ = s
  counts[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = max; s >= r; s--) counts[s] = (counts[s] as number) + (counts[s - r] as number);
  const total = 2 ** n;
  let lower = 0;
  let upper = 0;
  for (let s = 0; s <= max; s++) {
    if (s <= w) lower += counts[s] as number;
    if (s >= w) upper += counts[s] as number;
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}
