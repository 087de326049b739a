import { describe, expect, it } from '@jest/globals';
import { DomainError, type BatchPolicy } from '@airlock/core';
import { runBacktest } from '../backtest/run-backtest.js';
import { generateSyntheticDay } from '../data/synthetic-day.generator.js';
import { DEFAULT_BACKTEST_CONFIG, type BacktestConfig } from '../execution/execution-config.js';
import { generateParentOrders } from '../orders/order-generator.js';
import { twapStrategy } from '../strategies/schedule-strategies.js';
import { applyScenario, scenarioConfig } from './scenario.factory.js';

const MINUTE_NS = 60_000_000_000;

describe('scenarioConfig', () => {
  it('adds the extra latency to the base latency (or the default) and keeps the rest of the base', () => {
    expect(scenarioConfig({ name: 'slow', extraLatencyNs: 4_000_000 })).toEqual({ latencyNs: DEFAULT_BACKTEST_CONFIG.latencyNs + 4_000_000 });
    const base: Partial<BacktestConfig> = { latencyNs: 2_000_000, decisionIntervalNs: 5_000_000_000, recordFills: true };
    expect(scenarioConfig({ name: 'slow', extraLatencyNs: 3_000_000 }, base)).toEqual({ ...base, latencyNs: 5_000_000 });
    expect(scenarioConfig({ name: 'base' }, base)).toEqual(base);
    expect(scenarioConfig({ name: 'base' }, base)).not.toBe(base);
  });

  it('refuses a total latency that reaches the decision interval, naming the scenario field', () => {
    try {
      scenarioConfig({ name: 'too-slow', extraLatencyNs: 10_000_000_000 });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details.errors).toEqual([{ field: 'scenario.extraLatencyNs', message: expect.stringContaining('shorter than the decision interval') }]);
    }
    expect(() => scenarioConfig({ name: 'bad', extraLatencyNs: -5 })).toThrow(DomainError);
  });
});

// One generated day and one set of parent orders for every end-to-end run (identical episodes across scenarios).
const day = generateSyntheticDay({ seed: 31, regime: 'calm', events: 30_000, levels: 5 });
const orders = generateParentOrders(day, { count: 24, seed: 5, durationRangeNs: [10 * MINUTE_NS, 30 * MINUTE_NS] });

/** A JS policy reading market features whose arithmetic, like an ONNX graph's, lets a NaN input through. */
function featureReadingPolicy(): BatchPolicy {
  const features = ['spread_bps', 'imbalance_l1', 'time_remaining_frac'];
  return {
    name: 'reads-features',
    features,
    actions: ['participation', 'aggression'],
    decide(input, rows) {
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        const x = input[r * 3]! + input[r * 3 + 1]! + input[r * 3 + 2]!;
        out[r * 2] = 0.1 + 0 * x; // 0 · NaN = NaN
        out[r * 2 + 1] = 0.5;
      }
      return Promise.resolve(out);
    },
  };
}

describe('applyScenario end to end (runBacktest on transformed days)', () => {
  it('returns the day, config and an identity wrapper for a market-only scenario, leaving the input day alone', () => {
    const applied = applyScenario(day, { name: 'wide', spreadWidenTicks: 4 });
    expect(applied.day).not.toBe(day);
    expect(applied.day.askPrice[0]).toBe(day.askPrice[0]! + 2);
    expect(applied.config).toEqual({});
    const policy = featureReadingPolicy();
    expect(applied.wrapPolicy(policy)).toBe(policy);
    expect(() => applyScenario(day, { name: '', volatility: 0 })).toThrow(DomainError);
  });

  it('makes a TWAP pay more under spreadWidenTicks: 4 than under the base scenario, every episode still running', async () => {
    const run = (scenario: Parameters<typeof applyScenario>[1]) => {
      const s = applyScenario(day, scenario);
      return runBacktest({ day: s.day, orders, strategies: { twap: twapStrategy() }, config: s.config, seed: 1 });
    };
    const base = await run({ name: 'base' });
    const wide = await run({ name: 'wide', spreadWidenTicks: 4 });
    expect(base.failures).toEqual([]);
    expect(wide.failures).toEqual([]);
    const baseIs = base.aggregates['twap']!.isBps.mean!;
    const wideIs = wide.aggregates['twap']!.isBps.mean!;
    // Crossing costs ⌈4/2⌉ = 2 more ticks (≈ 2 bps at $100) on the aggressive share of every fill.
    expect(wideIs).toBeGreaterThan(baseIs + 1);
  });

  it('runs every market scenario and the extra latency to completion, deterministically', async () => {
    const scenario = { name: 'stress', volatility: 2, spreadWidenTicks: 2, depthFactor: 0.3, extraLatencyNs: 50_000_000 };
    const once = async () => {
      const s = applyScenario(day, scenario);
      return runBacktest({ day: s.day, orders, strategies: { twap: twapStrategy() }, config: s.config, seed: 3 });
    };
    const first = await once();
    expect(first.failures).toEqual([]);
    expect(first.config.latencyNs).toBe(DEFAULT_BACKTEST_CONFIG.latencyNs + 50_000_000);
    expect(first.aggregates['twap']!.episodes).toBe(orders.length);
    expect(JSON.stringify(await once())).toBe(JSON.stringify(first));
  });

  it('fails the episodes whose policy turns a NaN input into a NaN action, with the engine\'s reason', async () => {
    const run = async (featureNanRate: number) => {
      const s = applyScenario(day, { name: 'nan', featureNanRate, seed: 4 });
      return runBacktest({ day: s.day, orders, strategies: { candidate: s.wrapPolicy(featureReadingPolicy()) }, config: s.config, seed: 1 });
    };
    const clean = await run(0);
    expect(clean.failures).toEqual([]);
    const missing = await run(1);
    expect(missing.failures).toHaveLength(orders.length);
    expect(missing.failures[0]!.reason).toMatch(/returned a non-finite action/);
  });
});
