import { describe, expect, it } from '@jest/globals';
import { assessMetric, assessRun, evaluateCondition, type Measurement, type MetricSpec } from './analysis.js';

const m = (phase: Measurement['phase']): Measurement => ({ phase, value: 1, message: '' });

describe('evaluateCondition', () => {
  const atMostHalf = { op: '<=', threshold: 0.5 } as const;
  it('judges a point value pass or fail', () => {
    expect(evaluateCondition(atMostHalf, { value: 0.5 }).phase).toBe('Successful');
    expect(evaluateCondition(atMostHalf, { value: 0.51 }).phase).toBe('Failed');
  });
  it('needs the whole interval on one side: straddling is Inconclusive', () => {
    expect(evaluateCondition(atMostHalf, { value: 0.1, lower: -0.3, upper: 0.4 }).phase).toBe('Successful');
    expect(evaluateCondition(atMostHalf, { value: 1.0, lower: 0.6, upper: 1.4 }).phase).toBe('Failed');
    expect(evaluateCondition(atMostHalf, { value: 0.2, lower: -0.5, upper: 0.9 })).toMatchObject({ phase: 'Inconclusive', message: expect.stringContaining('straddles') });
  });
  it('never passes missing data', () => {
    expect(evaluateCondition(atMostHalf, { value: null }).phase).toBe('Inconclusive');
    expect(evaluateCondition(atMostHalf, { value: Number.NaN }).phase).toBe('Inconclusive');
    expect(evaluateCondition({ op: '>=', threshold: 0 }, { value: Number.POSITIVE_INFINITY }).phase).toBe('Inconclusive');
  });
});

describe('assessMetric (Argo semantics)', () => {
  const spec: MetricSpec = { name: 'is-diff', condition: { op: '<=', threshold: 0 }, count: 5, failureLimit: 1, inconclusiveLimit: 1, consecutiveErrorLimit: 2 };
  it('is Pending before the first measurement and Running until count is reached', () => {
    expect(assessMetric(spec, []).phase).toBe('Pending');
    expect(assessMetric(spec, [m('Successful'), m('Successful')]).phase).toBe('Running');
  });
  it('tolerates failures up to failureLimit and fails on the next', () => {
    expect(assessMetric(spec, [m('Failed')]).phase).toBe('Running');
    expect(assessMetric(spec, [m('Failed'), m('Successful'), m('Failed')]).phase).toBe('Failed');
  });
  it('becomes Inconclusive past inconclusiveLimit', () => {
    expect(assessMetric(spec, [m('Inconclusive'), m('Inconclusive')]).phase).toBe('Inconclusive');
  });
  it('errors only on consecutive errors past the limit; a good measurement resets the streak', () => {
    expect(assessMetric(spec, [m('Error'), m('Error'), m('Successful'), m('Error'), m('Error')]).phase).toBe('Running');
    expect(assessMetric(spec, [m('Error'), m('Error'), m('Error')]).phase).toBe('Error');
  });
  it('succeeds after count non-error measurements within the limits', () => {
    expect(assessMetric(spec, [m('Successful'), m('Failed'), m('Error'), m('Inconclusive'), m('Successful'), m('Successful')]).phase).toBe('Successful');
  });
  it('uses Argo’s defaults: one measurement, no failure tolerated', () => {
    const single: MetricSpec = { name: 'x', condition: { op: '>=', threshold: 0.995 } };
    expect(assessMetric(single, [m('Successful')]).phase).toBe('Successful');
    expect(assessMetric(single, [m('Failed')]).phase).toBe('Failed');
  });
});

describe('assessRun', () => {
  const metric = (phase: Measurement['phase'], dryRun = false) => {
    const spec: MetricSpec = { name: phase, condition: { op: '<=', threshold: 0 }, dryRun };
    return { spec, assessment: assessMetric(spec, [m(phase)]) };
  };
  it('takes the worst gating metric: Failed over Error over Inconclusive over Successful', () => {
    expect(assessRun([metric('Successful'), metric('Inconclusive')])).toBe('Inconclusive');
    expect(assessRun([metric('Inconclusive'), metric('Failed'), metric('Successful')])).toBe('Failed');
  });
  it('ignores dry-run metrics', () => {
    expect(assessRun([metric('Successful'), metric('Failed', true)])).toBe('Successful');
  });
});
