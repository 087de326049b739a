/**
 * Per-episode metrics from an episode's raw accounting. All prices in ticks, cash in ticks·shares.
 *
 * Implementation shortfall (Perold), in bps of the order's paper value X·M0 (X parent shares, M0 arrival mid),
 * signed so that positive = cost for buys and sells alike (side s = +1 buy, −1 sell):
 *   execution   = [s·(N − F·M0) + fees] / (X·M0) · 1e4      N = Σ fill price·qty (after the impact overlay), F filled
 *   opportunity = s·(M_end − M0)·(X − F) / (X·M0) · 1e4     M_end = end-of-window mid, shifted by our impact
 *   IS          = execution + opportunity
 * VWAP slippage, bps, positive = cost: s·(N/F − VWAP_mkt) / VWAP_mkt · 1e4, VWAP_mkt over the order's window
 * (start, end] including hidden executions; gross of fees (a price comparison); null without fills or trades.
 * Participation: F / market volume over the window (our fills are not part of the replayed volume).
 */
export interface EpisodeAccounting {
  /** +1 buy, −1 sell. */
  readonly side: number;
  /** X, shares. */
  readonly quantity: number;
  /** F, shares. */
  readonly filled: number;
  /** Shares filled passively (maker). */
  readonly passiveFilled: number;
  /** N, ticks·shares (fill prices after the impact overlay). */
  readonly grossNotional: number;
  /** Ticks·shares, positive = paid (taker fees minus maker rebates). */
  readonly fees: number;
  /** M0, ticks. */
  readonly arrivalMid: number;
  /** M_end, ticks (already shifted by the impact overlay). */
  readonly endMark: number;
  /** Shares traded by the market over (start, end]. */
  readonly marketVolume: number;
  /** Ticks·shares traded by the market over (start, end]. */
  readonly marketNotional: number;
}

export interface EpisodeMetrics {
  /** bps, signed: positive = cost. */
  readonly isBps: number;
  readonly isExecutionBps: number;
  readonly isOpportunityBps: number;
  /** Fees' share of the execution part, bps (positive = paid). */
  readonly feesBps: number;
  /** bps, signed: positive = worse than the market VWAP; null without fills or market trades. */
  readonly vwapSlippageBps: number | null;
  /** Ticks, null without fills. */
  readonly avgFillPrice: number | null;
  /** Ticks, null without market trades in the window. */
  readonly marketVwap: number | null;
  /** F / market volume; null when the market did not trade. */
  readonly participation: number | null;
  /** F / X in [0, 1]. */
  readonly completion: number;
  /** Passive shares / F; null without fills. */
  readonly passiveFillRatio: number | null;
}

export function episodeMetrics(a: EpisodeAccounting): EpisodeMetrics {
  const paper = a.quantity * a.arrivalMid;
  const execution = ((a.side * (a.grossNotional - a.filled * a.arrivalMid) + a.fees) / paper) * 1e4;
  const opportunity = ((a.side * (a.endMark - a.arrivalMid) * (a.quantity - a.filled)) / paper) * 1e4;
  const avgFillPrice = a.filled > 0 ? a.grossNotional / a.filled : null;
  const marketVwap = a.marketVolume > 0 ? a.marketNotional / a.marketVolume : null;
  return {
    isBps: execution + opportunity,
    isExecutionBps: execution,
    isOpportunityBps: opportunity,
    feesBps: (a.fees / paper) * 1e4,
    vwapSlippageBps: avgFillPrice !== null && marketVwap !== null ? ((a.side * (avgFillPrice - marketVwap)) / marketVwap) * 1e4 : null,
    avgFillPrice,
    marketVwap,
    participation: a.marketVolume > 0 ? a.filled / a.marketVolume : null,
    completion: a.filled / a.quantity,
    passiveFillRatio: a.filled > 0 ? a.passiveFilled / a.filled : null,
  };
}
