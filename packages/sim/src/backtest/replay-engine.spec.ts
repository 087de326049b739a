import { describe, expect, it } from '@jest/globals';
import type { BatchPolicy } from '@airlock/core';
import type { BacktestConfig } from '../execution/execution-config.js';
import { VolumeCurve } from '../features/volume-curve.js';
import type { ParentOrder } from '../orders/parent-order.js';
import type { DecisionBatch, ExecutionStrategy, StrategyInput } from '../strategies/execution-strategy.js';
import { twapStrategy } from '../strategies/schedule-strategies.js';
import { at, constantPolicy, makeDay, NS, type HandBook, type HandMessage } from '../testing/make-day.js';
import { runBacktest } from './run-backtest.js';

/*
 * Golden scenarios on tiny books, every number derived by hand below. Conventions of all scenarios:
 * - prices in ticks (tick = 1 cent, tickSize 100), the expected-volume curve is flat at 1000 shares per 10 s,
 *   so participation p asks for round(p · 1000) shares per decision;
 * - decisions every 10 s on the grid, latency 1 ms (arrival at t + 0.001 s) unless stated;
 * - no fees and no impact unless stated.
 */
const FLAT = VolumeCurve.fromBuckets(10 * NS, new Float64Array(8640).fill(1000));
const T0 = at(10, 0) * NS; // 10:00:00
const ARRIVAL = T0 + 1_000_000; // 10:00:00.001
const BOOK: HandBook = {
  bids: [[1000, 100], [999, 200], [998, 300]],
  asks: [[1002, 100], [1003, 200], [1005, 300]],
};
const NO_COSTS: Partial<BacktestConfig> = { fees: { unit: 'bps', taker: 0, makerRebate: 0 }, impact: { model: 'none' } };

const buy = (quantity: number, extra: Partial<ParentOrder> = {}): ParentOrder => ({
  id: 'o1', side: 'buy', quantity, startNs: T0, endNs: T0 + 20 * NS, urgency: 0.5, ...extra,
});

async function run(messages: HandMessage[], orders: ParentOrder[], strategies: Record<string, StrategyInput>, config: Partial<BacktestConfig> = {}, levels = 3) {
  return runBacktest({
    day: makeDay({ levels, messages }),
    orders,
    strategies,
    config: { ...NO_COSTS, recordFills: true, ...config },
    seed: 7,
    curve: FLAT,
  });
}

/** A strategy replaying a fixed list of (participation, aggression) decisions, one per call. */
function scripted(decisions: [number, number][]): ExecutionStrategy {
  let call = 0;
  return {
    kind: 'execution-strategy',
    features: [],
    plan(batch: DecisionBatch) {
      const [p, a] = decisions[Math.min(call++, decisions.length - 1)] as [number, number];
      for (let r = 0; r < batch.size; r++) {
        batch.participation[r] = p;
        batch.aggression[r] = a;
      }
    },
  };
}

