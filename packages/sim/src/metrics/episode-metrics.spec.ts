import { describe, expect, it } from '@jest/globals';
import { episodeMetrics } from './episode-metrics.js';

describe('episodeMetrics', () => {
  const base = { quantity: 1000, passiveFilled: 0, fees: 0, arrivalMid: 10_000, marketVolume: 20_000, marketNotional: 20_000 * 10_010 };

  it('a buy that paid above arrival and left shares while the price rose: both parts are costs', () => {
    // 600 filled at avg 10 005 (N = 6 003 000), mid ends at 10 020; paper value 1000 · 10 000 = 1e7.
    // execution = (6 003 000 − 6 000 000)/1e7 · 1e4 = 3 bps; opportunity = 20 · 400/1e7 · 1e4 = 8 bps.
    const m = episodeMetrics({ ...base, side: 1, filled: 600, grossNotional: 6_003_000, endMark: 10_020 });
    expect(m.isExecutionBps).toBeCloseTo(3, 12);
    expect(m.isOpportunityBps).toBeCloseTo(8, 12);
    expect(m.isBps).toBeCloseTo(11, 12);
    // VWAP_mkt 10 010, avg 10 005: the buy beat the market VWAP → negative slippage (a gain).
    expect(m.vwapSlippageBps).toBeCloseTo(((10_005 - 10_010) / 10_010) * 1e4, 12);
    expect(m.participation).toBeCloseTo(0.03, 12);
    expect(m.completion).toBeCloseTo(0.6, 12);
  });

  it('a sell has the mirrored signs: selling above arrival is a gain, a falling price an opportunity cost', () => {
    // Sell 600 at avg 10 005 → execution −3 bps; the rest marked at 9 980 → opportunity −1·(−20)·400/1e7·1e4 = 8 bps.
    const m = episodeMetrics({ ...base, side: -1, filled: 600, grossNotional: 6_003_000, endMark: 9_980, fees: 600 });
    expect(m.isExecutionBps).toBeCloseTo(-3 + 0.6, 12); // fees (600 ticks·sh = 0.6 bps of 1e7) are a cost either way
    expect(m.feesBps).toBeCloseTo(0.6, 12);
    expect(m.isOpportunityBps).toBeCloseTo(8, 12);
    expect(m.vwapSlippageBps).toBeCloseTo((-(10_005 - 10_010) / 10_010) * 1e4, 12);
  });

  it('no fills: only opportunity cost, no VWAP slippage, no passive ratio', () => {
    const m = episodeMetrics({ ...base, side: 1, filled: 0, grossNotional: 0, endMark: 10_000, marketVolume: 0, marketNotional: 0 });
    expect(m).toMatchObject({ isBps: 0, vwapSlippageBps: null, avgFillPrice: null, marketVwap: null, participation: null, passiveFillRatio: null, completion: 0 });
  });
});
