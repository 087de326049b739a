import type { LiveAnalysisState, RolloutCommand, RolloutPhase, RolloutPlan, RolloutSpec, RolloutStatus, VersionRef } from '@airlock/core';
import { IsNull, Not, In, type EntityManager } from 'typeorm';
import { PromotionEntity } from '../entities/promotion.entity.js';
import { RolloutEntity } from '../entities/rollout.entity.js';

/** A human's command as stored until the next tick applies it. */
export interface StoredRolloutCommand extends RolloutCommand {
  readonly at: string;
}

export interface Rollout {
  readonly id: string;
  readonly promotionId: string;
  readonly spec: RolloutSpec;
  readonly status: RolloutStatus;
  readonly pendingCommand: StoredRolloutCommand | null;
  /** The live measurements taken so far and their baselines (the controller's, between ticks). */
  readonly liveAnalysis: LiveAnalysisState | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Set when the rollout reached Healthy or Aborted. */
  readonly finishedAt: Date | null;
}

export interface RolloutQuery {
  readonly deployment?: string;
  readonly limit: number;
  /** The id of the last rollout of the previous page (oldest first). */
  readonly after?: string;
}

const TERMINAL: readonly RolloutPhase[] = ['Healthy', 'Aborted'];

const toRollout = (row: RolloutEntity): Rollout => ({
  id: row.id,
  promotionId: row.promotionId,
  spec: {
    deployment: row.deployment,
    candidate: row.candidate as VersionRef,
    stable: row.stable as VersionRef | null,
    plan: row.plan as RolloutPlan,
    planHash: row.planHash,
    approval: row.approval as RolloutSpec['approval'],
  },
  status: row.status as RolloutStatus,
  pendingCommand: row.pendingCommand as StoredRolloutCommand | null,
  liveAnalysis: row.liveAnalysis as LiveAnalysisState | null,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  finishedAt: row.finishedAt,
});

const json = <T>(value: T): object => JSON.parse(JSON.stringify(value)) as object;

export class RolloutRepository {
  constructor(private readonly manager: EntityManager) {}

  /** false when the promotion has a rollout already (unique index on promotion id). */
  async insertIfAbsent(rollout: Rollout): Promise<boolean> {
    const { spec } = rollout;
    const result = await this.manager
      .createQueryBuilder()
      .insert()
      .into(RolloutEntity)
      .values({
        id: rollout.id,
        promotionId: rollout.promotionId,
        deployment: spec.deployment,
        candidate: json(spec.candidate),
        stable: spec.stable ? json(spec.stable) : null,
        plan: json(spec.plan),
        planHash: spec.planHash,
        approval: json(spec.approval),
        phase: rollout.status.phase,
        status: json(rollout.status),
        pendingCommand: null,
        liveAnalysis: rollout.liveAnalysis ? json(rollout.liveAnalysis) : null,
        createdAt: rollout.createdAt,
        updatedAt: rollout.updatedAt,
        finishedAt: rollout.finishedAt,
      })
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async find(id: string): Promise<Rollout | null> {
    const row = await this.manager.findOneBy(RolloutEntity, { id });
    return row ? toRollout(row) : null;
  }

  async findByPromotion(promotionId: string): Promise<Rollout | null> {
    const row = await this.manager.findOneBy(RolloutEntity, { promotionId });
    return row ? toRollout(row) : null;
  }

  /** The rollout under a row lock until the transaction ends: ticks and commands are serialised per rollout. */
  async lock(id: string): Promise<Rollout | null> {
    const row = await this.manager.findOne(RolloutEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return row ? toRollout(row) : null;
  }

  /** Ids of the rollouts not yet Healthy or Aborted, oldest first. */
  async activeIds(): Promise<string[]> {
    const rows = await this.manager.find(RolloutEntity, { select: { id: true }, where: { phase: Not(In([...TERMINAL])) }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((r) => r.id);
  }

  /** The rollouts not yet Healthy or Aborted, oldest first, read without locks (the controller's due check). */
  async active(): Promise<Rollout[]> {
    const rows = await this.manager.find(RolloutEntity, { where: { phase: Not(In([...TERMINAL])) }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toRollout);
  }

  /** Ids of Approved promotions that have no rollout yet, oldest decision first. */
  async approvedWithoutRollout(): Promise<string[]> {
    const rows = await this.manager
      .createQueryBuilder(PromotionEntity, 'p')
      .select('p.id', 'id')
      .leftJoin(RolloutEntity, 'r', 'r.promotion_id = p.id')
      .where('p.phase = :phase', { phase: 'Approved' })
      .andWhere('r.id IS NULL')
      .orderBy('p.decided_at', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Oldest first, optionally of one deployment. */
  async list(query: RolloutQuery): Promise<Rollout[]> {
    const builder = this.manager.createQueryBuilder(RolloutEntity, 'r').orderBy('r.created_at', 'ASC').addOrderBy('r.id', 'ASC').limit(query.limit);
    if (query.deployment) builder.andWhere('r.deployment = :deployment', { deployment: query.deployment });
    if (query.after) builder.andWhere('(r.created_at, r.id) > (SELECT c.created_at, c.id FROM rollouts c WHERE c.id = :after)', { after: query.after });
    return (await builder.getMany()).map(toRollout);
  }

  /** Whether the deployment has a rollout that is not finished. */
  async hasActive(deployment: string): Promise<boolean> {
    return (await this.manager.countBy(RolloutEntity, { deployment, finishedAt: IsNull() })) > 0;
  }

  /** Writes status, phase, pending command and timestamps; call only while holding the row lock. */
  async save(rollout: Rollout): Promise<void> {
    await this.manager.update(
      RolloutEntity,
      { id: rollout.id },
      {
        phase: rollout.status.phase,
        status: json(rollout.status),
        pendingCommand: rollout.pendingCommand ? json(rollout.pendingCommand) : null,
        liveAnalysis: rollout.liveAnalysis ? json(rollout.liveAnalysis) : null,
        updatedAt: rollout.updatedAt,
        finishedAt: rollout.finishedAt,
      },
    );
  }
}
