import { DomainError } from '@airlock/core';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, type MarketDay } from '../data/market-day.js';
import { MAX_PRICE_TICKS, priceOutOfRange, withDayColumns } from './market-day.copy.js';

/**
 * Price transforms of a market day for stress scenarios. Both are STATIC maps of integer ticks (the same price
 * maps to the same price all day long), applied alike to the book columns and to the message `price` column:
 * a resting order keeps one price from its submission to its cancel, so the transformed messages still rebuild
 * the transformed book exactly (the book verifier finds no new mismatch) and the replay engine's queue and fill
 * logic, which matches message prices against our resting prices, sees a coherent market.
 *
 * Empty-level sentinels (EMPTY_ASK_TICKS / EMPTY_BID_TICKS) are never mapped; type-7 halt messages keep their
 * raw code (-1/0/1) in `price`. Details and limits: docs/scenarios.md.
 */

const isSentinel = (price: number): boolean => price === EMPTY_ASK_TICKS || price === EMPTY_BID_TICKS;

/**
 * The anchor of the volatility mapping, integer ticks: the median over the day's two-sided rows of the top-of-book
 * mid, rounded. A central level (rather than e.g. the first mid) keeps the scaled prices as close to the day's
 * own price level as possible, and an integer anchor makes an integer k map ticks to ticks with no rounding.
 * Falls back to the median message price (types 1–6) for a day without a two-sided book, and to 0 for a day
 * with no prices at all (nothing to map then).
 */
export function volatilityAnchorTicks(day: MarketDay): number {
  const L = day.levels;
  const sums: number[] = [];
  for (let k = 0; k < day.length && L > 0; k++) {
    const bid = day.bidPrice[k * L] as number;
    const ask = day.askPrice[k * L] as number;
    if (isSentinel(bid) || isSentinel(ask) || (day.bidSize[k * L] as number) <= 0 || (day.askSize[k * L] as number) <= 0) continue;
    sums.push(bid + ask); // 2 × mid, an exact integer
  }
  if (sums.length > 0) return Math.round(median(Float64Array.from(sums)) / 2);
  const prices: number[] = [];
  for (let k = 0; k < day.length; k++) {
    const type = day.type[k] as number;
    if (type >= EventType.Submit && type <= EventType.Cross) prices.push(day.price[k] as number);
  }
  return prices.length > 0 ? Math.round(median(Float64Array.from(prices))) : 0;
}

function median(values: Float64Array): number {
  values.sort();
  const n = values.length;
  const h = n >>> 1;
  return n % 2 === 1 ? (values[h] as number) : ((values[h - 1] as number) + (values[h] as number)) / 2;
}

/**
 * Volatility ×k: price p (ticks) becomes A + round(k·(p − A)), A = volatilityAnchorTicks(day), k ≥ 1.
 *
 * Why static: an anchor that moves through the day (a smoothed mid) would give the same resting order a
 * different price before and after each anchor move, without any message saying so; the book and its
 * messages would disagree and queue positions would be meaningless. With a fixed anchor every price increment
 * is multiplied by k, so the realised volatility of the mid in ticks is exactly k× (integer k) or k× up to
 * half-tick rounding, and in bps ≈ k× while the price stays near A.
 *
 * Invariants: for k ≥ 1 the map is strictly increasing (round(x + k) ≥ round(x + 1) = round(x) + 1), so
 * distinct levels stay distinct and in order and an uncrossed book stays uncrossed; the spread and the gaps
 * between levels grow k-fold too (a "zoom" of the price axis around A: the same tick path on a stock priced
 * about A/k). k < 1 is refused: a strictly increasing map of integers has slope ≥ 1.
 * Throws VALIDATION_FAILED (field scenario.volatility) if a price would leave [1, MAX_PRICE_TICKS] ticks.
 */
export function scaleVolatility(day: MarketDay, k: number, anchorTicks = volatilityAnchorTicks(day)): MarketDay {
  if (!(Number.isFinite(k) && k >= 1)) {
    throw new DomainError('VALIDATION_FAILED', `scenario.volatility must be a finite number ≥ 1 (got ${k})`, {
      errors: [{ field: 'scenario.volatility', message: `must be a finite number ≥ 1 (got ${k})` }],
    });
  }
  if (k === 1) return withDayColumns(day, {});
  const A = anchorTicks;
  const map = (p: number): number => {
    const q = A + Math.round(k * (p - A));
    if (!(q >= 1 && q <= MAX_PRICE_TICKS)) throw priceOutOfRange('volatility', p, q);
    return q;
  };
  return withDayColumns(day, {
    askPrice: mapBookPrices(day.askPrice, map),
    bidPrice: mapBookPrices(day.bidPrice, map),
    price: mapMessagePrices(day, (p) => map(p)),
  });
}

/**
 * Spread +w ticks: every ask price (book columns and messages of sell orders, direction −1) moves up by ⌈w/2⌉,
 * every bid price (direction +1) down by ⌊w/2⌋. Each side moves rigidly, so depth profiles, queues and the
 * mid's path are unchanged (the mid moves by a constant +½ tick when w is odd) and every two-sided row's
 * spread grows by exactly w. Messages of types 1–5 move with their side (a hidden execution prints where its
 * side's liquidity now is); type-6 crosses keep their price (an auction price belongs to no side) and type 7
 * keeps its code. Throws VALIDATION_FAILED (field scenario.spreadWidenTicks) if a bid would fall below 1 tick.
 */
export function widenSpread(day: MarketDay, w: number): MarketDay {
  if (!(Number.isSafeInteger(w) && w >= 0)) {
    throw new DomainError('VALIDATION_FAILED', `scenario.spreadWidenTicks must be an integer ≥ 0 (got ${w})`, {
      errors: [{ field: 'scenario.spreadWidenTicks', message: `must be an integer number of ticks ≥ 0 (got ${w})` }],
    });
  }
  if (w === 0) return withDayColumns(day, {});
  const up = Math.ceil(w / 2);
  const down = Math.floor(w / 2);
  const shift = (delta: number) => (p: number): number => {
    const q = p + delta;
    if (!(q >= 1 && q <= MAX_PRICE_TICKS)) throw priceOutOfRange('spreadWidenTicks', p, q);
    return q;
  };
  const askMap = shift(up);
  const bidMap = shift(-down);
  return withDayColumns(day, {
    askPrice: mapBookPrices(day.askPrice, askMap),
    bidPrice: mapBookPrices(day.bidPrice, bidMap),
    price: mapMessagePrices(day, (p, type, direction) => {
      if (type === EventType.Cross) return p;
      if (direction === -1) return askMap(p);
      if (direction === 1) return bidMap(p);
      return p; // no side: nothing to move it with
    }),
  });
}

/** A copy of a book price column with every non-sentinel price mapped. */
function mapBookPrices(column: Int32Array, map: (p: number) => number): Int32Array {
  const out = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const p = column[i] as number;
    out[i] = isSentinel(p) ? p : map(p);
  }
  return out;
}

/** A copy of the message price column with the prices of types 1–6 mapped; type 7 (halt codes) and unknown types kept. */
function mapMessagePrices(day: MarketDay, map: (p: number, type: number, direction: number) => number): Int32Array {
  const out = new Int32Array(day.length);
  for (let k = 0; k < day.length; k++) {
    const p = day.price[k] as number;
    const type = day.type[k] as number;
    out[k] = type >= EventType.Submit && type <= EventType.Cross ? map(p, type, day.direction[k] as number) : p;
  }
  return out;
}
