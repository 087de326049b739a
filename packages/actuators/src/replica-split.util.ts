import type { DesiredRouting, TrackReplicas } from './rollout-actuator.port.js';

/**
 * Splits `totalReplicas` engine pods between the tracks by canary weight. Each track gets the ceiling of its
 * share, so neither is starved by rounding (total 10, weight 25 → 8 stable / 3 canary; the sum may exceed the
 * total by one). A canary with weight > 0 always gets at least one pod; weight 0 or no canary → 0 canary pods;
 * no stable → 0 stable pods; halted → both 0.
 */
export function splitReplicas(state: Pick<DesiredRouting, 'stable' | 'canary' | 'canaryWeight' | 'halted'>, totalReplicas: number): TrackReplicas {
  if (state.halted) return { stable: 0, canary: 0 };
  const canaryActive = state.canary !== null && state.canaryWeight > 0;
  const canaryWeight = canaryActive ? state.canaryWeight : 0;
  const stable = state.stable === null ? 0 : Math.ceil((totalReplicas * (100 - canaryWeight)) / 100);
  const canary = canaryActive ? Math.max(1, Math.ceil((totalReplicas * canaryWeight) / 100)) : 0;
  return { stable, canary };
}
