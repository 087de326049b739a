import { randomUUID } from 'node:crypto';
import { DEPLOYMENT_NAME_PATTERN, DomainError, actorOf, type Principal, type RolloutCommand } from '@airlock/core';
import type { Database, Rollout } from '@airlock/persistence';
import { promotionSubject } from './promotion.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RolloutCommandKind = RolloutCommand['kind'];

/** Reads rollouts and stores humans' commands; the controller's next tick applies a command (at most once). */
export class RolloutService {
  constructor(private readonly db: Database) {}

  async get(id: string): Promise<Rollout> {
    const found = UUID.test(id) ? await this.db.read.rollouts.find(id) : null;
    if (!found) throw new DomainError('NOT_FOUND', `rollout "${id}" not found`);
    return found;
  }

  /** Oldest first, optionally of one deployment. */
  list(deployment: string | undefined, page: { limit: number; after?: string }): Promise<Rollout[]> {
    if (deployment !== undefined && !DEPLOYMENT_NAME_PATTERN.test(deployment)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid deployment', { errors: [{ field: 'deployment', message: `must match ${DEPLOYMENT_NAME_PATTERN.source}` }] });
    }
    const after = page.after !== undefined && UUID.test(page.after) ? page.after : undefined;
    return this.db.read.rollouts.list({ limit: page.limit, ...(deployment ? { deployment } : {}), ...(after ? { after } : {}) });
  }

  /**
   * Stores a command for the next tick. 409 CONFLICT when the rollout is finished (Healthy/Aborted), when a resume
   * finds it neither Paused nor Degraded (the controller would ignore it), or when another command is still waiting
   * for its tick (one at a time, so none is silently replaced).
   */
  async command(actor: Principal, id: string, kind: RolloutCommandKind, reason: string | undefined): Promise<Rollout> {
    await this.get(id);
    return this.db.transaction(async (uow) => {
      const rollout = await uow.rollouts.lock(id);
      if (!rollout) throw new DomainError('NOT_FOUND', `rollout "${id}" not found`);
      if (rollout.status.phase === 'Healthy' || rollout.status.phase === 'Aborted') {
        throw new DomainError('CONFLICT', `the rollout is ${rollout.status.phase}: nothing to ${kind}`, { phase: rollout.status.phase });
      }
      if (kind === 'resume' && rollout.status.phase !== 'Paused' && rollout.status.phase !== 'Degraded') {
        throw new DomainError('CONFLICT', `the rollout is ${rollout.status.phase}, not paused: nothing to resume`, { phase: rollout.status.phase });
      }
      if (rollout.pendingCommand) {
        throw new DomainError('CONFLICT', `a ${rollout.pendingCommand.kind} command is waiting for the controller's next tick`, { pendingCommand: rollout.pendingCommand.kind });
      }
      const by = actorOf(actor);
      const pendingCommand = { id: randomUUID(), kind, by, ...(reason ? { reason } : {}), at: uow.at.toISOString() };
      const updated: Rollout = { ...rollout, pendingCommand, updatedAt: uow.at };
      await uow.rollouts.save(updated);
      await uow.audit(actor, `rollout.command.${kind}`, promotionSubject(rollout.promotionId), { rolloutId: rollout.id, commandId: pendingCommand.id, kind, reason: reason ?? null });
      return updated;
    });
  }
}
