import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, type MarketDay } from '../data/market-day.js';

export const NS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86_400;

/** Market-level quantities at one decision time, shared by every episode deciding then. Reused, not reallocated. */
export interface MarketSnapshot {
  /** Decision time, ns after midnight. */
  timeNs: number;
  /** Book row the snapshot reads (last two-sided book at or before timeNs), −1 if the day has none. */
  row: number;
  /** Ticks. */
  bid1: number;
  ask1: number;
  /** Shares. */
  bidSize1: number;
  askSize1: number;
  /** Ticks, (bid1 + ask1) / 2. */
  mid: number;
  /** (ask1 − bid1) / mid · 1e4. */
  spreadBps: number;
  /** ask1 − bid1 (prices are already in ticks). */
  spreadTicks: number;
  /** (microprice − mid) / mid · 1e4, not yet signed by side; microprice = (ask1·bidSize1 + bid1·askSize1)/(bidSize1 + askSize1). */
  micropriceOffsetBps: number;
  imbalanceL1: number;
  imbalanceL5: number;
  /** sqrt(Σ r²)·1e4 over one-second log-mid returns in (t − 300 s, t]. */
  realizedVol5mBps: number;
  /** (buy − sell)/(buy + sell) initiated volume over (t − 60 s, t]; 0 if none. */
  tradeFlowImbalance1m: number;
  /** Shares traded (visible, hidden, crosses) over (t − 60 s, t]. */
  volume1m: number;
}

/**
 * The incremental market state every consumer of a replay shares (backtest, shadow runner, live-flow
 * simulator): cumulative traded volume by aggressor side, the last two-sided book, one-second mid samples for
 * realised volatility, and the trading-halt flag. Fed one message at a time, in order (`consume(i)`), it never
 * looks at a message it has not consumed, except that before the first two-sided book the first two-sided
 * row of the day stands in as the opening book (LOBSTER gives no book before message 1).
 *
 * No allocation per message: cumulative columns are preallocated to the day's length. A day that grows while it
 * is replayed (a FlowDayBuilder fed by the live flow) is followed: the columns double when a message beyond
 * them is consumed.
 */
export class MarketTracker {
  readonly levels: number;
  /** Messages consumed: message i has been applied iff i < cursor. */
  cursor = 0;
  /** Shares executed (types 4, 5, 6) in messages 0..i inclusive. */
  cumVolume: Float64Array;
  /** Buyer-initiated shares (executions of resting sells, types 4 and 5) in messages 0..i. */
  cumBuyInitiated: Float64Array;
  /** Seller-initiated shares (executions of resting buys, types 4 and 5) in messages 0..i. */
  cumSellInitiated: Float64Array;
  /** Σ price·size of executions in messages 0..i, ticks·shares (for market VWAP). */
  cumNotional: Float64Array;
  /** True between a type-7 halt (price −1) or quote-only (0) message and a resume (1). */
  halted = false;

  private runVolume = 0;
  private runBuy = 0;
  private runSell = 0;
  private runNotional = 0;
  /** ln(mid) at each whole second s of the day (state after every message with time ≤ s·1e9); NaN before any book. */
  private readonly logMid = new Float64Array(SECONDS_PER_DAY + 2).fill(Number.NaN);
  /** cumSq[s] = Σ_{u ≤ s} (ln mid_u − ln mid_{u−1})², a return counted only when both samples exist. */
  private readonly cumSq = new Float64Array(SECONDS_PER_DAY + 2);
  private nextSecond = 0;
  private validRowCursor = 0;
  private validRow = -1;
  private firstValidRow = -2; // −2: not looked up yet
  private firstValidScanned = 0; // day.length when firstValidRow was looked up
  private readonly snap: MarketSnapshot = {
    timeNs: Number.NaN, row: -1, bid1: Number.NaN, ask1: Number.NaN, bidSize1: 0, askSize1: 0, mid: Number.NaN,
    spreadBps: Number.NaN, spreadTicks: Number.NaN, micropriceOffsetBps: Number.NaN, imbalanceL1: Number.NaN,
    imbalanceL5: Number.NaN, realizedVol5mBps: Number.NaN, tradeFlowImbalance1m: 0, volume1m: 0,
  };
  private snapCursor = -1;

  constructor(readonly day: MarketDay) {
    this.levels = day.levels;
    this.cumVolume = new Float64Array(day.length);
    this.cumBuyInitiated = new Float64Array(day.length);
    this.cumSellInitiated = new Float64Array(day.length);
    this.cumNotional = new Float64Array(day.length);
  }

