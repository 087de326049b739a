import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { MeasurementPhase } from '../analysis/analysis.js';
import { reconcileRollout, type RolloutCommand } from './reconcile.js';
import { HAPPY_PLAN, Harness, MIN, specFor } from './reconcile-fixtures.js';

const phase = fc.constantFrom<MeasurementPhase>('Successful', 'Successful', 'Successful', 'Failed', 'Inconclusive', 'Error');
const tick = fc.record({
  advanceMin: fc.integer({ min: 0, max: 20 }),
  measurements: fc.array(phase, { maxLength: 4 }),
  command: fc.option(fc.constantFrom<RolloutCommand['kind']>('pause', 'resume', 'abort', 'promoteFull'), { freq: 4 }),
});

describe('reconcileRollout: properties', () => {
  it('given any sequence of ticks, measurements and commands, when the output is reconciled again, then nothing changes and the caps hold', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 50 }), (ticks, cap) => {
        const plan = { ...HAPPY_PLAN, caps: { ...HAPPY_PLAN.caps, maxShareOfParentOrders: cap } };
        const h = new Harness(specFor(plan));
        ticks.forEach((t, i) => {
          h.at(h.nowMs + t.advanceMin * MIN).measure(...t.measurements);
          const command: RolloutCommand | undefined = t.command === null ? undefined : { id: `c${i}`, kind: t.command };
          const first = h.tick(command);
          const again = reconcileRollout(h.input(command));
          expect(again.status).toEqual(first.status);
          expect(again.desired).toEqual(first.desired);
          expect(again.events).toEqual([]);
          const w = first.desired.canaryWeight;
          expect(w === 100 || w <= cap).toBe(true);
          expect(first.status.canaryWeight).toBe(w);
          if (first.status.phase === 'Aborted') expect(first.desired).toMatchObject({ canary: null, canaryWeight: 0 });
          if (w === 100) expect(first.status.phase === 'Healthy' || first.status.stepIndex > plan.steps.length - 1).toBe(true);
        });
      }),
      { numRuns: 200 },
    );
  });
});
