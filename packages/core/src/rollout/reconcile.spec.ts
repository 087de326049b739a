import { describe, expect, it } from '@jest/globals';
import { planHash, type RolloutPlan } from '../rollout-plan.js';
import { reconcileRollout, type RolloutStatus } from './reconcile.js';
import { CANDIDATE, Harness, HAPPY_PLAN, MIN, STABLE, T0, TEMPLATES, measured, specFor } from './reconcile-fixtures.js';

const analysisPlan: RolloutPlan = { steps: [{ setWeight: 5 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 25 }, { pause: {} }], caps: HAPPY_PLAN.caps };

/** A harness on `analysisPlan`, after the first tick (5%, analysis step started at T0). */
const atAnalysis = () => {
  const h = new Harness(specFor(analysisPlan));
  h.tick();
  return h;
};

describe('reconcileRollout: steps', () => {
  it('given a new rollout, when reconciled, then setWeight applies at once and it stops at the analysis step', () => {
    const h = new Harness();
    const { status, desired, events } = h.tick();
    expect(status).toMatchObject({ phase: 'Progressing', stepIndex: 1, canaryWeight: 1, observedPlanHash: planHash(HAPPY_PLAN) });
    expect(status.analysis).toMatchObject({ phase: 'Pending', startedAtMs: T0 });
    expect(desired).toEqual({ stable: STABLE, canary: CANDIDATE, canaryWeight: 1, halted: false });
    expect(events.map((e) => e.type)).toEqual(['weightSet']);
  });

  it('given the output status and the same inputs, when reconciled again, then the status is unchanged and no events are emitted', () => {
    const h = new Harness();
    const first = h.tick();
    const again = reconcileRollout(h.input());
    expect(again.status).toEqual(first.status);
    expect(again.desired).toEqual(first.desired);
    expect(again.events).toEqual([]);
  });

  it('given a timed pause, when its time has not passed, then it stays Paused; when it has, then it advances', () => {
    const plan: RolloutPlan = { steps: [{ setWeight: 5 }, { pause: { durationSeconds: 600 } }, { setWeight: 25 }, { pause: {} }], caps: HAPPY_PLAN.caps };
    const h = new Harness(specFor(plan));
    expect(h.tick().status).toMatchObject({ phase: 'Paused', stepIndex: 1, pause: { kind: 'step', untilMs: T0 + 10 * MIN } });
    expect(h.at(T0 + 10 * MIN - 1).tick().events).toEqual([]);
    const { status, events } = h.at(T0 + 10 * MIN).tick();
    expect(status).toMatchObject({ phase: 'Paused', stepIndex: 3, canaryWeight: 25, pause: { kind: 'step', untilMs: null } });
    expect(events.map((e) => e.type)).toEqual(['resumed', 'weightSet', 'paused']);
  });

  it('given an untimed pause, when time passes, then it waits; when resumed, then it advances once even if the command is repeated', () => {
    const plan: RolloutPlan = { steps: [{ setWeight: 5 }, { pause: {} }, { setWeight: 25 }, { pause: {} }], caps: HAPPY_PLAN.caps };
    const h = new Harness(specFor(plan));
    h.tick();
    expect(h.at(T0 + 7 * 24 * 60 * MIN).tick().status).toMatchObject({ phase: 'Paused', stepIndex: 1, canaryWeight: 5 });
    const resume = { id: 'c1', kind: 'resume' as const, by: 'key:alice' };
    expect(h.tick(resume).status).toMatchObject({ phase: 'Paused', stepIndex: 3, canaryWeight: 25, lastCommandId: 'c1' });
    const repeated = h.tick(resume);
    expect(repeated.status).toMatchObject({ stepIndex: 3 });
    expect(repeated.events).toEqual([]);
  });

  it('given the last step is done, when reconciled, then the rollout is Healthy at 100% with a completed event', () => {
    const plan: RolloutPlan = { steps: [{ setWeight: 5 }, { setWeight: 100 }], caps: HAPPY_PLAN.caps };
    const { status, desired, events } = new Harness(specFor(plan)).tick();
    expect(status).toMatchObject({ phase: 'Healthy', canaryWeight: 100, stepIndex: 2 });
    expect(desired).toEqual({ stable: STABLE, canary: CANDIDATE, canaryWeight: 100, halted: false });
    expect(events.at(-1)).toMatchObject({ type: 'completed', canaryWeight: 100 });
  });

  it('given a plan weight above maxShareOfParentOrders, when applied, then the canary weight is capped (100 is full promotion)', () => {
    const plan: RolloutPlan = { steps: [{ setWeight: 80 }, { pause: {} }, { setWeight: 100 }, { pause: {} }], caps: { ...HAPPY_PLAN.caps, maxShareOfParentOrders: 20 } };
    const h = new Harness(specFor(plan));
    const first = h.tick();
    expect(first.desired.canaryWeight).toBe(20);
    expect(first.events[0]).toMatchObject({ type: 'weightSet', canaryWeight: 20, message: expect.stringContaining('capped') });
    expect(h.tick({ id: 'r', kind: 'resume' }).desired.canaryWeight).toBe(100);
  });
});

