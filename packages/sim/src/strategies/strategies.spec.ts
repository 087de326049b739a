import { describe, expect, it } from '@jest/globals';
import { isDomainError, type BatchPolicy } from '@airlock/core';
import { VolumeCurve } from '../features/volume-curve.js';
import type { DecisionBatch } from './execution-strategy.js';
import { policyStrategy } from './policy-strategy.js';
import { almgrenChrissStrategy, povStrategy, sinhRatio, twapStrategy, vwapStrategy } from './schedule-strategies.js';

const S = 1_000_000_000;
const FLAT = VolumeCurve.fromBuckets(60 * S, new Float64Array(1440).fill(6000)); // 100 shares/s

/** One-row batch: buy `quantity` over [0 s, `window` s], at `t` s with `filled` done, expected 1000/interval. */
function batch(over: { t: number; window?: number; quantity?: number; filled?: number; vol?: number; urgency?: number; curve?: VolumeCurve; marketSinceStart?: number }): DecisionBatch {
  const f = (v: number): Float64Array => Float64Array.of(v);
  const window = over.window ?? 100;
  const curve = over.curve ?? FLAT;
  const t = over.t * S;
  return {
    timeNs: t, intervalNs: 10 * S, size: 1, curve, orders: Int32Array.of(0),
    side: f(1), quantity: f(over.quantity ?? 1000), filled: f(over.filled ?? 0), startNs: f(0), endNs: f(window * S),
    urgency: f(over.urgency ?? 0.5),
    expectedIntervalVolume: f(curve.expected(t, Math.min(t + 10 * S, window * S))),
    marketVolumeSinceStart: f(over.marketSinceStart ?? 0),
    features: Float32Array.of(over.vol ?? 0),
    participation: f(Number.NaN), aggression: f(Number.NaN),
  };
}

describe('schedule baselines', () => {
  it('TWAP asks for the shortfall to a linear schedule, crossing on the last decision', () => {
    // 1000 shares over 100 s; at t = 30 with 250 filled the target by t = 40 is 400 → 150 / 1000 expected.
    const b = batch({ t: 30, filled: 250 });
    twapStrategy().plan(b);
    expect([b.participation[0], b.aggression[0]]).toEqual([0.15, 0.5]);
    const last = batch({ t: 90, filled: 900 });
    twapStrategy({ aggression: 0.2 }).plan(last);
    expect([last.participation[0], last.aggression[0]]).toEqual([0.1, 1]);
    const ahead = batch({ t: 30, filled: 500 });
    twapStrategy().plan(ahead);
    expect(ahead.participation[0]).toBe(0);
  });

  it('VWAP follows the volume curve', () => {
    // Curve: 1000 shares in the first minute-bucket of the day, 3000 in the second; order over [0, 120 s].
    // At t = 50: target by 60 s = 1000/4000 of 800 = 200; expected volume in [50, 60) s = 1000 · 10/60.
    const curve = VolumeCurve.fromBuckets(60 * S, [1000, 3000]);
    const b = batch({ t: 50, window: 120, quantity: 800, curve });
    vwapStrategy().plan(b);
    expect(b.participation[0]).toBe(1); // shortfall 200 > 166.7 expected: clamped to 1
    const b2 = batch({ t: 60, window: 120, quantity: 800, filled: 200, curve });
    vwapStrategy().plan(b2);
    // Target by 70 s: (1000 + 500)/4000 · 800 = 300 → shortfall 100 of 500 expected.
    expect(b2.participation[0]).toBeCloseTo(0.2, 12);
  });

  it('POV keeps filled shares at its rate of the market volume', () => {
    // rate 0.1, market traded 3000 since start, 1000 expected next: target 400, 250 filled → 150/1000.
    const b = batch({ t: 30, filled: 250, marketSinceStart: 3000 });
    povStrategy({ rate: 0.1 }).plan(b);
    expect(b.participation[0]).toBeCloseTo(0.15, 12);
  });

  it('Almgren–Chriss reduces to TWAP without risk aversion and front-loads with it', () => {
    const twap = batch({ t: 0 });
    twapStrategy().plan(twap);
    const neutral = batch({ t: 0, vol: 50 });
    almgrenChrissStrategy({ riskAversion: 0 }).plan(neutral);
    expect(neutral.participation[0]).toBeCloseTo(twap.participation[0] as number, 12);
    // κ² = λσ²V/(kX) = 1 · (50²/300) · 100 / (10 · 1000) = 0.08333 /s² → κ = 0.288675;
    // remaining after 10 s = 1000 · sinh(κ·90)/sinh(κ·100) ≈ e^{−κ·10} = 0.0557 → ask for 944.3 of 1000.
    const averse = batch({ t: 0, vol: 50 });
    almgrenChrissStrategy({ riskAversion: 1 }).plan(averse);
    const kappa = Math.sqrt((1 * (2500 / 300) * 100) / (10 * 1000));
    expect(averse.participation[0]).toBeCloseTo((1000 - 1000 * (Math.sinh(kappa * 90) / Math.sinh(kappa * 100))) / 1000, 9);
    expect(averse.participation[0]).toBeGreaterThan(0.9);
    // Urgency scales λ by 10^(2(u − 0.5)): a patient order (u = 0, λ/10) front-loads less.
    const patient = batch({ t: 0, vol: 50, urgency: 0 });
    almgrenChrissStrategy({ riskAversion: 1 }).plan(patient);
    expect(patient.participation[0]).toBeLessThan(averse.participation[0] as number);
    expect(patient.participation[0]).toBeGreaterThan(twap.participation[0] as number);
  });

  it('sinhRatio is stable at both ends', () => {
    expect(sinhRatio(0, 3, 4)).toBe(0.75);
    expect(sinhRatio(1, 2, 3)).toBeCloseTo(Math.sinh(2) / Math.sinh(3), 14);
    expect(sinhRatio(10, 900, 1000)).toBe(0); // e^{−1000}: underflows to 0, not NaN
    expect(sinhRatio(1e-3, 9000, 10000)).toBeCloseTo(Math.sinh(9) / Math.sinh(10), 12);
  });
});