describe('aggressive child orders walk the visible book', () => {
  // m0 sets the book; m1 (10:00:05) a buyer lifts 50 of the 1002 ask; m2 (10:00:12) a hidden buy-initiated
  // print of 100 at 1001; m3 after the window.
  const messages: HandMessage[] = [
    { t: at(9, 59, 59), type: 1, id: 1, size: 100, price: 1000, dir: 1, book: BOOK },
    { t: at(10, 0, 5), type: 4, id: 2, size: 50, price: 1002, dir: -1, book: { bids: BOOK.bids, asks: [[1002, 50], [1003, 200], [1005, 300]] } },
    { t: at(10, 0, 12), type: 5, id: 0, size: 100, price: 1001, dir: -1 },
    { t: at(10, 0, 30), type: 3, id: 1, size: 100, price: 1000, dir: 1 },
  ];

  it('fills 100 @1002 and 150 @1003, pays the per-share taker fee, and measures IS, VWAP slippage and participation', async () => {
    // participation 1 → min(250 remaining, 1000) = 250 shares, aggression 1 → all cross at 10:00:00.001:
    //   100 @1002 (level 1), 150 @1003 (level 2). N = 100·1002 + 150·1003 = 250 650 ticks·sh, avg 1002.6.
    // Default fee: $0.003/share = 0.3 ticks/share → 75 ticks·sh.
    // IS = (N − 250·1001 + 75) / (250·1001) · 1e4 = 475 / 250 250 · 1e4 = 18.98102 bps; all of it execution.
    // Market over (10:00:00, 10:00:20]: 50 @1002 + 100 @1001 (hidden counts) → VWAP 150 200 / 150 = 1001.3333;
    // VWAP slippage = (1002.6 − 1001.3333) / 1001.3333 · 1e4 = 12.6498 bps; participation 250 / 150.
    const result = await run(messages, [buy(250)], { candidate: constantPolicy(1, 1) }, { fees: { unit: 'per-share', taker: 0.003, makerRebate: 0.002 } });
    expect(result.fills).toEqual([
      { strategy: 'candidate', orderId: 'o1', timeNs: ARRIVAL, priceTicks: 1002, effectivePriceTicks: 1002, quantity: 100, liquidity: 'taker', feeTicks: 30 },
      { strategy: 'candidate', orderId: 'o1', timeNs: ARRIVAL, priceTicks: 1003, effectivePriceTicks: 1003, quantity: 150, liquidity: 'taker', feeTicks: 45 },
    ]);
    const e = result.episodes[0]!;
    expect(e.status).toBe('ok');
    expect(e.filled).toBe(250);
    expect(e.avgFillPrice).toBeCloseTo(1002.6, 10);
    expect(e.isBps).toBeCloseTo((475 / 250_250) * 1e4, 9);
    expect(e.isExecutionBps).toBeCloseTo(18.98102, 4);
    expect(e.isOpportunityBps).toBe(0);
    expect(e.feesBps).toBeCloseTo((75 / 250_250) * 1e4, 9);
    expect(e.marketVwap).toBeCloseTo(150_200 / 150, 9);
    expect(e.vwapSlippageBps).toBeCloseTo(((1002.6 - 150_200 / 150) / (150_200 / 150)) * 1e4, 9);
    expect(e.participation).toBeCloseTo(250 / 150, 12);
    expect(e.completion).toBe(1);
    expect(e.passiveFillRatio).toBe(0);
    expect(e.childOrders).toBe(1);
  });

  it('a sell walks the bids and pays a bps taker fee', async () => {
    // Sell 150 all aggressive: 100 @1000, 50 @999; N = 149 950. Fee 1 bps of notional = 14.995 ticks·sh.
    // IS = (−1·(149 950 − 150·1001) + 14.995) / (150·1001) · 1e4 = 214.995 / 150 150 · 1e4 = 14.31868 bps.
    const result = await run(messages, [{ ...buy(150), side: 'sell' }], { candidate: constantPolicy(1, 1) }, { fees: { unit: 'bps', taker: 1, makerRebate: 0 } });
    expect(result.fills?.map((f) => [f.priceTicks, f.quantity])).toEqual([[1000, 100], [999, 50]]);
    expect(result.episodes[0]!.isBps).toBeCloseTo((214.995 / 150_150) * 1e4, 9);
  });

  it('stops at the parent limit price; the IOC remainder is not rested', async () => {
    // Limit 1002: only the 100 @1002 are within it. One decision (window 10 s). Unfilled 150 marked at the end
    // mid (1000 + 1002)/2 = 1001 = arrival mid → no opportunity cost. IS = (100 200 − 100·1001)/(250·1001)·1e4.
    const result = await run(messages, [buy(250, { limitTicks: 1002, endNs: T0 + 10 * NS })], { candidate: constantPolicy(1, 1) });
    const e = result.episodes[0]!;
    expect(result.fills?.map((f) => [f.priceTicks, f.quantity])).toEqual([[1002, 100]]);
    expect(e.completion).toBeCloseTo(0.4, 12);
    expect(e.isOpportunityBps).toBe(0);
    expect(e.isBps).toBeCloseTo((100 / 250_250) * 1e4, 9);
  });

  it('does not take the same visible liquidity twice from an unchanged book', async () => {
    // No message between 09:59:59 and 10:00:30: both decisions (10:00:00, 10:00:10) see the same book row.
    // Each asks for round(0.1·1000) = 100 shares, crossing. First: 100 @1002. Second: the 100 at 1002 are ours
    // already, so 100 @1003.
    const still: HandMessage[] = [messages[0]!, { t: at(10, 0, 30), type: 3, id: 1, size: 100, price: 1000, dir: 1 }];
    const result = await run(still, [buy(250)], { candidate: constantPolicy(0.1, 1) });
    expect(result.fills?.map((f) => [f.timeNs, f.priceTicks, f.quantity])).toEqual([
      [ARRIVAL, 1002, 100],
      [T0 + 10 * NS + 1_000_000, 1003, 100],
    ]);
  });

  it('applies the linear and square-root impact overlays to later fills and to the end mark', async () => {
    // Linear, coefficient 1, σ_D 100 bps, V_D 1000: I(q) = 100 · q/1000 bps. First piece 100 @1002 at q = 0:
    // booked at 1002. Second piece 150 @1003 at q = 100: I = 10 bps → 1003 · 1.001 = 1004.003.
    // N = 100 200 + 150 600.45 = 250 800.45; IS = (250 800.45 − 250 250) / 250 250 · 1e4 = 21.99600 bps.
    const linear = await run(messages, [buy(250)], { candidate: constantPolicy(1, 1) }, { impact: { model: 'linear', coefficient: 1, dailyVolBps: 100, dailyVolume: 1000 } });
    expect(linear.fills?.map((f) => f.effectivePriceTicks)).toEqual([1002, 1003 * 1.001]);
    expect(linear.episodes[0]!.isBps).toBeCloseTo((550.45 / 250_250) * 1e4, 9);
    // Square root, Y 0.5, σ_D 100, V_D 10 000: I(100) = 0.5 · 100 · sqrt(0.01) = 5 bps → 1003 · 1.0005.
    const sqrt = await run(messages, [buy(250)], { candidate: constantPolicy(1, 1) }, { impact: { model: 'square-root', coefficient: 0.5, dailyVolBps: 100, dailyVolume: 10_000 } });
    expect(sqrt.fills?.[1]?.effectivePriceTicks).toBeCloseTo(1003 * 1.0005, 9);
    // Limit 1002 leaves 150 unfilled after 100 filled: the end mark is mid 1001 shifted by I(100) = 10 bps (linear):
    // 1001 · 1.001 = 1002.001; opportunity = (1002.001 − 1001) · 150 / (250 · 1001) · 1e4.
    const partial = await run(messages, [buy(250, { limitTicks: 1002, endNs: T0 + 10 * NS })], { candidate: constantPolicy(1, 1) }, {
      impact: { model: 'linear', coefficient: 1, dailyVolBps: 100, dailyVolume: 1000 },
    });
    expect(partial.episodes[0]!.endMark).toBeCloseTo(1002.001, 9);
    expect(partial.episodes[0]!.isOpportunityBps).toBeCloseTo(((1.001 * 150) / 250_250) * 1e4, 9);
  });

  it('latency: the order meets the book as it is when it arrives, not as it was at the decision', async () => {
    // At 10:00:00 the ask is 1002 × 100. At 10:00:00.0005 someone lifts all of it; the ask becomes 1003.
    // Buy 50 (p 0.05) crossing: with 1 ms latency it arrives after that and pays 1003; with 0.4 ms, 1002.
    const race: HandMessage[] = [
      messages[0]!,
      { t: at(10, 0, 0) + 0.0005, type: 4, id: 2, size: 100, price: 1002, dir: -1, book: { bids: BOOK.bids, asks: [[1003, 200], [1005, 300]] } },
      { t: at(10, 0, 30), type: 3, id: 1, size: 100, price: 1000, dir: 1 },
    ];
    const slow = await run(race, [buy(50)], { candidate: constantPolicy(0.05, 1) }, { latencyNs: 1_000_000 });
    const fast = await run(race, [buy(50)], { candidate: constantPolicy(0.05, 1) }, { latencyNs: 400_000 });
    expect(slow.fills?.map((f) => [f.timeNs, f.priceTicks])).toEqual([[T0 + 1_000_000, 1003]]);
    expect(fast.fills?.map((f) => [f.timeNs, f.priceTicks])).toEqual([[T0 + 400_000, 1002]]);
  });

  it('an unworked order costs exactly its opportunity part, marked at the end mid', async () => {
    // p = 0: nothing trades. At 10:00:15 the quotes move to 1002/1004 (mid 1003). Window end 10:00:20.
    // IS = opportunity = (1003 − 1001) · 100 / (100 · 1001) · 1e4 = 19.98002 bps.
    const moving: HandMessage[] = [
      messages[0]!,
      { t: at(10, 0, 15), type: 1, id: 9, size: 100, price: 1002, dir: 1, book: { bids: [[1002, 100]], asks: [[1004, 100]] } },
    ];
    const e = (await run(moving, [buy(100)], { candidate: constantPolicy(0, 0) })).episodes[0]!;
    expect(e.filled).toBe(0);
    expect(e.isExecutionBps).toBe(0);
    expect(e.isBps).toBeCloseTo((2 / 1001) * 1e4, 9);
    expect(e.vwapSlippageBps).toBeNull();
    expect(e.passiveFillRatio).toBeNull();
  });
});

