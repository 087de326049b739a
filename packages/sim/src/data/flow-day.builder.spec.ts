import { describe, expect, it } from '@jest/globals';
import { FeatureEngine } from '../features/feature-engine.js';
import { MarketTracker } from '../features/market-tracker.js';
import { TrailingVolumeCurve } from '../features/volume-curve.js';
import { FlowDayBuilder, forEachFlowMarketEvent, type FlowLevel } from './flow-day.builder.js';
import { EMPTY_ASK_TICKS, EventType, type MarketDay } from './market-day.js';
import { generateSyntheticDay } from './synthetic-day.generator.js';

const day = generateSyntheticDay({ seed: 7, regime: 'calm', events: 20_000, levels: 10 });

function flowDay(source: MarketDay, levels = 10): FlowDayBuilder {
  const builder = new FlowDayBuilder(source.instrument, source.date, levels, source.tickSize);
  forEachFlowMarketEvent(source, levels, {
    book: (_i, t, bids, asks) => builder.appendBook(t, bids, asks),
    trade: (_i, t, price, size, aggressor, hidden) => builder.appendTrade(t, price, size, aggressor, hidden),
  });
  return builder;
}

const top = (d: MarketDay, row: number, levels: number): FlowLevel[][] => {
  const bids: FlowLevel[] = [];
  const asks: FlowLevel[] = [];
  for (let l = 0; l < levels; l++) {
    const k = row * d.levels + l;
    if ((d.bidSize[k] as number) > 0) bids.push([d.bidPrice[k] as number, d.bidSize[k] as number]);
    if ((d.askSize[k] as number) > 0 && d.askPrice[k] !== EMPTY_ASK_TICKS) asks.push([d.askPrice[k] as number, d.askSize[k] as number]);
  }
  return [bids, asks];
};

describe('FlowDayBuilder', () => {
  it('rebuilds the visible book after every source message and keeps every execution', () => {
    const flow = flowDay(day);
    // Walk both: each source message maps to the flow's last row at or before it.
    let traded = 0;
    let sourceTraded = 0;
    for (let i = 0; i < day.length; i++) {
      const t = day.type[i] as number;
      if (t === EventType.ExecuteVisible || t === EventType.ExecuteHidden || t === EventType.Cross) sourceTraded += day.size[i] as number;
    }
    for (let r = 0; r < flow.length; r++) if (flow.type[r] !== EventType.BookUpdate) traded += flow.size[r] as number;
    expect(traded).toBe(sourceTraded);
    // The final books agree, and so do the books at a sample of flow rows (matched by the message they came from).
    const rows: number[] = [];
    forEachFlowMarketEvent(day, 10, { book: (i) => rows.push(i), trade: (i) => rows.push(i) });
    expect(rows.length).toBe(flow.length);
    for (let row = 0; row < flow.length; row += 97) {
      if (flow.type[row] !== EventType.BookUpdate) continue;
      expect(top(flow, row, 10)).toEqual(top(day, rows[row] as number, 10));
    }
  });

  it('is followed by a tracker while it grows: features equal those on the finished day', () => {
    const names = ['spread_bps', 'imbalance_l5', 'realized_vol_5m_bps', 'trade_flow_imbalance_1m', 'market_volume_1m_frac'];
    const finished = flowDay(day);
    const growing = new FlowDayBuilder(day.instrument, day.date, 10, day.tickSize);
    const live = new MarketTracker(growing);
    const replay = new MarketTracker(finished.snapshot());
    const liveFeatures = new FeatureEngine(live, names);
    const replayFeatures = new FeatureEngine(replay, names);
    const state = { side: [1], quantity: [10_000], filled: [0], startNs: [0], endNs: [day.timeNs[day.length - 1] as number] };
    const a = new Float32Array(names.length);
    const b = new Float32Array(names.length);
    let compared = 0;
    for (let r = 0; r < finished.length; r++) {
      const t = finished.timeNs[r] as number;
      const k = r * 10;
      if (finished.type[r] === EventType.BookUpdate) {
        const bids: FlowLevel[] = [];
        const asks: FlowLevel[] = [];
        for (let l = 0; l < 10; l++) {
          if ((finished.bidSize[k + l] as number) > 0) bids.push([finished.bidPrice[k + l] as number, finished.bidSize[k + l] as number]);
          if ((finished.askSize[k + l] as number) > 0) asks.push([finished.askPrice[k + l] as number, finished.askSize[k + l] as number]);
        }
        live.consume(growing.appendBook(t, bids, asks));
      } else {
        live.consume(growing.appendTrade(t, finished.price[r] as number, finished.size[r] as number, (finished.direction[r] as number) < 0 ? 1 : -1, finished.type[r] === EventType.ExecuteHidden));
      }
      replay.consume(r);
      const next = r + 1 < finished.length ? (finished.timeNs[r + 1] as number) : Number.POSITIVE_INFINITY;
      if (r % 501 === 0 && next > t) {
        liveFeatures.compute(t, 1, state, a);
        replayFeatures.compute(t, 1, state, b);
        expect(Array.from(a)).toEqual(Array.from(b));
        const curveLive = new TrailingVolumeCurve(live, 30 * 60e9).expected(t, t + 10e9);
        const curveReplay = new TrailingVolumeCurve(replay, 30 * 60e9).expected(t, t + 10e9);
        expect(curveLive).toBe(curveReplay);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
    expect(growing.length).toBe(finished.length);
  });

  it('refuses rows out of time order', () => {
    const b = new FlowDayBuilder('X', '2024-01-02', 2, 100);
    b.appendBook(10, [[100, 1]], [[101, 1]]);
    expect(() => b.appendTrade(9, 100, 1, 1, false)).toThrow(RangeError);
    expect(b.length).toBe(1);
  });
});
