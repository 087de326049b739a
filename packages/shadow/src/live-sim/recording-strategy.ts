import { DomainError, type BatchPolicy } from '@airlock/core';
import { policyStrategy, type DecisionBatch, type ExecutionStrategy } from '@airlock/sim';
import type { LiveSimSkew } from './live-sim.types.js';

/** One row of one decision batch: what the live policy saw and answered for one order. */
export interface RecordedDecision {
  /** The order's index in the engine's order list (DecisionBatch.orders[r]). */
  readonly order: number;
  readonly timeNs: number;
  /** The feature row the policy saw (after the skew, when one is set), in featureNames order. */
  readonly features: number[];
  /** The actions the engine applied (before clamping), in actionNames order. */
  readonly actions: number[];
}

export interface RecordingStrategy {
  readonly strategy: ExecutionStrategy;
  readonly featureNames: readonly string[];
  readonly actionNames: readonly string[];
  readonly decisions: RecordedDecision[];
  /** Orders whose policy call threw or answered a non-finite action: first failure time's reason. */
  readonly failures: Map<number, string>;
}

/**
 * Wraps policyStrategy(policy) to record every decision row, and optionally perturbs one feature column before
 * the policy sees it (a deliberate training/serving skew, for tests and demos: the recorded — published — value
 * is the perturbed one).
 */
export function recordingStrategy(policy: BatchPolicy, skew?: LiveSimSkew): RecordingStrategy {
  const inner = policyStrategy(policy);
  const width = inner.features.length;
  const featureNames = [...inner.features];
  const actionNames = [...policy.actions];
  const skewColumn = skew ? featureNames.indexOf(skew.feature) : -1;
  const add = skew?.add ?? 0;
  const decisions: RecordedDecision[] = [];
  const failures = new Map<number, string>();
  const unknownAction = actionNames.find((name) => name !== 'participation' && name !== 'aggression');
  if (unknownAction !== undefined) {
    throw new DomainError('MANIFEST_UNKNOWN_ACTION', `policy "${policy.name}" has an action the engine does not apply: "${unknownAction}"`, {
      errors: [{ field: `${policy.name}.actions`, message: `unknown action "${unknownAction}"` }],
    });
  }
  const strategy: ExecutionStrategy = {
    kind: 'execution-strategy',
    features: featureNames,
    async plan(batch: DecisionBatch) {
      const rows = batch.size;
      if (skewColumn >= 0) for (let r = 0; r < rows; r++) batch.features[r * width + skewColumn] = (batch.features[r * width + skewColumn] as number) + add;
      try {
        await inner.plan(batch);
      } catch (error) {
        const reason = `policy "${policy.name}" failed: ${error instanceof Error ? error.message : String(error)}`;
        for (let r = 0; r < rows; r++) if (!failures.has(batch.orders[r] as number)) failures.set(batch.orders[r] as number, reason);
        throw error;
      }
      for (let r = 0; r < rows; r++) {
        const order = batch.orders[r] as number;
        const p = batch.participation[r] as number;
        const a = batch.aggression[r] as number;
        const actions = actionNames.map((name) => (name === 'participation' ? p : a));
        if (!Number.isFinite(p) || !Number.isFinite(a)) {
          if (!failures.has(order)) failures.set(order, `policy "${policy.name}" answered a non-finite action at ${batch.timeNs} ns`);
        }
        decisions.push({ order, timeNs: batch.timeNs, features: Array.from(batch.features.subarray(r * width, (r + 1) * width)), actions });
      }
    },
  };
  return { strategy, featureNames, actionNames, decisions, failures };
}
