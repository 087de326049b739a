import type { BatchPolicy } from '@airlock/core';
import type { FeatureRows } from '../features/feature-engine.js';
import type { ExpectedVolume } from '../features/volume-curve.js';

/**
 * One decision time's worth of episodes for one strategy, in structure-of-arrays form (row r of each array is
 * one episode; only rows [0, size) are meaningful — arrays are preallocated to the largest batch).
 * The engine fills the inputs; the strategy writes `participation` and `aggression` for every row.
 */
export interface DecisionBatch extends FeatureRows {
  /** Decision time, ns after midnight. */
  readonly timeNs: number;
  /** ns until the next decision. */
  readonly intervalNs: number;
  /** Rows in this batch. */
  readonly size: number;
  /** The expected-volume curve (unit of participation; VWAP's schedule). */
  readonly curve: ExpectedVolume;
  /** Row r's parent order: its index in the engine's order list (to tell which order a decision was for). */
  readonly orders: Int32Array;
  /** 0 patient … 1 urgent (ParentOrder.urgency). */
  readonly urgency: Float64Array;
  /** Shares the curve expects in [t, min(t + interval, end)): the unit of `participation`. */
  readonly expectedIntervalVolume: Float64Array;
  /** Shares the market actually traded (visible + hidden + crosses) over (start, t]. */
  readonly marketVolumeSinceStart: Float64Array;
  /** size × features.length, row-major, float32: the strategy's declared features, from the FeatureEngine. */
  readonly features: Float32Array;
  /** Output: share of expectedIntervalVolume to work in the next interval, in [0, 1]. NaN fails the episode. */
  readonly participation: Float64Array;
  /** Output: 0 = all passive at our touch … 1 = all crossing; in [0, 1]. NaN fails the episode. */
  readonly aggression: Float64Array;
}

/**
 * The engine's internal decision port. Baselines implement it directly (they need the schedule inputs above,
 * which are not catalog features); any @airlock/core BatchPolicy (a candidate, a champion, an ONNX model)
 * is adapted to it by `policyStrategy`, which feeds it exactly the catalog features its manifest names.
 */
export interface ExecutionStrategy {
  readonly kind: 'execution-strategy';
  /** Catalog features the engine must compute into `batch.features`, in column order. */
  readonly features: readonly string[];
  /** Decides for every row of the batch; may be async (model inference). Throwing fails every row of the batch. */
  plan(batch: DecisionBatch): void | Promise<void>;
}

export type StrategyInput = BatchPolicy | ExecutionStrategy;

export const isExecutionStrategy = (value: StrategyInput): value is ExecutionStrategy =>
  (value as Partial<ExecutionStrategy>).kind === 'execution-strategy';
