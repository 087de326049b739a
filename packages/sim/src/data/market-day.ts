/**
 * One instrument-day of limit-order-book data in columnar form: the shape every other part of the engine
 * reads (replay, features, fills, metrics). Produced by the LOBSTER loader and the synthetic generator, and
 * saved to / loaded from the on-disk columnar cache without parsing text.
 *
 * Units: time in integer nanoseconds after midnight (exact in a float64: a day is 8.64e13 ns < 2^53),
 * prices in integer ticks (price = ticks * tickSize in LOBSTER price units of $1e-4), sizes in shares.
 * Row k of the book columns is the visible book AFTER message k (LOBSTER's convention).
 */
export interface MarketDay {
  readonly instrument: string;
  /** Trading date, YYYY-MM-DD. */
  readonly date: string;
  /** Book levels per side in the book columns. */
  readonly levels: number;
  /** LOBSTER price units ($1e-4) per tick; 100 = one cent. */
  readonly tickSize: number;
  /** Number of messages (rows). */
  readonly length: number;

  // --- message columns, one entry per message ---
  /** ns after midnight, integer-valued, non-decreasing. */
  readonly timeNs: Float64Array;
  /** LOBSTER event type 1..7, or 8 (BookUpdate) in days built from a live flow (see EventType). */
  readonly type: Uint8Array;
  /** LOBSTER order id (0 for hidden executions); integer-valued. */
  readonly orderId: Float64Array;
  /** Shares. */
  readonly size: Int32Array;
  /** Ticks; for type 7 (halt) the raw LOBSTER code -1/0/1 is kept as is. */
  readonly price: Int32Array;
  /** Side of the resting order: +1 buy, -1 sell (so a type-4 execution with +1 is seller-initiated). */
  readonly direction: Int8Array;
  /** 7-column variant only: index into `participants` (0 = none/null); undefined for 6-column data. */
  readonly participant?: Uint16Array;
  readonly participants?: readonly string[];

  // --- book columns, `levels` entries per message: index k*levels + (level-1) ---
  /** Ticks; an empty level holds EMPTY_ASK_TICKS / EMPTY_BID_TICKS with size 0. */
  readonly askPrice: Int32Array;
  readonly askSize: Int32Array;
  readonly bidPrice: Int32Array;
  readonly bidSize: Int32Array;
}

/** LOBSTER message types. */
export const EventType = {
  Submit: 1,
  Cancel: 2,
  Delete: 3,
  ExecuteVisible: 4,
  ExecuteHidden: 5,
  Cross: 6,
  Halt: 7,
  /**
   * Not a LOBSTER type: the visible book changed, with no message semantics (no order id, no volume). Only days
   * built from a live flow's book snapshots carry it (FlowDayBuilder); the tracker and the fill model skip it.
   */
  BookUpdate: 8,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
/** The message types a LOBSTER file carries (what the verifier and the quality report count). */
export type LobsterEventType = Exclude<EventType, typeof EventType.BookUpdate>;

/** Sentinels for unoccupied levels, in ticks (LOBSTER's ±9999999999 dummies do not fit an int32). */
export const EMPTY_ASK_TICKS = 2_147_483_647;
export const EMPTY_BID_TICKS = -2_147_483_647;

/** Rows [0, length) of `day` as a day of their own: views of its columns, no copy (valid while they are). */
export function dayView(day: MarketDay, length: number): MarketDay {
  const L = day.levels;
  return {
    instrument: day.instrument,
    date: day.date,
    levels: L,
    tickSize: day.tickSize,
    length,
    timeNs: day.timeNs.subarray(0, length),
    type: day.type.subarray(0, length),
    orderId: day.orderId.subarray(0, length),
    size: day.size.subarray(0, length),
    price: day.price.subarray(0, length),
    direction: day.direction.subarray(0, length),
    askPrice: day.askPrice.subarray(0, length * L),
    askSize: day.askSize.subarray(0, length * L),
    bidPrice: day.bidPrice.subarray(0, length * L),
    bidSize: day.bidSize.subarray(0, length * L),
  };
}
