import { DEPLOYMENT_NAME_PATTERN, DomainError, actorOf, type Deployment, type Principal, type RoutingTable } from '@airlock/core';
import type { Database, UnitOfWork } from '@airlock/persistence';

export interface KillRequest {
  readonly reason: string;
  /** `stable`: all flow to the stable version; `halt`: execution engines stop sending orders. */
  readonly mode: 'stable' | 'halt';
}

export const deploymentSubject = (name: string) => `deployment:${name}`;

export const routingOf = (d: RoutingTable): RoutingTable => ({
  stable: d.stable,
  canary: d.canary,
  canaryWeight: d.canaryWeight,
  revision: d.revision,
  halted: d.halted,
});

/** Reads routing tables; the kill switch and its resume. Every change bumps the revision and is audited. */
export class DeploymentService {
  constructor(private readonly db: Database) {}

  async get(name: string): Promise<Deployment> {
    const found = DEPLOYMENT_NAME_PATTERN.test(name) ? await this.db.read.deployments.find(name) : null;
    if (!found) throw new DomainError('NOT_FOUND', `deployment "${name}" not found`);
    return found;
  }

  /**
   * At once and in one transaction: the canary is dropped (canary null, weight 0) so all flow goes to the
   * last approved stable version; `halt` also sets `halted`. Killing a killed deployment again (e.g. to
   * escalate from stable to halt) is allowed and is another revision.
   */
  kill(actor: Principal, name: string, request: KillRequest): Promise<Deployment> {
    const reason = request.reason.trim();
    if (reason.length === 0) throw new DomainError('VALIDATION_FAILED', 'a kill needs a reason', { errors: [{ field: 'reason', message: 'required' }] });
    return this.change(actor, name, 'deployment.killed', (d, uow) => ({
      canary: null,
      canaryWeight: 0,
      halted: request.mode === 'halt' || d.halted,
      kill: { mode: request.mode, reason, by: actorOf(actor), at: uow.at },
    }), { mode: request.mode, reason });
  }

  /** Lifts a halt and clears the kill; the canary is not restored (a new rollout brings it back). */
  resume(actor: Principal, name: string, reason: string): Promise<Deployment> {
    return this.change(actor, name, 'deployment.resumed', (d) => {
      if (!d.halted && d.kill === null) throw new DomainError('DEPLOYMENT_NOT_KILLED', `deployment "${name}" is neither killed nor halted`);
      return { halted: false, kill: null };
    }, { reason });
  }

  private async change(
    actor: Principal,
    name: string,
    action: string,
    patch: (d: Deployment, uow: UnitOfWork) => Partial<Deployment>,
    data: Record<string, unknown>,
  ): Promise<Deployment> {
    await this.get(name);
    return this.db.transaction(async (uow) => {
      const before = await uow.deployments.lock(name);
      if (!before) throw new DomainError('NOT_FOUND', `deployment "${name}" not found`);
      const after: Deployment = { ...before, ...patch(before, uow), revision: before.revision + 1, updatedAt: uow.at, updatedBy: actorOf(actor) };
      await uow.deployments.update(after);
      await uow.audit(actor, action, deploymentSubject(name), { ...data, before: routingOf(before), after: routingOf(after) });
      return after;
    });
  }
}
