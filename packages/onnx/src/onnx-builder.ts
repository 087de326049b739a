/**
 * Writes example execution models that follow the contract (docs/model-contract.md) without Python: ONNX
 * ModelProto bytes via onnx-proto. Used by tests, fixtures, the demo and the policy search; the "bad" builders
 * produce the artifacts registration must reject (NaN outputs, out-of-bound outputs, models that never finish
 * or allocate too much).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import {
  BATCH_DIM,
  BUILDER_IR_VERSION,
  BUILDER_OPSET,
  BUILDER_PRODUCER,
  INPUT_NAME,
  METADATA_ACTIONS_KEY,
  METADATA_FEATURES_KEY,
  OUTPUT_NAME,
} from './model-contract.js';
import { FEATURE_PROBE_RANGES } from './probe-batch.js';
import { mulberry32, uniform } from './seeded-random.js';

// onnx-proto is CommonJS: its namespace object arrives as the default export.
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const BOOL = onnx.TensorProto.DataType.BOOL;
const ATTR = onnx.AttributeProto.AttributeType;
/** The ONNX-ML operator domain (tree ensembles, …) and the version whose TreeEnsembleRegressor we write. */
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';
export const BUILDER_ML_OPSET = 3;

export type HiddenActivation = 'relu' | 'tanh';
/** `clip01` clamps to [0, 1] (Clip); `identity` leaves the last layer's affine output as it is. */
export type OutputActivation = 'sigmoid' | 'clip01' | 'identity';

/** One dense layer: y = x · weightsᵀ + bias (PyTorch `nn.Linear` layout). */
export interface MlpLayer {
  /** weights[out][in]: one row per output unit. */
  readonly weights: readonly (readonly number[])[];
  /** bias[out]. */
  readonly bias: readonly number[];
}

export interface MlpSpec {
  /** Input column names (catalog features), written to `airlock.features`. */
  readonly features: readonly string[];
  /** Output column names (catalog actions), written to `airlock.actions`. */
  readonly actions: readonly string[];
  /** At least one layer; the first takes features.length inputs, the last gives actions.length outputs. */
  readonly layers: readonly MlpLayer[];
  /** Applied after every layer but the last. */
  readonly activation: HiddenActivation;
  /** Applied after the last layer. */
  readonly output: OutputActivation;
  /** Extra `metadata_props` entries (e.g. training lineage). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** How the model is wrapped, independent of what it computes; the defaults follow the contract. */
export interface ModelOptions {
  /** First dimension of input and output: symbolic name (default `N`) or a fixed size. */
  readonly batchDim?: string | number;
  /** Write `airlock.features` / `airlock.actions` (default true). */
  readonly nameMetadata?: boolean;
}

/** Names of the columns only, for the builders that ignore weights. */
export interface ColumnNames {
  readonly features: readonly string[];
  readonly actions: readonly string[];
}

// ---------------------------------------------------------------------------------------------- graph plumbing

/** Collects nodes and initializers with unique generated value names. */
class GraphBuilder {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private counter = 0;

  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  floats(prefix: string, dims: readonly number[], values: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  int64s(prefix: string, dims: readonly number[], values: readonly number[]): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: INT64, dims: [...dims], int64Data: [...values] });
    return name;
  }

  bool(prefix: string, value: boolean): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: BOOL, dims: [], int32Data: [value ? 1 : 0] });
    return name;
  }

  /** Adds a node and returns its (first) output name; `output` fixes the name, e.g. the graph output. */
  node(opType: string, inputs: readonly string[], attributes: OnnxTypes.IAttributeProto[] = [], output?: string, domain = ''): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, domain, input: [...inputs], output: [out], name: this.fresh(`${opType}_node`), attribute: attributes });
    return out;
  }
}

const floatTensor = (name: string, dims: readonly number[], values: readonly number[]): OnnxTypes.ITensorProto => ({
  name,
  dataType: FLOAT,
  dims: [...dims],
  floatData: [...values],
});

const intAttr = (name: string, i: number): OnnxTypes.IAttributeProto => ({ name, type: ATTR.INT, i });

const tensorValueInfo = (name: string, elemType: number, dims: readonly (number | string)[]): OnnxTypes.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

interface ModelParts {
  readonly graph: GraphBuilder;
  readonly columns: ColumnNames;
  /** Declared input and output widths (default: the column counts). */
  readonly inputWidth?: number;
  readonly outputWidth?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly graphName: string;
  /** Opsets of other domains the graph uses (the default domain's is always imported). */
  readonly extraOpsets?: readonly { readonly domain: string; readonly version: number }[];
}

