import { DomainError, type FieldProblem } from '@airlock/core';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from '../data/market-day.js';
import { createRng } from '../data/prng.js';
import { VolumeCurve } from '../features/volume-curve.js';
import type { ParentOrder } from './parent-order.js';

const NS_PER_MINUTE = 60_000_000_000;

export interface OrderGenerationOptions {
  readonly count: number;
  readonly seed: number;
  /** Size as % of the expected market volume over the order's window, log-uniform in [min, max]; default [1, 10]. */
  readonly sizePctRange?: readonly [number, number];
  /** Window length in ns, uniform in [min, max] (snapped to the grid); default [5 min, 60 min]. */
  readonly durationRangeNs?: readonly [number, number];
  /** Starts and ends fall on multiples of this; use the decision interval. Default 10 s. */
  readonly gridNs?: number;
  /** [from, to] ns the windows must fit in; default the day's first to last message, rounded inward to the grid. */
  readonly sessionNs?: readonly [number, number];
  /** Default 0.5. */
  readonly buyProbability?: number;
  /** Uniform; default [0, 1]. */
  readonly urgencyRange?: readonly [number, number];
  /** Share of orders given a limit price; default 0. */
  readonly limitProbability?: number;
  /** Limit distance beyond the arrival mid in bps, uniform; default [10, 50]: a buy's limit is mid·(1 + x/1e4). */
  readonly limitOffsetBpsRange?: readonly [number, number];
  /** Expected-volume curve sizing the orders; default VolumeCurve.fromDay(day). */
  readonly curve?: VolumeCurve;
  /** Order ids are `${idPrefix}-0001`…; default `o`. */
  readonly idPrefix?: string;
}

const range = (value: readonly [number, number] | undefined, fallback: [number, number]): [number, number] =>
  value ? [value[0], value[1]] : fallback;

/**
 * A seeded set of parent orders over a market day: each order's window is placed uniformly on the grid inside the
 * session, its size is a log-uniform share of the volume the curve expects in that window, its side a coin flip.
 * Same day, options and seed → the same orders.
 */
