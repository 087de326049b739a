/**
 * Messages between validateArtifact (parent) and probe-worker.mjs (the bounded child that loads the untrusted
 * model). One request at a time, each answered by exactly one reply; sent over Node's IPC channel with
 * `serialization: 'advanced'` so Float32Arrays travel as typed arrays.
 */

/** What onnxruntime reports for one model input or output. */
export interface ValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  /** Tensor element type, e.g. `float32` (absent for non-tensors). */
  readonly type?: string;
  /** Dimensions: numbers are fixed sizes, strings are symbolic (e.g. `N`); [] if unknown. */
  readonly shape?: readonly (number | string)[];
}

export type ParentMessage =
  | {
      readonly type: 'load';
      /** Path of a private temp copy of the artifact. */
      readonly path: string;
      readonly intraOpNumThreads: number;
    }
  | {
      readonly type: 'run';
      /** Row-major rows × width. */
      readonly input: Float32Array;
      readonly rows: number;
      readonly width: number;
      /** The child returns the output data only if it is float32 [rows, outputWidth] (never a huge buffer). */
      readonly outputWidth: number;
    }
  | {
      readonly type: 'time';
      /** One row (width values) for single-row timing. */
      readonly row: Float32Array;
      /** batchRows × width for batch timing. */
      readonly batch: Float32Array;
      readonly batchRows: number;
      readonly width: number;
      /** Untimed runs of each kind first (allocator and cache warm-up): at least one, at most `runs`, within `budgetMs`. */
      readonly warmup: SamplingBudget;
      /** Timed single-row runs. */
      readonly single: SamplingBudget;
      /** Timed batch runs. */
      readonly batches: SamplingBudget;
    };

/**
 * How many runs of one kind to take: at least `minRuns`, then more while less than `budgetMs` of wall time has
 * been spent on this kind, never more than `maxRuns`. A cheap model gets `maxRuns` samples quickly; a heavy one
 * (a large dense network) gets fewer instead of taking seconds per kind.
 */
export interface SamplingBudget {
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Wall time after which no new run starts once `minRuns` are done, ms. */
  readonly budgetMs: number;
}

export type ChildMessage =
  | {
      readonly type: 'ready';
      readonly pid: number;
      readonly ortVersion: string;
      /** The idle worker's data segment (VmData), bytes: the baseline its memory bound is set above; null if unknown. */
      readonly vmDataBytes: number | null;
    }
  | {
      readonly type: 'loaded';
      readonly inputs: readonly ValueInfo[];
      readonly outputs: readonly ValueInfo[];
      /** Session creation time, ms. */
      readonly loadMs: number;
    }
  | {
      readonly type: 'ran';
      /** Actual output element type and dims of this run. */
      readonly outputType: string;
      readonly dims: readonly number[];
      /** Row-major output, or null when type or dims are not float32 [rows, outputWidth]. */
      readonly data: Float32Array | null;
    }
  | {
      readonly type: 'timed';
      /** Wall time of each timed `session.run`, ns (as many entries as runs were taken). */
      readonly singleNs: readonly number[];
      readonly batchNs: readonly number[];
    }
  | { readonly type: 'failed'; readonly stage: 'load' | 'run' | 'time'; readonly message: string };
