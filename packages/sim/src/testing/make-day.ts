import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from '../data/market-day.js';
import type { BatchPolicy } from '@airlock/core';

/**
 * Test helpers: tiny hand-made market days whose every fill can be worked out on paper. Not exported from the
 * package index (tests import it directly).
 */

/** Price (ticks) and visible size (shares) of one level. */
export type Level = readonly [price: number, size: number];

export interface HandBook {
  /** Best first. */
  readonly bids: readonly Level[];
  /** Best first. */
  readonly asks: readonly Level[];
}

export interface HandMessage {
  /** Seconds after midnight (converted to integer ns). */
  readonly t: number;
  /** LOBSTER type 1..7. */
  readonly type: number;
  readonly id?: number;
  readonly size: number;
  /** Ticks. */
  readonly price: number;
  /** Side of the resting order: +1 buy, −1 sell. */
  readonly dir: number;
  /** The visible book AFTER this message; default: unchanged from the previous message. */
  readonly book?: HandBook;
}

export interface MakeDayOptions {
  readonly levels?: number;
  readonly tickSize?: number;
  readonly instrument?: string;
  readonly date?: string;
  readonly messages: readonly HandMessage[];
}

export const NS = 1_000_000_000;
/** Seconds after midnight of HH:MM:SS. */
export const at = (hh: number, mm: number, ss = 0): number => (hh * 60 + mm) * 60 + ss;

export function makeDay(options: MakeDayOptions): MarketDay {
  const L = options.levels ?? 3;
  const n = options.messages.length;
  const day = {
    instrument: options.instrument ?? 'TEST',
    date: options.date ?? '2024-01-02',
    levels: L,
    tickSize: options.tickSize ?? 100,
    length: n,
    timeNs: new Float64Array(n),
    type: new Uint8Array(n),
    orderId: new Float64Array(n),
    size: new Int32Array(n),
    price: new Int32Array(n),
    direction: new Int8Array(n),
    askPrice: new Int32Array(n * L).fill(EMPTY_ASK_TICKS),
    askSize: new Int32Array(n * L),
    bidPrice: new Int32Array(n * L).fill(EMPTY_BID_TICKS),
    bidSize: new Int32Array(n * L),
  };
  let book: HandBook | undefined;
  options.messages.forEach((m, i) => {
    day.timeNs[i] = Math.round(m.t * NS);
    day.type[i] = m.type;
    day.orderId[i] = m.id ?? 0;
    day.size[i] = m.size;
    day.price[i] = m.price;
    day.direction[i] = m.dir;
    book = m.book ?? book;
    if (!book) throw new Error('the first message needs a book');
    book.bids.slice(0, L).forEach(([price, size], l) => {
      day.bidPrice[i * L + l] = price;
      day.bidSize[i * L + l] = size;
    });
    book.asks.slice(0, L).forEach(([price, size], l) => {
      day.askPrice[i * L + l] = price;
      day.askSize[i * L + l] = size;
    });
  });
  return day;
}

/** A BatchPolicy returning the same (participation, aggression) for every row, recording the batch sizes it saw. */
export function constantPolicy(participation: number, aggression: number, name = 'constant'): BatchPolicy & { calls: number[] } {
  const calls: number[] = [];
  return {
    name,
    features: ['time_remaining_frac', 'qty_remaining_frac'],
    actions: ['participation', 'aggression'],
    calls,
    decide(_input: Float32Array, rows: number): Promise<Float32Array> {
      calls.push(rows);
      const out = new Float32Array(rows * 2);
      for (let r = 0; r < rows; r++) {
        out[r * 2] = participation;
        out[r * 2 + 1] = aggression;
      }
      return Promise.resolve(out);
    },
  };
}