  /** Applies message i (which must be the next one). */
  consume(i: number): void {
    if (i !== this.cursor) throw new RangeError(`messages must be consumed in order: expected ${this.cursor}, got ${i}`);
    if (i >= this.cumVolume.length) this.grow(i + 1);
    const day = this.day;
    const t = day.timeNs[i] as number;
    if (t > this.nextSecond * NS_PER_SECOND) this.fillSeconds(Math.ceil(t / NS_PER_SECOND)); // seconds s·1e9 < t
    const type = day.type[i] as number;
    if (type === EventType.ExecuteVisible || type === EventType.ExecuteHidden) {
      const size = day.size[i] as number;
      this.runVolume += size;
      this.runNotional += size * (day.price[i] as number);
      // Direction is the resting side: an execution of a resting sell (−1) was buyer-initiated.
      if ((day.direction[i] as number) < 0) this.runBuy += size;
      else this.runSell += size;
    } else if (type === EventType.Cross) {
      const size = day.size[i] as number;
      this.runVolume += size;
      this.runNotional += size * (day.price[i] as number);
    } else if (type === EventType.Halt) {
      this.halted = (day.price[i] as number) !== 1;
    }
    this.cumVolume[i] = this.runVolume;
    this.cumBuyInitiated[i] = this.runBuy;
    this.cumSellInitiated[i] = this.runSell;
    this.cumNotional[i] = this.runNotional;
    this.cursor = i + 1;
  }

  private grow(atLeast: number): void {
    const size = Math.max(atLeast, this.cumVolume.length * 2, 1024);
    const grown = (old: Float64Array): Float64Array => {
      const next = new Float64Array(size);
      next.set(old);
      return next;
    };
    this.cumVolume = grown(this.cumVolume);
    this.cumBuyInitiated = grown(this.cumBuyInitiated);
    this.cumSellInitiated = grown(this.cumSellInitiated);
    this.cumNotional = grown(this.cumNotional);
  }

  /** Records the one-second mid samples up to and including `timeNs` (call before reading features at timeNs). */
  sampleThrough(timeNs: number): void {
    const limit = Math.floor(timeNs / NS_PER_SECOND) + 1;
    if (limit > this.nextSecond) this.fillSeconds(limit);
  }

  private fillSeconds(limitExclusive: number): void {
    const end = Math.min(limitExclusive, SECONDS_PER_DAY + 2);
    const row = this.currentRow();
    const logMid = row >= 0 ? Math.log(this.midOfRow(row)) : Number.NaN;
    for (let s = this.nextSecond; s < end; s++) {
      this.logMid[s] = logMid;
      const prev = s > 0 ? (this.logMid[s - 1] as number) : Number.NaN;
      const r = logMid - prev;
      this.cumSq[s] = (s > 0 ? (this.cumSq[s - 1] as number) : 0) + (r === r ? r * r : 0); // r === r: not NaN
    }
    if (end > this.nextSecond) this.nextSecond = end;
  }

  /** True if book row `row` has both a bid and an ask. */
  isTwoSided(row: number): boolean {
    const k = row * this.levels;
    const day = this.day;
    return (
      (day.bidPrice[k] as number) !== EMPTY_BID_TICKS &&
      (day.askPrice[k] as number) !== EMPTY_ASK_TICKS &&
      (day.bidSize[k] as number) > 0 &&
      (day.askSize[k] as number) > 0
    );
  }

  /** Ticks; only meaningful for a two-sided row. */
  midOfRow(row: number): number {
    const k = row * this.levels;
    return ((this.day.bidPrice[k] as number) + (this.day.askPrice[k] as number)) / 2;
  }

  /** The raw book row in force now (the row after the last consumed message; row 0 before the first). */
  rawRow(): number {
    return this.cursor > 0 ? this.cursor - 1 : 0;
  }

  /**
   * The last two-sided book row at or before the cursor; before any, the day's first two-sided row (the
   * opening book); −1 if the day has none. Amortised O(1): only rows consumed since the last call are scanned.
   */
  currentRow(): number {
    if (this.validRowCursor !== this.cursor) {
      for (let r = this.cursor - 1; r >= this.validRowCursor; r--) {
        if (this.isTwoSided(r)) {
          this.validRow = r;
          break;
        }
      }
      this.validRowCursor = this.cursor;
    }
    if (this.validRow >= 0) return this.validRow;
    // A growing day may gain its first two-sided row later: a miss is looked up again once the day has grown.
    if (this.firstValidRow === -2 || (this.firstValidRow === -1 && this.firstValidScanned < this.day.length)) {
      this.firstValidRow = -1;
      this.firstValidScanned = this.day.length;
      for (let r = 0; r < this.day.length; r++) {
        if (this.isTwoSided(r)) {
          this.firstValidRow = r;
          break;
        }
      }
    }
    return this.firstValidRow;
  }

