import { describe, expect, it } from '@jest/globals';
import ort from 'onnxruntime-node';
import {
  buildConstantPolicy,
  buildMlpPolicy,
  buildSlowPolicy,
  buildSqrtOfFeaturePolicy,
  buildTreeEnsemblePolicy,
  mlpForward,
  randomMlpPolicy,
  randomTreeEnsemblePolicy,
  treeEnsembleForward,
  type HiddenActivation,
  type OutputActivation,
} from './onnx-builder.js';
import { buildProbeBatch } from './probe-batch.js';

const FEATURES = ['spread_bps', 'imbalance_l1', 'realized_vol_5m_bps', 'time_remaining_frac', 'qty_remaining_frac', 'side'];
const ACTIONS = ['participation', 'aggression'];

async function runModel(bytes: Uint8Array, input: Float32Array, rows: number, width: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ features: new ort.Tensor('float32', input, [rows, width]) });
    const actions = out.actions;
    if (!actions) throw new Error('no actions output');
    return { data: actions.data as Float32Array, dims: actions.dims };
  } finally {
    await session.release();
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] ?? NaN))), 0);

describe('built models in onnxruntime', () => {
  const cases: [HiddenActivation, OutputActivation][] = [
    ['relu', 'sigmoid'],
    ['tanh', 'sigmoid'],
    ['relu', 'clip01'],
    ['tanh', 'identity'],
  ];
  it.each(cases)('a %s MLP with %s output matches the plain-JS forward pass to 1e-6', async (activation, output) => {
    const { spec, bytes } = randomMlpPolicy({ seed: 11, features: FEATURES, actions: ACTIONS, hidden: [16, 8], activation, output });
    // Scaled-down probe rows keep pre-activations O(1), where float32 vs float64 differ by ~1e-7.
    const input = buildProbeBatch(FEATURES, 64, 5).map((v) => v / 100);
    const { data, dims } = await runModel(bytes, input, 64, FEATURES.length);
    expect(dims).toEqual([64, 2]);
    const expected = mlpForward(spec, input);
    expect(maxAbsDiff(data, expected)).toBeLessThan(1e-6);
    if (output === 'clip01') expect(data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('a hand-written spec gives the values computed by hand', async () => {
    const bytes = buildMlpPolicy({
      features: ['a', 'b'],
      actions: ['x', 'y'],
      layers: [{ weights: [[1, 0], [0, -1]], bias: [0.5, 2] }],
      activation: 'relu',
      output: 'identity',
    });
    const { data } = await runModel(bytes, new Float32Array([1, 2, 3, 4]), 2, 2);
    expect(Array.from(data)).toEqual([1.5, 0, 3.5, -2]);
  });

  it('the constant policy emits its values, NaN and Infinity included', async () => {
    const bytes = buildConstantPolicy({ features: FEATURES, actions: [...ACTIONS, 'extra'], values: [0.25, NaN, Infinity] });
    const { data } = await runModel(bytes, buildProbeBatch(FEATURES, 3, 1), 3, FEATURES.length);
    expect(Array.from(data)).toEqual([0.25, NaN, Infinity, 0.25, NaN, Infinity, 0.25, NaN, Infinity]);
  });

  it('the sqrt policy is NaN exactly where its feature is negative', async () => {
    const side = FEATURES.indexOf('side');
    const bytes = buildSqrtOfFeaturePolicy({ features: FEATURES, actions: ACTIONS, featureIndex: side });
    const input = buildProbeBatch(FEATURES, 32, 9);
    const { data } = await runModel(bytes, input, 32, FEATURES.length);
    for (let r = 0; r < 32; r += 1) {
      const negative = (input[r * FEATURES.length + side] ?? 0) < 0;
      expect(Number.isNaN(data[r * 2])).toBe(negative);
    }
  });

  it('the slow policy really loops (1e5 trips take measurable time) and then outputs 0.5', async () => {
    const bytes = buildSlowPolicy({ features: FEATURES, actions: ACTIONS, iterations: 100_000 });
    const started = performance.now();
    const { data } = await runModel(bytes, buildProbeBatch(FEATURES, 2, 1), 2, FEATURES.length);
    expect(performance.now() - started).toBeGreaterThan(5);
    expect(Array.from(data)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('a random tree ensemble (ONNX-ML TreeEnsembleRegressor) matches the plain-JS evaluation', async () => {
    const { spec, bytes } = randomTreeEnsemblePolicy({ seed: 3, features: FEATURES, actions: ACTIONS, trees: 40, depth: 5 });
    const input = buildProbeBatch(FEATURES, 128, 2);
    const { data, dims } = await runModel(bytes, input, 128, FEATURES.length);
    expect(dims).toEqual([128, 2]);
    // onnxruntime sums the leaf weights in float32; the JS sum is float64.
    expect(maxAbsDiff(data, treeEnsembleForward(spec, input))).toBeLessThan(1e-5);
    expect(data.every((v) => v > 0 && v < 1)).toBe(true); // sigmoid
  });

  it('a hand-written tree ensemble gives the values computed by hand', async () => {
    const bytes = buildTreeEnsemblePolicy({
      features: ['a', 'b'],
      actions: ['x'],
      trees: [{ features: [1], thresholds: [0.5], leaves: [[1], [-2]] }],
      base: [0.25],
      output: 'identity',
    });
    const { data } = await runModel(bytes, new Float32Array([9, 0.5, 9, 0.75]), 2, 2);
    expect(Array.from(data)).toEqual([1.25, -1.75]);
  });
});
