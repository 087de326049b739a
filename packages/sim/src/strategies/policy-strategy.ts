import { DomainError, findAction, type BatchPolicy, type FieldProblem } from '@airlock/core';
import { resolveFeatureCodes } from '../features/feature-engine.js';
import type { DecisionBatch, ExecutionStrategy } from './execution-strategy.js';

/** Aggression used when a model's manifest has no `aggression` action: rest passively. */
export const DEFAULT_AGGRESSION = 0;

/**
 * Adapts any BatchPolicy (candidate, champion, ONNX model, test double) to the engine: the engine computes the
 * policy's features (FeatureEngine, in the policy's column order) for every episode deciding now, the policy
 * decides for all of them in ONE call (batched inference), and its action columns are read by name.
 *
 * Checks up front (clear errors, nothing runs): every feature must be computable (MANIFEST_UNKNOWN_FEATURE),
 * every action must be in the catalog and `participation` must be one of them (MANIFEST_UNKNOWN_ACTION /
 * MANIFEST_INVALID). Non-finite outputs are passed through: the engine fails those episodes with a reason.
 */
export function policyStrategy(policy: BatchPolicy): ExecutionStrategy {
  resolveFeatureCodes(policy.features, `${policy.name}.features`);
  const unknown: FieldProblem[] = policy.actions.flatMap((name, i) =>
    findAction(name) ? [] : [{ field: `${policy.name}.actions[${i}]`, message: `unknown action "${name}"` }],
  );
  if (unknown.length > 0) throw new DomainError('MANIFEST_UNKNOWN_ACTION', `policy "${policy.name}" names actions the catalog does not define`, { errors: unknown });
  const participationColumn = policy.actions.indexOf('participation');
  if (participationColumn < 0) {
    throw new DomainError('MANIFEST_INVALID', `policy "${policy.name}" has no "participation" action: the engine cannot size child orders`, {
      errors: [{ field: `${policy.name}.actions`, message: 'must include "participation"' }],
    });
  }
  const aggressionColumn = policy.actions.indexOf('aggression');
  const width = policy.features.length;
  const actions = policy.actions.length;
  return {
    kind: 'execution-strategy',
    features: [...policy.features],
    async plan(batch: DecisionBatch) {
      const rows = batch.size;
      const output = await policy.decide(batch.features.subarray(0, rows * width), rows);
      if (!output || typeof output.length !== 'number' || output.length < rows * actions) {
        throw new Error(`policy "${policy.name}" returned ${output?.length ?? 'no'} values for ${rows} rows × ${actions} actions`);
      }
      for (let r = 0; r < rows; r++) {
        batch.participation[r] = output[r * actions + participationColumn] as number;
        batch.aggression[r] = aggressionColumn >= 0 ? (output[r * actions + aggressionColumn] as number) : DEFAULT_AGGRESSION;
      }
    },
  };
}
