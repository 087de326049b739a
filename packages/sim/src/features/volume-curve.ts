import { EventType, type MarketDay } from '../data/market-day.js';
import type { MarketTracker } from './market-tracker.js';

/** Shares expected to trade in [fromNs, toNs): the unit of the `participation` action. */
export interface ExpectedVolume {
  expected(fromNs: number, toNs: number): number;
}

/** 30 minutes: coarse enough not to leak the minute-by-minute realised volume into schedules. */
export const DEFAULT_VOLUME_CURVE_BUCKET_NS = 30 * 60 * 1_000_000_000;
const DAY_NS = 86_400 * 1_000_000_000;

/**
 * The expected-volume curve: shares expected to trade per time bucket (buckets anchored at midnight), with
 * volume spread uniformly inside a bucket. It defines "expected interval volume", the unit of the
 * `participation` action, sizes generated parent orders, and drives the VWAP baseline's schedule.
 *
 * `fromDay` builds it from a day's executions (visible type 4, hidden type 5, crosses type 6). Using the
 * replayed day's own curve is a mild look-ahead in the curve's *shape*, shared by every strategy on every
 * episode (so paired comparisons stay fair); pass a curve from other days via `fromBuckets` to avoid it.
 */
export class VolumeCurve implements ExpectedVolume {
  private readonly prefix: Float64Array; // prefix[k] = Σ volumes[0..k)

  private constructor(
    /** ns per bucket. */
    readonly bucketNs: number,
    /** Shares per bucket, bucket k covering [k·bucketNs, (k+1)·bucketNs). */
    readonly volumes: Float64Array,
  ) {
    this.prefix = new Float64Array(volumes.length + 1);
    for (let k = 0; k < volumes.length; k++) this.prefix[k + 1] = (this.prefix[k] as number) + (volumes[k] as number);
  }

  static fromBuckets(bucketNs: number, volumes: ArrayLike<number>): VolumeCurve {
    if (!Number.isSafeInteger(bucketNs) || bucketNs <= 0) throw new RangeError(`bucketNs must be a positive integer, got ${bucketNs}`);
    const copy = Float64Array.from(volumes);
    for (const v of copy) if (!(v >= 0)) throw new RangeError('bucket volumes must be finite and non-negative');
    return new VolumeCurve(bucketNs, copy);
  }

  static fromDay(day: MarketDay, bucketNs = DEFAULT_VOLUME_CURVE_BUCKET_NS): VolumeCurve {
    const volumes = new Float64Array(Math.ceil(DAY_NS / bucketNs));
    const last = volumes.length - 1;
    for (let i = 0; i < day.length; i++) {
      const type = day.type[i];
      if (type === EventType.ExecuteVisible || type === EventType.ExecuteHidden || type === EventType.Cross) {
        const k = Math.min(last, Math.floor((day.timeNs[i] as number) / bucketNs));
        volumes[k] = (volumes[k] as number) + (day.size[i] as number);
      }
    }
    return new VolumeCurve(bucketNs, volumes);
  }

  /** Total shares in the curve. */
  get total(): number {
    return this.prefix[this.volumes.length] as number;
  }

  /** Cumulative expected shares from midnight to `timeNs`. */
  cumulative(timeNs: number): number {
    if (timeNs <= 0) return 0;
    const k = Math.floor(timeNs / this.bucketNs);
    if (k >= this.volumes.length) return this.total;
    const fraction = (timeNs - k * this.bucketNs) / this.bucketNs;
    return (this.prefix[k] as number) + fraction * (this.volumes[k] as number);
  }

  /** Expected shares traded in [fromNs, toNs); 0 for an empty or inverted interval. */
  expected(fromNs: number, toNs: number): number {
    return toNs > fromNs ? this.cumulative(toNs) - this.cumulative(fromNs) : 0;
  }
}

/** Floor of the trailing window's length, ns: right after the open a few seconds of tape are not a rate. */
const MIN_TRAILING_WINDOW_NS = 60 * 1_000_000_000;

/**
 * The causal expected-volume estimate live trading can compute (no look-ahead, no history): the market's
 * traded shares over the trailing `windowNs` before `fromNs`, as a rate, times the interval's length. The
 * window is the time since the first message when that is shorter, but never under one minute (so the first
 * seconds' tape gives a low estimate rather than a wild one). The live-flow simulator and the shadow runner
 * both size child orders with it, from the same flow, so they agree without sharing any configuration.
 */
export class TrailingVolumeCurve implements ExpectedVolume {
  constructor(
    private readonly tracker: MarketTracker,
    /** ns of trailing tape the rate is measured over. */
    readonly windowNs: number,
  ) {}

  expected(fromNs: number, toNs: number): number {
    if (!(toNs > fromNs)) return 0;
    const tracker = this.tracker;
    const day = tracker.day;
    if (tracker.cursor === 0) return 0;
    const first = day.timeNs[0] as number;
    const span = Math.max(MIN_TRAILING_WINDOW_NS, Math.min(this.windowNs, fromNs - first));
    const before = tracker.indexAtOrBefore(fromNs - span);
    const traded = tracker.volumeNow() - (before >= 0 ? (tracker.cumVolume[before] as number) : 0);
    return (traded / span) * (toNs - fromNs);
  }
}

/** The engine's `curve` input for live replays: a TrailingVolumeCurve over its own tracker. */
export const trailingVolumeCurve =
  (windowNs: number) =>
  (tracker: MarketTracker): ExpectedVolume =>
    new TrailingVolumeCurve(tracker, windowNs);
