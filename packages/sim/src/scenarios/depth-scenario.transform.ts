import { DomainError } from '@airlock/core';
import { BookReconstructor } from '../data/book.verifier.js';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, type MarketDay } from '../data/market-day.js';
import { Side } from '../data/order-book.js';
import { withDayColumns } from './market-day.copy.js';

/** What scaleDepth did, for a suite's evidence: how exact the thinner day is. */
export interface DepthScaleResult {
  readonly day: MarketDay;
  /** Messages (types 2–4) dropped because they moved no scaled order by even one share. */
  readonly droppedMessages: number;
  /**
   * Book entries (row × level × side) where the file's size disagreed with the order-level replay, so the size
   * was scaled on its own (round(f·size), ≥ 1) instead of order by order. 0 on consistent data.
   */
  readonly approximatedLevels: number;
  /** Messages of types 2–4 the replay could not apply cleanly, scaled on their own. 0 on consistent data. */
  readonly approximatedMessages: number;
}

/**
 * Depth ×f, 0 < f ≤ 1: every visible ORDER is scaled, g(x) = max(1, round(f·x)) shares, and the book is the sum
 * of its scaled orders. Scaling per order instead of per level keeps messages and book exactly consistent:
 * round(f·a) + round(f·b) ≠ round(f·(a + b)) in general, so a level scaled on its own would disagree with the
 * scaled sizes of the orders that make it up.
 *
 * How: the day's own order-level replay (BookReconstructor: the book verifier's method — seeded from row 0,
 * order IDs tracked, depth learned only when it enters view) runs alongside. After message k,
 * - a level's scaled size is Σ g(entry) over its queue entries (known orders and anonymous volume alike);
 * - a submit's scaled size is g(size); a cancel, delete or execution (types 2–4) gets the fall of its level's
 *   scaled size, so an order of x shares losing c shares goes from g(x) to g(x − c) exactly;
 * - such a message whose scaled size is 0 (it moved no scaled order by a whole share) is dropped, with its row:
 *   it changes nothing in the thinner market, and a MarketDay has no size-0 messages;
 * - hidden executions and crosses (types 5, 6) are scaled on their own (hidden liquidity thins too), type 7 kept.
 * Traded volume therefore falls about f-fold, and with it the volume curve and the impact overlay's daily
 * volume: a thinner market also trades less. Where the file disagrees with the replay (bad data), that level
 * or message is scaled on its own and counted in `approximatedLevels` / `approximatedMessages`.
 * Cost: one order-level replay of the day, O(messages × queue length at the touched level).
 */
