import { DomainError } from '@airlock/core';
import type { MarketDay } from '../data/market-day.js';

/** Columns a transform may replace; the rest are shared with the input day (MarketDay is read-only). */
export type DayColumns = Pick<
  MarketDay,
  'length' | 'timeNs' | 'type' | 'orderId' | 'size' | 'price' | 'direction' | 'participant' | 'askPrice' | 'askSize' | 'bidPrice' | 'bidSize'
>;

/**
 * A new MarketDay object: the input's fields with `changes` applied. Typed arrays not in `changes` are the
 * input's own arrays (never written to), so a transform costs memory only for the columns it changes.
 */
export function withDayColumns(day: MarketDay, changes: Partial<DayColumns>): MarketDay {
  const participant = 'participant' in changes ? changes.participant : day.participant;
  return {
    instrument: day.instrument,
    date: day.date,
    levels: day.levels,
    tickSize: day.tickSize,
    length: changes.length ?? day.length,
    timeNs: changes.timeNs ?? day.timeNs,
    type: changes.type ?? day.type,
    orderId: changes.orderId ?? day.orderId,
    size: changes.size ?? day.size,
    price: changes.price ?? day.price,
    direction: changes.direction ?? day.direction,
    ...(participant === undefined ? {} : { participant, participants: day.participants ?? [''] }),
    askPrice: changes.askPrice ?? day.askPrice,
    askSize: changes.askSize ?? day.askSize,
    bidPrice: changes.bidPrice ?? day.bidPrice,
    bidSize: changes.bidSize ?? day.bidSize,
  };
}

/** Highest price (ticks) a transform may produce: one below the empty-ask sentinel, so no real level looks empty. */
export const MAX_PRICE_TICKS = 2_147_483_646;

/** A transform's parameter would push a price out of [1, MAX_PRICE_TICKS] ticks: names the field and the price. */
export function priceOutOfRange(field: string, original: number, mapped: number): DomainError {
  return new DomainError('VALIDATION_FAILED', `scenario.${field} maps price ${original} ticks to ${mapped}, outside [1, ${MAX_PRICE_TICKS}]`, {
    errors: [{ field: `scenario.${field}`, message: `maps price ${original} ticks to ${mapped}: prices must stay in [1, ${MAX_PRICE_TICKS}] ticks` }],
  });
}
