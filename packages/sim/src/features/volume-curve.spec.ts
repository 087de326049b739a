import { describe, expect, it } from '@jest/globals';
import { at, makeDay, NS } from '../testing/make-day.js';
import { VolumeCurve } from './volume-curve.js';

describe('VolumeCurve', () => {
  it('buckets executions of every type by time and interpolates linearly inside a bucket', () => {
    const book = { bids: [[999, 100]] as [number, number][], asks: [[1001, 100]] as [number, number][] };
    const day = makeDay({
      levels: 1,
      messages: [
        { t: at(10, 0, 10), type: 4, id: 1, size: 100, price: 1001, dir: -1, book },
        { t: at(10, 0, 50), type: 5, id: 0, size: 200, price: 1000, dir: 1 },
        { t: at(10, 1, 30), type: 6, id: 0, size: 60, price: 1000, dir: 1 },
        { t: at(10, 1, 40), type: 1, id: 2, size: 999, price: 998, dir: 1 }, // a submission is not volume
      ],
    });
    const curve = VolumeCurve.fromDay(day, 60 * NS); // one-minute buckets
    expect(curve.total).toBe(360);
    expect(curve.expected(at(10, 0) * NS, at(10, 1) * NS)).toBe(300);
    expect(curve.expected(at(10, 0, 30) * NS, at(10, 1, 30) * NS)).toBeCloseTo(150 + 30, 12); // half of each bucket
    expect(curve.expected(at(10, 5) * NS, at(10, 1) * NS)).toBe(0);
    expect(() => VolumeCurve.fromBuckets(0, [1])).toThrow('bucketNs');
  });
});
