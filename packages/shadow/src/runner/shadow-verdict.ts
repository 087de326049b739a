import { evaluateCondition, worsePhase, type AnalysisPhase, type Condition, type Measurement } from '@airlock/core';
import { bootstrapMeanCi } from '@airlock/sim';
import { latencyQuantileNs, type ShadowCounters, type ShadowPolicy, type ShadowVerdict } from '../shadow.types.js';

/** A gate's outcome as the API and the evidence show it (the validation pipeline's shape). */
export interface ShadowGateResult {
  readonly name: string;
  readonly phase: Measurement['phase'];
  readonly value: number | null;
  readonly interval: [number, number] | null;
  /** e.g. `<= 1`. */
  readonly condition: string;
  readonly samples: number;
  readonly message: string;
  readonly dryRun: boolean;
}

export interface CandidateVerdict {
  readonly verdict: ShadowVerdict;
  readonly phase: AnalysisPhase;
  readonly gates: readonly ShadowGateResult[];
}

/** Seed of the IS bootstrap: a verdict recomputed from the same evidence is the same verdict. */
const BOOTSTRAP_SEED = 5;

/**
 * One candidate's verdict from its session evidence, with the validation pipeline's gate semantics
 * (@airlock/core analysis: one measurement per gate, an interval straddling the threshold is Inconclusive,
 * missing data never passes). Worst gate decides: Successful → shadow-passed, Failed → shadow-failed,
 * Inconclusive or Error → needs-review.
 *
 * Two gates can only ever be Inconclusive, never Failed, because they question the evidence, not the
 * candidate: too few scored orders, and training/serving skew on the live side (when the live model's own
 * decisions cannot be reproduced from the flow, the comparison is not trustworthy: a human looks).
 */
export function shadowVerdict(
  policy: ShadowPolicy,
  candidate: ShadowCounters,
  /** The live model's counters in the same session (summed over its versions). */
  live: Pick<ShadowCounters, 'decisions' | 'skewFindings'>,
  /** Per scored order: candidate IS − live IS, bps. */
  isDeltasBps: readonly number[],
): CandidateVerdict {
  const gates: ShadowGateResult[] = [];
  const gate = (name: string, condition: Condition, value: number | null, samples: number, interval: [number, number] | null, options: { evidenceOnly?: boolean; dryRun?: boolean } = {}): void => {
    const m = evaluateCondition(condition, { value, samples, ...(interval ? { lower: interval[0], upper: interval[1] } : {}) });
    const phase = options.evidenceOnly && m.phase === 'Failed' ? 'Inconclusive' : m.phase;
    const message = options.evidenceOnly && m.phase === 'Failed' ? `${m.message}: the evidence is in question, a human decides` : m.message;
    gates.push({ name, phase, value: m.value, interval, condition: `${condition.op} ${condition.threshold}`, samples, message, dryRun: options.dryRun ?? false });
  };

  gate('scored_orders', { op: '>=', threshold: policy.minOrders }, candidate.orders, candidate.orders, null, { evidenceOnly: true });
  const meanDelta = isDeltasBps.length > 0 ? isDeltasBps.reduce((s, v) => s + v, 0) / isDeltasBps.length : null;
  gate('is_delta_bps', { op: '<=', threshold: policy.maxIsDeltaBps }, meanDelta, isDeltasBps.length, bootstrapMeanCi(isDeltasBps, BOOTSTRAP_SEED));
  gate('invalid_output_rate', { op: '<=', threshold: policy.maxInvalidOutputRate }, candidate.decisions > 0 ? candidate.invalidOutputs / candidate.decisions : null, candidate.decisions, null);
  const p99 = latencyQuantileNs(candidate.latencyHistogram, 0.99);
  gate('latency_p99_ms', { op: '<=', threshold: policy.maxLatencyP99Ms }, p99 === null ? null : p99 / 1e6, candidate.batches, null);
  gate('skew_rate', { op: '<=', threshold: policy.maxSkewRate }, live.decisions > 0 ? live.skewFindings / live.decisions : null, live.decisions, null, { evidenceOnly: true });
  gate('divergence_rate', { op: '<=', threshold: 1 }, candidate.decisions > 0 ? candidate.divergentDecisions / candidate.decisions : null, candidate.decisions, null, { dryRun: true });

  const phase = gates.filter((g) => !g.dryRun).reduce<AnalysisPhase>((worst, g) => worsePhase(worst, g.phase), 'Successful');
  const verdict: ShadowVerdict = phase === 'Successful' ? 'shadow-passed' : phase === 'Failed' ? 'shadow-failed' : 'needs-review';
  return { verdict, phase, gates };
}
