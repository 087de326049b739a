import { DomainError, type BatchPolicy } from '@airlock/core';
import type { MarketDay } from '../data/market-day.js';
import { DEFAULT_BACKTEST_CONFIG, type BacktestConfig } from '../execution/execution-config.js';
import { withFeatureNoise, type FeatureNoiseOptions } from './feature-noise.policy.js';
import { applyMarketScenario } from './market-scenario.transform.js';
import { parseScenario, type ScenarioSpec } from './scenario-spec.validator.js';

/**
 * The backtest configuration of a scenario on top of `base` (the suite's own settings; defaults where absent):
 * `base` with latencyNs = (base.latencyNs ?? default) + extraLatencyNs. Pass the result as runBacktest's `config`.
 * Throws VALIDATION_FAILED (field scenario.extraLatencyNs) when the total latency would reach the decision
 * interval: the engine keeps one order instruction in flight per episode.
 * The other scenario fields need no configuration: the impact overlay's daily volatility and volume are
 * estimated from the transformed day itself.
 */
export function scenarioConfig(spec: ScenarioSpec, base: Partial<BacktestConfig> = {}): Partial<BacktestConfig> {
  const s = parseScenario(spec);
  const extra = s.extraLatencyNs ?? 0;
  if (extra === 0) return { ...base };
  const latencyNs = (base.latencyNs ?? DEFAULT_BACKTEST_CONFIG.latencyNs) + extra; // ns
  const intervalNs = base.decisionIntervalNs ?? DEFAULT_BACKTEST_CONFIG.decisionIntervalNs; // ns
  if (!(latencyNs < intervalNs)) {
    const message = `base latency + extra = ${latencyNs} ns must be shorter than the decision interval (${intervalNs} ns)`;
    throw new DomainError('VALIDATION_FAILED', `scenario.extraLatencyNs: ${message}`, { errors: [{ field: 'scenario.extraLatencyNs', message }] });
  }
  return { ...base, latencyNs };
}

export interface AppliedScenario {
  readonly spec: ScenarioSpec;
  /** The transformed day (a new object; the input day is untouched). */
  readonly day: MarketDay;
  /** runBacktest's `config` for this scenario (the base config with the scenario's changes). */
  readonly config: Partial<BacktestConfig>;
  /**
   * Wraps a BatchPolicy (candidate, champion, ONNX model) with the scenario's feature noise and NaNs; seed
   * defaults to the spec's seed (or 0). Baselines (ExecutionStrategy) read no catalog features: pass them as
   * they are. Returns the policy itself when the scenario has no feature noise.
   */
  readonly wrapPolicy: (policy: BatchPolicy, seed?: number) => BatchPolicy;
}

export interface ApplyScenarioOptions {
  /** The suite's own backtest settings; the scenario's changes are applied on top. */
  readonly baseConfig?: Partial<BacktestConfig>;
  readonly featureNoise?: FeatureNoiseOptions;
}

/** Everything a validation suite needs to run one scenario: day, config and policy wrapper. */
export function applyScenario(day: MarketDay, spec: ScenarioSpec, options: ApplyScenarioOptions = {}): AppliedScenario {
  const s = parseScenario(spec);
  const config = scenarioConfig(s, options.baseConfig);
  const transformed = applyMarketScenario(day, s);
  return {
    spec: s,
    day: transformed,
    config,
    wrapPolicy: (policy, seed = s.seed ?? 0) => withFeatureNoise(policy, s, seed, options.featureNoise),
  };
}
