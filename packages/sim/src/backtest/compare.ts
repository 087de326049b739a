import { DomainError } from '@airlock/core';
import { bootstrapMeanCi } from '../stats/bootstrap.js';
import { mean, quantileSorted, sortedCopy } from '../stats/descriptive.js';
import { hashString, mixSeed, seed32 } from '../stats/random.js';
import { wilcoxonSignedRank } from '../stats/wilcoxon.js';
import type { BacktestResult, EpisodeResult } from './backtest-result.js';

export type ComparedMetric = 'isBps' | 'vwapSlippageBps';

/**
 * A candidate against one baseline on identical episodes (same orders, same replay, same seed). Differences are
 * candidate − baseline per parent order, in bps of the metric (IS by default): NEGATIVE = the candidate costs less.
 */
export interface Comparison {
  readonly candidate: string;
  readonly baseline: string;
  readonly metric: ComparedMetric;
  /** Orders where both episodes succeeded and have the metric. */
  readonly pairs: number;
  /** Orders left out (either episode failed or lacks the metric). */
  readonly excluded: number;
  readonly candidateMeanBps: number | null;
  readonly baselineMeanBps: number | null;
  /** Mean of the paired differences. */
  readonly meanDiffBps: number | null;
  readonly medianDiffBps: number | null;
  /** Tail: p95 of the candidate's metric minus p95 of the baseline's, over the paired orders. */
  readonly p95DiffBps: number | null;
  /** Percentile-bootstrap 95% CI of the mean difference (seeded). */
  readonly ci95: [number, number] | null;
  /** Wilcoxon signed-rank two-sided p-value (zeros dropped, ties averaged; exact for n ≤ 25 untied, else normal). */
  readonly pValue: number | null;
  readonly test: 'wilcoxon-exact' | 'wilcoxon-normal' | 'none';
}

export interface CompareOptions {
  readonly metric?: ComparedMetric;
  /** Bootstrap resamples; default 2000. */
  readonly resamples?: number;
}

/**
 * Paired comparison of `candidate` with each of `baselines` (include the champion's name to compare with it).
 * Each comparison's bootstrap stream is seeded from (seed, baseline name), so adding a baseline does not change
 * the others' intervals.
 */
export function compare(
  result: BacktestResult,
  candidate: string,
  baselines: readonly string[],
  seed: number,
  options: CompareOptions = {},
): Comparison[] {
  const metric = options.metric ?? 'isBps';
  const unknown = [candidate, ...baselines].filter((name) => !result.strategies.includes(name));
  if (unknown.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `unknown strategies: ${unknown.join(', ')}`, {
      errors: unknown.map((name) => ({ field: 'strategies', message: `"${name}" is not in the result (has ${result.strategies.join(', ')})` })),
    });
  }
  const byStrategy = new Map<string, Map<string, EpisodeResult>>();
  for (const episode of result.episodes) {
    let own = byStrategy.get(episode.strategy);
    if (!own) byStrategy.set(episode.strategy, (own = new Map()));
    own.set(episode.orderId, episode);
  }
  const candidateEpisodes = byStrategy.get(candidate) ?? new Map<string, EpisodeResult>();
  return baselines.map((baseline) => {
    const baselineEpisodes = byStrategy.get(baseline) ?? new Map<string, EpisodeResult>();
    const a: number[] = [];
    const b: number[] = [];
    let excluded = 0;
    for (const [orderId, c] of candidateEpisodes) {
      const base = baselineEpisodes.get(orderId);
      const x = c.status === 'ok' ? c[metric] : null;
      const y = base?.status === 'ok' ? base[metric] : null;
      if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) excluded++;
      else {
        a.push(x);
        b.push(y);
      }
    }
    const diffs = a.map((x, i) => x - (b[i] as number));
    const sortedDiffs = sortedCopy(diffs);
    const p95a = quantileSorted(sortedCopy(a), 0.95);
    const p95b = quantileSorted(sortedCopy(b), 0.95);
    const test = wilcoxonSignedRank(diffs);
    return {
      candidate,
      baseline,
      metric,
      pairs: diffs.length,
      excluded,
      candidateMeanBps: mean(a),
      baselineMeanBps: mean(b),
      meanDiffBps: mean(diffs),
      medianDiffBps: quantileSorted(sortedDiffs, 0.5),
      p95DiffBps: p95a !== null && p95b !== null ? p95a - p95b : null,
      ci95: bootstrapMeanCi(diffs, mixSeed(seed32(seed), hashString(baseline)), { resamples: options.resamples ?? 2000 }),
      pValue: test.pValue,
      test: test.method === 'exact' ? 'wilcoxon-exact' : test.method === 'normal' ? 'wilcoxon-normal' : 'none',
    };
  });
}
