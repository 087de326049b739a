import { DomainError } from '@airlock/core';
import type { MarketDay } from './market-day.js';
import { OrderBook, Side } from './order-book.js';
import { createRng } from './prng.js';

/**
 * A seeded synthetic trading day in LOBSTER's shape, so tests, demos and benchmarks never need real data.
 *
 * Model (a zero-intelligence order-flow model with a latent fair value, in the spirit of Smith–Farmer and
 * Cont–Stoikov–Talreja):
 * - a fair value (ticks, float) follows a Gaussian random walk, one step per emitted message, scaled so its
 *   standard deviation over the session is the regime's `volBps` of the start price;
 * - limit orders are placed around the fair value: bids below `fair - spread/2`, asks above `fair + spread/2`,
 *   an exponential number of ticks deep, never crossing the opposite quote; when the spread is wider than the
 *   regime's target, new orders land inside it, so the spread mean-reverts;
 * - cancels pick a uniformly random resting order (so deep and stale orders decay), with a rate growing with
 *   the number of resting orders: the book's size is stationary around the regime's depth (10% are partial);
 * - marketable orders lean towards the fair value (buy when fair > mid) and walk the book from the front of
 *   the queue, one type-4 execution per resting order, all at one timestamp; hidden executions (type 5) print
 *   at or inside the touch without touching the visible book.
 * The generator keeps the full order-level book (every order has an ID) and, like LOBSTER, writes only the
 * events that touch the top `levels` levels (a submit landing or a cancel acting deeper is silent) with the
 * book after each one, so a generated day exercises the same reconstruction path as real data (seeding,
 * anonymous volume, depth entering the view). Time: exponential gaps with mean session / events, integer ns,
 * capped at the session's end; a sweep's executions share one timestamp (so a day ends a little before the close).
 * Everything depends only on the seed: same options → byte-identical columns.
 */
export type SyntheticRegime = 'calm' | 'volatile' | 'illiquid';

export interface SyntheticDayOptions {
  readonly seed: number;
  readonly regime: SyntheticRegime;
  /** Messages in the day (rows), ≥ 1. */
  readonly events: number;
  /** Book levels per side in the book columns; default 10. */
  readonly levels?: number;
  /** Default `SYNTH`. */
  readonly instrument?: string;
  /** YYYY-MM-DD, default 2024-01-02. */
  readonly date?: string;
  /** ns after midnight of the session start; default 09:30 (34 200 s). */
  readonly startNs?: number;
  /** Session length the events spread over, ns; default 6.5 h. */
  readonly sessionNs?: number;
  /** Start price in ticks (cents); default 10 000 ($100.00). */
  readonly startPriceTicks?: number;
}

export interface RegimeParameters {
  /** Fair-value volatility over the session, bps of the start price. */
  readonly volBps: number;
  /** Spread (ticks) new orders are placed around; the spread mean-reverts to about this. */
  readonly targetSpread: number;
  /** Resting orders per side the cancel rate balances to. */
  readonly ordersPerSide: number;
  /** Mean distance (ticks) of a new order behind its quote anchor. */
  readonly placementTicks: number;
  /** Share of events that are marketable orders. */
  readonly pMarket: number;
  /** Share of events that are hidden executions. */
  readonly pHidden: number;
  /** Mean marketable-order size, shares. */
  readonly marketSizeMean: number;
  /** Multiplies limit-order sizes (round lots of 100 at 1). */
  readonly lotScale: number;
}

export const REGIMES: Readonly<Record<SyntheticRegime, RegimeParameters>> = {
  calm: {
    volBps: 60,
    targetSpread: 1,
    ordersPerSide: 250,
    placementTicks: 4,
    pMarket: 0.04,
    pHidden: 0.018,
    marketSizeMean: 150,
    lotScale: 2,
  },
  volatile: {
    volBps: 400,
    targetSpread: 3,
    ordersPerSide: 150,
    placementTicks: 6,
    pMarket: 0.06,
    pHidden: 0.025,
    marketSizeMean: 200,
    lotScale: 1,
  },
  illiquid: {
    volBps: 150,
    targetSpread: 10,
    ordersPerSide: 40,
    placementTicks: 10,
    pMarket: 0.03,
    pHidden: 0.015,
    marketSizeMean: 80,
    lotScale: 0.5,
  },
};

