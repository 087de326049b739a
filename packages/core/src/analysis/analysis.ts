/**
 * Gates with three outcomes (DESIGN.md principle 5), after Argo Rollouts' analysis: each measurement is
 * Successful, Failed, Inconclusive or Error; a metric has count, interval, failureLimit, inconclusiveLimit and
 * consecutiveErrorLimit; a run takes the worst metric; dry-run metrics never gate. Missing data is never a pass.
 * Used by validation (one measurement per gate), shadow verdicts and rollout analysis (repeated measurements).
 */

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export type AnalysisPhase = 'Pending' | 'Running' | MeasurementPhase;

/** Worst last: a run's phase is the worst of its gating metrics' phases (Argo's order). */
const PHASE_ORDER: readonly AnalysisPhase[] = ['Pending', 'Running', 'Successful', 'Inconclusive', 'Error', 'Failed'];
export const worsePhase = (a: AnalysisPhase, b: AnalysisPhase): AnalysisPhase => (PHASE_ORDER.indexOf(a) >= PHASE_ORDER.indexOf(b) ? a : b);

export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** `value op threshold`, e.g. `{ op: '<=', threshold: 0.5 }` for "at most 0.5 bps". */
export interface Condition {
  readonly op: ComparisonOperator;
  readonly threshold: number;
}

/**
 * What a provider measured. With an interval (e.g. a bootstrap 95% CI), the condition must hold over the whole
 * interval to pass and fail over the whole interval to fail; an interval straddling the threshold is Inconclusive
 * (too little evidence either way). `value` null or non-finite means no data → Inconclusive.
 */
export interface Measured {
  readonly value: number | null;
  readonly lower?: number;
  readonly upper?: number;
  /** How many observations stand behind the value (episodes, orders); informative. */
  readonly samples?: number;
}

export interface Measurement {
  readonly phase: MeasurementPhase;
  readonly value: number | null;
  readonly lower?: number;
  readonly upper?: number;
  readonly samples?: number;
  readonly message: string;
}

const holds = (op: ComparisonOperator, x: number, t: number): boolean =>
  op === '<' ? x < t : op === '<=' ? x <= t : op === '>' ? x > t : x >= t;

const describe = (c: Condition) => `${c.op} ${c.threshold}`;

/** Judges one measured value against a condition. */
export function evaluateCondition(condition: Condition, measured: Measured): Measurement {
  const { value, lower, upper, samples } = measured;
  const base = { value, lower, upper, samples };
  if (value === null || !Number.isFinite(value)) {
    return { ...base, value: null, phase: 'Inconclusive', message: 'no data: missing data never passes' };
  }
  const hasInterval = lower !== undefined && upper !== undefined && Number.isFinite(lower) && Number.isFinite(upper);
  if (!hasInterval) {
    const ok = holds(condition.op, value, condition.threshold);
    return { ...base, phase: ok ? 'Successful' : 'Failed', message: `${value} ${ok ? 'meets' : 'breaks'} ${describe(condition)}` };
  }
  const [lo, hi] = [Math.min(lower, upper), Math.max(lower, upper)];
  const passesAll = holds(condition.op, lo, condition.threshold) && holds(condition.op, hi, condition.threshold);
  const failsAll = !holds(condition.op, lo, condition.threshold) && !holds(condition.op, hi, condition.threshold);
  const range = `[${lo}, ${hi}]`;
  if (passesAll) return { ...base, phase: 'Successful', message: `interval ${range} meets ${describe(condition)}` };
  if (failsAll) return { ...base, phase: 'Failed', message: `interval ${range} breaks ${describe(condition)}` };
  return { ...base, phase: 'Inconclusive', message: `interval ${range} straddles ${describe(condition)}: not enough evidence` };
}

/** A metric of an analysis (Argo's fields; durations in milliseconds). */
export interface MetricSpec {
  readonly name: string;
  readonly condition: Condition;
  /** Measurements to take; the metric completes after this many (default 1). */
  readonly count?: number;
  /** Time between measurements, ms (rollout analysis; validation measures once). */
  readonly intervalMs?: number;
  /** Failed measurements tolerated; one more fails the metric (default 0). */
  readonly failureLimit?: number;
  /** Inconclusive measurements tolerated; one more makes the metric Inconclusive (default 0). */
  readonly inconclusiveLimit?: number;
  /** Consecutive Error measurements tolerated; one more errors the metric (default 4, as Argo). */
  readonly consecutiveErrorLimit?: number;
  /** Measured and reported, never gating. */
  readonly dryRun?: boolean;
}

export const METRIC_DEFAULTS = { count: 1, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 } as const;

export interface MetricAssessment {
  readonly phase: AnalysisPhase;
  readonly failed: number;
  readonly inconclusive: number;
  readonly errors: number;
  readonly consecutiveErrors: number;
  readonly successful: number;
  readonly message: string;
}

/** The state of one metric from its measurements so far (in order). Decides early once a limit is crossed. */
export function assessMetric(spec: MetricSpec, measurements: readonly Measurement[]): MetricAssessment {
  const count = spec.count ?? METRIC_DEFAULTS.count;
  const failureLimit = spec.failureLimit ?? METRIC_DEFAULTS.failureLimit;
  const inconclusiveLimit = spec.inconclusiveLimit ?? METRIC_DEFAULTS.inconclusiveLimit;
  const consecutiveErrorLimit = spec.consecutiveErrorLimit ?? METRIC_DEFAULTS.consecutiveErrorLimit;
  let failed = 0;
  let inconclusive = 0;
  let errors = 0;
  let consecutiveErrors = 0;
  let successful = 0;
  for (const m of measurements) {
    if (m.phase === 'Error') {
      errors += 1;
      consecutiveErrors += 1;
      continue;
    }
    consecutiveErrors = 0;
    if (m.phase === 'Failed') failed += 1;
    else if (m.phase === 'Inconclusive') inconclusive += 1;
    else successful += 1;
  }
  const tally = { failed, inconclusive, errors, consecutiveErrors, successful };
  if (failed > failureLimit) return { ...tally, phase: 'Failed', message: `${failed} failed measurement(s), limit ${failureLimit}` };
  if (consecutiveErrors > consecutiveErrorLimit) {
    return { ...tally, phase: 'Error', message: `${consecutiveErrors} consecutive errors, limit ${consecutiveErrorLimit}` };
  }
  if (inconclusive > inconclusiveLimit) {
    return { ...tally, phase: 'Inconclusive', message: `${inconclusive} inconclusive measurement(s), limit ${inconclusiveLimit}: a human decides` };
  }
  const taken = measurements.length - errors; // errored measurements are retried, not counted towards count
  if (taken >= count) return { ...tally, phase: 'Successful', message: `${successful} of ${taken} measurement(s) successful` };
  return { ...tally, phase: measurements.length === 0 ? 'Pending' : 'Running', message: `${taken} of ${count} measurement(s) taken` };
}

/** A run's phase: the worst of its gating metrics; dry-run metrics are reported but never gate. */
export function assessRun(metrics: readonly { spec: MetricSpec; assessment: MetricAssessment }[]): AnalysisPhase {
  const gating = metrics.filter((m) => !m.spec.dryRun);
  if (gating.length === 0) return 'Successful';
  return gating.map((m) => m.assessment.phase).reduce(worsePhase, 'Pending' as AnalysisPhase);
}