describe('reconcileRollout: analysis (Argo semantics)', () => {
  it('given measurements taken before the step started, when assessed, then they do not count', () => {
    const h = new Harness(specFor(analysisPlan), T0);
    h.measurements['is-diff-bps'] = [measured(T0 - 3 * MIN, 'Successful'), measured(T0 - 2 * MIN, 'Successful'), measured(T0, 'Successful')];
    const { status } = h.at(T0 + MIN).tick();
    expect(status).toMatchObject({ phase: 'Progressing', stepIndex: 1, analysis: { phase: 'Pending' } });
  });

  it('given enough successful measurements, when assessed, then the step succeeds and the next begins', () => {
    const h = atAnalysis();
    h.measure('Successful', 'Successful');
    expect(h.at(T0 + 2 * MIN).tick().status).toMatchObject({ stepIndex: 1, analysis: { phase: 'Running' } });
    h.measure('Successful');
    const { status, events } = h.at(T0 + 3 * MIN).tick();
    expect(status).toMatchObject({ phase: 'Paused', stepIndex: 3, canaryWeight: 25, analysis: null });
    expect(events.map((e) => e.type)).toEqual(['analysisSuccessful', 'weightSet', 'paused']);
  });

  it('given a failing canary, when the failure limit is crossed mid-step, then it aborts at once and all flow goes back to stable', () => {
    const h = atAnalysis();
    h.measure('Failed');
    expect(h.at(T0 + MIN).tick().status.phase).toBe('Progressing'); // one failure tolerated (failureLimit 1)
    h.measure('Failed');
    const { status, desired, events } = h.at(T0 + 2 * MIN).tick();
    expect(status).toMatchObject({ phase: 'Aborted', canaryWeight: 0, abort: { reason: 'analysisFailed', metric: 'is-diff-bps' } });
    expect(desired).toEqual({ stable: STABLE, canary: null, canaryWeight: 0, halted: false });
    expect(events).toEqual([expect.objectContaining({ type: 'aborted', reason: 'analysisFailed', metric: 'is-diff-bps', message: expect.stringContaining('2 failed measurement(s), limit 1') })]);
  });

  it('given no measurements, when the expected window plus grace passes, then the analysis is Inconclusive and pauses for a human', () => {
    const h = atAnalysis();
    expect(h.at(T0 + 3 * MIN + 5 * MIN - 1).tick().status).toMatchObject({ phase: 'Progressing', analysis: { phase: 'Pending' } });
    const { status, events } = h.at(T0 + 8 * MIN).tick();
    expect(status).toMatchObject({ phase: 'Paused', stepIndex: 1, canaryWeight: 5, pause: { kind: 'inconclusive' } });
    expect(events[0]).toMatchObject({ type: 'analysisInconclusive', metric: 'is-diff-bps', message: expect.stringContaining('missing data never passes') });
  });

  it('given an Inconclusive pause, when a human resumes, then it continues to the next step', () => {
    const h = atAnalysis();
    h.measure('Inconclusive');
    expect(h.at(T0 + MIN).tick().status.pause).toMatchObject({ kind: 'inconclusive' });
    expect(h.tick({ id: 'c1', kind: 'resume' }).status).toMatchObject({ phase: 'Paused', stepIndex: 3, canaryWeight: 25 });
  });

  it('given an Inconclusive pause, when a human aborts, then the rollout is Aborted', () => {
    const h = atAnalysis();
    h.measure('Inconclusive');
    h.at(T0 + MIN).tick();
    const { status, desired } = h.tick({ id: 'c1', kind: 'abort', by: 'key:risk', reason: 'slippage unclear' });
    expect(status).toMatchObject({ phase: 'Aborted', abort: { reason: 'manual', message: 'aborted by key:risk: slippage unclear' } });
    expect(desired.canary).toBeNull();
  });

  it('given consecutive errors beyond the limit, when assessed, then the rollout is Degraded with flow back to stable; resume restarts the step', () => {
    const h = atAnalysis();
    h.measure('Error', 'Error');
    const { status, desired, events } = h.at(T0 + 2 * MIN).tick();
    expect(status).toMatchObject({ phase: 'Degraded', stepIndex: 1, canaryWeight: 0, pause: { kind: 'analysisError' } });
    expect(desired).toEqual({ stable: STABLE, canary: CANDIDATE, canaryWeight: 0, halted: false });
    expect(events[0]).toMatchObject({ type: 'analysisError', metric: 'is-diff-bps' });
    expect(h.at(T0 + 60 * MIN).tick().events).toEqual([]); // Degraded waits for a human
    const resumed = h.tick({ id: 'c1', kind: 'resume' });
    expect(resumed.status).toMatchObject({ phase: 'Progressing', stepIndex: 1, stepStartedAtMs: T0 + 60 * MIN, canaryWeight: 5, analysis: { phase: 'Pending' } });
  });

  it('given a failing dry-run metric, when assessed, then it is reported but never gates', () => {
    const h = atAnalysis();
    h.measurements['fill-rate-shadow'] = [measured(T0 + MIN, 'Failed')];
    h.measure('Successful', 'Successful', 'Successful');
    const { status, events } = h.at(T0 + 3 * MIN).tick();
    expect(status.stepIndex).toBe(3);
    expect(events[0]).toMatchObject({ type: 'analysisSuccessful' });
  });

  it('given an analysis template the caller cannot resolve, when assessed, then it is Inconclusive (never a pass)', () => {
    const h = atAnalysis();
    h.templates = {};
    const { status } = h.tick();
    expect(status).toMatchObject({ phase: 'Paused', pause: { kind: 'inconclusive', message: expect.stringContaining('unknown') } });
  });
});

