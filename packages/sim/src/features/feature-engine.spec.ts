import { describe, expect, it } from '@jest/globals';
import { FEATURES, isDomainError } from '@airlock/core';
import { at, makeDay, NS, type HandBook } from '../testing/make-day.js';
import { ENGINE_FEATURES, FeatureEngine, resolveFeatureCodes, uncomputableCatalogFeatures } from './feature-engine.js';
import { MarketTracker } from './market-tracker.js';

const B1: HandBook = { bids: [[1000, 300], [999, 200], [998, 100]], asks: [[1002, 100], [1003, 200], [1005, 300]] };
const B2: HandBook = { bids: [[1001, 300], [999, 200], [998, 100]], asks: [[1003, 100], [1004, 200], [1005, 300]] };
const T = at(10, 0); // decision at 10:00:00

/*
 * Mid 1001 (B1) until 09:56:40, 1002 (B2) until 09:58:20, 1001 after. Executions: 500 buyer-initiated at
 * 09:58:59 (outside the trailing minute (09:59:00, 10:00:00]), then 100 buyer-initiated (resting sell, dir −1),
 * 60 seller-initiated (dir +1) and 40 hidden buyer-initiated inside it.
 */
const day = makeDay({
  messages: [
    { t: T - 400, type: 1, id: 1, size: 300, price: 1000, dir: 1, book: B1 },
    { t: T - 200, type: 1, id: 2, size: 300, price: 1001, dir: 1, book: B2 },
    { t: T - 100, type: 3, id: 2, size: 300, price: 1001, dir: 1, book: B1 },
    { t: T - 61, type: 4, id: 3, size: 500, price: 1002, dir: -1 },
    { t: T - 30, type: 4, id: 3, size: 100, price: 1002, dir: -1 },
    { t: T - 20, type: 4, id: 1, size: 60, price: 1000, dir: 1 },
    { t: T - 10, type: 5, id: 0, size: 40, price: 1001, dir: -1 },
    { t: T + 30, type: 3, id: 1, size: 240, price: 1000, dir: 1, book: { bids: [], asks: B1.asks } },
  ],
});

describe('FeatureEngine', () => {
  it('computes every catalog feature by its formula (worked by hand)', () => {
    const tracker = new MarketTracker(day);
    for (let i = 0; i < 7; i++) tracker.consume(i); // everything up to 10:00:00
    const names = FEATURES.map((f) => f.name);
    const engine = new FeatureEngine(tracker, names);
    const out = new Float32Array(2 * names.length);
    // Row 0: buy 1000, 250 filled, window 09:55–10:05. Row 1: sell 400, nothing filled, window 10:00–10:10.
    engine.compute(T * NS, 2, {
      side: [1, -1], quantity: [1000, 400], filled: [250, 0],
      startNs: [at(9, 55) * NS, T * NS], endNs: [at(10, 5) * NS, at(10, 10) * NS],
    }, out);
    const row = (r: number): Record<string, number> => Object.fromEntries(names.map((n, c) => [n, out[r * names.length + c] as number]));
    const ln = Math.log(1002 / 1001);
    const expected0 = {
      spread_bps: (2 / 1001) * 1e4, // (1002 − 1000) / 1001 · 1e4
      spread_ticks: 2,
      microprice_offset_bps: (0.5 / 1001) * 1e4, // micro = (1002·300 + 1000·100)/400 = 1001.5
      imbalance_l1: 0.5, // (300 − 100) / 400
      imbalance_l5: 0, // 3 levels: (600 − 600) / 1200
      realized_vol_5m_bps: Math.sqrt(2) * ln * 1e4, // two one-second returns of ±ln(1002/1001) in the window
      trade_flow_imbalance_1m: 0.4, // (140 − 60) / 200
      market_volume_1m_frac: 0.2, // 200 / 1000
      time_remaining_frac: 0.5, // 5 min of 10
      qty_remaining_frac: 0.75,
      schedule_deviation: -0.25, // 0.25 filled − 0.5 elapsed
      side: 1,
    };
    for (const [name, value] of Object.entries(expected0)) expect([name, row(0)[name]]).toEqual([name, expect.closeTo(value, 4)]);
    expect(row(1)).toMatchObject({
      microprice_offset_bps: expect.closeTo(-(0.5 / 1001) * 1e4, 4), // signed by side: the sell's view
      market_volume_1m_frac: expect.closeTo(0.5, 6), // 200 / 400
      time_remaining_frac: 1,
      qty_remaining_frac: 1,
      schedule_deviation: 0,
      side: -1,
    });
  });

  it('reads the last two-sided book when the current one is one-sided', () => {
    const tracker = new MarketTracker(day);
    for (let i = 0; i < day.length; i++) tracker.consume(i); // the last message empties the bid side
    const out = new Float32Array(2);
    new FeatureEngine(tracker, ['spread_ticks', 'imbalance_l1']).compute((T + 31) * NS, 1, {
      side: [1], quantity: [1], filled: [0], startNs: [0], endNs: [1],
    }, out);
    expect([...out]).toEqual([2, 0.5]);
  });

  it('computes every feature the catalog defines, and only those', () => {
    expect(uncomputableCatalogFeatures()).toEqual([]);
    expect([...ENGINE_FEATURES].sort()).toEqual(FEATURES.map((f) => f.name).sort());
  });

  it('rejects a manifest naming features it cannot compute, listing each', () => {
    let caught: unknown;
    try {
      resolveFeatureCodes(['spread_bps', 'moon_phase', 'side', 'Spread_BPS']);
    } catch (error) {
      caught = error;
    }
    expect(isDomainError(caught)).toBe(true);
    expect(caught).toMatchObject({
      code: 'MANIFEST_UNKNOWN_FEATURE',
      details: {
        errors: [
          { field: 'manifest.features[1]', message: expect.stringContaining('"moon_phase"') },
          { field: 'manifest.features[3]', message: expect.stringContaining('"Spread_BPS"') },
        ],
      },
    });
  });
});

describe('MarketTracker', () => {
  it('refuses messages out of order', () => {
    const tracker = new MarketTracker(day);
    tracker.consume(0);
    expect(() => tracker.consume(2)).toThrow('expected 1, got 2');
  });

  it('accumulates market volume including hidden executions and finds windows by time', () => {
    const tracker = new MarketTracker(day);
    for (let i = 0; i < 7; i++) tracker.consume(i);
    expect(tracker.volumeNow()).toBe(700); // 500 + 100 + 60 + 40
    expect(tracker.indexAtOrBefore((T - 61) * NS)).toBe(3);
    expect(tracker.indexAtOrBefore((T - 500) * NS)).toBe(-1);
    expect(tracker.notionalNow()).toBe(500 * 1002 + 100 * 1002 + 60 * 1000 + 40 * 1001);
  });
});
