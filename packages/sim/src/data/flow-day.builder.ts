import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, dayView, type MarketDay } from './market-day.js';

/** A price level: [priceTicks, shares]. */
export type FlowLevel = readonly [number, number];

/** Who initiated a trade: +1 a buyer lifted the offer, −1 a seller hit the bid, 0 unknown (inferred from the mid). */
export type TradeAggressor = 1 | -1 | 0;

const INITIAL_CAPACITY = 4096;

/**
 * A MarketDay built event by event from a live flow's market data — book snapshots and trades — so the
 * shadow runner and the live-flow simulator replay exactly the same rows with the backtest's own tracker,
 * features and fill model (DESIGN.md principle 1).
 *
 * Rows: a book snapshot is a `BookUpdate` row (the visible book changed; no message semantics); a trade is an
 * execution row — type 4 (visible) or 5 (hidden) at its price and size, `direction` the resting side (a
 * buyer-initiated trade executed a resting sell: −1), order id 0 — carrying the book in force before it. With no
 * order ids the engine's queue model is probabilistic: executions at our price consume the queue ahead first.
 *
 * The builder IS the day: its columns are replaced by larger copies as it grows (capacity doubles), and
 * `length` counts the rows appended. Readers that hold the builder (a MarketTracker following the flow) see
 * the growth; `snapshot()` gives a fixed-length view for one replay (no copy).
 *
 * Units as MarketDay: ns after midnight, integer ticks, shares; `tickSize` in LOBSTER units ($1e-4 per tick).
 */
export class FlowDayBuilder implements MarketDay {
  length = 0;
  timeNs = new Float64Array(INITIAL_CAPACITY);
  type = new Uint8Array(INITIAL_CAPACITY);
  orderId = new Float64Array(INITIAL_CAPACITY);
  size = new Int32Array(INITIAL_CAPACITY);
  price = new Int32Array(INITIAL_CAPACITY);
  direction = new Int8Array(INITIAL_CAPACITY);
  askPrice: Int32Array;
  askSize: Int32Array;
  bidPrice: Int32Array;
  bidSize: Int32Array;

  constructor(
    readonly instrument: string,
    /** YYYY-MM-DD. */
    readonly date: string,
    /** Book levels per side kept (deeper levels of a snapshot are dropped, missing ones are empty). */
    readonly levels: number,
    /** LOBSTER price units per tick (a flow's tickSize in currency × 1e4). */
    readonly tickSize: number,
  ) {
    if (!Number.isSafeInteger(levels) || levels < 1) throw new RangeError(`levels must be a positive integer, got ${levels}`);
    this.askPrice = new Int32Array(INITIAL_CAPACITY * levels).fill(EMPTY_ASK_TICKS);
    this.askSize = new Int32Array(INITIAL_CAPACITY * levels);
    this.bidPrice = new Int32Array(INITIAL_CAPACITY * levels).fill(EMPTY_BID_TICKS);
    this.bidSize = new Int32Array(INITIAL_CAPACITY * levels);
  }

  /** Time of the last row, ns; −1 when empty. */
  get lastTimeNs(): number {
    return this.length > 0 ? (this.timeNs[this.length - 1] as number) : -1;
  }

  /** Appends a book snapshot (best first on each side). Returns its row. */
  appendBook(timeNs: number, bids: readonly FlowLevel[], asks: readonly FlowLevel[]): number {
    const r = this.nextRow(timeNs, EventType.BookUpdate);
    const L = this.levels;
    const k = r * L;
    const nb = Math.min(L, bids.length);
    for (let l = 0; l < nb; l++) {
      const level = bids[l] as FlowLevel;
      this.bidPrice[k + l] = level[0];
      this.bidSize[k + l] = level[1];
    }
    const na = Math.min(L, asks.length);
    for (let l = 0; l < na; l++) {
      const level = asks[l] as FlowLevel;
      this.askPrice[k + l] = level[0];
      this.askSize[k + l] = level[1];
    }
    return r;
  }

  /** Appends a trade; the book in force is carried over. Returns its row. */
  appendTrade(timeNs: number, priceTicks: number, shares: number, aggressor: TradeAggressor, hidden: boolean): number {
    const r = this.nextRow(timeNs, hidden ? EventType.ExecuteHidden : EventType.ExecuteVisible);
    if (r > 0) this.copyBook(r - 1, r);
    this.price[r] = priceTicks;
    this.size[r] = shares;
    let side: number = aggressor;
    if (side === 0) {
      // Unknown initiator: at or above the mid a buyer lifted the offer (the usual tick rule, against the book).
      const k = (r > 0 ? r - 1 : r) * this.levels;
      const bid = this.bidPrice[k] as number;
      const ask = this.askPrice[k] as number;
      side = bid !== EMPTY_BID_TICKS && ask !== EMPTY_ASK_TICKS && priceTicks < (bid + ask) / 2 ? -1 : 1;
    }
    this.direction[r] = side > 0 ? -1 : 1; // the resting side
    return r;
  }

  /** A fixed-length view of the rows so far (shares the columns; valid until the next append grows them). */
  snapshot(): MarketDay {
    return dayView(this, this.length);
  }

