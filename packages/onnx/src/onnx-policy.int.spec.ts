import { describe, expect, it } from '@jest/globals';
import type { BatchPolicy } from '@airlock/core';
import { mlpForward, randomMlpPolicy } from './onnx-builder.js';
import { OnnxPolicy } from './onnx-policy.js';
import { buildProbeBatch } from './probe-batch.js';

const manifest = {
  features: ['spread_bps', 'imbalance_l1', 'imbalance_l5', 'trade_flow_imbalance_1m', 'time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'side'],
  actions: ['participation', 'aggression'],
};
const F = manifest.features.length;
const A = manifest.actions.length;
const model = randomMlpPolicy({ seed: 21, ...manifest, hidden: [32, 16], activation: 'relu' });

describe('OnnxPolicy', () => {
  it('implements BatchPolicy with the manifest columns and its name', async () => {
    const policy: BatchPolicy = await OnnxPolicy.load(model.bytes, manifest, 'my-model@3');
    expect(policy.name).toBe('my-model@3');
    expect(policy.features).toEqual(manifest.features);
    expect(policy.actions).toEqual(manifest.actions);
    await (policy as OnnxPolicy).dispose();
  });

  it('a batch decision equals the same rows decided one by one, and the JS forward pass', async () => {
    const policy = await OnnxPolicy.load(model.bytes, manifest, 'candidate');
    const rows = 200;
    const input = buildProbeBatch(manifest.features, rows, 8);
    const batch = await policy.decide(input, rows);
    expect(batch).toBeInstanceOf(Float32Array);
    expect(batch.length).toBe(rows * A);
    const oneByOne = new Float32Array(rows * A);
    for (let r = 0; r < rows; r += 1) oneByOne.set(await policy.decide(input.slice(r * F, (r + 1) * F), 1), r * A);
    // Batched GEMM and single-row GEMV may round differently in the last float32 bit; nothing more.
    batch.forEach((v, i) => expect(Math.abs(v - (oneByOne[i] ?? NaN))).toBeLessThan(1e-6));
    const reference = mlpForward(model.spec, input);
    batch.forEach((v, i) => expect(Math.abs(v - (reference[i] ?? NaN))).toBeLessThan(1e-5));
    await policy.dispose();
  });

  it('serves concurrent decide calls on one session, each with its own result', async () => {
    const policy = await OnnxPolicy.load(model.bytes, manifest, 'candidate', { intraOpNumThreads: 1 });
    const inputs = [1, 2, 3, 4].map((seed) => buildProbeBatch(manifest.features, 32, seed));
    const together = await Promise.all(inputs.map((input) => policy.decide(input, 32)));
    for (const [i, input] of inputs.entries()) expect(together[i]).toEqual(await policy.decide(input, 32));
    expect(together[0]).not.toEqual(together[1]);
    await policy.dispose();
  });

  it('reads only rows × features values of a longer buffer, and decides 0 rows without running', async () => {
    const policy = await OnnxPolicy.load(model.bytes, manifest, 'candidate');
    const input = buildProbeBatch(manifest.features, 10, 3);
    expect(await policy.decide(input, 4)).toEqual((await policy.decide(input.slice(0, 4 * F), 4)));
    expect(await policy.decide(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    await expect(policy.decide(new Float32Array(F), 2)).rejects.toThrow(RangeError);
    await expect(policy.decide(input, -1)).rejects.toThrow(RangeError);
    await policy.dispose();
  });

  it('refuses to decide after dispose (which is idempotent)', async () => {
    const policy = await OnnxPolicy.load(model.bytes, manifest, 'candidate');
    await policy.dispose();
    await policy.dispose();
    await expect(policy.decide(new Float32Array(F), 1)).rejects.toThrow('policy candidate is disposed');
  });
});
