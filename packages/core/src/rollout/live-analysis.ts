import { evaluateCondition, type Measured, type MetricSpec } from '../analysis/analysis.js';
import type { RolloutMeasurement } from './reconcile.js';

/**
 * Live metrics of one version on one deployment, as the shadow runner counts them from the live flow
 * (`live_metric_windows`, additive): the contract between the runner (issue #5) and the rollout analysis
 * (issue #6). IS in basis points of the arrival mid, positive = cost; shares.
 */
export interface LiveCounters {
  decisions: number;
  /** order.done by outcome. */
  ordersDone: number;
  ordersRejected: number;
  ordersCancelled: number;
  /** Realised IS over done orders with a measurable arrival and end mid: count, Σ, Σ². */
  isCount: number;
  sumIsBps: number;
  sumSqIsBps: number;
  filledShares: number;
  orderedShares: number;
  /** Decisions whose actions fell outside [0, 1] (limit breaches of the model contract). */
  limitBreaches: number;
}

const FIELDS = ['decisions', 'ordersDone', 'ordersRejected', 'ordersCancelled', 'isCount', 'sumIsBps', 'sumSqIsBps', 'filledShares', 'orderedShares', 'limitBreaches'] as const;

export const emptyLiveCounters = (): LiveCounters => ({
  decisions: 0,
  ordersDone: 0,
  ordersRejected: 0,
  ordersCancelled: 0,
  isCount: 0,
  sumIsBps: 0,
  sumSqIsBps: 0,
  filledShares: 0,
  orderedShares: 0,
  limitBreaches: 0,
});

/** a + b, field by field (missing fields count 0). */
export function addLiveCounters(a: Partial<LiveCounters>, b: Partial<LiveCounters>): LiveCounters {
  const out = emptyLiveCounters();
  for (const f of FIELDS) out[f] = (a[f] ?? 0) + (b[f] ?? 0);
  return out;
}

/** a − b: what was counted between two cumulative readings. */
export function subtractLiveCounters(a: LiveCounters, b: LiveCounters): LiveCounters {
  const out = emptyLiveCounters();
  for (const f of FIELDS) out[f] = a[f] - b[f];
  return out;
}

/** The metrics a live analysis template may name (docs/rollout-controller.md, "Live analysis"). */
export const LIVE_METRICS = {
  /** Canary − stable mean realised IS per order, bps, with a 95% interval (Welch, normal): non-inferiority. */
  is_delta_bps: 'is_delta_bps',
  /** Canary's rejected orders / done orders. */
  reject_rate: 'reject_rate',
  /** Canary's fill ratio − stable's (filled / ordered shares). */
  fill_ratio_delta: 'fill_ratio_delta',
  /** Canary decisions with actions outside [0, 1]. */
  limit_breaches: 'limit_breaches',
} as const;
export type LiveMetricName = keyof typeof LIVE_METRICS;

export const isLiveMetric = (name: string): name is LiveMetricName => Object.hasOwn(LIVE_METRICS, name);

const Z95 = 1.959964;

function meanAndVariance(c: LiveCounters): { n: number; mean: number; variance: number } | null {
  if (c.isCount < 2) return null;
  const mean = c.sumIsBps / c.isCount;
  const variance = Math.max(0, (c.sumSqIsBps - c.isCount * mean * mean) / (c.isCount - 1));
  return { n: c.isCount, mean, variance };
}

/**
 * One measurement of a live metric over what the canary and the stable did during the interval (deltas of
 * cumulative counters). No orders → no value: missing data is Inconclusive, never a pass.
 */
export function measureLiveMetric(name: LiveMetricName, canary: LiveCounters, stable: LiveCounters): Measured {
  switch (name) {
    case 'is_delta_bps': {
      const c = meanAndVariance(canary);
      const s = meanAndVariance(stable);
      if (!c || !s) return { value: null, samples: Math.min(canary.isCount, stable.isCount) };
      const delta = c.mean - s.mean;
      const se = Math.sqrt(c.variance / c.n + s.variance / s.n);
      return { value: delta, lower: delta - Z95 * se, upper: delta + Z95 * se, samples: c.n };
    }
    case 'reject_rate':
      return canary.ordersDone > 0 ? { value: canary.ordersRejected / canary.ordersDone, samples: canary.ordersDone } : { value: null, samples: 0 };
    case 'fill_ratio_delta':
      return canary.orderedShares > 0 && stable.orderedShares > 0
        ? { value: canary.filledShares / canary.orderedShares - stable.filledShares / stable.orderedShares, samples: canary.ordersDone }
        : { value: null, samples: canary.ordersDone };
    case 'limit_breaches':
      return canary.decisions > 0 ? { value: canary.limitBreaches, samples: canary.decisions } : { value: null, samples: 0 };
  }
}