describe('passive child orders queue behind the visible size', () => {
  // Bid 1000 holds id 11 (100) and id 12 (200), both submitted before our order: 300 ahead of us.
  const start: HandMessage[] = [
    { t: at(9, 59, 58), type: 1, id: 11, size: 100, price: 1000, dir: 1, book: { bids: [[1000, 100], [999, 100]], asks: [[1002, 100], [1003, 100]] } },
    { t: at(9, 59, 59), type: 1, id: 12, size: 200, price: 1000, dir: 1, book: { bids: [[1000, 300], [999, 100]], asks: [[1002, 100], [1003, 100]] } },
  ];
  const bids = (size: number): HandBook => ({ bids: [[1000, size], [999, 100]], asks: [[1002, 100], [1003, 100]] });

  it('exact queue from order IDs: cancels ahead advance us, cancels behind do not, an execution behind us fills us', async () => {
    // p 0.1, aggression 0 → 100 shares resting at our touch 1000 from 10:00:00.001 with 300 ahead.
    // 10:00:01 id 13 joins behind us (500 visible).  10:00:02 id 11 deleted (ahead) → 200 ahead.
    // 10:00:03 id 13 cancels 50 (behind) → still 200.  10:00:04 id 12 executes 150 (ahead) → 50 ahead.
    // 10:00:05 id 12 executes 50 → 0 ahead.  10:00:06 id 13 executes 120: it queued behind us, so that
    // seller would have hit us first → we fill min(100, 120) = 100 @1000, maker.
    // Maker rebate $0.002/share = 0.2 ticks → fees −20. IS = (100 000 − 100 100 − 20) / 100 100 · 1e4.
    const messages: HandMessage[] = [
      ...start,
      { t: at(10, 0, 1), type: 1, id: 13, size: 200, price: 1000, dir: 1, book: bids(500) },
      { t: at(10, 0, 2), type: 3, id: 11, size: 100, price: 1000, dir: 1, book: bids(400) },
      { t: at(10, 0, 3), type: 2, id: 13, size: 50, price: 1000, dir: 1, book: bids(350) },
      { t: at(10, 0, 4), type: 4, id: 12, size: 150, price: 1000, dir: 1, book: bids(200) },
      { t: at(10, 0, 5), type: 4, id: 12, size: 50, price: 1000, dir: 1, book: bids(150) },
      { t: at(10, 0, 6), type: 4, id: 13, size: 120, price: 1000, dir: 1, book: bids(30) },
    ];
    const result = await run(messages, [buy(100)], { candidate: constantPolicy(0.1, 0) }, { fees: { unit: 'per-share', taker: 0.003, makerRebate: 0.002 } }, 2);
    expect(result.queueModel).toBe('exact');
    expect(result.fills?.map((f) => [f.timeNs, f.priceTicks, f.quantity, f.liquidity, f.feeTicks])).toEqual([[at(10, 0, 6) * NS, 1000, 100, 'maker', -20]]);
    const e = result.episodes[0]!;
    expect(e.passiveFillRatio).toBe(1);
    expect(e.childOrders).toBe(1);
    expect(e.isBps).toBeCloseTo((-120 / 100_100) * 1e4, 9);
  });

  it('probabilistic queue: executions consume the queue ahead first', async () => {
    // Same start, 300 ahead; id 14 (60) joins behind us at 10:00:00.5. Executions of 150, 50 and 100 at 1000
    // exhaust the 300 ahead; the next 60 (id 14's) fill us — in both queue models.
    const messages: HandMessage[] = [
      ...start,
      { t: at(10, 0, 0) + 0.5, type: 1, id: 14, size: 60, price: 1000, dir: 1, book: bids(360) },
      { t: at(10, 0, 1), type: 4, id: 12, size: 150, price: 1000, dir: 1, book: bids(210) },
      { t: at(10, 0, 2), type: 4, id: 12, size: 50, price: 1000, dir: 1, book: bids(160) },
      { t: at(10, 0, 3), type: 4, id: 11, size: 100, price: 1000, dir: 1, book: bids(60) },
      { t: at(10, 0, 4), type: 4, id: 14, size: 60, price: 1000, dir: 1, book: bids(1) },
    ];
    for (const queueModel of ['probabilistic', 'exact'] as const) {
      const result = await run(messages, [buy(100)], { candidate: constantPolicy(0.1, 0) }, { queueModel }, 2);
      expect(result.fills?.map((f) => [f.timeNs, f.quantity])).toEqual([[at(10, 0, 4) * NS, 60]]);
    }
  });

  it('probabilistic queue: a cancel is drawn from ahead with probability a^n / (a^n + b^n)', async () => {
    // 300 ahead; 10:00:01 a 200 joins behind (500 visible). n = 60 makes the draws certain in practice:
    //  10:00:02 cancel 100 with a = 300, b = 200 → P(ahead) = 1/(1 + (2/3)^60) ≈ 1 → 200 ahead;
    //  10:00:03 cancel 150 with a = 200, b = 200 (visible 400 before it) → exactly 1/2: not certain, skip it;
    //  instead an execution of 250 → 200 consumed ahead, we fill 50.
    const messages: HandMessage[] = [
      ...start,
      { t: at(10, 0, 1), type: 1, id: 13, size: 200, price: 1000, dir: 1, book: bids(500) },
      { t: at(10, 0, 2), type: 3, id: 0, size: 100, price: 1000, dir: 1, book: bids(400) },
      { t: at(10, 0, 3), type: 4, id: 0, size: 250, price: 1000, dir: 1, book: bids(150) },
    ];
    const result = await run(messages, [buy(100)], { candidate: constantPolicy(0.1, 0) }, { queueModel: 'probabilistic', queuePower: 60 }, 2);
    expect(result.queueModel).toBe('probabilistic');
    expect(result.fills?.map((f) => f.quantity)).toEqual([50]);
    // And with n = 60 the other way round (a = 100 ahead, b = 400 behind), the cancel comes from behind: no advance.
    const behind: HandMessage[] = [
      { t: at(9, 59, 59), type: 1, id: 11, size: 100, price: 1000, dir: 1, book: bids(100) },
      { t: at(10, 0, 1), type: 1, id: 13, size: 400, price: 1000, dir: 1, book: bids(500) },
      { t: at(10, 0, 2), type: 3, id: 0, size: 100, price: 1000, dir: 1, book: bids(400) },
      { t: at(10, 0, 3), type: 4, id: 0, size: 120, price: 1000, dir: 1, book: bids(280) },
    ];
    const second = await run(behind, [buy(100)], { candidate: constantPolicy(0.1, 0) }, { queueModel: 'probabilistic', queuePower: 60 }, 2);
    expect(second.fills?.map((f) => f.quantity)).toEqual([20]);
  });

  it('trade-throughs and crossing submissions fill us; hidden executions at our price do not', async () => {
    // Resting buy 100 @1000, 300 ahead (id 10 predates the file: unknown ID → ahead).
    // 10:00:01 hidden execution at 1000: hidden orders queue behind visible ones → no fill.
    // 10:00:02 the whole 300 ahead executes → 0 ahead, no fill.  10:00:03 a seller hits the 999 bid for 80:
    // it went through our price → we fill 80.  10:00:04 a sell limit of 30 @1000 arrives: it would have
    // traded with our bid → we fill the remaining 20.
    const messages: HandMessage[] = [
      { t: at(9, 59, 59), type: 1, id: 5, size: 100, price: 999, dir: 1, book: bids(300) },
      { t: at(10, 0, 1), type: 5, id: 0, size: 40, price: 1000, dir: 1 },
      { t: at(10, 0, 2), type: 4, id: 10, size: 300, price: 1000, dir: 1, book: { bids: [[999, 100]], asks: [[1002, 100], [1003, 100]] } },
      { t: at(10, 0, 3), type: 4, id: 5, size: 80, price: 999, dir: 1, book: { bids: [[999, 20]], asks: [[1002, 100], [1003, 100]] } },
      { t: at(10, 0, 4), type: 1, id: 60, size: 30, price: 1000, dir: -1, book: { bids: [[999, 20]], asks: [[1000, 30], [1002, 100]] } },
    ];
    const result = await run(messages, [buy(100)], { candidate: constantPolicy(0.1, 0) }, {}, 2);
    expect(result.fills?.map((f) => [f.timeNs / NS - at(10, 0), f.priceTicks, f.quantity, f.liquidity])).toEqual([
      [3, 1000, 80, 'maker'],
      [4, 1000, 20, 'maker'],
    ]);
    expect(result.episodes[0]!.completion).toBe(1);
  });

  it('a smaller order at the same price keeps its queue priority; a larger one goes to the back', async () => {
    // id 10 (300) rests at 1000 before us. 10:00:05 id 10 executes 250. 10:00:08 id 77 (100) joins.
    // 10:00:15 id 10 executes its last 50. 10:00:16 id 77 executes 30.
    // keep:    200 @1000 at 10:00:00 (300 ahead → 50 after 10:00:05); at 10:00:10 asks 100 ≤ 200 → reduced in
    //          place, still ahead of id 77; 10:00:15 → 0 ahead; 10:00:16 id 77 (behind us) trades → we fill 30.
    //          10:00:20 asks 50 ≤ 70 left → reduced again. One child order.
    // replace: 100 at 10:00:00; at 10:00:10 asks 200 > 100 → cancel and new order behind id 10's 50 and id 77's
    //          100 (150 ahead); 10:00:15 → 100 ahead, 10:00:16 → 70 ahead: no fill. Two child orders.
    const messages: HandMessage[] = [
      { t: at(9, 59, 59), type: 1, id: 10, size: 300, price: 1000, dir: 1, book: bids(300) },
      { t: at(10, 0, 5), type: 4, id: 10, size: 250, price: 1000, dir: 1, book: bids(50) },
      { t: at(10, 0, 8), type: 1, id: 77, size: 100, price: 1000, dir: 1, book: bids(150) },
      { t: at(10, 0, 15), type: 4, id: 10, size: 50, price: 1000, dir: 1, book: bids(100) },
      { t: at(10, 0, 16), type: 4, id: 77, size: 30, price: 1000, dir: 1, book: bids(70) },
      { t: at(10, 0, 40), type: 3, id: 77, size: 70, price: 1000, dir: 1, book: bids(0 + 1) },
    ];
    const orders = [buy(200, { endNs: T0 + 30 * NS })];
    const keep = await run(messages, orders, { s: scripted([[0.2, 0], [0.1, 0], [0.05, 0]]) }, {}, 2);
    const replace = await run(messages, orders, { s: scripted([[0.1, 0], [0.2, 0], [0.05, 0]]) }, {}, 2);
    expect(keep.fills?.map((f) => [f.timeNs / NS - at(10, 0), f.quantity])).toEqual([[16, 30]]);
    expect(keep.episodes[0]!.childOrders).toBe(1);
    expect(replace.fills).toEqual([]);
    expect(replace.episodes[0]!.childOrders).toBe(2);
  });
});

