import { describe, expect, it } from '@jest/globals';
import { dataQuality } from './data-quality.report.js';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from './market-day.js';

/** A one-level day from (time s, type, size, price, direction, bid, ask) rows. */
function day(rows: readonly [number, number, number, number, number, number, number][]): MarketDay {
  const n = rows.length;
  const col = <T>(make: (n: number) => T, pick: (r: (typeof rows)[number]) => number): T => {
    const out = make(n) as unknown as { [i: number]: number };
    rows.forEach((r, i) => (out[i] = pick(r)));
    return out as unknown as T;
  };
  return {
    instrument: 'Q',
    date: '2024-01-02',
    levels: 1,
    tickSize: 100,
    length: n,
    timeNs: col((m) => new Float64Array(m), (r) => r[0] * 1e9),
    type: col((m) => new Uint8Array(m), (r) => r[1]),
    orderId: col((m) => new Float64Array(m), () => 1),
    size: col((m) => new Int32Array(m), (r) => r[2]),
    price: col((m) => new Int32Array(m), (r) => r[3]),
    direction: col((m) => new Int8Array(m), (r) => r[4]),
    bidPrice: col((m) => new Int32Array(m), (r) => r[5]),
    bidSize: col((m) => new Int32Array(m), (r) => (r[5] === EMPTY_BID_TICKS ? 0 : 100)),
    askPrice: col((m) => new Int32Array(m), (r) => r[6]),
    askSize: col((m) => new Int32Array(m), (r) => (r[6] === EMPTY_ASK_TICKS ? 0 : 100)),
  };
}

describe('dataQuality', () => {
  const report = dataQuality(
    day([
      [34200, 1, 100, 100, 1, 100, 101],
      [34201, 4, 300, 101, -1, 100, 101],
      [34209, 5, 100, 100, 1, 101, 101], // locked, after an 8 s gap
      [34210, 7, 0, -1, -1, 101, 101], // halt
      [34211, 7, 0, 0, -1, 102, 101], // quoting; crossed
      [34210.5, 7, 0, 1, -1, 102, 101], // resume; out of order; crossed
      [34211, 2, 0, 100, 1, 100, EMPTY_ASK_TICKS], // zero size; no asks
      [34230, 6, 1000, 100, -1, 100, 101], // cross print after a 19 s gap
    ]),
  );

  it('counts crossed, locked and one-sided books per row, with first examples', () => {
    expect(report.crossedBooks.count).toBe(2);
    expect(report.crossedBooks.first[0]).toEqual({ index: 4, timeNs: 34_211e9, detail: 'best bid 102 > best ask 101 (ticks)' });
    expect(report.lockedBooks.count).toBe(2);
    expect(report.emptySides.count).toBe(1);
    expect(report.emptySides.first[0]!.detail).toBe('no asks');
  });

  it('finds time gaps over the threshold and out-of-order times', () => {
    expect(report.timeGaps.count).toBe(2);
    expect(report.timeGaps.thresholdNs).toBe(5e9);
    expect(report.timeGaps.maxGapNs).toBe(19e9);
    expect(report.timeGaps.first.map((e) => e.index)).toEqual([2, 7]);
    expect(report.outOfOrderTimes.count).toBe(1);
    expect(report.outOfOrderTimes.first[0]!.index).toBe(5);
    expect(dataQuality(day([[1, 1, 1, 1, 1, 1, 2], [4, 1, 1, 1, 1, 1, 2]]), { gapThresholdNs: 2e9 }).timeGaps.count).toBe(1);
  });

  it('counts halts by code, sizes ≤ 0, events by type and the hidden share of executed volume', () => {
    expect(report.halts).toMatchObject({ count: 3, halted: 1, quoting: 1, resumed: 1 });
    expect(report.nonPositiveSizes.count).toBe(1);
    expect(report.eventsByType).toEqual({ 1: 1, 2: 1, 3: 0, 4: 1, 5: 1, 6: 1, 7: 3 });
    expect(report.volume).toEqual({ visible: 300, hidden: 100, cross: 1000, hiddenShare: 0.25 });
  });

  it('flags levels out of price order', () => {
    const d = day([[1, 1, 1, 100, 1, 100, 101]]);
    const two: MarketDay = {
      ...d,
      levels: 2,
      askPrice: Int32Array.from([101, 101]),
      askSize: Int32Array.from([1, 1]),
      bidPrice: Int32Array.from([100, EMPTY_BID_TICKS]),
      bidSize: Int32Array.from([1, 0]),
    };
    expect(dataQuality(two).unorderedLevels.count).toBe(1);
    expect(dataQuality({ ...two, askPrice: Int32Array.from([101, 102]) }).unorderedLevels.count).toBe(0);
  });
});