function encodeModel(parts: ModelParts, options: ModelOptions = {}): Uint8Array {
  const batch = options.batchDim ?? BATCH_DIM;
  const metadata: Record<string, string> = {};
  if (options.nameMetadata ?? true) {
    metadata[METADATA_FEATURES_KEY] = JSON.stringify(parts.columns.features);
    metadata[METADATA_ACTIONS_KEY] = JSON.stringify(parts.columns.actions);
  }
  Object.assign(metadata, parts.metadata ?? {});
  const model = onnx.ModelProto.create({
    irVersion: BUILDER_IR_VERSION,
    producerName: BUILDER_PRODUCER,
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: BUILDER_OPSET }, ...(parts.extraOpsets ?? [])],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: parts.graphName,
      node: parts.graph.nodes,
      initializer: parts.graph.initializers,
      input: [tensorValueInfo(INPUT_NAME, FLOAT, [batch, parts.inputWidth ?? parts.columns.features.length])],
      output: [tensorValueInfo(OUTPUT_NAME, FLOAT, [batch, parts.outputWidth ?? parts.columns.actions.length])],
    },
  });
  // Copy out of protobufjs's pooled Buffer so the caller owns a plain, zero-offset Uint8Array.
  return new Uint8Array(onnx.ModelProto.encode(model).finish());
}

/** Adds y = x · Wᵀ + b; returns y's name. */
function addGemm(graph: GraphBuilder, x: string, layer: MlpLayer, output?: string): string {
  const outDim = layer.weights.length;
  const inDim = layer.weights[0]?.length ?? 0;
  const w = graph.floats('W', [outDim, inDim], layer.weights.flat());
  const b = graph.floats('B', [outDim], layer.bias);
  return graph.node('Gemm', [x, w, b], [intAttr('transB', 1)], output);
}

function addOutputActivation(graph: GraphBuilder, x: string, output: OutputActivation, name: string): string {
  switch (output) {
    case 'sigmoid':
      return graph.node('Sigmoid', [x], [], name);
    case 'clip01':
      // Opset 13 Clip takes its bounds as (scalar) inputs, not attributes.
      return graph.node('Clip', [x, graph.floats('clip_min', [], [0]), graph.floats('clip_max', [], [1])], [], name);
    case 'identity':
      return graph.node('Identity', [x], [], name);
  }
}

// ------------------------------------------------------------------------------------------------------- MLPs

/** Checks that the layer widths chain from features.length to actions.length; throws on a malformed spec. */
export function checkMlpSpec(spec: MlpSpec): void {
  if (spec.layers.length === 0) throw new Error('an MLP needs at least one layer');
  let width = spec.features.length;
  spec.layers.forEach((layer, i) => {
    if (layer.weights.length === 0) throw new Error(`layer ${i} has no output units`);
    layer.weights.forEach((row, j) => {
      if (row.length !== width) throw new Error(`layer ${i} row ${j} has ${row.length} weights, expected ${width}`);
    });
    if (layer.bias.length !== layer.weights.length) {
      throw new Error(`layer ${i} has ${layer.bias.length} biases for ${layer.weights.length} units`);
    }
    width = layer.weights.length;
  });
  if (width !== spec.actions.length) throw new Error(`the last layer gives ${width} outputs, expected ${spec.actions.length} actions`);
}

/** An MLP policy: Gemm (+ Relu|Tanh) per hidden layer, a final Gemm, then Sigmoid|Clip|Identity. */
export function buildMlpPolicy(spec: MlpSpec, options: ModelOptions = {}): Uint8Array {
  checkMlpSpec(spec);
  const graph = new GraphBuilder();
  let x = INPUT_NAME;
  spec.layers.forEach((layer, i) => {
    const last = i === spec.layers.length - 1;
    x = addGemm(graph, x, layer);
    if (!last) x = graph.node(spec.activation === 'relu' ? 'Relu' : 'Tanh', [x]);
  });
  addOutputActivation(graph, x, spec.output, OUTPUT_NAME);
  return encodeModel({ graph, columns: spec, metadata: spec.metadata, graphName: 'airlock_mlp' }, options);
}

