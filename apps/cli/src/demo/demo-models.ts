import { buildMlpPolicy, type MlpSpec } from '@airlock/onnx';
import { generateParentOrders, type MarketDay } from '@airlock/sim';
import { exportPolicy, searchPolicy, type Evaluation, type SearchResult } from '../train/policy-search.js';

/** Training set size and search length: enough for a real improvement, a few seconds on two cores. */
export const TRAIN_ORDERS = 200;
export const TRAIN_ITERATIONS = 100;
export const TRAIN_SEED = 1;

export interface DemoModel {
  readonly onnx: Uint8Array;
  readonly manifest: Record<string, unknown>;
  readonly summary: string;
}

export interface DemoModels {
  /** The starting point of the search: a schedule-following rule (participation up when behind, aggression late). */
  readonly champion: DemoModel;
  /** What `airlock train` found on the same data and orders. */
  readonly candidate: DemoModel;
  /**
   * The candidate exported with a column-order bug: the weights of `schedule_deviation` and `spread_ticks` swapped,
   * so a spread of a few ticks reads as being far ahead of schedule and it barely trades. A loadable ONNX model
   * with finite, in-bound outputs and the same manifest: registration accepts it.
   */
  readonly faulty: DemoModel;
  readonly search: SearchResult;
}

const describe = (e: Evaluation): string => `mean IS ${e.meanIsBps.toFixed(2)} bps, ${(e.meanCompletion * 100).toFixed(1)}% filled`;

/** Trains the demo's models on `day` (deterministic: the same day gives the same three artifacts). */
export async function trainDemoModels(day: MarketDay, dataset: string, onIteration: (iteration: number, total: number, best: Evaluation) => void): Promise<DemoModels> {
  const orders = generateParentOrders(day, { count: TRAIN_ORDERS, seed: TRAIN_SEED });
  const search = await searchPolicy({ day, orders, iterations: TRAIN_ITERATIONS, seed: TRAIN_SEED, onIteration: (i, best) => onIteration(i, TRAIN_ITERATIONS, best) });
  const params = { seed: TRAIN_SEED, orders: TRAIN_ORDERS, iterations: TRAIN_ITERATIONS };
  const candidate = exportPolicy(search, { dataset, params });
  const rule = exportPolicy({ ...search, best: { ...search.initial, iteration: 0 } }, { dataset, params: { rule: 'schedule-following (the search’s starting point)' } });
  const faultySpec = swapInputColumns(search.best.spec, 'schedule_deviation', 'spread_ticks');
  return {
    champion: { ...rule, summary: describe(search.initial.evaluation) },
    candidate: { ...candidate, summary: describe(search.best.evaluation) },
    faulty: {
      onnx: buildMlpPolicy({ ...faultySpec, metadata: { 'airlock.training': `policy search: ${dataset} (re-exported)` } }),
      manifest: { ...candidate.manifest, training: { ...(candidate.manifest.training as Record<string, unknown>), params: { ...params, exportNote: 'hotfix re-export' } } },
      summary: 'the candidate re-exported with two input columns swapped (schedule_deviation ↔ spread_ticks)',
    },
    search,
  };
}

/** The first layer's weights of features `a` and `b` exchanged (the manifest unchanged): a column-order bug. */
function swapInputColumns(spec: MlpSpec, a: string, b: string): MlpSpec {
  const [i, j] = [spec.features.indexOf(a), spec.features.indexOf(b)];
  const swapped = (row: readonly number[]) => row.map((w, k) => (k === i ? (row[j] as number) : k === j ? (row[i] as number) : w));
  return { ...spec, layers: spec.layers.map((layer, n) => (n === 0 ? { ...layer, weights: layer.weights.map(swapped) } : layer)) };
}
