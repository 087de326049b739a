import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, type MarketDay } from '../data/market-day.js';
import { dayTradedVolume, estimateDailyVolBps } from '../execution/impact.js';

/** Per-day facts the engine derives once (O(n)) and reuses across runs on the same MarketDay object. */
export interface DayIndex {
  /**
   * For each message of type 2, 3 or 4: the index of its order's type-1 submission in the file, or −1 when the
   * order was already resting before the file began (so it is ahead of any order we place). Other types: −1.
   */
  readonly submitIndex: Int32Array;
  /** Every type 1–4 message carries a non-zero order ID: exact queue positions are possible. */
  readonly hasOrderIds: boolean;
  /** Lowest best bid and highest best ask of the day, ticks (0 if the day has no quotes). */
  readonly minTouchTicks: number;
  readonly maxTouchTicks: number;
  /** σ_D for the impact overlay, bps. */
  readonly dailyVolBps: number;
  /** V_D for the impact overlay, shares. */
  readonly dailyVolume: number;
}

const cache = new WeakMap<MarketDay, DayIndex>();

export function dayIndex(day: MarketDay): DayIndex {
  const hit = cache.get(day);
  if (hit) return hit;
  const n = day.length;
  const submitIndex = new Int32Array(n).fill(-1);
  const submittedAt = new Map<number, number>();
  let hasOrderIds = n > 0;
  for (let i = 0; i < n; i++) {
    const type = day.type[i] as number;
    if (type > EventType.ExecuteVisible) continue;
    const id = day.orderId[i] as number;
    if (id === 0) hasOrderIds = false;
    if (type === EventType.Submit) submittedAt.set(id, i);
    else submitIndex[i] = submittedAt.get(id) ?? -1;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const L = day.levels;
  for (let r = 0; r < n; r++) {
    const bid = day.bidPrice[r * L] as number;
    const ask = day.askPrice[r * L] as number;
    if (bid !== EMPTY_BID_TICKS && (day.bidSize[r * L] as number) > 0) {
      if (bid < lo) lo = bid;
      if (bid > hi) hi = bid;
    }
    if (ask !== EMPTY_ASK_TICKS && (day.askSize[r * L] as number) > 0) {
      if (ask < lo) lo = ask;
      if (ask > hi) hi = ask;
    }
  }
  const index: DayIndex = {
    submitIndex,
    hasOrderIds,
    minTouchTicks: Number.isFinite(lo) ? lo : 0,
    maxTouchTicks: Number.isFinite(hi) ? hi : 0,
    dailyVolBps: estimateDailyVolBps(day),
    dailyVolume: dayTradedVolume(day),
  };
  cache.set(day, index);
  return index;
}
