import { describe, expect, it } from '@jest/globals';
import { at, makeDay } from '../testing/make-day.js';
import { resolveBacktestConfig } from './execution-config.js';
import { FeeModel } from './fees.js';
import { dayTradedVolume, estimateDailyVolBps, ImpactModel } from './impact.js';

describe('FeeModel', () => {
  it('per share: dollars converted to ticks (tick = $0.01 at tickSize 100)', () => {
    const fees = new FeeModel({ unit: 'per-share', taker: 0.003, makerRebate: 0.002 }, 100);
    expect(fees.taker(5000, 100)).toBeCloseTo(30, 12); // $0.003 = 0.3 ticks per share × 100 shares
    expect(fees.maker(5000, 100)).toBeCloseTo(-20, 12);
    // A half-cent tick (tickSize 50): the same $0.003 is 0.6 ticks per share.
    expect(new FeeModel({ unit: 'per-share', taker: 0.003, makerRebate: 0 }, 50).taker(1, 10)).toBeCloseTo(6, 12);
  });

  it('bps: a share of notional', () => {
    const fees = new FeeModel({ unit: 'bps', taker: 2, makerRebate: -0.5 }, 100); // an inverted venue charges makers
    expect(fees.taker(10_000, 10)).toBeCloseTo(20, 12); // 2e-4 × 100 000
    expect(fees.maker(10_000, 10)).toBeCloseTo(5, 12); // a maker *fee* of 0.5 bps
  });
});

describe('ImpactModel', () => {
  it('linear and square-root laws in bps of price, zero before any fill', () => {
    const linear = new ImpactModel({ model: 'linear', coefficient: 2 }, 100, 10_000);
    expect(linear.shiftBps(0)).toBe(0);
    expect(linear.shiftBps(500)).toBeCloseTo(2 * 100 * 0.05, 12);
    const sqrt = new ImpactModel({ model: 'square-root', coefficient: 0.5, dailyVolBps: 200, dailyVolume: 40_000 }, 100, 10_000);
    expect(sqrt.shiftBps(400)).toBeCloseTo(0.5 * 200 * 0.1, 12); // the config overrides the day's σ and V
    expect(new ImpactModel({ model: 'none' }, 100, 10_000).shiftBps(1e6)).toBe(0);
  });

  it('estimates σ_D from 5-minute mid returns and V_D from every execution type', () => {
    // Mid 1000 until 10:07, 1010 after. 5-minute samples at 10:05 (1000), 10:10 (1010), and the close (1010):
    // one return ln(1010/1000) → σ_D = 99.503 bps. Volume: 100 visible + 50 hidden + 25 cross.
    const flat = { bids: [[999, 100]] as [number, number][], asks: [[1001, 100]] as [number, number][] };
    const up = { bids: [[1009, 100]] as [number, number][], asks: [[1011, 100]] as [number, number][] };
    const day = makeDay({
      levels: 1,
      messages: [
        { t: at(10, 1), type: 4, id: 1, size: 100, price: 1001, dir: -1, book: flat },
        { t: at(10, 7), type: 5, id: 0, size: 50, price: 1005, dir: 1, book: up },
        { t: at(10, 12), type: 6, id: -1, size: 25, price: 1010, dir: 1 },
      ],
    });
    expect(estimateDailyVolBps(day)).toBeCloseTo(Math.log(1010 / 1000) * 1e4, 9);
    expect(dayTradedVolume(day)).toBe(175);
  });
});

describe('resolveBacktestConfig', () => {
  it('fills defaults and lists every bad field', () => {
    expect(resolveBacktestConfig({ latencyNs: 5 })).toMatchObject({ decisionIntervalNs: 10e9, latencyNs: 5, queueModel: 'auto' });
    let errors: { field: string }[] = [];
    try {
      resolveBacktestConfig({ decisionIntervalNs: 1.5, queuePower: 0, impact: { model: 'linear', coefficient: -1 }, fees: { unit: 'bps', taker: Number.NaN, makerRebate: 0 } });
    } catch (error) {
      errors = (error as { details: { errors: { field: string }[] } }).details.errors;
    }
    // The default 1 ms latency is not shorter than a 1.5 ns interval either.
    expect(errors.map((e) => e.field)).toEqual(['config.decisionIntervalNs', 'config.latencyNs', 'config.queuePower', 'config.fees.taker', 'config.impact.coefficient']);
  });
});