export interface RandomMlpOptions extends ColumnNames {
  readonly seed: number;
  /** Widths of the hidden layers, e.g. [16, 16]; [] gives a single affine layer. */
  readonly hidden: readonly number[];
  readonly activation?: HiddenActivation;
  /** Default `sigmoid`, which keeps every output in [0, 1]. */
  readonly output?: OutputActivation;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A seeded random MLP with PyTorch's default `nn.Linear` initialisation: weights and biases uniform in
 * ±1/sqrt(fan_in). The same seed gives byte-identical models.
 */
export function randomMlpPolicy(options: RandomMlpOptions, modelOptions: ModelOptions = {}): { spec: MlpSpec; bytes: Uint8Array } {
  const rng = mulberry32(options.seed);
  const widths = [options.features.length, ...options.hidden, options.actions.length];
  const layers: MlpLayer[] = [];
  for (let i = 1; i < widths.length; i += 1) {
    const fanIn = widths[i - 1] ?? 0;
    const fanOut = widths[i] ?? 0;
    const k = 1 / Math.sqrt(fanIn);
    const weights = Array.from({ length: fanOut }, () => Array.from({ length: fanIn }, () => uniform(rng, -k, k)));
    const bias = Array.from({ length: fanOut }, () => uniform(rng, -k, k));
    layers.push({ weights, bias });
  }
  const spec: MlpSpec = {
    features: options.features,
    actions: options.actions,
    layers,
    activation: options.activation ?? 'tanh',
    output: options.output ?? 'sigmoid',
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  return { spec, bytes: buildMlpPolicy(spec, modelOptions) };
}

/**
 * Plain-JS forward pass of an MLP spec, in float64 (the ONNX model computes in float32, so expect agreement
 * to ~1e-6, not bit-identity). `input` is row-major, rows × features.length; returns rows × actions.length.
 */
export function mlpForward(spec: MlpSpec, input: Float32Array): Float32Array {
  checkMlpSpec(spec);
  const f = spec.features.length;
  if (input.length % f !== 0) throw new Error(`input length ${input.length} is not a multiple of ${f} features`);
  const rows = input.length / f;
  const a = spec.actions.length;
  const out = new Float32Array(rows * a);
  for (let r = 0; r < rows; r += 1) {
    let x: number[] = Array.from(input.subarray(r * f, (r + 1) * f));
    spec.layers.forEach((layer, i) => {
      const last = i === spec.layers.length - 1;
      x = layer.weights.map((w, j) => w.reduce((sum, wk, k) => sum + wk * (x[k] ?? 0), layer.bias[j] ?? 0));
      if (!last) x = x.map(spec.activation === 'relu' ? (v) => Math.max(0, v) : Math.tanh);
    });
    const y = x.map((v) => {
      switch (spec.output) {
        case 'sigmoid':
          return 1 / (1 + Math.exp(-v));
        case 'clip01':
          return Math.min(1, Math.max(0, v));
        case 'identity':
          return v;
      }
    });
    out.set(y, r * a);
  }
  return out;
}

// ------------------------------------------------------------------------------------------ tree ensembles

/**
 * One regression tree, complete and binary, of depth d ≥ 1, in heap order: branch node i (0 ≤ i < 2^d − 1) has
 * children 2i + 1 (taken when x[feature] ≤ threshold, or when the value is NaN: never) and 2i + 2; the 2^d leaves
 * follow the branches. Gradient-boosted trees with a depth limit (XGBoost, LightGBM's max_depth) have this shape.
 */
export interface RegressionTree {
  /** Per branch node: the input column it tests (0-based). */
  readonly features: readonly number[];
  /** Per branch node: the left child is taken when x[feature] ≤ threshold. */
  readonly thresholds: readonly number[];
  /** Per leaf, left to right: one value per action, added to the ensemble's sum. */
  readonly leaves: readonly (readonly number[])[];
}

export interface TreeEnsembleSpec extends ColumnNames {
  /** At least one tree; all of the same depth is not required. */
  readonly trees: readonly RegressionTree[];
  /** Added to the sum of the trees, one per action (a booster's base score). */
  readonly base: readonly number[];
  /** Applied to base + Σ trees (default `sigmoid`, which keeps every output in [0, 1]). */
  readonly output: OutputActivation;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Depth of a complete tree from its leaf count; throws on a malformed tree. */
function treeDepth(tree: RegressionTree, index: number, features: number, actions: number): number {
  const leaves = tree.leaves.length;
  const depth = Math.log2(leaves);
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`tree ${index} has ${leaves} leaves, expected 2^d with d ≥ 1`);
  if (tree.features.length !== leaves - 1 || tree.thresholds.length !== leaves - 1) {
    throw new Error(`tree ${index} needs ${leaves - 1} branch features and thresholds for ${leaves} leaves`);
  }
  if (tree.features.some((f) => !Number.isInteger(f) || f < 0 || f >= features)) throw new Error(`tree ${index} tests a column outside [0, ${features})`);
  if (tree.leaves.some((leaf) => leaf.length !== actions)) throw new Error(`tree ${index} has a leaf without exactly ${actions} values`);
  return depth;
}

export function checkTreeEnsembleSpec(spec: TreeEnsembleSpec): void {
  if (spec.trees.length === 0) throw new Error('a tree ensemble needs at least one tree');
  if (spec.base.length !== spec.actions.length) throw new Error(`base needs one value per action (${spec.actions.length})`);
  spec.trees.forEach((tree, i) => treeDepth(tree, i, spec.features.length, spec.actions.length));
}

/**
 * A gradient-boosted tree ensemble as ONNX-ML `TreeEnsembleRegressor` (domain ai.onnx.ml, opset 3, as
 * onnxmltools exports LightGBM and XGBoost regressors) summing the trees per action, then Sigmoid|Clip|Identity.
 * Its bytes grow with the node count (~15 kB per depth-8 tree with two actions) while a row costs only
 * trees × depth comparisons: a large artifact that is cheap to run.
 */
export function buildTreeEnsemblePolicy(spec: TreeEnsembleSpec, options: ModelOptions = {}): Uint8Array {
  checkTreeEnsembleSpec(spec);
  const a = spec.actions.length;
  const nodeTree: number[] = [];
  const nodeId: number[] = [];
  const nodeFeature: number[] = [];
  const nodeValue: number[] = [];
  const nodeTrue: number[] = [];
  const nodeFalse: number[] = [];
  const nodeMode: Uint8Array[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetId: number[] = [];
  const targetWeight: number[] = [];
  // protobufjs writes `strings` as bytes: one shared encoding per mode.
  const BRANCH = new TextEncoder().encode('BRANCH_LEQ');
  const LEAF = new TextEncoder().encode('LEAF');
  spec.trees.forEach((tree, t) => {
    const branches = tree.features.length;
    for (let i = 0; i < branches; i += 1) {
      nodeTree.push(t);
      nodeId.push(i);
      nodeFeature.push(tree.features[i] ?? 0);
      nodeValue.push(tree.thresholds[i] ?? 0);
      nodeTrue.push(2 * i + 1);
      nodeFalse.push(2 * i + 2);
      nodeMode.push(BRANCH);
    }
    tree.leaves.forEach((leaf, j) => {
      const id = branches + j;
      nodeTree.push(t);
      nodeId.push(id);
      nodeFeature.push(0);
      nodeValue.push(0);
      nodeTrue.push(0);
      nodeFalse.push(0);
      nodeMode.push(LEAF);
      leaf.forEach((value, k) => {
        targetTree.push(t);
        targetNode.push(id);
        targetId.push(k);
        targetWeight.push(value);
      });
    });
  });
  const ints = (name: string, values: number[]): OnnxTypes.IAttributeProto => ({ name, type: ATTR.INTS, ints: values });
  const floats = (name: string, values: number[]): OnnxTypes.IAttributeProto => ({ name, type: ATTR.FLOATS, floats: values });
  const graph = new GraphBuilder();
  const sum = graph.node(
    'TreeEnsembleRegressor',
    [INPUT_NAME],
    [
      intAttr('n_targets', a),
      { name: 'aggregate_function', type: ATTR.STRING, s: new TextEncoder().encode('SUM') },
      { name: 'post_transform', type: ATTR.STRING, s: new TextEncoder().encode('NONE') },
      floats('base_values', [...spec.base]),
      ints('nodes_treeids', nodeTree),
      ints('nodes_nodeids', nodeId),
      ints('nodes_featureids', nodeFeature),
      floats('nodes_values', nodeValue),
      ints('nodes_truenodeids', nodeTrue),
      ints('nodes_falsenodeids', nodeFalse),
      { name: 'nodes_modes', type: ATTR.STRINGS, strings: nodeMode },
      ints('target_treeids', targetTree),
      ints('target_nodeids', targetNode),
      ints('target_ids', targetId),
      floats('target_weights', targetWeight),
    ],
    undefined,
    ONNX_ML_DOMAIN,
  );
  addOutputActivation(graph, sum, spec.output, OUTPUT_NAME);
  return encodeModel(
    { graph, columns: spec, metadata: spec.metadata, graphName: 'airlock_tree_ensemble', extraOpsets: [{ domain: ONNX_ML_DOMAIN, version: BUILDER_ML_OPSET }] },
    options,
  );
}

export interface RandomTreeEnsembleOptions extends ColumnNames {
  readonly seed: number;
  readonly trees: number;
  /** Depth of every tree (2^depth leaves), 1–16. */
  readonly depth: number;
  /**
   * Leaf values are uniform in ±leafScale; default sqrt(3 / trees), so the sum over the trees has a standard
   * deviation of about 1, like a trained booster's margin before its sigmoid.
   */
  readonly leafScale?: number;
  readonly output?: OutputActivation;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A seeded random tree ensemble: each branch tests a random feature against a threshold uniform in that
 * feature's probe range (so splits fall where live values do; [-1, 1] for a name without one), leaves uniform in
 * ±leafScale, base 0. The same options give byte-identical models.
 */
export function randomTreeEnsemblePolicy(options: RandomTreeEnsembleOptions, modelOptions: ModelOptions = {}): { spec: TreeEnsembleSpec; bytes: Uint8Array } {
  if (!Number.isInteger(options.trees) || options.trees < 1) throw new RangeError(`trees must be a positive integer, got ${options.trees}`);
  if (!Number.isInteger(options.depth) || options.depth < 1 || options.depth > 16) throw new RangeError(`depth must be an integer in [1, 16], got ${options.depth}`);
  const rng = mulberry32(options.seed);
  const f = options.features.length;
  const ranges = options.features.map((name) => (Object.hasOwn(FEATURE_PROBE_RANGES, name) ? FEATURE_PROBE_RANGES[name] : undefined) ?? { min: -1, max: 1 });
  const scale = options.leafScale ?? Math.sqrt(3 / options.trees);
  const branches = 2 ** options.depth - 1;
  const trees: RegressionTree[] = Array.from({ length: options.trees }, () => {
    const features = Array.from({ length: branches }, () => Math.min(f - 1, Math.floor(rng() * f)));
    const thresholds = features.map((c) => {
      const range = ranges[c] ?? { min: -1, max: 1 };
      return uniform(rng, range.min, range.max);
    });
    const leaves = Array.from({ length: branches + 1 }, () => options.actions.map(() => uniform(rng, -scale, scale)));
    return { features, thresholds, leaves };
  });
  const spec: TreeEnsembleSpec = {
    features: options.features,
    actions: options.actions,
    trees,
    base: options.actions.map(() => 0),
    output: options.output ?? 'sigmoid',
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
  return { spec, bytes: buildTreeEnsemblePolicy(spec, modelOptions) };
}

/**
 * Plain-JS evaluation of a tree ensemble spec, in float64 over float32 thresholds (as onnxruntime compares).
 * `input` is row-major, rows × features.length; returns rows × actions.length.
 */
export function treeEnsembleForward(spec: TreeEnsembleSpec, input: Float32Array): Float32Array {
  checkTreeEnsembleSpec(spec);
  const f = spec.features.length;
  const a = spec.actions.length;
  if (input.length % f !== 0) throw new Error(`input length ${input.length} is not a multiple of ${f} features`);
  const rows = input.length / f;
  const out = new Float32Array(rows * a);
  const thresholds = spec.trees.map((tree) => Float32Array.from(tree.thresholds));
  for (let r = 0; r < rows; r += 1) {
    const sums = [...spec.base];
    spec.trees.forEach((tree, t) => {
      const branches = tree.features.length;
      let node = 0;
      while (node < branches) {
        const x = input[r * f + (tree.features[node] ?? 0)] ?? NaN;
        node = x <= (thresholds[t]?.[node] ?? NaN) ? 2 * node + 1 : 2 * node + 2;
      }
      (tree.leaves[node - branches] ?? []).forEach((value, k) => {
        sums[k] = (sums[k] ?? 0) + value;
      });
    });
    sums.forEach((v, k) => {
      out[r * a + k] = spec.output === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : spec.output === 'clip01' ? Math.min(1, Math.max(0, v)) : v;
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------- models to reject

/**
 * Outputs the same row of `values` (one per action) whatever the input: zero weights plus a bias initializer.
 * `values` may hold NaN or ±Infinity (a non-finite initializer) or numbers outside an action's bounds.
 */
export function buildConstantPolicy(columns: ColumnNames & { readonly values: readonly number[] }, options: ModelOptions = {}): Uint8Array {
  if (columns.values.length !== columns.actions.length) throw new Error('one value per action is required');
  const graph = new GraphBuilder();
  const layer: MlpLayer = {
    weights: columns.actions.map(() => columns.features.map(() => 0)),
    bias: columns.values,
  };
  addGemm(graph, INPUT_NAME, layer, OUTPUT_NAME);
  return encodeModel({ graph, columns, graphName: 'airlock_constant' }, options);
}

/**
 * Every action column = sqrt(input column `featureIndex`): finite while that feature is ≥ 0 and NaN for
 * negative values, so only a probe that covers the feature's negative range (e.g. `side` = -1) catches it.
 */
export function buildSqrtOfFeaturePolicy(columns: ColumnNames & { readonly featureIndex: number }, options: ModelOptions = {}): Uint8Array {
  const graph = new GraphBuilder();
  const pick: MlpLayer = {
    weights: columns.actions.map(() => columns.features.map((_, k) => (k === columns.featureIndex ? 1 : 0))),
    bias: columns.actions.map(() => 0),
  };
  graph.node('Sqrt', [addGemm(graph, INPUT_NAME, pick)], [], OUTPUT_NAME);
  return encodeModel({ graph, columns, graphName: 'airlock_sqrt' }, options);
}

/**
 * A tiny file that never finishes a run: a Loop with `iterations` trips (default 10^15; each trip costs
 * ~microseconds, so effectively forever) around an elementwise Mul, then a constant 0.5 output.
 * Tests the validator's time bound.
 */
export function buildSlowPolicy(columns: ColumnNames & { readonly iterations?: number }, options: ModelOptions = {}): Uint8Array {
  const f = columns.features.length;
  const body = new GraphBuilder();
  const one = body.floats('one', [], [1]);
  body.node('Identity', ['cond_in'], [], 'cond_out');
  body.node('Mul', ['state_in', one], [], 'state_out');
  const bodyGraph: OnnxTypes.IGraphProto = {
    name: 'spin',
    node: body.nodes,
    initializer: body.initializers,
    input: [tensorValueInfo('iteration', INT64, []), tensorValueInfo('cond_in', BOOL, []), tensorValueInfo('state_in', FLOAT, [BATCH_DIM, f])],
    output: [tensorValueInfo('cond_out', BOOL, []), tensorValueInfo('state_out', FLOAT, [BATCH_DIM, f])],
  };
  const graph = new GraphBuilder();
  const trips = graph.int64s('trips', [], [columns.iterations ?? 1e15]);
  const keepGoing = graph.bool('keep_going', true);
  const spun = graph.node('Loop', [trips, keepGoing, INPUT_NAME], [{ name: 'body', type: ATTR.GRAPH, g: bodyGraph }]);
  const constant: MlpLayer = {
    weights: columns.actions.map(() => columns.features.map(() => 0)),
    bias: columns.actions.map(() => 0.5),
  };
  addGemm(graph, spun, constant, OUTPUT_NAME);
  return encodeModel({ graph, columns, graphName: 'airlock_slow' }, options);
}

/**
 * Allocates a float32 tensor of about `megabytes` MB on every run (ConstantOfShape whose shape depends on the
 * input, so the runtime cannot fold it away at load), then outputs a constant 0.5. Tests the memory bound.
 */
export function buildMemoryHogPolicy(columns: ColumnNames & { readonly megabytes: number }, options: ModelOptions = {}): Uint8Array {
  const graph = new GraphBuilder();
  const columnsOfHog = 1024 * 256; // 1 MB of float32 per row
  const shape = graph.node('Shape', [INPUT_NAME]);
  const zeroed = graph.node('Mul', [shape, graph.int64s('zeros', [2], [0, 0])]);
  const hogShape = graph.node('Add', [zeroed, graph.int64s('hog_shape', [2], [Math.ceil(columns.megabytes), columnsOfHog])]);
  const hog = graph.node('ConstantOfShape', [hogShape], [{ name: 'value', type: ATTR.TENSOR, t: floatTensor('hog_value', [1], [0]) }]);
  // Reduce to one [1, 1] zero and add it to the output, so the allocation cannot be pruned as dead code.
  const zero = graph.node('ReduceSum', [hog], [intAttr('keepdims', 1)]);
  const constant: MlpLayer = {
    weights: columns.actions.map(() => columns.features.map(() => 0)),
    bias: columns.actions.map(() => 0.5),
  };
  graph.node('Add', [addGemm(graph, INPUT_NAME, constant), zero], [], OUTPUT_NAME);
  return encodeModel({ graph, columns, graphName: 'airlock_memory_hog' }, options);
}
