import { ActuatorError } from './actuator.errors.js';
import { assertDesiredRouting, routingTable, sameRouting } from './desired-routing.util.js';
import type { AppliedRouting, DesiredRouting, ObservedRouting, RolloutActuator } from './rollout-actuator.port.js';

export interface RoutingTableActuatorOptions {
  /** Persists the table (the caller owns storage, e.g. the deployments table of @airlock/promotion). */
  readonly record: (state: DesiredRouting) => Promise<void>;
  /** Reads the persisted table back; without it, the actuator compares against what it recorded itself. */
  readonly read?: (deployment: string) => Promise<DesiredRouting | null>;
}

/**
 * Runs nothing: engines read the routing table themselves, so actuating means recording it. Level-triggered like
 * the Kubernetes actuator: an unchanged table is not recorded again.
 */
export class RoutingTableActuator implements RolloutActuator {
  readonly kind = 'routing-table' as const;
  private readonly recorded = new Map<string, DesiredRouting>();

  constructor(private readonly options: RoutingTableActuatorOptions) {}

  async apply(state: DesiredRouting): Promise<AppliedRouting> {
    assertDesiredRouting(state);
    const desired = routingTable(state);
    const observed = await this.observe(desired.deployment);
    if (observed !== null && sameRouting(observed, desired)) return { deployment: desired.deployment, revision: desired.revision, changed: false, writes: [] };
    try {
      await this.options.record(desired);
    } catch (error) {
      throw new ActuatorError(`recording the routing table of ${desired.deployment} failed: ${(error as Error).message}`, `record ${desired.deployment}`, undefined, { cause: error });
    }
    this.recorded.set(desired.deployment, desired);
    return { deployment: desired.deployment, revision: desired.revision, changed: true, writes: [`record routing table ${desired.deployment}`] };
  }

  async observe(deployment: string): Promise<ObservedRouting | null> {
    const table = this.options.read ? await this.options.read(deployment) : (this.recorded.get(deployment) ?? null);
    return table === null ? null : { ...routingTable(table), replicas: null };
  }
}
