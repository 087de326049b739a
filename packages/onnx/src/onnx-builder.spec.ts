import { describe, expect, it } from '@jest/globals';
import onnxProto from 'onnx-proto';
import {
  buildMlpPolicy,
  buildTreeEnsemblePolicy,
  checkMlpSpec,
  mlpForward,
  randomMlpPolicy,
  randomTreeEnsemblePolicy,
  treeEnsembleForward,
  type MlpSpec,
  type TreeEnsembleSpec,
} from './onnx-builder.js';
import { FEATURE_PROBE_RANGES } from './probe-batch.js';
import { METADATA_ACTIONS_KEY, METADATA_FEATURES_KEY } from './model-contract.js';
import { mulberry32 } from './seeded-random.js';

const { onnx } = onnxProto;
const FEATURES = ['spread_bps', 'imbalance_l1', 'side'];
const ACTIONS = ['participation', 'aggression'];

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Roughly uniform: the mean of 1000 draws is within 0.05 of 1/2.
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });
});

describe('randomMlpPolicy', () => {
  it('is deterministic: the same seed gives byte-identical models, another seed different weights', () => {
    const options = { seed: 7, features: FEATURES, actions: ACTIONS, hidden: [8, 4] };
    const first = randomMlpPolicy(options);
    expect(randomMlpPolicy(options).bytes).toEqual(first.bytes);
    expect(randomMlpPolicy({ ...options, seed: 8 }).spec.layers[0]?.weights).not.toEqual(first.spec.layers[0]?.weights);
  });

  it('uses ±1/sqrt(fan_in) initialisation and the requested widths', () => {
    const { spec } = randomMlpPolicy({ seed: 1, features: FEATURES, actions: ACTIONS, hidden: [16] });
    expect(spec.layers.map((l) => [l.weights.length, l.weights[0]?.length])).toEqual([
      [16, 3],
      [2, 16],
    ]);
    const firstWeights = spec.layers[0]?.weights.flat() ?? [];
    expect(Math.max(...firstWeights.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
  });
});

describe('buildMlpPolicy', () => {
  it('writes an IR 8 / opset 13 ModelProto with [N, F] → [N, A] and the column names in metadata_props', () => {
    const { spec } = randomMlpPolicy({ seed: 3, features: FEATURES, actions: ACTIONS, hidden: [4], metadata: { 'training.dataset': 'lobster-2012' } });
    const model = onnx.ModelProto.decode(buildMlpPolicy(spec));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(model.graph?.node?.map((n) => n.opType)).toEqual(['Gemm', 'Tanh', 'Gemm', 'Sigmoid']);
    const dims = (v: onnxProto.onnx.IValueInfoProto | undefined) =>
      v?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(model.graph?.input?.map((i) => i.name)).toEqual(['features']);
    expect(dims(model.graph?.input?.[0])).toEqual(['N', 3]);
    expect(model.graph?.output?.map((o) => o.name)).toEqual(['actions']);
    expect(dims(model.graph?.output?.[0])).toEqual(['N', 2]);
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata[METADATA_FEATURES_KEY] ?? '')).toEqual(FEATURES);
    expect(JSON.parse(metadata[METADATA_ACTIONS_KEY] ?? '')).toEqual(ACTIONS);
    expect(metadata['training.dataset']).toBe('lobster-2012');
  });

  it('can omit the name metadata and fix the batch dimension (for the rejection tests)', () => {
    const { spec } = randomMlpPolicy({ seed: 3, features: FEATURES, actions: ACTIONS, hidden: [] });
    const model = onnx.ModelProto.decode(buildMlpPolicy(spec, { nameMetadata: false, batchDim: 1 }));
    expect(model.metadataProps).toHaveLength(0);
    expect(Number(model.graph?.input?.[0]?.type?.tensorType?.shape?.dim?.[0]?.dimValue)).toBe(1);
  });

  it('rejects layer widths that do not chain from features to actions', () => {
    const bad: MlpSpec = {
      features: FEATURES,
      actions: ACTIONS,
      layers: [{ weights: [[1, 2]], bias: [0] }],
      activation: 'relu',
      output: 'identity',
    };
    expect(() => checkMlpSpec(bad)).toThrow('layer 0 row 0 has 2 weights, expected 3');
    expect(() => buildMlpPolicy({ ...bad, layers: [] })).toThrow('at least one layer');
    expect(() => buildMlpPolicy({ ...bad, layers: [{ weights: [[1, 2, 3]], bias: [0] }] })).toThrow('expected 2 actions');
    expect(() => buildMlpPolicy({ ...bad, layers: [{ weights: [[1, 2, 3]], bias: [0, 1] }] })).toThrow('2 biases for 1 units');
  });
});

