import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SHADOW_POLICY, emptyShadowCounters, latencyBucket, type ShadowCounters } from '../shadow.types.js';
import { shadowVerdict } from './shadow-verdict.js';

/** A candidate with `orders` scored orders, `decisions` decisions, every batch taking `batchNs`. */
function candidate(orders: number, decisions: number, batchNs: number, extra: Partial<ShadowCounters> = {}): ShadowCounters {
  const c = { ...emptyShadowCounters(), orders, decisions, batches: decisions, ...extra };
  c.latencyHistogram[latencyBucket(batchNs)] = decisions;
  return c;
}
const live = { decisions: 1000, skewFindings: 0 };
const deltas = (n: number, value: number, spread = 0.5): number[] => Array.from({ length: n }, (_, i) => value + (i % 2 === 0 ? spread : -spread));

describe('shadowVerdict', () => {
  it('passes a candidate that is no worse, valid, fast and unskewed', () => {
    const v = shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 200_000), live, deltas(100, -0.5));
    expect(v.verdict).toBe('shadow-passed');
    expect(v.gates.map((g) => [g.name, g.phase])).toEqual([
      ['scored_orders', 'Successful'],
      ['is_delta_bps', 'Successful'],
      ['invalid_output_rate', 'Successful'],
      ['latency_p99_ms', 'Successful'],
      ['skew_rate', 'Successful'],
      ['divergence_rate', 'Successful'],
    ]);
  });

  it('fails on IS clearly worse than the margin, on invalid outputs, and on slow inference', () => {
    expect(shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 200_000), live, deltas(100, 3)).verdict).toBe('shadow-failed');
    const invalid = shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 200_000, { invalidOutputs: 50 }), live, deltas(100, 0));
    expect(invalid.gates.find((g) => g.name === 'invalid_output_rate')).toMatchObject({ phase: 'Failed', value: 0.05 });
    const slow = shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 20_000_000), live, deltas(100, 0));
    expect(slow.verdict).toBe('shadow-failed');
    expect(slow.gates.find((g) => g.name === 'latency_p99_ms')!.value).toBeGreaterThan(20);
  });

  it('needs review when the evidence is short, straddles the margin, or the live side is skewed — never a pass', () => {
    expect(shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(10, 100, 200_000), live, deltas(10, 0)).verdict).toBe('needs-review');
    expect(shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 200_000), live, deltas(100, 1, 3)).verdict).toBe('needs-review');
    const skewed = shadowVerdict(DEFAULT_SHADOW_POLICY, candidate(100, 1000, 200_000), { decisions: 1000, skewFindings: 3 }, deltas(100, 0));
    expect(skewed.verdict).toBe('needs-review');
    expect(skewed.gates.find((g) => g.name === 'skew_rate')!.message).toContain('a human decides');
    expect(shadowVerdict(DEFAULT_SHADOW_POLICY, emptyShadowCounters(), { decisions: 0, skewFindings: 0 }, []).verdict).toBe('needs-review');
  });
});