describe('policyStrategy (any BatchPolicy)', () => {
  const policy = (over: Partial<BatchPolicy>): BatchPolicy => ({
    name: 'm', features: ['side'], actions: ['participation', 'aggression'],
    decide: (_i, rows) => Promise.resolve(new Float32Array(rows * 2)), ...over,
  });
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (error) {
      return isDomainError(error) ? error.code : 'not a DomainError';
    }
    return undefined;
  };

  it('refuses a manifest that disagrees with the catalog', () => {
    expect(code(() => policyStrategy(policy({ features: ['side', 'vibes'] })))).toBe('MANIFEST_UNKNOWN_FEATURE');
    expect(code(() => policyStrategy(policy({ actions: ['participation', 'yolo'] })))).toBe('MANIFEST_UNKNOWN_ACTION');
    expect(code(() => policyStrategy(policy({ actions: ['aggression'] })))).toBe('MANIFEST_INVALID');
    expect(code(() => policyStrategy(policy({})))).toBeUndefined();
  });

  it('reads actions by name, in whatever column order the manifest gives', async () => {
    const swapped = policyStrategy(policy({
      actions: ['aggression', 'participation'],
      decide: (_i, rows) => Promise.resolve(Float32Array.from({ length: rows * 2 }, (_, k) => (k % 2 === 0 ? 0.25 : 0.75))),
    }));
    const b = batch({ t: 0 });
    await swapped.plan(b);
    expect([b.participation[0], b.aggression[0]]).toEqual([0.75, 0.25]);
  });

  it('defaults aggression to passive when the model has no aggression action, and rejects short outputs', async () => {
    const b = batch({ t: 0 });
    await policyStrategy(policy({ actions: ['participation'], decide: () => Promise.resolve(Float32Array.of(0.5)) })).plan(b);
    expect([b.participation[0], b.aggression[0]]).toEqual([0.5, 0]);
    await expect(policyStrategy(policy({ decide: () => Promise.resolve(new Float32Array(1)) })).plan(batch({ t: 0 }))).rejects.toThrow('returned 1 values for 1 rows × 2 actions');
  });
});
