import { describe, expect, it } from '@jest/globals';
import onnxProto from 'onnx-proto';
import { buildMlpPolicy, checkMlpSpec, mlpForward, randomMlpPolicy, type MlpSpec } from './onnx-builder.js';
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
