import type { Approval, ModelTier, Promotion, PromotionPhase, RolloutPlan } from '@airlock/core';
import { In, type EntityManager } from 'typeorm';
import { PromotionApprovalEntity } from '../entities/promotion-approval.entity.js';
import { PromotionEntity } from '../entities/promotion.entity.js';

export interface PromotionQuery {
  readonly phase?: PromotionPhase;
  /** Only requests made after / at-or-before this instant (the approval window's edge). */
  readonly requestedAfter?: Date;
  readonly requestedAtOrBefore?: Date;
  readonly limit: number;
  /** The id of the last promotion of the previous page (oldest first). */
  readonly after?: string;
}

const toApproval = (row: PromotionApprovalEntity): Approval => ({
  id: row.id,
  approver: row.approver,
  decision: row.decision as Approval['decision'],
  comment: row.comment,
  sha256: row.sha256,
  planHash: row.planHash,
  at: row.createdAt,
});

function toPromotion(row: PromotionEntity, approvals: readonly PromotionApprovalEntity[]): Promotion {
  const version = row.modelVersion;
  if (!version?.model) throw new Error(`promotion ${row.id} loaded without its version and model`);
  return {
    id: row.id,
    modelId: version.modelId,
    versionId: row.versionId,
    target: { model: version.model.name, version: version.version, sha256: row.sha256 },
    tier: row.tier as ModelTier,
    deployment: row.deployment,
    plan: row.plan as RolloutPlan,
    planHash: row.planHash,
    phase: row.phase as PromotionPhase,
    requiredApprovals: row.requiredApprovals,
    override: row.override as Promotion['override'],
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    decidedAt: row.decidedAt,
    approvals: approvals.filter((a) => a.promotionId === row.id).map(toApproval),
  };
}

export class PromotionRepository {
  constructor(private readonly manager: EntityManager) {}

  async insert(promotion: Promotion): Promise<void> {
    const { modelId: _m, target, approvals: _a, plan, override, ...row } = promotion;
    await this.manager.insert(PromotionEntity, { ...row, sha256: target.sha256, plan: { ...plan }, override: override ? { ...override } : null });
  }

  async find(id: string): Promise<Promotion | null> {
    const row = await this.manager.findOne(PromotionEntity, { where: { id }, relations: { modelVersion: { model: true } } });
    return row ? toPromotion(row, await this.approvalsOf([row.id])) : null;
  }

  /** Takes the promotion's row lock until the transaction ends (votes are serialised per promotion), then reads it. */
  async lock(id: string): Promise<Promotion | null> {
    const locked = await this.manager.findOne(PromotionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    return locked ? this.find(id) : null;
  }

  async list(query: PromotionQuery): Promise<Promotion[]> {
    const builder = this.manager
      .createQueryBuilder(PromotionEntity, 'p')
      .innerJoinAndSelect('p.modelVersion', 'v')
      .innerJoinAndSelect('v.model', 'm')
      .orderBy('p.requested_at', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .limit(query.limit);
    if (query.phase) builder.andWhere('p.phase = :phase', { phase: query.phase });
    if (query.requestedAfter) builder.andWhere('p.requested_at > :from', { from: query.requestedAfter });
    if (query.requestedAtOrBefore) builder.andWhere('p.requested_at <= :to', { to: query.requestedAtOrBefore });
    if (query.after) {
      builder.andWhere('(p.requested_at, p.id) > (SELECT c.requested_at, c.id FROM promotions c WHERE c.id = :after)', { after: query.after });
    }
    const rows = await builder.getMany();
    const approvals = await this.approvalsOf(rows.map((r) => r.id));
    return rows.map((row) => toPromotion(row, approvals));
  }

  async insertApproval(promotionId: string, approval: Approval): Promise<void> {
    const { at, ...row } = approval;
    await this.manager.insert(PromotionApprovalEntity, { ...row, promotionId, createdAt: at });
  }

  async decide(id: string, phase: PromotionPhase, at: Date): Promise<void> {
    await this.manager.update(PromotionEntity, { id }, { phase, decidedAt: at });
  }

  private async approvalsOf(ids: readonly string[]): Promise<PromotionApprovalEntity[]> {
    if (ids.length === 0) return [];
    return this.manager.find(PromotionApprovalEntity, { where: { promotionId: In([...ids]) }, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
