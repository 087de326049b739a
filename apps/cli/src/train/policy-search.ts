import type { BatchPolicy } from '@airlock/core';
import { buildMlpPolicy, mlpForward, type MlpSpec } from '@airlock/onnx';
import { createRng, runBacktest, widenSpread, type MarketDay, type ParentOrder } from '@airlock/sim';

/** The inputs the searched policies read (catalog features) and what they answer. */
export const TRAIN_FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks', 'imbalance_l1'] as const;
export const TRAIN_ACTIONS = ['participation', 'aggression'] as const;

/** Objective, bps: mean implementation shortfall plus 100 bps per unit of unfilled quantity (never trading is not cheap). */
export const UNFILLED_PENALTY_BPS = 100;

export interface Evaluation {
  /** The searched quantity, bps (lower is better). */
  readonly objective: number;
  readonly meanIsBps: number;
  readonly meanCompletion: number;
  readonly episodes: number;
  readonly failed: number;
}

export interface SearchResult {
  readonly initial: { readonly spec: MlpSpec; readonly evaluation: Evaluation };
  readonly best: { readonly spec: MlpSpec; readonly evaluation: Evaluation; readonly iteration: number };
  readonly iterations: number;
}

/** One affine layer with a sigmoid: participation and aggression from the five features. */
function specOf(weights: readonly (readonly number[])[], bias: readonly number[], metadata?: Record<string, string>): MlpSpec {
  return {
    features: [...TRAIN_FEATURES],
    actions: [...TRAIN_ACTIONS],
    activation: 'relu',
    output: 'sigmoid',
    layers: [{ weights: weights.map((row) => [...row]), bias: [...bias] }],
    ...(metadata ? { metadata } : {}),
  };
}

/** A policy computed in plain JS (float64 forward pass of the spec): the search never needs onnxruntime. */
function jsPolicy(spec: MlpSpec): BatchPolicy {
  return {
    name: 'search',
    features: spec.features,
    actions: spec.actions,
    decide: async (input, rows) => mlpForward(spec, input.subarray(0, rows * spec.features.length)),
  };
}

/**
 * The markets a policy is trained on: the day as recorded, and the same day with its spread widened by
 * TRAINING_SPREAD_WIDEN_TICKS (the validation suites' `wide-spread` stress). Without the second, a search on a
 * day of one-tick spreads learns weights on `spread_ticks` that stop it trading when spreads widen.
 */
export const TRAINING_SPREAD_WIDEN_TICKS = 2;
export const trainingMarkets = (day: MarketDay): MarketDay[] => [day, widenSpread(day, TRAINING_SPREAD_WIDEN_TICKS)];

/** The policy's episodes over the orders on every market, pooled. */
export async function evaluate(markets: readonly MarketDay[], orders: readonly ParentOrder[], spec: MlpSpec, seed: number): Promise<Evaluation> {
  const results = await Promise.all(markets.map((day) => runBacktest({ day, orders, strategies: { candidate: jsPolicy(spec) }, seed })));
  const ok = results.flatMap((r) => r.episodes).filter((e) => e.isBps !== null && e.completion !== null);
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  if (ok.length === 0) return { objective: Number.POSITIVE_INFINITY, meanIsBps: Number.NaN, meanCompletion: 0, episodes: 0, failed };
  const meanIsBps = ok.reduce((s, e) => s + (e.isBps as number), 0) / ok.length;
  const meanCompletion = ok.reduce((s, e) => s + (e.completion as number), 0) / ok.length;
  return { objective: meanIsBps + UNFILLED_PENALTY_BPS * (1 - meanCompletion), meanIsBps, meanCompletion, episodes: ok.length, failed };
}

/**
 * A small, seeded policy search on the simulator (hill climbing with Gaussian steps that shrink over the run),
 * starting from a schedule-following policy: participation rises when behind schedule, aggression near the end.
 * Each policy is scored over the orders on the day and on its wide-spread copy (trainingMarkets). Deterministic:
 * the same day, orders, iterations and seed give the same policy. The best policy found is kept, so the result is
 * never worse than the start on these orders.
 */
export async function searchPolicy(input: {
  readonly day: MarketDay;
  readonly orders: readonly ParentOrder[];
  readonly iterations: number;
  readonly seed: number;
  readonly onIteration?: (iteration: number, best: Evaluation) => void;
}): Promise<SearchResult> {
  const rng = createRng(input.seed);
  // Start: participation = σ(−8·schedule_deviation − 1), aggression = σ(−6·time_remaining − 10·schedule_deviation + 1).
  let weights = [
    [0, 0, -8, 0, 0],
    [-6, 0, -10, 0, 0],
  ];
  let bias = [-1, 1];
  const initialSpec = specOf(weights, bias);
  const markets = trainingMarkets(input.day);
  const initial = await evaluate(markets, input.orders, initialSpec, input.seed);
  let best = { spec: initialSpec, evaluation: initial, iteration: 0 };
  for (let i = 1; i <= input.iterations; i++) {
    const scale = 2 * (1 - (i - 1) / Math.max(1, input.iterations));
    const tryWeights = weights.map((row) => row.map((w) => w + scale * rng.normal()));
    const tryBias = bias.map((b) => b + scale * rng.normal());
    const spec = specOf(tryWeights, tryBias);
    const evaluation = await evaluate(markets, input.orders, spec, input.seed);
    if (evaluation.objective < best.evaluation.objective) {
      best = { spec, evaluation, iteration: i };
      weights = tryWeights;
      bias = tryBias;
    }
    input.onIteration?.(i, best.evaluation);
  }
  return { initial: { spec: initialSpec, evaluation: initial }, best, iterations: input.iterations };
}

/** The best policy as an ONNX artifact and its manifest (training lineage: data, search parameters, metrics). */
export function exportPolicy(result: SearchResult, lineage: { readonly dataset: string; readonly params: Record<string, unknown> }): { onnx: Uint8Array; manifest: Record<string, unknown> } {
  const { spec, evaluation } = result.best;
  const onnx = buildMlpPolicy({ ...spec, metadata: { 'airlock.training': `policy search: ${lineage.dataset}` } });
  const manifest = {
    features: spec.features,
    actions: spec.actions,
    training: {
      dataset: lineage.dataset,
      params: { ...lineage.params, method: 'seeded hill-climbing policy search (airlock train)', bestIteration: result.best.iteration },
      metrics: { meanIsBps: evaluation.meanIsBps, meanCompletion: evaluation.meanCompletion, objective: evaluation.objective, initialObjective: result.initial.evaluation.objective },
    },
  };
  return { onnx, manifest };
}