export function scaleDepth(day: MarketDay, factor: number): DepthScaleResult {
  if (!(Number.isFinite(factor) && factor > 0 && factor <= 1)) {
    throw new DomainError('VALIDATION_FAILED', `scenario.depthFactor must be in (0, 1] (got ${factor})`, {
      errors: [{ field: 'scenario.depthFactor', message: `must be a number in (0, 1] (got ${factor})` }],
    });
  }
  if (factor === 1 || day.length === 0) return { day: withDayColumns(day, {}), droppedMessages: 0, approximatedLevels: 0, approximatedMessages: 0 };

  const g = (x: number): number => (x > 0 ? Math.max(1, Math.round(factor * x)) : 0);
  const n = day.length;
  const L = day.levels;
  const rec = new BookReconstructor(day);
  const book = rec.book;

  // Σ g(entry) per (side, price) of the replayed book; an entry is dropped whenever the level may have changed.
  const bidCache = new Map<number, number>();
  const askCache = new Map<number, number>();
  const cacheOf = (side: Side): Map<number, number> => (side === Side.Bid ? bidCache : askCache);
  const scaledLevel = (side: Side, price: number): number => {
    const cache = cacheOf(side);
    let v = cache.get(price);
    if (v === undefined) {
      v = 0;
      for (const entry of book.queue(side, price)) v += g(entry.size);
      cache.set(price, v);
    }
    return v;
  };

  const size = new Int32Array(n);
  const askSize = new Int32Array(n * L);
  const bidSize = new Int32Array(n * L);
  const keep = new Uint8Array(n).fill(1);
  let kept = 0;
  let droppedMessages = 0;
  let approximatedLevels = 0;
  let approximatedMessages = 0;

  /** Row k's scaled sizes: the file's prices, sizes from the replayed book where it agrees with the file. */
  const writeRow = (k: number): void => {
    for (let i = 0; i < L; i++) {
      const at = k * L + i;
      askSize[at] = scaledFileLevel(Side.Ask, day.askPrice[at] as number, day.askSize[at] as number);
      bidSize[at] = scaledFileLevel(Side.Bid, day.bidPrice[at] as number, day.bidSize[at] as number);
    }
  };
  const scaledFileLevel = (side: Side, price: number, fileSize: number): number => {
    if (fileSize <= 0 || price === EMPTY_ASK_TICKS || price === EMPTY_BID_TICKS) return fileSize; // sentinels, empty
    if (book.sizeAt(side, price) === fileSize) return scaledLevel(side, price);
    approximatedLevels++;
    return g(fileSize);
  };
  const sameRowAs = (k: number, j: number): boolean => {
    for (let i = 0; i < L; i++) {
      if (askSize[k * L + i] !== askSize[j * L + i] || bidSize[k * L + i] !== bidSize[j * L + i]) return false;
      if (day.askPrice[k * L + i] !== day.askPrice[j * L + i] || day.bidPrice[k * L + i] !== day.bidPrice[j * L + i]) return false;
    }
    return true;
  };

  rec.seed();
  size[0] = day.type[0] === EventType.Halt ? (day.size[0] as number) : g(day.size[0] as number);
  writeRow(0);
  let lastKept = 0; // the last row kept in the output, for spotting a dropped message's unchanged row

  for (let k = 1; k < n; k++) {
    const type = day.type[k] as number;
    const fileSize = day.size[k] as number;
    const direction = day.direction[k] as number;
    if (type === EventType.Cancel || type === EventType.Delete || type === EventType.ExecuteVisible) {
      const side: Side = direction === 1 ? Side.Bid : Side.Ask;
      // Where the message acts: a known order wherever it rests, an unknown one at the message's price.
      const price = book.orderPrice(day.orderId[k] as number) ?? (day.price[k] as number);
      const before = direction === 1 || direction === -1 ? scaledLevel(side, price) : 0;
      const learned = rec.learnedLevels;
      const inconsistent = rec.inconsistent;
      rec.step(k);
      invalidate(side, price, rec.learnedLevels !== learned);
      const after = direction === 1 || direction === -1 ? scaledLevel(side, price) : 0;
      let scaled = before - after;
      if (rec.inconsistent !== inconsistent || scaled < 0) {
        scaled = g(fileSize);
        approximatedMessages++;
      }
      writeRow(k);
      if (scaled === 0) {
        if (sameRowAs(k, lastKept)) {
          keep[k] = 0;
          droppedMessages++;
          continue;
        }
        // The file's row moved although no scaled order did (data the replay disagrees with): keep it.
        scaled = g(fileSize);
        approximatedMessages++;
      }
      size[k] = scaled;
    } else {
      rec.step(k);
      if (type === EventType.Submit) invalidate(direction === 1 ? Side.Bid : Side.Ask, day.price[k] as number, false);
      size[k] = type === EventType.Halt ? fileSize : g(fileSize);
      writeRow(k);
    }
    lastKept = k;
  }

  function invalidate(side: Side, price: number, learned: boolean): void {
    // Learning (depth entering view) may remove and reset several levels of the side: forget them all.
    if (learned) cacheOf(side).clear();
    else cacheOf(side).delete(price);
  }

  for (let k = 0; k < n; k++) kept += keep[k] as number;
  if (kept === n) {
    return { day: withDayColumns(day, { size, askSize, bidSize }), droppedMessages, approximatedLevels, approximatedMessages };
  }
  const rows = new Int32Array(kept);
  for (let k = 0, r = 0; k < n; k++) if (keep[k] === 1) rows[r++] = k;
  return {
    day: withDayColumns(day, {
      length: kept,
      timeNs: pick(day.timeNs, rows, 1, Float64Array),
      type: pick(day.type, rows, 1, Uint8Array),
      orderId: pick(day.orderId, rows, 1, Float64Array),
      size: pick(size, rows, 1, Int32Array),
      price: pick(day.price, rows, 1, Int32Array),
      direction: pick(day.direction, rows, 1, Int8Array),
      ...(day.participant === undefined ? {} : { participant: pick(day.participant, rows, 1, Uint16Array) }),
      askPrice: pick(day.askPrice, rows, L, Int32Array),
      askSize: pick(askSize, rows, L, Int32Array),
      bidPrice: pick(day.bidPrice, rows, L, Int32Array),
      bidSize: pick(bidSize, rows, L, Int32Array),
    }),
    droppedMessages,
    approximatedLevels,
    approximatedMessages,
  };
}

type TypedArray = Float64Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

/** The kept rows of a column with `per` entries per row. */
function pick<T extends TypedArray>(column: T, rows: Int32Array, per: number, Ctor: new (length: number) => T): T {
  const out = new Ctor(rows.length * per);
  for (let r = 0; r < rows.length; r++) {
    const from = (rows[r] as number) * per;
    for (let i = 0; i < per; i++) out[r * per + i] = column[from + i] as number;
  }
  return out;
}