describe('reconcileRollout: integrity and terminal states', () => {
  it('given a spec plan hash different from the approved one, when reconciled, then it aborts with planChanged', () => {
    const spec = specFor(HAPPY_PLAN);
    const h = new Harness({ ...spec, approval: { ...spec.approval, planHash: 'f'.repeat(64) } });
    const { status, events, desired } = h.tick();
    expect(status).toMatchObject({ phase: 'Aborted', abort: { reason: 'planChanged' } });
    expect(events[0]).toMatchObject({ type: 'aborted', reason: 'planChanged' });
    expect(desired.canaryWeight).toBe(0);
  });

  it('given a plan whose content no longer matches its approved hash, when reconciled, then it aborts with planChanged', () => {
    const spec = specFor(HAPPY_PLAN);
    const h = new Harness({ ...spec, plan: { ...HAPPY_PLAN, steps: [{ setWeight: 50 }, { setWeight: 100 }] } });
    expect(h.tick().status.abort).toMatchObject({ reason: 'planChanged', message: expect.stringContaining('content') });
  });

  it('given the plan hash changed since the rollout started (re-approved mid-flight), when reconciled, then it aborts rather than continue', () => {
    const h = new Harness();
    h.tick();
    const other: RolloutPlan = { ...HAPPY_PLAN, steps: HAPPY_PLAN.steps.slice(1) };
    h.spec = specFor(other);
    expect(h.tick().status).toMatchObject({ phase: 'Aborted', abort: { reason: 'planChanged', message: expect.stringContaining('during the rollout') } });
  });

  it('given a candidate sha256 different from the approved one, when reconciled, then it aborts with artifactMismatch', () => {
    const spec = specFor();
    const h = new Harness({ ...spec, candidate: { ...CANDIDATE, sha256: 'c'.repeat(64) } });
    const { status, desired } = h.tick();
    expect(status).toMatchObject({ phase: 'Aborted', abort: { reason: 'artifactMismatch' } });
    expect(desired).toMatchObject({ canary: null, canaryWeight: 0, stable: STABLE });
  });

  it('given an Aborted rollout, when resumed or promoted, then it stays Aborted (terminal)', () => {
    const h = new Harness();
    h.tick({ id: 'c1', kind: 'abort' });
    const before: RolloutStatus = h.status;
    const { status, events } = h.tick({ id: 'c2', kind: 'resume' });
    expect(status).toEqual({ ...before, lastCommandId: 'c2' });
    expect(events).toEqual([expect.objectContaining({ type: 'commandIgnored' })]);
    expect(h.tick({ id: 'c3', kind: 'promoteFull' }).status.phase).toBe('Aborted');
  });
});

