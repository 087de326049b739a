/** Test fixtures for the rollout controller's specs (not exported from the package). */
import type { MeasurementPhase, MetricSpec } from '../analysis/analysis.js';
import { planHash, type RolloutPlan } from '../rollout-plan.js';
import {
  initialRolloutStatus,
  reconcileRollout,
  type ReconcileInput,
  type ReconcileResult,
  type RolloutCommand,
  type RolloutMeasurement,
  type RolloutSpec,
  type RolloutStatus,
} from './reconcile.js';

export const T0 = 1_700_000_000_000;
export const MIN = 60_000;

export const CANDIDATE = { model: 'router', version: 7, sha256: 'a'.repeat(64) };
export const STABLE = { model: 'router', version: 6, sha256: 'b'.repeat(64) };

/** One gating metric, 3 measurements a minute apart, one failure tolerated; plus a dry-run metric. */
export const TEMPLATES: Record<string, MetricSpec[]> = {
  'execution-quality': [
    { name: 'is-diff-bps', condition: { op: '<=', threshold: 0.5 }, count: 3, intervalMs: MIN, failureLimit: 1, inconclusiveLimit: 0, consecutiveErrorLimit: 1 },
    { name: 'fill-rate-shadow', condition: { op: '>=', threshold: 0.99 }, count: 1, dryRun: true },
  ],
};

/** 1% → 5% → 25% → 50% → 100%, with a timed pause, an untimed pause and analyses between. */
export const HAPPY_PLAN: RolloutPlan = {
  steps: [
    { setWeight: 1 },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 5 },
    { pause: { durationSeconds: 600 } },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 25 },
    { pause: {} },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 50 },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 100 },
  ],
  caps: { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] },
};

export function specFor(plan: RolloutPlan = HAPPY_PLAN, overrides: Partial<RolloutSpec> = {}): RolloutSpec {
  const hash = planHash(plan);
  return {
    deployment: 'equities-us',
    candidate: CANDIDATE,
    stable: STABLE,
    plan,
    planHash: hash,
    approval: { sha256: CANDIDATE.sha256, planHash: hash },
    ...overrides,
  };
}

export const measured = (takenAtMs: number, phase: MeasurementPhase): RolloutMeasurement => ({
  takenAtMs,
  phase,
  value: phase === 'Successful' ? 0.1 : phase === 'Failed' ? 2 : null,
  message: phase,
});

/** `phases` taken one a minute, starting a minute after `fromMs`. */
export const series = (fromMs: number, ...phases: MeasurementPhase[]): RolloutMeasurement[] =>
  phases.map((p, i) => measured(fromMs + (i + 1) * MIN, p));

/** A mutable harness: holds the persisted status like the worker would. */
export class Harness {
  status: RolloutStatus;
  nowMs: number;
  measurements: Record<string, RolloutMeasurement[]> = {};
  templates: Record<string, readonly MetricSpec[]> = TEMPLATES;
  constructor(
    public spec: RolloutSpec = specFor(),
    start = T0,
  ) {
    this.nowMs = start;
    this.status = initialRolloutStatus(start);
  }
  input(command?: RolloutCommand): ReconcileInput {
    return { spec: this.spec, status: this.status, nowMs: this.nowMs, measurements: this.measurements, analysisTemplates: this.templates, command };
  }
  tick(command?: RolloutCommand): ReconcileResult {
    const result = reconcileRollout(this.input(command));
    this.status = result.status;
    return result;
  }
  at(nowMs: number): this {
    this.nowMs = nowMs;
    return this;
  }
  /** Adds measurements of the gating metric, one a minute after the current step started. */
  measure(...phases: MeasurementPhase[]): this {
    this.measurements['is-diff-bps'] = [...(this.measurements['is-diff-bps'] ?? []), ...series(this.status.stepStartedAtMs, ...phases)];
    return this;
  }
}
