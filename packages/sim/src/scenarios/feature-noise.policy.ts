import { DomainError, type BatchPolicy } from '@airlock/core';
import { createRng } from '../data/prng.js';
import type { ScenarioSpec } from './scenario-spec.validator.js';

/**
 * Features the execution algorithm knows exactly from its own state (the parent order's direction, its clock and
 * its fills): a market-data fault cannot make them noisy or missing, so by default they pass through untouched.
 * Every other catalog feature (spreads, imbalances, volatility, trade flow, volume) is computed from market
 * data and is subject to the scenario's noise and NaNs, including features a later catalog adds.
 */
export const ORDER_STATE_FEATURES: readonly string[] = ['side', 'time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation'];

export interface FeatureNoiseOptions {
  /** `market` (default): every feature but ORDER_STATE_FEATURES; `all`: every input column. */
  readonly features?: 'market' | 'all';
}

/**
 * Wraps a policy so it sees degraded market data: before each `decide`, on a COPY of the input (the engine's
 * buffer is not written to), each affected value x
 *  - becomes NaN with probability `featureNanRate` (a missing input), else
 *  - gets x + σ·max(1, |x|)·z, z ~ N(0, 1), σ = `featureNoiseStd`.
 * The noise scale follows each feature's own unit: the catalog's ratios ([-1, 1], [0, 1], fractions) get
 * absolute noise of std σ, its bps and tick features (mostly ≥ 1) relative noise of std σ·|x|; σ = 0.1 is "10%
 * or 0.1, whichever is larger". Values already NaN stay NaN. The result is rounded to float32, like the input.
 *
 * Randomness: one seeded stream (createRng(seed)) per wrapper, drawn in row-major order, a uniform (NaN draw)
 * then a normal (noise) per affected value whether or not the value was NaN'd, so the same seed and the same
 * sequence of calls (rows × features) give the same inputs. Two policies wrapped with the same seed and the
 * same features therefore see the same degraded inputs (common random numbers for paired comparisons).
 * With σ = 0 and p = 0 the policy itself is returned.
 *
 * What a NaN input does downstream: the engine passes it to the policy as is; an ONNX model propagates it
 * through its arithmetic (Gemm, even with zero weights, Relu, Clip, Sigmoid all return NaN in onnxruntime), so
 * that row's action is NaN and the engine fails that episode ("returned a non-finite action") unless the model
 * imputes missing inputs itself. See docs/scenarios.md.
 */
export function withFeatureNoise(
  policy: BatchPolicy,
  spec: Pick<ScenarioSpec, 'featureNoiseStd' | 'featureNanRate'>,
  seed: number,
  options: FeatureNoiseOptions = {},
): BatchPolicy {
  const std = spec.featureNoiseStd ?? 0;
  const nanRate = spec.featureNanRate ?? 0;
  const problems = [
    ...(Number.isFinite(std) && std >= 0 ? [] : [{ field: 'scenario.featureNoiseStd', message: `must be a finite number ≥ 0 (got ${std})` }]),
    ...(nanRate >= 0 && nanRate <= 1 ? [] : [{ field: 'scenario.featureNanRate', message: `must be a number in [0, 1] (got ${nanRate})` }]),
    ...(Number.isSafeInteger(seed) ? [] : [{ field: 'seed', message: `must be a safe integer (got ${seed})` }]),
    ...(options.features === undefined || options.features === 'market' || options.features === 'all'
      ? []
      : [{ field: 'options.features', message: 'must be market or all' }]),
  ];
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid feature-noise settings', { errors: problems });
  if (std === 0 && nanRate === 0) return policy;

  const width = policy.features.length;
  const all = options.features === 'all';
  // Column c is degraded iff affected[c] === 1.
  const affected = Uint8Array.from(policy.features, (name) => (all || !ORDER_STATE_FEATURES.includes(name) ? 1 : 0));
  const rng = createRng(seed);

  return {
    name: policy.name,
    features: policy.features,
    actions: policy.actions,
    decide(input: Float32Array, rows: number): Promise<Float32Array> {
      const n = rows * width;
      if (!Number.isInteger(rows) || rows < 0) return Promise.reject(new RangeError(`rows must be a non-negative integer, got ${rows}`));
      if (input.length < n) return Promise.reject(new RangeError(`input holds ${input.length} values, ${rows} rows × ${width} features need ${n}`));
      const degraded = new Float32Array(n);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < width; c++) {
          const i = r * width + c;
          const x = input[i] as number;
          if (affected[c] === 0) {
            degraded[i] = x;
            continue;
          }
          const missing = nanRate > 0 && rng.next() < nanRate;
          const z = std > 0 ? rng.normal() : 0;
          degraded[i] = missing ? Number.NaN : x + std * Math.max(1, Math.abs(x)) * z;
        }
      }
      return policy.decide(degraded, rows);
    },
  };
}