/**
 * The built-in analysis template `execution-quality` (the default plan's analysis steps name it): every metric
 * measured each `intervalMs`, `count` times, Argo limits. Thresholds: canary IS at most 2 bps worse than stable
 * (interval must clear it), at most 2% rejects, fill ratio at most 10 points below stable, no limit breaches.
 */
export function executionQualityTemplate(intervalMs: number, count = 3): MetricSpec[] {
  const base = { intervalMs, count, consecutiveErrorLimit: 2 };
  return [
    { name: LIVE_METRICS.is_delta_bps, condition: { op: '<=', threshold: 2 }, ...base, failureLimit: 0, inconclusiveLimit: 1 },
    { name: LIVE_METRICS.reject_rate, condition: { op: '<=', threshold: 0.02 }, ...base, failureLimit: 0, inconclusiveLimit: 1 },
    { name: LIVE_METRICS.fill_ratio_delta, condition: { op: '>=', threshold: -0.1 }, ...base, failureLimit: 0, inconclusiveLimit: 1 },
    { name: LIVE_METRICS.limit_breaches, condition: { op: '<=', threshold: 0 }, ...base, failureLimit: 0, inconclusiveLimit: 1 },
  ];
}

/** What the controller keeps between ticks to measure a rollout's live metrics (persisted with the rollout). */
export interface LiveAnalysisState {
  /** Per metric: the cumulative counters when it was last measured (or when its analysis started). */
  readonly baselines: Readonly<Record<string, { readonly takenAtMs: number; readonly canary: LiveCounters; readonly stable: LiveCounters }>>;
  /** Per metric: every measurement taken, oldest first (reconcile counts those after its analysis started). */
  readonly taken: Readonly<Record<string, readonly RolloutMeasurement[]>>;
}

export const emptyLiveAnalysisState = (): LiveAnalysisState => ({ baselines: {}, taken: {} });

/**
 * Takes the live measurements that are due (pure). For each live metric of the running analysis step: the first
 * tick that sees the step sets its baseline (the cumulative counters now); once `intervalMs` has passed since
 * the baseline, one measurement is taken over the difference — what canary and stable did during that interval
 * — judged by the metric's condition, and the baseline moves to now. Metrics that are not live metrics are left
 * to other providers (and end Inconclusive without data: missing data never passes).
 */
export function takeLiveMeasurements(input: {
  readonly state: LiveAnalysisState;
  /** The running analysis step's metrics, and when that analysis started (RolloutStatus.analysis). */
  readonly metrics: readonly MetricSpec[];
  readonly analysisStartedAtMs: number;
  readonly nowMs: number;
  /** Cumulative live counters now. */
  readonly canary: LiveCounters;
  readonly stable: LiveCounters;
}): LiveAnalysisState {
  const baselines = { ...input.state.baselines };
  const taken: Record<string, readonly RolloutMeasurement[]> = { ...input.state.taken };
  for (const spec of input.metrics) {
    if (!isLiveMetric(spec.name)) continue;
    const base = baselines[spec.name];
    const now = { takenAtMs: input.nowMs, canary: input.canary, stable: input.stable };
    if (base === undefined || base.takenAtMs < input.analysisStartedAtMs) {
      baselines[spec.name] = now;
      continue;
    }
    if (input.nowMs - base.takenAtMs < (spec.intervalMs ?? 0)) continue;
    const measured = measureLiveMetric(spec.name, subtractLiveCounters(input.canary, base.canary), subtractLiveCounters(input.stable, base.stable));
    const measurement: RolloutMeasurement = { ...evaluateCondition(spec.condition, measured), takenAtMs: input.nowMs };
    taken[spec.name] = [...(taken[spec.name] ?? []), measurement];
    baselines[spec.name] = now;
  }
  return { baselines, taken };
}