  /** Mid in ticks of the current two-sided book, NaN if the day has none. */
  currentMid(): number {
    const row = this.currentRow();
    return row >= 0 ? this.midOfRow(row) : Number.NaN;
  }

  /** Index of the last consumed message with time ≤ timeNs, −1 if none. */
  indexAtOrBefore(timeNs: number): number {
    const times = this.day.timeNs;
    let lo = 0;
    let hi = this.cursor - 1;
    if (hi < 0 || (times[0] as number) > timeNs) return -1;
    while (lo < hi) {
      const m = (lo + hi + 1) >>> 1;
      if ((times[m] as number) <= timeNs) lo = m;
      else hi = m - 1;
    }
    return lo;
  }

  /** Cumulative executed shares through the cursor. */
  volumeNow(): number {
    return this.cursor > 0 ? (this.cumVolume[this.cursor - 1] as number) : 0;
  }

  /** Cumulative executed notional (ticks·shares) through the cursor. */
  notionalNow(): number {
    return this.cursor > 0 ? (this.cumNotional[this.cursor - 1] as number) : 0;
  }

  /** Σ (ln-mid returns)² over one-second samples in (t − windowSeconds, t], as bps: sqrt(Σ r²)·1e4. */
  realizedVolBps(timeNs: number, windowSeconds: number): number {
    this.sampleThrough(timeNs);
    const s = Math.min(Math.floor(timeNs / NS_PER_SECOND), SECONDS_PER_DAY + 1);
    const from = s - (windowSeconds - 1); // returns r_u, u in (from, s], both samples inside the window
    const sum = (this.cumSq[s] as number) - (from >= 0 ? (this.cumSq[from] as number) : 0);
    return Math.sqrt(Math.max(0, sum)) * 1e4;
  }

  /**
   * Market-level features at `timeNs` (which must not precede the last consumed message). Cached: every
   * strategy deciding at the same time and cursor reads the same object.
   */
  snapshot(timeNs: number): MarketSnapshot {
    const snap = this.snap;
    if (snap.timeNs === timeNs && this.snapCursor === this.cursor) return snap;
    this.sampleThrough(timeNs);
    snap.timeNs = timeNs;
    this.snapCursor = this.cursor;
    const day = this.day;
    const L = this.levels;
    const row = this.currentRow();
    snap.row = row;
    if (row < 0) {
      snap.bid1 = snap.ask1 = snap.mid = snap.spreadBps = snap.spreadTicks = Number.NaN;
      snap.micropriceOffsetBps = snap.imbalanceL1 = snap.imbalanceL5 = Number.NaN;
      snap.bidSize1 = snap.askSize1 = 0;
    } else {
      const k = row * L;
      const bid1 = day.bidPrice[k] as number;
      const ask1 = day.askPrice[k] as number;
      const bs1 = day.bidSize[k] as number;
      const as1 = day.askSize[k] as number;
      const mid = (bid1 + ask1) / 2;
      snap.bid1 = bid1;
      snap.ask1 = ask1;
      snap.bidSize1 = bs1;
      snap.askSize1 = as1;
      snap.mid = mid;
      snap.spreadTicks = ask1 - bid1;
      snap.spreadBps = ((ask1 - bid1) / mid) * 1e4;
      const micro = (ask1 * bs1 + bid1 * as1) / (bs1 + as1);
      snap.micropriceOffsetBps = ((micro - mid) / mid) * 1e4;
      snap.imbalanceL1 = (bs1 - as1) / (bs1 + as1);
      let bidDepth = 0;
      let askDepth = 0;
      const depth = Math.min(5, L);
      for (let l = 0; l < depth; l++) {
        bidDepth += day.bidSize[k + l] as number;
        askDepth += day.askSize[k + l] as number;
      }
      snap.imbalanceL5 = bidDepth + askDepth > 0 ? (bidDepth - askDepth) / (bidDepth + askDepth) : 0;
    }
    snap.realizedVol5mBps = this.realizedVolBps(timeNs, 300);
    const hi = this.cursor - 1;
    const lo = this.indexAtOrBefore(timeNs - 60 * NS_PER_SECOND);
    if (hi >= 0) {
      const buy = (this.cumBuyInitiated[hi] as number) - (lo >= 0 ? (this.cumBuyInitiated[lo] as number) : 0);
      const sell = (this.cumSellInitiated[hi] as number) - (lo >= 0 ? (this.cumSellInitiated[lo] as number) : 0);
      snap.tradeFlowImbalance1m = buy + sell > 0 ? (buy - sell) / (buy + sell) : 0;
      snap.volume1m = (this.cumVolume[hi] as number) - (lo >= 0 ? (this.cumVolume[lo] as number) : 0);
    } else {
      snap.tradeFlowImbalance1m = 0;
      snap.volume1m = 0;
    }
    return snap;
  }
}
