import type { BookUpdateEvent, TradeEvent } from '@airlock/live-flow';
import {
  DEFAULT_BACKTEST_CONFIG,
  trailingVolumeCurve,
  type BacktestConfig,
  type FlowDayBuilder,
  type ExpectedVolume,
  type MarketTracker,
  type TradeAggressor,
} from '@airlock/sim';

/**
 * The ONE place the execution settings of live replays live: the live-flow simulator (the stand-in for a firm's
 * execution engine) and the shadow runner (candidates on the same flow) both call `liveExecutionConfig`, so an
 * identical candidate reproduces the live fills exactly.
 *
 * - impact `none`: the flow's prices are what the market did, our own trading included;
 * - the expected-volume curve is causal: trailing volume over `volumeCurveBucketNs` of the engine's own tape
 *   (a live engine cannot know the rest of the day);
 * - decision interval and latency: the backtest defaults (10 s, 1 ms) unless overridden;
 * - every fill recorded (the simulator publishes them; the shadow runner compares against them);
 * - one fixed engine seed (LIVE_ENGINE_SEED): a flow-built day has no order ids, so the queue model is
 *   probabilistic and its per-order streams are seeded from (seed, order id) — both sides must use the same.
 */
export interface LiveExecutionOverrides {
  readonly decisionIntervalNs?: number;
  readonly latencyNs?: number;
  readonly volumeCurveBucketNs?: number;
  readonly seed?: number;
}

/** The engine seed of live replays (runBacktest's `seed`). */
export const LIVE_ENGINE_SEED = 0;

export interface LiveExecutionConfig {
  /** The engine configuration (runBacktest's `config`). */
  readonly config: Partial<BacktestConfig> & Pick<BacktestConfig, 'decisionIntervalNs' | 'latencyNs' | 'impact' | 'recordFills' | 'volumeCurveBucketNs'>;
  /** runBacktest's `curve`: a trailing-volume curve over the engine's own tracker. */
  readonly curve: (tracker: MarketTracker) => ExpectedVolume;
  /** runBacktest's `seed`. */
  readonly seed: number;
}

export function liveExecutionConfig(overrides: LiveExecutionOverrides = {}): LiveExecutionConfig {
  const volumeCurveBucketNs = overrides.volumeCurveBucketNs ?? DEFAULT_BACKTEST_CONFIG.volumeCurveBucketNs;
  return {
    config: {
      impact: { model: 'none' },
      recordFills: true,
      decisionIntervalNs: overrides.decisionIntervalNs ?? DEFAULT_BACKTEST_CONFIG.decisionIntervalNs,
      latencyNs: overrides.latencyNs ?? DEFAULT_BACKTEST_CONFIG.latencyNs,
      volumeCurveBucketNs,
    },
    curve: trailingVolumeCurve(volumeCurveBucketNs),
    seed: overrides.seed ?? LIVE_ENGINE_SEED,
  };
}

/** A flow's tickSize (currency per tick) in @airlock/sim's LOBSTER units ($1e-4 per tick): × 1e4. */
export const lobsterTickSize = (flowTickSize: number): number => flowTickSize * 1e4;

/** @airlock/sim's tickSize (LOBSTER units) as a flow's tickSize (currency per tick): ÷ 1e4. */
export const flowTickSize = (lobsterTicks: number): number => lobsterTicks / 1e4;

/** The live-flow aggressor as FlowDayBuilder's: +1 buyer-initiated, −1 seller-initiated, 0 unknown. */
export const tradeAggressor = (aggressor: TradeEvent['aggressor']): TradeAggressor => (aggressor === 'buy' ? 1 : aggressor === 'sell' ? -1 : 0);

/** Appends one market-data event of the flow (book snapshot or trade) to a FlowDay: the rows both sides replay. */
export function appendFlowMarketEvent(builder: FlowDayBuilder, event: BookUpdateEvent | TradeEvent): number {
  return event.type === 'book'
    ? builder.appendBook(event.tsNs, event.bids, event.asks)
    : builder.appendTrade(event.tsNs, event.priceTicks, event.size, tradeAggressor(event.aggressor), event.hidden);
}
