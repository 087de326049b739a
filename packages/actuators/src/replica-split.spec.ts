import { describe, expect, it } from '@jest/globals';
import { routing } from './rollout-actuator.contract.js';
import { splitReplicas } from './replica-split.util.js';

describe('splitReplicas', () => {
  it.each([
    [10, 25, { stable: 8, canary: 3 }],
    [10, 1, { stable: 10, canary: 1 }],
    [10, 50, { stable: 5, canary: 5 }],
    [10, 99, { stable: 1, canary: 10 }],
    [10, 100, { stable: 0, canary: 10 }],
    [3, 5, { stable: 3, canary: 1 }],
    [1, 50, { stable: 1, canary: 1 }],
    [10, 0, { stable: 10, canary: 0 }],
  ])('total %i at weight %i → %o', (total, weight, expected) => {
    expect(splitReplicas(routing({ canaryWeight: weight }), total)).toEqual(expected);
  });

  it('gives the canary nothing without a canary, and the stable nothing without a stable', () => {
    expect(splitReplicas(routing({ canary: null, canaryWeight: 25 }), 10)).toEqual({ stable: 10, canary: 0 });
    expect(splitReplicas(routing({ stable: null, canaryWeight: 25 }), 10)).toEqual({ stable: 0, canary: 3 });
  });

  it('scales both tracks to 0 when halted', () => {
    expect(splitReplicas(routing({ halted: true }), 10)).toEqual({ stable: 0, canary: 0 });
  });
});