  private nextRow(timeNs: number, type: number): number {
    if (!Number.isSafeInteger(timeNs) || timeNs < 0) throw new RangeError(`timeNs must be a non-negative integer, got ${timeNs}`);
    if (timeNs < this.lastTimeNs) throw new RangeError(`rows must be appended in time order: ${timeNs} < ${this.lastTimeNs}`);
    if (this.length === this.timeNs.length) this.grow();
    const r = this.length++;
    this.timeNs[r] = timeNs;
    this.type[r] = type;
    return r;
  }

  private copyBook(from: number, to: number): void {
    const L = this.levels;
    this.askPrice.copyWithin(to * L, from * L, from * L + L);
    this.askSize.copyWithin(to * L, from * L, from * L + L);
    this.bidPrice.copyWithin(to * L, from * L, from * L + L);
    this.bidSize.copyWithin(to * L, from * L, from * L + L);
  }

  private grow(): void {
    const capacity = this.timeNs.length * 2;
    const L = this.levels;
    const grown = <T extends Float64Array | Int32Array | Uint8Array | Int8Array>(old: T, size: number, fill?: number): T => {
      const next = new (old.constructor as new (n: number) => T)(size);
      if (fill !== undefined) next.fill(fill);
      next.set(old);
      return next;
    };
    this.timeNs = grown(this.timeNs, capacity);
    this.type = grown(this.type, capacity);
    this.orderId = grown(this.orderId, capacity);
    this.size = grown(this.size, capacity);
    this.price = grown(this.price, capacity);
    this.direction = grown(this.direction, capacity);
    this.askPrice = grown(this.askPrice, capacity * L, EMPTY_ASK_TICKS);
    this.askSize = grown(this.askSize, capacity * L);
    this.bidPrice = grown(this.bidPrice, capacity * L, EMPTY_BID_TICKS);
    this.bidSize = grown(this.bidSize, capacity * L);
  }
}

/**
 * The market-data view of a day that a live flow carries: for every message, a book snapshot when the visible
 * top `levels` changed, and a trade for every execution (types 4, 5 and crosses 6), in message order. What
 * the live-flow simulator publishes and, appended to a FlowDayBuilder, the day both it and the shadow runner
 * replay. `visit` is called in order; `book` arrays are reused between calls (copy to keep).
 */
export function forEachFlowMarketEvent(
  day: MarketDay,
  levels: number,
  visit: {
    book(index: number, timeNs: number, bids: FlowLevel[], asks: FlowLevel[]): void;
    trade(index: number, timeNs: number, priceTicks: number, shares: number, aggressor: TradeAggressor, hidden: boolean): void;
  },
): void {
  const L = Math.min(levels, day.levels);
  const D = day.levels;
  for (let i = 0; i < day.length; i++) {
    const t = day.timeNs[i] as number;
    const type = day.type[i] as number;
    if (type === EventType.ExecuteVisible || type === EventType.ExecuteHidden || type === EventType.Cross) {
      // Direction is the resting side: executing a resting sell (−1) was buyer-initiated. Crosses: unknown.
      const aggressor: TradeAggressor = type === EventType.Cross ? 0 : (day.direction[i] as number) < 0 ? 1 : -1;
      visit.trade(i, t, day.price[i] as number, day.size[i] as number, aggressor, type === EventType.ExecuteHidden);
    }
    if (type === EventType.Halt || type === EventType.Cross) continue;
    if (i > 0 && sameTop(day, i - 1, i, L, D)) continue;
    const { bids, asks } = visibleLevels(day, i, L);
    visit.book(i, t, bids, asks);
  }
}

/**
 * The first `levels` occupied levels of each side of book row `row` (best first; empty levels left out), as a
 * live-flow book event lists them.
 */
export function visibleLevels(day: MarketDay, row: number, levels: number): { bids: FlowLevel[]; asks: FlowLevel[] } {
  const bids: FlowLevel[] = [];
  const asks: FlowLevel[] = [];
  const k = row * day.levels;
  for (let l = 0; l < Math.min(levels, day.levels); l++) {
    const bp = day.bidPrice[k + l] as number;
    const bs = day.bidSize[k + l] as number;
    if (bp !== EMPTY_BID_TICKS && bs > 0) bids.push([bp, bs]);
    const ap = day.askPrice[k + l] as number;
    const as = day.askSize[k + l] as number;
    if (ap !== EMPTY_ASK_TICKS && as > 0) asks.push([ap, as]);
  }
  return { bids, asks };
}

function sameTop(day: MarketDay, a: number, b: number, L: number, D: number): boolean {
  const ka = a * D;
  const kb = b * D;
  for (let l = 0; l < L; l++) {
    if (day.bidPrice[ka + l] !== day.bidPrice[kb + l] || day.bidSize[ka + l] !== day.bidSize[kb + l]) return false;
    if (day.askPrice[ka + l] !== day.askPrice[kb + l] || day.askSize[ka + l] !== day.askSize[kb + l]) return false;
  }
  return true;
}