describe('mlpForward', () => {
  it('computes relu/tanh hidden layers and sigmoid/clip01/identity outputs', () => {
    const base = {
      features: ['a', 'b'],
      actions: ['x'],
      layers: [
        { weights: [[1, -1], [0.5, 0.5]], bias: [0, -1] },
        { weights: [[2, 1]], bias: [0.25] },
      ],
    };
    const input = new Float32Array([3, 1, -2, 2]);
    // Row 1: hidden relu([2, 1]) = [2, 1] → 2*2 + 1 + 0.25 = 5.25. Row 2: relu([-4, -1]) = [0, 0] → 0.25.
    expect(Array.from(mlpForward({ ...base, activation: 'relu', output: 'identity' }, input))).toEqual([5.25, 0.25]);
    expect(Array.from(mlpForward({ ...base, activation: 'relu', output: 'clip01' }, input))).toEqual([1, 0.25]);
    const sigmoid = mlpForward({ ...base, activation: 'relu', output: 'sigmoid' }, input);
    expect(sigmoid[0]).toBeCloseTo(1 / (1 + Math.exp(-5.25)), 6);
    const tanh = mlpForward({ ...base, activation: 'tanh', output: 'identity' }, input);
    expect(tanh[0]).toBeCloseTo(2 * Math.tanh(2) + Math.tanh(1) + 0.25, 6);
  });
});

describe('tree ensembles', () => {
  // One depth-1 tree (x[0] ≤ 1 → leaf 0 else leaf 1) and one depth-2 tree on x[1] then x[0].
  const handWritten: TreeEnsembleSpec = {
    features: ['a', 'b'],
    actions: ['x', 'y'],
    trees: [
      { features: [0], thresholds: [1], leaves: [[0.5, -1], [2, 0]] },
      { features: [1, 0, 0], thresholds: [0, -1, 3], leaves: [[1, 1], [10, 10], [100, 100], [1000, 1000]] },
    ],
    base: [0.25, 0],
    output: 'identity',
  };

  it('treeEnsembleForward sums the leaves each row reaches, plus the base', () => {
    // Row (1, 0): tree 0 left (0.5, -1); tree 1: b ≤ 0 → node 1, a = 1 > -1 → leaf 1 (10). Row (5, 7): 2 + 1000.
    const out = treeEnsembleForward(handWritten, new Float32Array([1, 0, 5, 7]));
    expect(Array.from(out)).toEqual([0.25 + 0.5 + 10, -1 + 10, 0.25 + 2 + 1000, 1000]);
    // NaN compares false: always the right-hand child.
    expect(Array.from(treeEnsembleForward(handWritten, new Float32Array([NaN, NaN])))).toEqual([0.25 + 2 + 1000, 1000]);
  });

  it('writes one ai.onnx.ml TreeEnsembleRegressor node (opset 3) with every node and leaf listed', () => {
    const model = onnx.ModelProto.decode(buildTreeEnsemblePolicy(handWritten));
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 13],
      ['ai.onnx.ml', 3],
    ]);
    expect(model.graph?.node?.map((n) => [n.domain, n.opType])).toEqual([
      ['ai.onnx.ml', 'TreeEnsembleRegressor'],
      ['', 'Identity'],
    ]);
    const attributes = Object.fromEntries((model.graph?.node?.[0]?.attribute ?? []).map((a) => [a.name, a]));
    expect(attributes.nodes_treeids?.ints?.map(Number)).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(attributes.nodes_modes?.strings?.map((b: Uint8Array) => Buffer.from(b).toString())).toEqual([
      'BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF', 'LEAF', 'LEAF', 'LEAF',
    ]);
    expect(attributes.target_weights?.floats).toHaveLength(2 * (2 + 4));
  });

  it('refuses malformed trees', () => {
    const tree = handWritten.trees[0] as TreeEnsembleSpec['trees'][number];
    expect(() => buildTreeEnsemblePolicy({ ...handWritten, trees: [] })).toThrow('at least one tree');
    expect(() => buildTreeEnsemblePolicy({ ...handWritten, trees: [{ ...tree, leaves: [[1, 1], [1, 1], [1, 1]] }] })).toThrow('expected 2^d');
    expect(() => buildTreeEnsemblePolicy({ ...handWritten, trees: [{ ...tree, features: [2] }] })).toThrow('outside [0, 2)');
    expect(() => buildTreeEnsemblePolicy({ ...handWritten, trees: [{ ...tree, leaves: [[1], [1]] }] })).toThrow('exactly 2 values');
    expect(() => buildTreeEnsemblePolicy({ ...handWritten, base: [0] })).toThrow('one value per action');
  });

  it('randomTreeEnsemblePolicy is deterministic and splits inside each feature’s probe range', () => {
    const options = { seed: 4, features: FEATURES, actions: ACTIONS, trees: 5, depth: 3 };
    const first = randomTreeEnsemblePolicy(options);
    expect(randomTreeEnsemblePolicy(options).bytes).toEqual(first.bytes);
    expect(randomTreeEnsemblePolicy({ ...options, seed: 5 }).bytes).not.toEqual(first.bytes);
    expect(first.spec.trees).toHaveLength(5);
    for (const tree of first.spec.trees) {
      expect(tree.leaves).toHaveLength(8);
      tree.features.forEach((f, i) => {
        const range = FEATURE_PROBE_RANGES[FEATURES[f] ?? ''];
        expect(tree.thresholds[i]).toBeGreaterThanOrEqual(range?.min ?? NaN);
        expect(tree.thresholds[i]).toBeLessThanOrEqual(range?.max ?? NaN);
      });
    }
    expect(() => randomTreeEnsemblePolicy({ ...options, depth: 0 })).toThrow(RangeError);
    expect(() => randomTreeEnsemblePolicy({ ...options, trees: 0 })).toThrow(RangeError);
  });
});