/** Fewest levels a side is allowed to fall to before a submit on it is forced. */
const MIN_SIDE_LEVELS = 3;
const PARTIAL_CANCEL_SHARE = 0.1;

function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${field}: ${message}`, { errors: [{ field, message }] });
}

export function generateSyntheticDay(options: SyntheticDayOptions): MarketDay {
  const { seed, regime, events } = options;
  const L = options.levels ?? 10;
  const params = REGIMES[regime];
  if (params === undefined) throw invalid('regime', `must be one of ${Object.keys(REGIMES).join(', ')}`);
  if (!Number.isFinite(seed)) throw invalid('seed', 'must be a finite number');
  if (!Number.isInteger(events) || events < 1) throw invalid('events', 'must be an integer ≥ 1');
  if (!Number.isInteger(L) || L < 1 || L > 1000) throw invalid('levels', 'must be an integer in 1..1000');
  const date = options.date ?? '2024-01-02';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid('date', 'must be YYYY-MM-DD');
  const startPrice = options.startPriceTicks ?? 10_000;
  if (!Number.isInteger(startPrice) || startPrice < 100) throw invalid('startPriceTicks', 'must be an integer ≥ 100');
  const sessionNs = options.sessionNs ?? 23_400e9;
  let timeNs = options.startNs ?? 34_200e9;
  if (!Number.isInteger(timeNs) || timeNs < 0) throw invalid('startNs', 'must be a non-negative integer (ns after midnight)');
  if (!(sessionNs > 0)) throw invalid('sessionNs', 'must be positive');
  const sessionEndNs = timeNs + sessionNs;

  const rng = createRng(seed);
  const book = new OrderBook();
  // Resting order IDs, for uniform random cancels in O(1) (swap-remove).
  const live: number[] = [];
  const liveAt = new Map<number, number>();
  let nextId = 1_000_001;

  const out = {
    timeNs: new Float64Array(events),
    type: new Uint8Array(events),
    orderId: new Float64Array(events),
    size: new Int32Array(events),
    price: new Int32Array(events),
    direction: new Int8Array(events),
    askPrice: new Int32Array(events * L),
    askSize: new Int32Array(events * L),
    bidPrice: new Int32Array(events * L),
    bidSize: new Int32Array(events * L),
  };
  let k = 0;

  const meanGapNs = sessionNs / events;
  // Per-message fair-value step (ticks) so the session's fair-value move has sd = volBps of the price.
  const sigma = (startPrice * params.volBps) / 1e4 / Math.sqrt(events);
  let fair = startPrice;

  const addLive = (id: number): void => {
    liveAt.set(id, live.length);
    live.push(id);
  };
  const removeLive = (id: number): void => {
    const at = liveAt.get(id);
    if (at === undefined) return;
    const last = live.pop()!;
    if (last !== id) {
      live[at] = last;
      liveAt.set(last, at);
    }
    liveAt.delete(id);
  };

  /** Writes message k with the book after it. `advance`: a new instant (false for the rest of a sweep). */
  const emit = (type: number, orderId: number, size: number, price: number, direction: number, advance: boolean): void => {
    if (advance && k > 0) {
      // Capped at the session's end: a tiny day's few long gaps must not run past the close.
      timeNs = Math.min(sessionEndNs, timeNs + Math.round(rng.exponential(meanGapNs)));
      fair += sigma * rng.normal();
    }
    out.timeNs[k] = timeNs;
    out.type[k] = type;
    out.orderId[k] = orderId;
    out.size[k] = size;
    out.price[k] = price;
    out.direction[k] = direction;
    book.writeLevels(L, out.askPrice, out.askSize, out.bidPrice, out.bidSize, k * L);
    k++;
  };

  const lotSize = (): number => {
    const u = rng.next();
    const base = u < 0.55 ? 100 : u < 0.8 ? 100 * rng.int(2, 5) : u < 0.95 ? rng.int(1, 99) : 100 * rng.int(6, 20);
    return Math.max(1, Math.round(base * params.lotScale));
  };

  /** Limit price for a new order on a side, around the fair value, never crossing the opposite quote. */
  const limitPrice = (side: Side): number => {
    const bidAnchor = Math.floor(fair - params.targetSpread / 2);
    const depth = Math.floor(rng.exponential(params.placementTicks));
    if (side === Side.Bid) {
      const best = book.levelCount(Side.Ask) > 0 ? book.bestAsk() : Number.POSITIVE_INFINITY;
      return Math.max(1, Math.min(bidAnchor - depth, best - 1));
    }
    const best = book.levelCount(Side.Bid) > 0 ? book.bestBid() : 0;
    return Math.max(bidAnchor + params.targetSpread + depth, best + 1);
  };

  const submit = (side: Side, silent: boolean): void => {
    const price = limitPrice(side);
    const size = lotSize();
    const id = nextId++;
    book.add(side, id, size, price);
    addLive(id);
    if (!silent && book.depthOf(side, price) < L) emit(1, id, size, price, side, true);
  };

  // The book before the session: not in the messages (a replay sees it only through row 0).
  for (let i = 0; i < params.ordersPerSide; i++) {
    submit(Side.Bid, true);
    submit(Side.Ask, true);
  }

  while (k < events) {
    if (book.levelCount(Side.Bid) < MIN_SIDE_LEVELS) {
      submit(Side.Bid, false);
      continue;
    }
    if (book.levelCount(Side.Ask) < MIN_SIDE_LEVELS) {
      submit(Side.Ask, false);
      continue;
    }
    const bestBid = book.bestBid();
    const bestAsk = book.bestAsk();
    const u = rng.next();

    if (u < params.pMarket) {
      // Marketable order, leaning towards the fair value: buy when fair > mid.
      const mid = (bestBid + bestAsk) / 2;
      const lean = 1 / (1 + Math.exp(-(fair - mid) / Math.max(1, params.targetSpread)));
      const buy = rng.next() < lean;
      const hit = buy ? Side.Ask : Side.Bid;
      let remaining = 1 + Math.floor(rng.exponential(params.marketSizeMean));
      let first = true;
      while (remaining > 0 && k < events) {
        const front = book.front(hit)!;
        const fill = Math.min(remaining, front.size);
        // Never empty a side: stop short of taking its last level.
        if (book.levelCount(hit) === 1 && fill === book.levelSize(hit, 0)) break;
        const orderId = front.orderId;
        const price = book.levelPrice(hit, 0);
        book.applyEvent(4, orderId, fill, price, hit);
        if (!book.hasOrder(orderId)) removeLive(orderId);
        emit(4, orderId, fill, price, hit, first);
        first = false;
        remaining -= fill;
      }
    } else if (u < params.pMarket + params.pHidden) {
      // A hidden order executes: at the touch on its side, or inside the spread; the visible book is unchanged.
      const direction = rng.next() < 0.5 ? Side.Bid : Side.Ask;
      const spread = bestAsk - bestBid;
      const price =
        spread > 1 && rng.next() < 0.5 ? rng.int(bestBid + 1, bestAsk - 1) : direction === Side.Bid ? bestBid : bestAsk;
      emit(5, 0, 1 + Math.floor(rng.exponential(params.marketSizeMean)), price, direction, true);
    } else {
      const target = 2 * params.ordersPerSide;
      const cancel = live.length > 0 && rng.next() < live.length / (live.length + target);
      if (cancel) {
        const id = live[rng.int(0, live.length - 1)]!;
        const side = book.orderSide(id)!;
        const price = book.orderPrice(id)!;
        const size = book.orderSize(id);
        const visible = book.depthOf(side, price) < L;
        // Partial cancels never take a side's last level (they keep a share of the order anyway).
        if (size > 1 && rng.next() < PARTIAL_CANCEL_SHARE) {
          const cut = rng.int(1, size - 1);
          book.applyEvent(2, id, cut, price, side);
          if (visible) emit(2, id, cut, price, side, true);
        } else {
          if (book.levelCount(side) === 1 && book.levelSize(side, 0) === size) continue;
          book.applyEvent(3, id, size, price, side);
          removeLive(id);
          if (visible) emit(3, id, size, price, side, true);
        }
      } else {
        submit(rng.next() < 0.5 ? Side.Bid : Side.Ask, false);
      }
    }
  }

  return {
    instrument: options.instrument ?? 'SYNTH',
    date,
    levels: L,
    tickSize: 100,
    length: events,
    ...out,
  };
}