describe('reconcileRollout: manual controls', () => {
  it('given a timed pause held by a manual pause, when its time passes, then it stays Paused until resumed', () => {
    const plan: RolloutPlan = { steps: [{ setWeight: 5 }, { pause: { durationSeconds: 60 } }, { setWeight: 25 }, { pause: {} }], caps: HAPPY_PLAN.caps };
    const h = new Harness(specFor(plan));
    h.tick();
    expect(h.tick({ id: 'p', kind: 'pause', by: 'key:ops' }).status.pause).toEqual({ kind: 'manual', by: 'key:ops' });
    expect(h.at(T0 + 10 * MIN).tick().status).toMatchObject({ phase: 'Paused', stepIndex: 1, pause: { kind: 'manual' } });
    expect(h.tick({ id: 'r', kind: 'resume' }).status).toMatchObject({ stepIndex: 3, canaryWeight: 25 });
  });

  it('given a manual pause during an analysis step, when the canary fails, then it still aborts', () => {
    const h = atAnalysis();
    h.tick({ id: 'p', kind: 'pause' });
    h.measure('Failed', 'Failed');
    expect(h.at(T0 + 2 * MIN).tick().status).toMatchObject({ phase: 'Aborted', abort: { reason: 'analysisFailed' } });
  });

  it('given a manual pause during an analysis step, when it succeeds, then it does not advance until resumed', () => {
    const h = atAnalysis();
    h.tick({ id: 'p', kind: 'pause' });
    h.measure('Successful', 'Successful', 'Successful');
    expect(h.at(T0 + 3 * MIN).tick().status).toMatchObject({ phase: 'Paused', stepIndex: 1, analysis: { phase: 'Successful' } });
    expect(h.tick({ id: 'r', kind: 'resume' }).status).toMatchObject({ stepIndex: 3 });
  });

  it('given a progressing rollout, when promoted full, then it is Healthy at 100% and completed', () => {
    const h = atAnalysis();
    const { status, events } = h.tick({ id: 'f', kind: 'promoteFull', by: 'key:admin' });
    expect(status).toMatchObject({ phase: 'Healthy', canaryWeight: 100 });
    expect(events.map((e) => e.type)).toEqual(['promotedFull', 'completed']);
  });
});

describe('reconcileRollout: the happy path', () => {
  it('given a healthy canary, when ticked through the plan, then it goes 1% → 5% → 25% → 50% → 100% → Healthy', () => {
    const h = new Harness();
    const weights: number[] = [];
    const record = (w: number) => {
      if (weights.at(-1) !== w) weights.push(w);
    };
    let guard = 0;
    while (h.status.phase !== 'Healthy' && guard++ < 50) {
      const { status, desired } = h.tick();
      expect(['Progressing', 'Paused', 'Healthy']).toContain(status.phase);
      record(desired.canaryWeight);
      if (status.phase === 'Paused' && status.pause?.kind === 'step' && status.pause.untilMs === null) {
        h.tick({ id: `resume-${guard}`, kind: 'resume' });
        record(h.status.canaryWeight);
      } else if (status.analysis?.phase === 'Pending') {
        h.measure('Successful', 'Successful', 'Successful').at(h.nowMs + 3 * MIN);
      } else {
        h.at(h.nowMs + 10 * MIN);
      }
    }
    expect(h.status.phase).toBe('Healthy');
    expect(weights).toEqual([1, 5, 25, 50, 100]);
    expect(TEMPLATES['execution-quality']).toBeDefined();
  });
});
