import { DomainError, type FieldProblem } from '@airlock/core';
import type { MarketDay } from '../data/market-day.js';
import { resolveBacktestConfig, type BacktestConfig } from '../execution/execution-config.js';
import { VolumeCurve, type ExpectedVolume } from '../features/volume-curve.js';
import type { MarketTracker } from '../features/market-tracker.js';
import { episodeMetrics } from '../metrics/episode-metrics.js';
import { validateParentOrders, type ParentOrder } from '../orders/parent-order.js';
import { isExecutionStrategy, type ExecutionStrategy, type StrategyInput } from '../strategies/execution-strategy.js';
import { policyStrategy } from '../strategies/policy-strategy.js';
import { aggregateEpisodes, type BacktestResult, type EpisodeFailure, type EpisodeResult, type StrategyAggregate } from './backtest-result.js';
import { ReplayEngine } from './replay-engine.js';

export interface BacktestProgress {
  /** Market messages replayed so far. */
  readonly eventsDone: number;
  readonly eventsTotal: number;
}

export interface BacktestInput {
  readonly day: MarketDay;
  readonly orders: readonly ParentOrder[];
  /**
   * Strategies by name, run side by side on identical episodes: baselines (ExecutionStrategy) and any
   * BatchPolicy (candidate, champion, ONNX). Results keep this key order.
   */
  readonly strategies: Readonly<Record<string, StrategyInput>>;
  readonly config?: Partial<BacktestConfig>;
  /** Seeds the probabilistic queue model (the only randomness of a run). */
  readonly seed: number;
  /**
   * Expected-volume curve; default VolumeCurve.fromDay(day, config.volumeCurveBucketNs). Live replays pass
   * trailingVolumeCurve(windowNs) (causal: built from the engine's own tracker).
   */
  readonly curve?: ExpectedVolume | ((tracker: MarketTracker) => ExpectedVolume);
  /** Called about every 16k messages and at the end (synchronously: keep it cheap). */
  readonly onProgress?: (progress: BacktestProgress) => void;
  /** Awaited about every 16k messages (e.g. setImmediate), so a long replay shares the event loop. Results are unchanged. */
  readonly yieldTo?: () => Promise<void>;
}

/**
 * Runs every strategy on every parent order over one replay of the day and measures each episode. Bad inputs
 * (orders, config, a policy whose features or actions the engine cannot serve) throw a DomainError before
 * anything runs; a strategy that fails at run time (non-finite action, a throwing policy) fails only the
 * affected episodes, which are reported in `failures` and left out of the aggregates.
 * Deterministic: the same inputs and seed give a byte-identical JSON.stringify of the result.
 */
export async function runBacktest(input: BacktestInput): Promise<BacktestResult> {
  const config = resolveBacktestConfig(input.config);
  validateParentOrders(input.orders);
  const problems: FieldProblem[] = [];
  if (!Number.isSafeInteger(input.seed)) problems.push({ field: 'seed', message: 'must be a safe integer' });
  const names = Object.keys(input.strategies);
  if (names.length === 0) problems.push({ field: 'strategies', message: 'at least one strategy is required' });
  for (const name of names) if (name.trim() === '') problems.push({ field: 'strategies', message: 'names must not be empty' });
  if (input.day.length === 0) problems.push({ field: 'day', message: 'has no messages' });
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid backtest input', { errors: problems });

  const strategies = names.map((name) => {
    const value = input.strategies[name] as StrategyInput;
    const strategy: ExecutionStrategy = isExecutionStrategy(value) ? value : policyStrategy(value);
    return { name, strategy };
  });
  const curve = input.curve ?? VolumeCurve.fromDay(input.day, config.volumeCurveBucketNs);
  const onProgress = input.onProgress;
  const engine = new ReplayEngine({
    day: input.day,
    orders: input.orders,
    strategies,
    config,
    seed: input.seed,
    curve,
    ...(onProgress ? { onProgress: (eventsDone: number, eventsTotal: number) => onProgress({ eventsDone, eventsTotal }) } : {}),
    ...(input.yieldTo ? { yieldTo: input.yieldTo } : {}),
  });
  await engine.run();

  const episodes: EpisodeResult[] = [];
  const failures: EpisodeFailure[] = [];
  const aggregates: Record<string, StrategyAggregate> = {};
  const nO = input.orders.length;
  strategies.forEach(({ name }, s) => {
    const own: EpisodeResult[] = [];
    for (let o = 0; o < nO; o++) {
      const episode = episodeResult(engine, name, s * nO + o, o, input.orders[o] as ParentOrder);
      if (episode.failure !== null) failures.push({ strategy: name, orderId: episode.orderId, reason: episode.failure });
      own.push(episode);
      episodes.push(episode);
    }
    aggregates[name] = aggregateEpisodes(own);
  });

  return {
    schema: 'airlock.backtest/1',
    instrument: input.day.instrument,
    date: input.day.date,
    seed: input.seed,
    events: input.day.length,
    queueModel: engine.exactQueue ? 'exact' : 'probabilistic',
    config,
    strategies: names,
    orders: nO,
    aggregates,
    episodes,
    failures,
    ...(engine.fills !== null ? { fills: engine.fills } : {}),
  };
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** One episode's result, as a literal with a fixed shape (5,000 of these are built per run). */
function episodeResult(engine: ReplayEngine, strategy: string, e: number, o: number, order: ParentOrder): EpisodeResult {
  const side = order.side === 'buy' ? 1 : -1;
  const filled = engine.filled[e] as number;
  const passiveFilled = engine.passiveFilled[e] as number;
  const arrivalMid = engine.oArrivalMid[o] as number;
  const endMid = engine.oEndMid[o] as number;
  const endMark = endMid * (1 + (side * engine.impactShiftBps(filled)) / 1e4);
  let failure = engine.failure[e] ?? null;
  if (failure === null && (!Number.isFinite(arrivalMid) || !Number.isFinite(endMid))) failure = 'no two-sided book at the start or end of the window';
  const m =
    failure === null
      ? episodeMetrics({
          side,
          quantity: order.quantity,
          filled,
          passiveFilled,
          grossNotional: engine.notional[e] as number,
          fees: engine.feesPaid[e] as number,
          arrivalMid,
          endMark,
          marketVolume: engine.oMarketVolume[o] as number,
          marketNotional: engine.oMarketNotional[o] as number,
        })
      : null;
  return {
    strategy,
    orderId: order.id,
    side: order.side,
    quantity: order.quantity,
    startNs: order.startNs,
    endNs: order.endNs,
    status: failure === null ? 'ok' : 'failed',
    failure,
    filled,
    passiveFilled,
    childOrders: engine.childOrders[e] as number,
    invalidActions: engine.invalidActions[e] as number,
    arrivalMid: finiteOrNull(arrivalMid),
    endMark: finiteOrNull(endMark),
    avgFillPrice: m ? m.avgFillPrice : null,
    marketVwap: m ? m.marketVwap : null,
    isBps: m ? m.isBps : null,
    isExecutionBps: m ? m.isExecutionBps : null,
    isOpportunityBps: m ? m.isOpportunityBps : null,
    feesBps: m ? m.feesBps : null,
    vwapSlippageBps: m ? m.vwapSlippageBps : null,
    participation: m ? m.participation : null,
    completion: m ? m.completion : null,
    passiveFillRatio: m ? m.passiveFillRatio : null,
  };
}
