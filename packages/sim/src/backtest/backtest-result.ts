import type { OrderSide } from '../orders/parent-order.js';
import type { BacktestConfig } from '../execution/execution-config.js';
import { mean, summarize, type Summary } from '../stats/descriptive.js';

/** One (strategy, parent order) episode. Metric fields are null for a failed episode. */
export interface EpisodeResult {
  readonly strategy: string;
  readonly orderId: string;
  readonly side: OrderSide;
  /** Shares. */
  readonly quantity: number;
  readonly startNs: number;
  readonly endNs: number;
  readonly status: 'ok' | 'failed';
  /** Why the episode failed (e.g. a non-finite policy output), null if it did not. */
  readonly failure: string | null;
  /** Shares. */
  readonly filled: number;
  readonly passiveFilled: number;
  /** Child orders sent: aggressive IOCs and new passive orders (in-place size reductions are not new orders). */
  readonly childOrders: number;
  /** Action values outside their catalog bounds (clamped). */
  readonly invalidActions: number;
  /** Ticks. */
  readonly arrivalMid: number | null;
  /** Ticks, impact-shifted end-of-window mark. */
  readonly endMark: number | null;
  readonly avgFillPrice: number | null;
  readonly marketVwap: number | null;
  /** bps, signed: positive = cost. */
  readonly isBps: number | null;
  readonly isExecutionBps: number | null;
  readonly isOpportunityBps: number | null;
  readonly feesBps: number | null;
  readonly vwapSlippageBps: number | null;
  readonly participation: number | null;
  readonly completion: number | null;
  readonly passiveFillRatio: number | null;
}

/** Per-strategy aggregates over its successful episodes (failed ones are counted, not averaged). */
export interface StrategyAggregate {
  /** Successful episodes. */
  readonly episodes: number;
  readonly failed: number;
  readonly isBps: Summary;
  readonly isExecutionBps: Summary;
  readonly isOpportunityBps: Summary;
  readonly vwapSlippageBps: Summary;
  /** Means over successful episodes (null when there are none). */
  readonly completion: number | null;
  readonly participation: number | null;
  readonly passiveFillRatio: number | null;
  readonly childOrders: number | null;
  /** Total over all episodes. */
  readonly invalidActions: number;
}

/** One fill (only with config.recordFills). */
export interface FillRecord {
  readonly strategy: string;
  readonly orderId: string;
  readonly timeNs: number;
  /** Replayed price, ticks. */
  readonly priceTicks: number;
  /** Booked price after the impact overlay, ticks. */
  readonly effectivePriceTicks: number;
  readonly quantity: number;
  readonly liquidity: 'maker' | 'taker';
  /** Ticks·shares, positive = paid. */
  readonly feeTicks: number;
}

export interface EpisodeFailure {
  readonly strategy: string;
  readonly orderId: string;
  readonly reason: string;
}

export interface BacktestResult {
  readonly schema: 'airlock.backtest/1';
  readonly instrument: string;
  readonly date: string;
  readonly seed: number;
  /** Market messages replayed. */
  readonly events: number;
  readonly queueModel: 'exact' | 'probabilistic';
  readonly config: BacktestConfig;
  /** Strategy names in the order given. */
  readonly strategies: readonly string[];
  readonly orders: number;
  readonly aggregates: Readonly<Record<string, StrategyAggregate>>;
  /** Strategy-major, then in the order the parent orders were given. */
  readonly episodes: readonly EpisodeResult[];
  readonly failures: readonly EpisodeFailure[];
  readonly fills?: readonly FillRecord[];
}

const finite = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null && Number.isFinite(v));

export function aggregateEpisodes(episodes: readonly EpisodeResult[]): StrategyAggregate {
  const ok = episodes.filter((e) => e.status === 'ok');
  return {
    episodes: ok.length,
    failed: episodes.length - ok.length,
    isBps: summarize(finite(ok.map((e) => e.isBps))),
    isExecutionBps: summarize(finite(ok.map((e) => e.isExecutionBps))),
    isOpportunityBps: summarize(finite(ok.map((e) => e.isOpportunityBps))),
    vwapSlippageBps: summarize(finite(ok.map((e) => e.vwapSlippageBps))),
    completion: mean(finite(ok.map((e) => e.completion))),
    participation: mean(finite(ok.map((e) => e.participation))),
    passiveFillRatio: mean(finite(ok.map((e) => e.passiveFillRatio))),
    childOrders: mean(ok.map((e) => e.childOrders)),
    invalidActions: episodes.reduce((sum, e) => sum + e.invalidActions, 0),
  };
}
