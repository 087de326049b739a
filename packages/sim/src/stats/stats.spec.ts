import { describe, expect, it } from '@jest/globals';
import { bootstrapMeanCi } from './bootstrap.js';
import { quantileSorted, summarize } from './descriptive.js';
import { erfc, normalCdf } from './normal.js';
import { wilcoxonSignedRank } from './wilcoxon.js';

describe('descriptive statistics', () => {
  it('uses linear interpolation between closest ranks (type 7)', () => {
    // [1, 2, 3, 4]: median at h = 1.5 → 2.5; p95 at h = 2.85 → 3 + 0.85 · 1 = 3.85.
    expect(summarize([4, 1, 3, 2])).toEqual({ mean: 2.5, median: 2.5, p95: expect.closeTo(3.85, 12) });
    expect(quantileSorted([7], 0.95)).toBe(7);
    expect(summarize([])).toEqual({ mean: null, median: null, p95: null });
  });
});

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-0.8)).toBeCloseTo(0.2118553986, 6);
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-5, 9);
  });
});

describe('Wilcoxon signed-rank test', () => {
  it('exact: five positive differences → p = 2 · (1/32)', () => {
    expect(wilcoxonSignedRank([1, 2, 3, 4, 5])).toMatchObject({ n: 5, wPlus: 15, pValue: 0.0625, method: 'exact' });
    // Signs − + − + + on ranks 1..5: W+ = 2 + 4 + 5 = 11. Subsets of {1..5} by sum 0..15 number
    // 1,1,1,2,2,3,3,3,3,3,3,2,2,1,1,1 (32 in all), so P(W+ ≥ 11) = (2 + 2 + 1 + 1 + 1)/32 = 7/32 and p = 14/32.
    expect(wilcoxonSignedRank([-1, 2, -3, 4, 5])).toMatchObject({ wPlus: 11, pValue: 14 / 32 });
  });

  it('drops zero differences and reports them', () => {
    // Zeros dropped: n = 3, all positive, W+ = 6 → p = 2/8.
    expect(wilcoxonSignedRank([0, 1, 0, 2, 3])).toMatchObject({ n: 3, zeros: 2, pValue: 0.25, method: 'exact' });
    expect(wilcoxonSignedRank([0, 0])).toMatchObject({ n: 0, zeros: 2, pValue: 1 });
    expect(wilcoxonSignedRank([])).toMatchObject({ pValue: null, method: 'none' });
  });

  it('normal approximation with tie correction', () => {
    // |d| all equal → ranks 2.5 each; W+ = 7.5, μ = 5, σ² = 4·5·9/24 − (4³ − 4)/48 = 7.5 − 1.25 = 6.25;
    // z = (2.5 − 0.5)/2.5 = 0.8; p = 2(1 − Φ(0.8)) = 0.4237108.
    expect(wilcoxonSignedRank([1, 1, 1, -1])).toMatchObject({ wPlus: 7.5, z: expect.closeTo(0.8, 12), pValue: expect.closeTo(0.4237108, 6), method: 'normal' });
  });

  it('normal approximation for n > 25: 1..30 all positive', () => {
    // W+ = 465, μ = 232.5, σ² = 30·31·61/24 = 2363.75; z = (232.5 − 0.5)/48.6184 = 4.77186.
    const d = Array.from({ length: 30 }, (_, i) => i + 1);
    const result = wilcoxonSignedRank(d);
    expect(result.z).toBeCloseTo(232 / Math.sqrt(2363.75), 10);
    expect(result.pValue).toBeCloseTo(2 * (1 - normalCdf(232 / Math.sqrt(2363.75))), 9);
    expect(wilcoxonSignedRank(d.map((v) => -v)).pValue).toBeCloseTo(result.pValue as number, 12);
  });
});

describe('bootstrap confidence interval of the mean', () => {
  const sample = Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10 + 3);

  it('is reproducible from the seed, brackets the mean, and is narrower for larger samples', () => {
    const a = bootstrapMeanCi(sample, 42);
    expect(bootstrapMeanCi(sample, 42)).toEqual(a);
    expect(bootstrapMeanCi(sample, 43)).not.toEqual(a);
    const mean = sample.reduce((s, v) => s + v, 0) / sample.length;
    expect(a![0]).toBeLessThan(mean);
    expect(a![1]).toBeGreaterThan(mean);
    // Standard error ≈ sd/√n ≈ 7.07/14.1 ≈ 0.5 → the 95% interval is about ±1.
    expect(a![1] - a![0]).toBeGreaterThan(1.4);
    expect(a![1] - a![0]).toBeLessThan(2.6);
    const big = bootstrapMeanCi([...sample, ...sample, ...sample, ...sample], 42);
    expect(big![1] - big![0]).toBeLessThan((a![1] - a![0]) * 0.7);
  });

  it('collapses on a constant sample and is null on an empty one', () => {
    expect(bootstrapMeanCi([2, 2, 2], 1)).toEqual([2, 2]);
    expect(bootstrapMeanCi([], 1)).toBeNull();
  });
});
