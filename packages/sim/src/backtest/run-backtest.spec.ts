import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { BatchPolicy } from '@airlock/core';
import type { MarketDay } from '../data/market-day.js';
import { generateSyntheticDay } from '../data/synthetic-day.generator.js';
import { VolumeCurve } from '../features/volume-curve.js';
import { generateParentOrders } from '../orders/order-generator.js';
import type { ParentOrder } from '../orders/parent-order.js';
import { createBaseline } from '../strategies/schedule-strategies.js';
import { wilcoxonSignedRank } from '../stats/wilcoxon.js';
import { at, constantPolicy, makeDay, NS, type Level } from '../testing/make-day.js';
import type { BacktestResult, EpisodeResult } from './backtest-result.js';
import { compare } from './compare.js';
import { runBacktest } from './run-backtest.js';

/** A small plain-JS "model": participation from the schedule deviation, aggression from the spread. */
const reactivePolicy: BatchPolicy = {
  name: 'reactive',
  features: ['schedule_deviation', 'spread_ticks', 'imbalance_l1', 'time_remaining_frac'],
  actions: ['participation', 'aggression'],
  decide(input, rows) {
    const out = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const deviation = input[r * 4] as number;
      const spread = input[r * 4 + 1] as number;
      const remaining = input[r * 4 + 3] as number;
      out[r * 2] = Math.min(1, Math.max(0, 0.05 - deviation));
      out[r * 2 + 1] = remaining < 0.1 ? 1 : spread <= 1 ? 0.6 : 0.2;
    }
    return Promise.resolve(out);
  },
};

const baselines = () => ({ twap: createBaseline('twap'), vwap: createBaseline('vwap'), pov: createBaseline('pov'), ac: createBaseline('ac') });

