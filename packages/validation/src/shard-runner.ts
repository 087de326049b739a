import { DomainError, type BatchPolicy } from '@airlock/core';
import {
  applyScenario,
  createBaseline,
  generateParentOrders,
  hashString,
  mixSeed,
  runBacktest,
  seed32,
  type EpisodeResult,
  type MarketDay,
  type ParentOrder,
  type StrategyInput,
} from '@airlock/sim';
import type { ShardSpec } from './shard-plan.js';
import type { Suite } from './suite.js';

const NS_PER_MINUTE = 60_000_000_000;

/** The per-episode figures a run needs, keyed so that episodes pair across strategies, shards and scenarios. */
export interface ShardEpisode {
  /** `<datasetIndex>/<scenario>/<orderId>`: identical for every strategy on the same episode. */
  readonly key: string;
  readonly strategy: string;
  readonly status: 'ok' | 'failed';
  readonly failure: string | null;
  /** bps, signed: positive = cost. */
  readonly isBps: number | null;
  readonly vwapSlippageBps: number | null;
  readonly participation: number | null;
  readonly completion: number | null;
  readonly passiveFillRatio: number | null;
  readonly childOrders: number;
  readonly invalidActions: number;
}

export interface ShardResult {
  readonly shard: ShardSpec;
  /** Market messages replayed. */
  readonly events: number;
  readonly episodes: readonly ShardEpisode[];
}

/** Strategy names in results: the candidate, the champion (if any), then the suite's baselines. */
export const CANDIDATE = 'candidate';
export const CHAMPION = 'champion';

export interface ShardInputs {
  readonly suite: Suite;
  readonly shard: ShardSpec;
  /** The dataset's day, unmodified (the scenario is applied here). */
  readonly day: MarketDay;
  readonly candidate: BatchPolicy;
  readonly champion?: BatchPolicy;
}

/** The suite's parent orders on a dataset: the same for every scenario and shard (seeded from the suite). */
export function suiteOrders(suite: Suite, day: MarketDay): ParentOrder[] {
  const minutes = suite.orders.durationMinutes;
  return generateParentOrders(day, {
    count: suite.orders.count,
    seed: suite.orders.seed,
    sizePctRange: suite.orders.sizePctRange,
    durationRangeNs: minutes ? [minutes[0] * NS_PER_MINUTE, minutes[1] * NS_PER_MINUTE] : undefined,
    gridNs: suite.backtest?.decisionIntervalNs,
  });
}

/**
 * A scenario's transformed day, made once per (day, scenario) and kept while the day lives: every shard of that
 * dataset × scenario reads the same one instead of copying (and, for depth scaling, re-deriving) the whole day.
 */
const appliedScenarios = new WeakMap<MarketDay, Map<string, ReturnType<typeof applyScenario>>>();
/** The suite's orders per (day, order settings), likewise shared by every shard of the day. */
const ordersByDay = new WeakMap<MarketDay, Map<string, ParentOrder[]>>();

function scenarioOn(day: MarketDay, scenario: Suite['scenarios'][number], baseConfig: { decisionIntervalNs?: number }) {
  let byKey = appliedScenarios.get(day);
  if (!byKey) appliedScenarios.set(day, (byKey = new Map()));
  const key = JSON.stringify([scenario, baseConfig]);
  let applied = byKey.get(key);
  if (!applied) byKey.set(key, (applied = applyScenario(day, scenario, { baseConfig })));
  return applied;
}

function ordersOn(suite: Suite, day: MarketDay): ParentOrder[] {
  let byKey = ordersByDay.get(day);
  if (!byKey) ordersByDay.set(day, (byKey = new Map()));
  const key = JSON.stringify([suite.orders, suite.backtest?.decisionIntervalNs ?? null]);
  let orders = byKey.get(key);
  if (!orders) byKey.set(key, (orders = suiteOrders(suite, day)));
  return orders;
}

/**
 * Runs one shard: every strategy on the shard's orders over one replay of the scenario's day. Deterministic:
 * the same suite, shard, day and policies give the same episodes, whichever worker runs it and however often.
 */
export async function runShard(inputs: ShardInputs): Promise<ShardResult> {
  const { suite, shard, day } = inputs;
  const scenario = suite.scenarios.find((s) => s.name === shard.scenario);
  if (!scenario) throw new DomainError('VALIDATION_FAILED', `shard names unknown scenario "${shard.scenario}"`);
  const orders = ordersOn(suite, day).slice(shard.orderFrom, shard.orderTo);
  const seed = mixSeed(mixSeed(seed32(suite.seed), shard.datasetIndex), hashString(scenario.name));
  const baseConfig = suite.backtest?.decisionIntervalNs ? { decisionIntervalNs: suite.backtest.decisionIntervalNs } : {};
  const stressed = scenarioOn(day, scenario, baseConfig);
  const strategies: Record<string, StrategyInput> = { [CANDIDATE]: stressed.wrapPolicy(inputs.candidate, mixSeed(seed, 1)) };
  if (inputs.champion) strategies[CHAMPION] = stressed.wrapPolicy(inputs.champion, mixSeed(seed, 1));
  for (const name of suite.baselines) strategies[name] = createBaseline(name);
  const result = await runBacktest({
    day: stressed.day,
    orders,
    strategies,
    seed,
    config: stressed.config,
  });
  return { shard, events: result.events, episodes: result.episodes.map((e) => compactEpisode(e, shard)) };
}

const compactEpisode = (e: EpisodeResult, shard: ShardSpec): ShardEpisode => ({
  key: `${shard.datasetIndex}/${shard.scenario}/${e.orderId}`,
  strategy: e.strategy,
  status: e.status,
  failure: e.failure,
  isBps: e.isBps,
  vwapSlippageBps: e.vwapSlippageBps,
  participation: e.participation,
  completion: e.completion,
  passiveFillRatio: e.passiveFillRatio,
  childOrders: e.childOrders,
  invalidActions: e.invalidActions,
});