describe('the decision loop', () => {
  const messages: HandMessage[] = [
    { t: at(9, 59, 59), type: 1, id: 1, size: 100, price: 1000, dir: 1, book: { bids: [[1000, 100000]], asks: [[1002, 100000]] } },
    { t: at(10, 1, 0), type: 3, id: 1, size: 100, price: 1000, dir: 1 },
  ];
  const three = ['a', 'b', 'c'].map((id) => buy(1000, { id, endNs: T0 + 30 * NS }));

  it('batches inference: one policy call per decision time for all concurrent episodes', async () => {
    // Three orders over the same window, p 0.01 → 10 shares each per decision, never complete: decisions at
    // 10:00:00, :10, :20 each decide for the 3 episodes in one call.
    const policy = constantPolicy(0.01, 1);
    await run(messages, three, { candidate: policy });
    expect(policy.calls).toEqual([3, 3, 3]);
  });

  it('a policy returning NaN fails its episodes with the reason; other strategies run on', async () => {
    const nan: BatchPolicy = { ...constantPolicy(Number.NaN, 0.5, 'nan'), name: 'nan' };
    const result = await run(messages, three, { candidate: nan, twap: twapStrategy() });
    expect(result.failures).toHaveLength(3);
    expect(result.failures[0]).toEqual({ strategy: 'candidate', orderId: 'a', reason: expect.stringContaining('non-finite action at 10:00:00 (participation=NaN') });
    expect(result.aggregates.candidate).toMatchObject({ episodes: 0, failed: 3 });
    expect(result.aggregates.twap).toMatchObject({ episodes: 3, failed: 0, completion: 1 });
    expect(result.episodes.find((e) => e.strategy === 'candidate')).toMatchObject({ status: 'failed', isBps: null });
  });

  it('a policy that throws fails the episodes of that batch only', async () => {
    let calls = 0;
    const flaky: BatchPolicy = {
      name: 'flaky', features: ['side'], actions: ['participation', 'aggression'],
      decide(_input, rows) {
        calls++;
        if (calls === 2) return Promise.reject(new Error('session lost'));
        return Promise.resolve(new Float32Array(rows * 2).fill(0.01));
      },
    };
    const late = buy(1000, { id: 'late', startNs: T0 + 20 * NS, endNs: T0 + 40 * NS });
    const result = await run(messages, [...three, late], { candidate: flaky });
    // Call 1 (10:00:00) and call 2 (10:00:10: a, b, c fail) … call 3 (10:00:20) only `late` is left, and succeeds.
    expect(result.failures.map((f) => f.orderId)).toEqual(['a', 'b', 'c']);
    expect(result.failures[0]!.reason).toContain('failed at 10:00:10: session lost');
    expect(result.episodes.find((e) => e.orderId === 'late')?.status).toBe('ok');
  });

  it('clamps out-of-bounds actions and counts them as invalid', async () => {
    // participation 1.5 → 1 and aggression −0.2 → 0: two invalid values per decision, three decisions until
    // the 30 s window ends (never completes: passive 1000 behind 100 000 shares ahead).
    const result = await run(messages, [buy(1000, { endNs: T0 + 30 * NS })], { candidate: constantPolicy(1.5, -0.2) });
    expect(result.episodes[0]!.invalidActions).toBe(6);
    expect(result.episodes[0]!.filled).toBe(0);
  });
});
