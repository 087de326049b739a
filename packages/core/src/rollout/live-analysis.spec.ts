import { describe, expect, it } from '@jest/globals';
import { addLiveCounters, emptyLiveAnalysisState, executionQualityTemplate, measureLiveMetric, takeLiveMeasurements, type LiveCounters } from './live-analysis.js';

/** Counters of `orders` done orders with these IS values (bps), all filled. */
function orders(is: number[], extra: Partial<LiveCounters> = {}): LiveCounters {
  return addLiveCounters(
    {
      decisions: is.length * 10,
      ordersDone: is.length,
      isCount: is.length,
      sumIsBps: is.reduce((a, b) => a + b, 0),
      sumSqIsBps: is.reduce((a, b) => a + b * b, 0),
      filledShares: is.length * 100,
      orderedShares: is.length * 100,
    },
    extra,
  );
}

describe('live analysis', () => {
  it('measures canary − stable IS with a Welch 95% interval', () => {
    const m = measureLiveMetric('is_delta_bps', orders([3, 4, 5, 4]), orders([1, 2, 3, 2]));
    expect(m.value).toBeCloseTo(2, 12);
    // Both samples have variance 2/3; se = sqrt(2·(2/3)/4) = 0.5774; ±1.96·se.
    expect(m.lower).toBeCloseTo(2 - 1.959964 * Math.sqrt(1 / 3), 6);
    expect(m.upper).toBeCloseTo(2 + 1.959964 * Math.sqrt(1 / 3), 6);
    expect(measureLiveMetric('is_delta_bps', orders([3]), orders([1, 2])).value).toBeNull(); // one order is no spread
  });

  it('measures rejects, fill ratio and limit breaches; no orders is no value', () => {
    expect(measureLiveMetric('reject_rate', orders([1, 1, 1, 1], { ordersRejected: 1 }), orders([1])).value).toBe(0.25);
    expect(measureLiveMetric('fill_ratio_delta', orders([1, 1], { filledShares: -100 }), orders([1, 1])).value).toBeCloseTo(-0.5, 12);
    expect(measureLiveMetric('limit_breaches', orders([1], { limitBreaches: 2 }), orders([])).value).toBe(2);
    expect(measureLiveMetric('reject_rate', orders([]), orders([1])).value).toBeNull();
  });

  it('takes one measurement per interval over what happened during it, after a baseline at the analysis start', () => {
    const metrics = executionQualityTemplate(60_000, 2).filter((m) => m.name === 'is_delta_bps');
    let canary = orders([5, 6]);
    let stable = orders([1, 2]);
    // First look at the analysis: a baseline only.
    let state = takeLiveMeasurements({ state: emptyLiveAnalysisState(), metrics, analysisStartedAtMs: 1000, nowMs: 1000, canary, stable });
    expect(state.taken).toEqual({});
    // During the interval the canary trades as well as the stable: the old (bad) orders do not count.
    canary = addLiveCounters(canary, orders([1, 2, 1, 2, 1, 2]));
    stable = addLiveCounters(stable, orders([1, 2, 1, 2, 1, 2]));
    state = takeLiveMeasurements({ state, metrics, analysisStartedAtMs: 1000, nowMs: 30_000, canary, stable });
    expect(state.taken).toEqual({}); // not due yet
    state = takeLiveMeasurements({ state, metrics, analysisStartedAtMs: 1000, nowMs: 61_000, canary, stable });
    expect(state.taken['is_delta_bps']).toEqual([expect.objectContaining({ phase: 'Successful', value: 0, takenAtMs: 61_000 })]);
    // Next interval: the canary costs 10 bps more on every order: Failed.
    canary = addLiveCounters(canary, orders([11, 12, 11, 12, 11, 12]));
    stable = addLiveCounters(stable, orders([1, 2, 1, 2, 1, 2]));
    state = takeLiveMeasurements({ state, metrics, analysisStartedAtMs: 1000, nowMs: 121_000, canary, stable });
    expect(state.taken['is_delta_bps']!.map((m) => m.phase)).toEqual(['Successful', 'Failed']);
    expect(state.taken['is_delta_bps']![1]!.value).toBeCloseTo(10, 12);
    // An interval without canary orders: no data, Inconclusive.
    state = takeLiveMeasurements({ state, metrics, analysisStartedAtMs: 1000, nowMs: 181_000, canary, stable });
    expect(state.taken['is_delta_bps']![2]!.phase).toBe('Inconclusive');
    // A later analysis step starts over from a new baseline.
    const next = takeLiveMeasurements({ state, metrics, analysisStartedAtMs: 200_000, nowMs: 200_000, canary, stable });
    expect(next.baselines['is_delta_bps']!.takenAtMs).toBe(200_000);
    expect(next.taken['is_delta_bps']).toHaveLength(3);
  });
});
