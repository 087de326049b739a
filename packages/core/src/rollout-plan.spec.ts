import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ROLLOUT_PLAN, parseRolloutPlan, planHash } from './rollout-plan.js';
import { isDomainError } from './errors.js';

const problemsOf = (value: unknown) => {
  try {
    parseRolloutPlan(value);
  } catch (error) {
    if (isDomainError(error)) return error.details.errors?.map((e) => e.field) ?? [];
    throw error;
  }
  return [];
};

describe('rollout plans', () => {
  it('accepts the default plan: 1% → 5% → 25% → 50% → 100% with pauses and analysis between', () => {
    const plan = parseRolloutPlan(DEFAULT_ROLLOUT_PLAN);
    const weights = plan.steps.flatMap((s) => ('setWeight' in s ? [s.setWeight] : []));
    expect(weights).toEqual([1, 5, 25, 50, 100]);
    expect(plan.steps.some((s) => 'pause' in s && s.pause.durationSeconds === undefined)).toBe(true);
  });

  it('hashes the canonical JSON: key order does not matter, any change does', () => {
    const reordered = { caps: { ...DEFAULT_ROLLOUT_PLAN.caps }, steps: [...DEFAULT_ROLLOUT_PLAN.steps] };
    expect(planHash(reordered)).toBe(planHash(DEFAULT_ROLLOUT_PLAN));
    expect(planHash(DEFAULT_ROLLOUT_PLAN)).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash({ ...DEFAULT_ROLLOUT_PLAN, caps: { ...DEFAULT_ROLLOUT_PLAN.caps, maxOrdersPerMinute: 61 } })).not.toBe(planHash(DEFAULT_ROLLOUT_PLAN));
  });

  it('lists every offending field: unknown steps, weights out of range or above the share cap, missing caps', () => {
    expect(problemsOf({ steps: [{ setWeight: 101 }, { wait: 1 }, { setWeight: 60 }], caps: { ...DEFAULT_ROLLOUT_PLAN.caps } })).toEqual(
      expect.arrayContaining(['plan.steps[0].setWeight', 'plan.steps[1]']),
    );
    expect(problemsOf({ steps: [{ setWeight: 60 }], caps: { ...DEFAULT_ROLLOUT_PLAN.caps } })).toEqual(['plan.steps[0].setWeight']);
    expect(problemsOf({ steps: [{ setWeight: 1 }] })).toEqual(['plan.caps']);
    expect(problemsOf({ steps: [], caps: { ...DEFAULT_ROLLOUT_PLAN.caps, allowedInstruments: [] } })).toEqual(['plan.steps', 'plan.caps.allowedInstruments']);
  });
});