export function generateParentOrders(day: MarketDay, options: OrderGenerationOptions): ParentOrder[] {
  const grid = options.gridNs ?? 10_000_000_000;
  const [pctLo, pctHi] = range(options.sizePctRange, [1, 10]);
  const [durLo, durHi] = range(options.durationRangeNs, [5 * NS_PER_MINUTE, 60 * NS_PER_MINUTE]);
  const [urgLo, urgHi] = range(options.urgencyRange, [0, 1]);
  const [limLo, limHi] = range(options.limitOffsetBpsRange, [10, 50]);
  const buyProbability = options.buyProbability ?? 0.5;
  const limitProbability = options.limitProbability ?? 0;
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string): void => {
    problems.push({ field: `orderGeneration.${field}`, message });
  };
  if (!Number.isSafeInteger(options.count) || options.count < 1) bad('count', 'must be a positive integer');
  if (!Number.isSafeInteger(grid) || grid <= 0) bad('gridNs', 'must be a positive integer of ns');
  if (!(pctLo > 0 && pctHi >= pctLo)) bad('sizePctRange', 'must be [min, max] with 0 < min ≤ max');
  if (!(durLo > 0 && durHi >= durLo)) bad('durationRangeNs', 'must be [min, max] with 0 < min ≤ max');
  if (!(urgLo >= 0 && urgHi <= 1 && urgHi >= urgLo)) bad('urgencyRange', 'must be within [0, 1], min ≤ max');
  if (!(buyProbability >= 0 && buyProbability <= 1)) bad('buyProbability', 'must be in [0, 1]');
  if (!(limitProbability >= 0 && limitProbability <= 1)) bad('limitProbability', 'must be in [0, 1]');
  if (!(limLo >= 0 && limHi >= limLo)) bad('limitOffsetBpsRange', 'must be [min, max] with 0 ≤ min ≤ max');
  if (day.length === 0) bad('day', 'has no messages');
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid order-generation options', { errors: problems });

  const [sessionFrom, sessionTo] = options.sessionNs
    ? [Math.ceil(options.sessionNs[0] / grid) * grid, Math.floor(options.sessionNs[1] / grid) * grid]
    : [Math.ceil((day.timeNs[0] as number) / grid) * grid, Math.floor((day.timeNs[day.length - 1] as number) / grid) * grid];
  const sessionSteps = Math.floor((sessionTo - sessionFrom) / grid);
  if (sessionSteps < 1) {
    throw new DomainError('VALIDATION_FAILED', 'the session is shorter than one grid step', {
      errors: [{ field: 'orderGeneration.sessionNs', message: 'leaves no room for an order window' }],
    });
  }
  const minSteps = Math.min(sessionSteps, Math.max(1, Math.round(durLo / grid)));
  const maxSteps = Math.min(sessionSteps, Math.max(minSteps, Math.round(durHi / grid)));
  const curve = options.curve ?? VolumeCurve.fromDay(day);
  const rng = createRng(options.seed);
  const prefix = options.idPrefix ?? 'o';
  const width = Math.max(4, String(options.count).length);
  const orders: ParentOrder[] = [];
  for (let i = 0; i < options.count; i++) {
    const steps = rng.int(minSteps, maxSteps);
    const startNs = sessionFrom + rng.int(0, sessionSteps - steps) * grid;
    const endNs = startNs + steps * grid;
    const pct = Math.exp(Math.log(pctLo) + rng.next() * (Math.log(pctHi) - Math.log(pctLo)));
    const quantity = Math.max(1, Math.round((pct / 100) * curve.expected(startNs, endNs)));
    const side = rng.next() < buyProbability ? 'buy' : 'sell';
    const urgency = urgLo + rng.next() * (urgHi - urgLo);
    const withLimit = rng.next() < limitProbability;
    const offsetBps = limLo + rng.next() * (limHi - limLo);
    let limitTicks: number | undefined;
    if (withLimit) {
      const mid = midAt(day, startNs);
      if (Number.isFinite(mid)) limitTicks = Math.max(1, Math.round(mid * (1 + ((side === 'buy' ? 1 : -1) * offsetBps) / 1e4)));
    }
    orders.push({
      id: `${prefix}-${String(i + 1).padStart(width, '0')}`,
      side,
      quantity,
      startNs,
      endNs,
      ...(limitTicks !== undefined ? { limitTicks } : {}),
      urgency,
    });
  }
  return orders;
}

/** Mid (ticks) of the last two-sided book at or before `timeNs` (the first one of the day if none yet); NaN if none. */
export function midAt(day: MarketDay, timeNs: number): number {
  let lo = 0;
  let hi = day.length - 1;
  if (hi < 0) return Number.NaN;
  let idx = -1;
  while (lo <= hi) {
    const m = (lo + hi) >>> 1;
    if ((day.timeNs[m] as number) <= timeNs) {
      idx = m;
      lo = m + 1;
    } else hi = m - 1;
  }
  const twoSided = (r: number): boolean => {
    const k = r * day.levels;
    return (day.bidPrice[k] as number) !== EMPTY_BID_TICKS && (day.askPrice[k] as number) !== EMPTY_ASK_TICKS && (day.bidSize[k] as number) > 0 && (day.askSize[k] as number) > 0;
  };
  for (let r = idx; r >= 0; r--) if (twoSided(r)) return ((day.bidPrice[r * day.levels] as number) + (day.askPrice[r * day.levels] as number)) / 2;
  for (let r = Math.max(0, idx + 1); r < day.length; r++) if (twoSided(r)) return ((day.bidPrice[r * day.levels] as number) + (day.askPrice[r * day.levels] as number)) / 2;
  return Number.NaN;
}
