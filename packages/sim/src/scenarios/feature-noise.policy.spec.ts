import { describe, expect, it } from '@jest/globals';
import { DomainError, type BatchPolicy } from '@airlock/core';
import { ORDER_STATE_FEATURES, withFeatureNoise } from './feature-noise.policy.js';

/** A policy that records every input it is given and answers participation 0.5, aggression 0. */
function recorder(features: readonly string[]): BatchPolicy & { inputs: Float32Array[] } {
  const inputs: Float32Array[] = [];
  return {
    name: 'recorder',
    features,
    actions: ['participation', 'aggression'],
    inputs,
    decide(input, rows) {
      inputs.push(input.slice(0, rows * features.length));
      return Promise.resolve(new Float32Array(rows * 2).fill(0.5));
    },
  };
}

const MARKET = ['spread_bps', 'imbalance_l1', 'realized_vol_5m_bps'];
const MIXED = ['spread_bps', 'time_remaining_frac', 'imbalance_l1', 'side'];

/** rows × width input with every value of column c equal to values[c]. */
function constantInput(rows: number, values: readonly number[]): Float32Array {
  const out = new Float32Array(rows * values.length);
  for (let r = 0; r < rows; r++) out.set(values, r * values.length);
  return out;
}

/** Runs `calls` decisions of `rows` rows through the wrapped policy and returns what the inner policy saw. */
async function degrade(wrapped: BatchPolicy, inner: { inputs: Float32Array[] }, input: Float32Array, rows: number, calls: number): Promise<Float32Array[]> {
  for (let i = 0; i < calls; i++) await wrapped.decide(input, rows);
  return inner.inputs;
}

describe('withFeatureNoise', () => {
  it('is deterministic for a seed and a call sequence, differs across seeds, and never writes to the engine buffer', async () => {
    const input = constantInput(8, [12, 0.25, 30]);
    const pristine = input.slice();
    const spec = { featureNoiseStd: 0.2, featureNanRate: 0.1 };
    const a = recorder(MARKET);
    const b = recorder(MARKET);
    const c = recorder(MARKET);
    const seenA = await degrade(withFeatureNoise(a, spec, 7), a, input, 8, 5);
    const seenB = await degrade(withFeatureNoise(b, spec, 7), b, input, 8, 5);
    const seenC = await degrade(withFeatureNoise(c, spec, 8), c, input, 8, 5);
    expect(seenA).toEqual(seenB);
    expect(seenA).not.toEqual(seenC);
    expect(input).toEqual(pristine);
    // Successive calls draw on, not restart, the stream.
    expect(seenA[0]).not.toEqual(seenA[1]);
  });

  it('replaces close to the requested share of market values with NaN', async () => {
    const inner = recorder(MARKET);
    const wrapped = withFeatureNoise(inner, { featureNanRate: 0.2 }, 1);
    const seen = await degrade(wrapped, inner, constantInput(100, [12, 0.25, 30]), 100, 100); // 30 000 values
    let nan = 0;
    let total = 0;
    for (const batch of seen) {
      for (const v of batch) {
        total++;
        if (Number.isNaN(v)) nan++;
        else expect([12, 0.25, 30]).toContain(v); // no noise asked for: the rest is untouched
      }
    }
    // Binomial sd = sqrt(0.2 · 0.8 / 30 000) ≈ 0.0023: ±0.01 is over 4 sd.
    expect(Math.abs(nan / total - 0.2)).toBeLessThan(0.01);
  });

  it('adds noise of std σ for ratio features and σ·|x| for larger (bps) values', async () => {
    const inner = recorder(MARKET);
    const wrapped = withFeatureNoise(inner, { featureNoiseStd: 0.1 }, 3);
    const values = [20, 0.5, 0];
    const seen = await degrade(wrapped, inner, constantInput(200, values), 200, 50); // 10 000 per column
    const stds = values.map((x, c) => {
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (const batch of seen) {
        for (let r = 0; r < 200; r++) {
          const d = batch[r * 3 + c]! - x;
          s += d;
          s2 += d * d;
          n++;
        }
      }
      const mean = s / n;
      expect(Math.abs(mean)).toBeLessThan(0.05 * Math.max(1, Math.abs(x)));
      return Math.sqrt(s2 / n - mean * mean);
    });
    expect(stds[0]).toBeCloseTo(2, 1); // 0.1 · 20 bps
    expect(stds[1]).toBeCloseTo(0.1, 2); // 0.1 · max(1, 0.5)
    expect(stds[2]).toBeCloseTo(0.1, 2);
  });

  it('leaves the order-state features alone by default and degrades every column with features: all', async () => {
    expect(ORDER_STATE_FEATURES).toEqual(expect.arrayContaining(['side', 'time_remaining_frac']));
    const input = constantInput(50, [12, 0.6, 0.25, -1]);
    const inner = recorder(MIXED);
    const seen = await degrade(withFeatureNoise(inner, { featureNoiseStd: 0.1, featureNanRate: 0.5 }, 9), inner, input, 50, 4);
    const column = (batches: Float32Array[], c: number) => batches.flatMap((b) => Array.from({ length: 50 }, (_, r) => b[r * 4 + c]!));
    expect(new Set(column(seen, 1))).toEqual(new Set([Math.fround(0.6)]));
    expect(new Set(column(seen, 3))).toEqual(new Set([-1]));
    expect(column(seen, 0).some(Number.isNaN)).toBe(true);
    expect(column(seen, 2).some(Number.isNaN)).toBe(true);

    const all = recorder(MIXED);
    const seenAll = await degrade(withFeatureNoise(all, { featureNoiseStd: 0.1, featureNanRate: 0.5 }, 9, { features: 'all' }), all, input, 50, 4);
    expect(column(seenAll, 1).some(Number.isNaN)).toBe(true);
    expect(column(seenAll, 3).some(Number.isNaN)).toBe(true);
  });

  it('keeps NaN inputs NaN, reads only rows × features of a longer buffer, and passes the actions through', async () => {
    const inner = recorder(MARKET);
    const wrapped = withFeatureNoise(inner, { featureNoiseStd: 0.5 }, 4);
    const input = new Float32Array([Number.NaN, 0.1, 5, 99, 99, 99]);
    const out = await wrapped.decide(input, 1);
    expect(Array.from(out)).toEqual([0.5, 0.5]);
    expect(inner.inputs[0]!.length).toBe(3);
    expect(Number.isNaN(inner.inputs[0]![0])).toBe(true);
    expect(wrapped.features).toEqual(MARKET);
    expect(wrapped.actions).toEqual(inner.actions);
    expect(wrapped.name).toBe(inner.name);
    await expect(wrapped.decide(new Float32Array(2), 1)).rejects.toThrow(RangeError);
  });

  it('returns the policy itself when there is nothing to degrade, and lists every bad setting', () => {
    const inner = recorder(MARKET);
    expect(withFeatureNoise(inner, {}, 1)).toBe(inner);
    expect(withFeatureNoise(inner, { featureNoiseStd: 0, featureNanRate: 0 }, 1)).toBe(inner);
    try {
      withFeatureNoise(inner, { featureNoiseStd: -1, featureNanRate: 2 }, 0.5);
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('VALIDATION_FAILED');
      expect((error as DomainError).details.errors?.map((e) => e.field)).toEqual(['scenario.featureNoiseStd', 'scenario.featureNanRate', 'seed']);
    }
  });
});
