import type { MarketDay } from '../data/market-day.js';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType } from '../data/market-day.js';

/**
 * Permanent-impact overlay. A replay does not react to our trades, so the price moves our own trading would
 * cause are added as a shift of our fill prices and of the end-of-window mark, against us:
 *
 *   none:        I(q) = 0
 *   linear:      I(q) = coefficient · σ_D · q / V_D
 *   square-root: I(q) = coefficient · σ_D · sqrt(q / V_D)         (the square-root law, coefficient "Y" ≈ 0.5–1)
 *
 * I in bps of price; q = shares this episode has filled *before* the fill being priced; σ_D the daily
 * volatility in bps; V_D the day's traded volume in shares (visible + hidden + crosses). A fill at replayed
 * price p is booked at p·(1 + side·I(q)/1e4); unfilled shares are marked at mid_end·(1 + side·I(filled)/1e4).
 * σ_D and V_D default to the replayed day's own values (estimateDailyVolBps, total traded volume).
 */
export type ImpactConfig =
  | { readonly model: 'none' }
  | {
      readonly model: 'linear' | 'square-root';
      /** Dimensionless, see the formulas above. */
      readonly coefficient: number;
      /** σ_D, bps per day; default: estimated from the day (5-minute mid returns). */
      readonly dailyVolBps?: number;
      /** V_D, shares; default: the day's traded volume. */
      readonly dailyVolume?: number;
    };

export const DEFAULT_IMPACT: ImpactConfig = { model: 'square-root', coefficient: 0.5 };

export class ImpactModel {
  private readonly kind: 0 | 1 | 2;
  private readonly scale: number; // bps per (q/V_D) or per sqrt(q/V_D)
  private readonly inverseVolume: number;

  constructor(config: ImpactConfig, dailyVolBps: number, dailyVolume: number) {
    if (config.model === 'none' || !(dailyVolume > 0)) {
      this.kind = 0;
      this.scale = 0;
      this.inverseVolume = 0;
      return;
    }
    this.kind = config.model === 'linear' ? 1 : 2;
    this.scale = config.coefficient * (config.dailyVolBps ?? dailyVolBps);
    this.inverseVolume = 1 / (config.dailyVolume ?? dailyVolume);
  }

  /** bps, signed: positive = against us. */
  shiftBps(filledShares: number): number {
    if (this.kind === 0 || filledShares <= 0) return 0;
    const x = filledShares * this.inverseVolume;
    return this.kind === 1 ? this.scale * x : this.scale * Math.sqrt(x);
  }
}

/**
 * Daily volatility of the mid in bps: sqrt(Σ r²)·1e4 over 5-minute log returns of the mid across the day's
 * messages (5-minute sampling keeps bid–ask bounce out of the estimate). 0 for a day too short to sample.
 */
export function estimateDailyVolBps(day: MarketDay): number {
  const step = 300 * 1_000_000_000;
  const L = day.levels;
  let sum = 0;
  let prevLog = Number.NaN;
  let nextSample = Number.NaN;
  let lastMid = Number.NaN;
  for (let i = 0; i < day.length; i++) {
    const t = day.timeNs[i] as number;
    if (nextSample !== nextSample) nextSample = Math.ceil(t / step) * step;
    while (t > nextSample) {
      if (lastMid === lastMid) {
        const lm = Math.log(lastMid);
        if (prevLog === prevLog) sum += (lm - prevLog) * (lm - prevLog);
        prevLog = lm;
      }
      nextSample += step;
    }
    const k = i * L;
    const bid = day.bidPrice[k] as number;
    const ask = day.askPrice[k] as number;
    if (bid !== EMPTY_BID_TICKS && ask !== EMPTY_ASK_TICKS && (day.bidSize[k] as number) > 0 && (day.askSize[k] as number) > 0) {
      lastMid = (bid + ask) / 2;
    }
  }
  if (lastMid === lastMid && prevLog === prevLog) {
    const lm = Math.log(lastMid);
    sum += (lm - prevLog) * (lm - prevLog);
  }
  return Math.sqrt(sum) * 1e4;
}

/** Shares executed in the day (visible, hidden, crosses). */
export function dayTradedVolume(day: MarketDay): number {
  let v = 0;
  for (let i = 0; i < day.length; i++) {
    const type = day.type[i];
    if (type === EventType.ExecuteVisible || type === EventType.ExecuteHidden || type === EventType.Cross) v += day.size[i] as number;
  }
  return v;
}