describe('runBacktest on a synthetic day', () => {
  const day = generateSyntheticDay({ seed: 5, regime: 'volatile', events: 30_000 });
  const orders = generateParentOrders(day, { count: 40, seed: 9, durationRangeNs: [120e9, 1200e9] });

  it('is deterministic: same inputs and seed → byte-identical JSON; the seed matters for the probabilistic queue', async () => {
    const go = (seed: number, queueModel: 'exact' | 'probabilistic') =>
      runBacktest({ day, orders, strategies: { candidate: reactivePolicy, ...baselines() }, seed, config: { queueModel } });
    // Hashes keep a failure message short; the episodes alone show whether the seed changed the simulation.
    const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
    const a = await go(1, 'probabilistic');
    expect(hash(await go(1, 'probabilistic'))).toBe(hash(a));
    expect(hash((await go(2, 'probabilistic')).episodes)).not.toBe(hash(a.episodes));
    // The exact queue model draws no random numbers: the seed changes nothing but its echo in the result.
    expect(hash((await go(1, 'exact')).episodes)).toBe(hash((await go(2, 'exact')).episodes));
  });

  it('runs every strategy on every order and aggregates them', async () => {
    const progress: number[] = [];
    const result = await runBacktest({ day, orders, strategies: { candidate: reactivePolicy, ...baselines() }, seed: 1, onProgress: (p) => progress.push(p.eventsDone) });
    expect(result.strategies).toEqual(['candidate', 'twap', 'vwap', 'pov', 'ac']);
    expect(result.episodes).toHaveLength(5 * 40);
    expect(result.queueModel).toBe('exact'); // the generator writes order IDs
    expect(progress.at(-1)).toBe(day.length);
    for (const name of result.strategies) {
      const agg = result.aggregates[name]!;
      expect(agg.episodes + agg.failed).toBe(40);
      expect(agg.failed).toBe(0);
      expect(agg.isBps.mean).not.toBeNull();
    }
    // The schedule baselines cross on their last decision, so they complete nearly everything here.
    expect(result.aggregates.twap!.completion).toBeGreaterThan(0.95);
    const comparisons = compare(result, 'candidate', ['twap', 'vwap', 'pov', 'ac'], 3);
    expect(comparisons.map((c) => [c.baseline, c.pairs])).toEqual([['twap', 40], ['vwap', 40], ['pov', 40], ['ac', 40]]);
    for (const c of comparisons) {
      expect(c.ci95![0]).toBeLessThanOrEqual(c.meanDiffBps!);
      expect(c.ci95![1]).toBeGreaterThanOrEqual(c.meanDiffBps!);
      expect(c.pValue).toBeGreaterThanOrEqual(0);
      expect(c.pValue).toBeLessThanOrEqual(1);
    }
  });

  it('rejects bad input before running anything', async () => {
    await expect(runBacktest({ day, orders: [], strategies: baselines(), seed: 1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(runBacktest({ day, orders, strategies: baselines(), seed: 1, config: { latencyNs: 20e9 } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED', details: { errors: [{ field: 'config.latencyNs', message: expect.stringContaining('shorter than decisionIntervalNs') }] },
    });
    await expect(runBacktest({ day, orders, strategies: { candidate: { ...reactivePolicy, features: ['spread_bps', 'alpha_42'] } }, seed: 1 })).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN_FEATURE', details: { errors: [{ field: 'reactive.features[1]', message: expect.stringContaining('"alpha_42"') }] },
    });
  });
});

describe('properties', () => {
  /** Book row in force at t: the last message with time ≤ t. */
  const rowAt = (day: MarketDay, t: number): number => {
    let r = 0;
    while (r + 1 < day.length && (day.timeNs[r + 1] as number) <= t) r++;
    return r;
  };

  it('filled ≤ ordered; fills reconcile with cash and shares; a cross never takes more than the visible book', async () => {
    const day = generateSyntheticDay({ seed: 77, regime: 'illiquid', events: 6000 });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('exact' as const, 'probabilistic' as const),
        async (seed, p, a, queueModel) => {
          const orders = generateParentOrders(day, { count: 6, seed, sizePctRange: [5, 60], durationRangeNs: [60e9, 900e9], limitProbability: 0.3 });
          const result = await runBacktest({
            day, orders, seed, config: { recordFills: true, queueModel, impact: { model: 'square-root', coefficient: 1 } },
            strategies: { c: constantPolicy(p, a), twap: createBaseline('twap'), ac: createBaseline('ac') },
          });
          for (const e of result.episodes) {
            const own = result.fills!.filter((f) => f.strategy === e.strategy && f.orderId === e.orderId);
            const shares = own.reduce((s, f) => s + f.quantity, 0);
            expect(e.filled).toBeLessThanOrEqual(e.quantity);
            expect(shares).toBe(e.filled);
            expect(own.filter((f) => f.liquidity === 'maker').reduce((s, f) => s + f.quantity, 0)).toBe(e.passiveFilled);
            if (e.filled > 0) {
              const cash = own.reduce((s, f) => s + f.effectivePriceTicks * f.quantity, 0);
              expect(e.avgFillPrice! * e.filled).toBeCloseTo(cash, 6);
            }
            const order = orders.find((o) => o.id === e.orderId)!;
            for (const f of own) {
              if (order.limitTicks !== undefined) expect(order.side === 'buy' ? f.priceTicks <= order.limitTicks : f.priceTicks >= order.limitTicks).toBe(true);
              expect(f.timeNs).toBeGreaterThanOrEqual(order.startNs);
              expect(f.timeNs).toBeLessThanOrEqual(order.endNs);
            }
            const takes = new Map<number, number>();
            for (const f of own) if (f.liquidity === 'taker') takes.set(f.timeNs, (takes.get(f.timeNs) ?? 0) + f.quantity);
            for (const [t, q] of takes) {
              const r = rowAt(day, t);
              let depth = 0;
              for (let l = 0; l < day.levels; l++) depth += (order.side === 'buy' ? day.askSize : day.bidSize)[r * day.levels + l] as number;
              expect(q).toBeLessThanOrEqual(depth);
            }
          }
        },
      ),
      { numRuns: 12, seed: 20240102 },
    );
  });

  it('an immediate full cross costs at least half the spread (fees and impact only add)', async () => {
    const level = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 500 }));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 5000, max: 60000 }), // best bid, ticks
        fc.integer({ min: 1, max: 40 }), // spread, ticks
        fc.array(level, { minLength: 1, maxLength: 5 }), // asks: (gap to previous level, size)
        fc.array(level, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3000 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        async (bid1, spread, askSteps, bidSteps, isBuy, quantity, takerBps) => {
          const build = (start: number, steps: [number, number][], dir: number): Level[] => {
            let price = start;
            return steps.map(([gap, size], i) => {
              if (i > 0) price += dir * gap;
              return [price, size] as Level;
            });
          };
          const asks = build(bid1 + spread, askSteps, 1);
          const bids = build(bid1, bidSteps, -1);
          const day = makeDay({
            levels: 5,
            messages: [
              { t: at(9, 59), type: 1, id: 1, size: 1, price: bid1, dir: 1, book: { bids, asks } },
              { t: at(10, 5), type: 1, id: 2, size: 1, price: bid1, dir: 1 },
            ],
          });
          const order: ParentOrder = { id: 'x', side: isBuy ? 'buy' : 'sell', quantity, startNs: at(10, 0) * NS, endNs: at(10, 1) * NS, urgency: 0.5 };
          const result = await runBacktest({
            day, orders: [order], seed: 1, strategies: { c: constantPolicy(1, 1) },
            curve: VolumeCurve.fromBuckets(10 * NS, new Float64Array(8640).fill(1e7)),
            config: { fees: { unit: 'bps', taker: takerBps, makerRebate: 0 } },
          });
          const e = result.episodes[0]! as EpisodeResult;
          const depth = (isBuy ? asks : bids).reduce((s, [, size]) => s + size, 0);
          expect(e.filled).toBe(Math.min(quantity, depth));
          const mid = bid1 + spread / 2;
          const halfSpreadBps = ((spread / 2) / mid) * 1e4;
          // Execution part per filled share, in bps of the arrival mid (the opportunity part can be negative).
          const perShareBps = (e.isExecutionBps! * quantity) / e.filled;
          expect(perShareBps).toBeGreaterThanOrEqual(halfSpreadBps - 1e-9);
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('compare', () => {
  /** A hand-built result: candidate IS = baseline IS + d_i for 30 orders; order 0's candidate episode failed. */
  function resultWith(d: number[]): BacktestResult {
    const episode = (strategy: string, i: number, isBps: number | null): EpisodeResult => ({
      strategy, orderId: `o${i}`, side: 'buy', quantity: 100, startNs: 0, endNs: 1, status: isBps === null ? 'failed' : 'ok',
      failure: isBps === null ? 'x' : null, filled: 100, passiveFilled: 0, childOrders: 1, invalidActions: 0, arrivalMid: 1000, endMark: 1000,
      avgFillPrice: 1000, marketVwap: 1000, isBps, isExecutionBps: isBps, isOpportunityBps: 0, feesBps: 0, vwapSlippageBps: 0,
      participation: 0.1, completion: 1, passiveFillRatio: 0,
    });
    const base = d.map((_, i) => 5 + (i % 7));
    return {
      schema: 'airlock.backtest/1', instrument: 'T', date: '2024-01-02', seed: 1, events: 0, queueModel: 'exact',
      config: {} as BacktestResult['config'], strategies: ['cand', 'base'], orders: d.length, aggregates: {}, failures: [],
      episodes: [...d.map((v, i) => episode('cand', i, i === 0 ? null : (base[i] as number) + v)), ...base.map((v, i) => episode('base', i, v))],
    };
  }

  it('pairs episodes by order, skips failed pairs, and reports mean difference, bootstrap CI and Wilcoxon p', () => {
    const d = Array.from({ length: 30 }, (_, i) => -1 + ((i * 37) % 11) / 10); // mostly negative: candidate cheaper
    const [c] = compare(resultWith(d), 'cand', ['base'], 4);
    const used = d.slice(1);
    const mean = used.reduce((s, v) => s + v, 0) / used.length;
    expect(c).toMatchObject({ candidate: 'cand', baseline: 'base', pairs: 29, excluded: 1 });
    expect(c!.meanDiffBps).toBeCloseTo(mean, 12);
    expect(c!.pValue).toBe(wilcoxonSignedRank(used).pValue);
    expect(c!.test).toBe('wilcoxon-normal');
    expect(c!.ci95![0]).toBeLessThan(mean);
    expect(c!.ci95![1]).toBeGreaterThan(mean);
    expect(compare(resultWith(d), 'cand', ['base'], 4)).toEqual([c]);
  });

  it('identical strategies: zero difference, p = 1', () => {
    const [c] = compare(resultWith(new Array(30).fill(0)), 'cand', ['base'], 1);
    expect(c).toMatchObject({ meanDiffBps: 0, ci95: [0, 0], pValue: 1 });
  });

  it('names unknown strategies', () => {
    expect(() => compare(resultWith([1, 2]), 'cand', ['nope'], 1)).toThrow('unknown strategies: nope');
  });
});
