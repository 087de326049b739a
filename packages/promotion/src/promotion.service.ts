import { approvableFrom, moveVersionStatus } from './version-status.js';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ROLLOUT_PLAN,
  DEPLOYMENT_NAME_PATTERN,
  DomainError,
  MODEL_NAME_PATTERN,
  PROMOTABLE_STATUSES,
  REQUIRED_APPROVALS,
  actorOf,
  approvedUntil,
  countingApprovals,
  parseRolloutPlan,
  planHash,
  requestExpiresAt,
  type Approval,
  type Clock,
  type Deployment,
  type Principal,
  type Promotion,
  type PromotionView,
} from '@airlock/core';
import type { Database, UnitOfWork } from '@airlock/persistence';
import { deploymentSubject, routingOf } from './deployment.service.js';

export interface PromotionRequest {
  readonly model: string;
  readonly version: number;
  readonly deployment: string;
  /** A rollout plan (checked by core's schema); the default plan when absent. */
  readonly plan?: unknown;
  /** Admins only: promote a version outside the promotable statuses, with the reason on the record. */
  readonly override?: { readonly reason: string };
}

export interface Vote {
  readonly decision: 'approve' | 'reject';
  readonly comment?: string;
  /** When sent, must equal the promotion's: the voter says which bytes and plan they reviewed. */
  readonly sha256?: string;
  readonly planHash?: string;
}

export interface PromotionOptions {
  /** How long a vote counts and a request stays open for votes (AIRLOCK_APPROVAL_TTL_HOURS). */
  readonly approvalTtlMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const promotionSubject = (id: string) => `promotion:${id}`;

/** Promotion requests and four-eyes votes. Every step is audited with the artifact digest and plan hash it binds. */
export class PromotionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    readonly options: PromotionOptions,
  ) {}

  now(): Date {
    return this.clock.now();
  }

  async request(actor: Principal, input: PromotionRequest): Promise<Promotion> {
    const problems = [
      ...(MODEL_NAME_PATTERN.test(input.model) ? [] : [{ field: 'model', message: `must match ${MODEL_NAME_PATTERN.source}` }]),
      ...(DEPLOYMENT_NAME_PATTERN.test(input.deployment) ? [] : [{ field: 'deployment', message: `must match ${DEPLOYMENT_NAME_PATTERN.source}` }]),
    ];
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid promotion request', { errors: problems });
    if (input.override && !actor.roles.includes('admin')) {
      throw new DomainError('FORBIDDEN', 'only an admin may override the eligibility check', { requiredRoles: ['admin'] });
    }
    const plan = input.plan === undefined ? DEFAULT_ROLLOUT_PLAN : parseRolloutPlan(input.plan);
    return this.db.transaction(async (uow) => {
      const model = await uow.models.findByName(input.model);
      const version = model ? await uow.versions.find(model, input.version) : null;
      if (!model || !version) throw new DomainError('NOT_FOUND', `version ${input.model}@${input.version} not found`);
      const eligible = PROMOTABLE_STATUSES.includes(version.status);
      if (!eligible && !input.override) {
        throw new DomainError('PROMOTION_NOT_ELIGIBLE', `version ${model.name}@${version.version} is "${version.status}"; promotion needs one of: ${PROMOTABLE_STATUSES.join(', ')}`, {
          versionStatus: version.status,
          eligibleStatuses: PROMOTABLE_STATUSES,
        });
      }
      await this.ensureDeployment(uow, actor, input.deployment);
      const promotion: Promotion = {
        id: randomUUID(),
        modelId: model.id,
        versionId: version.id,
        target: { model: model.name, version: version.version, sha256: version.sha256 },
        tier: model.tier,
        deployment: input.deployment,
        plan,
        planHash: planHash(plan),
        phase: 'PendingApproval',
        requiredApprovals: REQUIRED_APPROVALS[model.tier],
        override: !eligible && input.override ? { reason: input.override.reason, by: actorOf(actor), fromStatus: version.status } : null,
        requestedBy: actorOf(actor),
        requestedAt: uow.at,
        decidedAt: null,
        approvals: [],
      };
      await uow.promotions.insert(promotion);
      const { id: _id, modelId: _m, versionId: _v, approvals: _a, requestedAt: _at, decidedAt: _d, target, ...rest } = promotion;
      await uow.audit(actor, 'promotion.requested', promotionSubject(promotion.id), { ...target, ...rest });
      return promotion;
    });
  }

  async get(id: string): Promise<Promotion> {
    const found = UUID.test(id) ? await this.db.read.promotions.find(id) : null;
    if (!found) throw new DomainError('NOT_FOUND', `promotion "${id}" not found`);
    return found;
  }

  /** Oldest first. `PendingApproval` lists only requests still open for votes; `Expired` the ones whose window closed. */
  list(phase: PromotionView | undefined, page: { limit: number; after?: string }): Promise<Promotion[]> {
    const edge = new Date(this.clock.now().getTime() - this.options.approvalTtlMs);
    const after = page.after !== undefined && UUID.test(page.after) ? page.after : undefined;
    if (phase === 'PendingApproval') return this.db.read.promotions.list({ ...page, after, phase, requestedAfter: edge });
    if (phase === 'Expired') return this.db.read.promotions.list({ ...page, after, phase: 'PendingApproval', requestedAtOrBefore: edge });
    return this.db.read.promotions.list({ ...page, after, phase });
  }

  /**
   * One risk officer's vote. Refusals, in order: PROMOTION_CLOSED (decided already), APPROVAL_EXPIRED (the
   * request's window closed), APPROVAL_SELF, APPROVAL_AUTHOR, APPROVAL_DUPLICATE, APPROVAL_BINDING_MISMATCH.
   * A rejection (with a comment) is final; enough distinct, current approvals make the promotion Approved.
   */
  async vote(actor: Principal, id: string, vote: Vote): Promise<Promotion> {
    const comment = (vote.comment ?? '').trim();
    if (vote.decision === 'reject' && comment.length === 0) {
      throw new DomainError('VALIDATION_FAILED', 'a rejection needs a comment', { errors: [{ field: 'comment', message: 'required when rejecting' }] });
    }
    await this.get(id);
    const ttl = this.options.approvalTtlMs;
    return this.db.transaction(async (uow) => {
      const promotion = await uow.promotions.lock(id);
      if (!promotion) throw new DomainError('NOT_FOUND', `promotion "${id}" not found`);
      const voter = actorOf(actor);
      if (promotion.phase !== 'PendingApproval') throw new DomainError('PROMOTION_CLOSED', `promotion is ${promotion.phase}`, { phase: promotion.phase });
      const closesAt = requestExpiresAt(promotion, ttl);
      if (closesAt <= uow.at) throw new DomainError('APPROVAL_EXPIRED', `the approval window closed at ${closesAt.toISOString()}; request the promotion again`, { expiredAt: closesAt.toISOString() });
      if (voter === promotion.requestedBy) throw new DomainError('APPROVAL_SELF', 'the requester of a promotion may not vote on it');
      const version = await uow.versions.findById(promotion.versionId);
      if (version?.createdBy === voter) throw new DomainError('APPROVAL_AUTHOR', 'the author of the version may not vote on its promotion');
      if (promotion.approvals.some((a) => a.approver === voter)) throw new DomainError('APPROVAL_DUPLICATE', 'you have voted on this promotion already');
      const mismatches = [
        ...(vote.sha256 !== undefined && vote.sha256 !== promotion.target.sha256 ? [{ field: 'sha256', message: `the promotion binds ${promotion.target.sha256}` }] : []),
        ...(vote.planHash !== undefined && vote.planHash !== promotion.planHash ? [{ field: 'planHash', message: `the promotion binds ${promotion.planHash}` }] : []),
      ];
      if (mismatches.length > 0) throw new DomainError('APPROVAL_BINDING_MISMATCH', 'the vote names another artifact or plan than the promotion', { errors: mismatches });

      const approval: Approval = { id: randomUUID(), approver: voter, decision: vote.decision, comment, sha256: promotion.target.sha256, planHash: promotion.planHash, at: uow.at };
      await uow.promotions.insertApproval(promotion.id, approval);
      const bound = { model: promotion.target.model, version: promotion.target.version, deployment: promotion.deployment, sha256: approval.sha256, planHash: approval.planHash };
      await uow.audit(actor, `promotion.${vote.decision === 'approve' ? 'approval' : 'rejection'}`, promotionSubject(promotion.id), { ...bound, comment });
      const voted: Promotion = { ...promotion, approvals: [...promotion.approvals, approval] };
      if (vote.decision === 'reject') return this.decide(uow, actor, voted, 'Rejected', { ...bound, comment });
      const counted = countingApprovals(voted, uow.at, ttl);
      if (counted.length < promotion.requiredApprovals) return voted;
      const approved: Promotion = { ...voted, phase: 'Approved', decidedAt: uow.at };
      return this.decide(uow, actor, voted, 'Approved', { ...bound, approvers: counted.map((a) => a.approver), approvedUntil: approvedUntil(approved, ttl)?.toISOString() });
    });
  }

  private async decide(uow: UnitOfWork, actor: Principal, promotion: Promotion, phase: 'Approved' | 'Rejected', data: Record<string, unknown>): Promise<Promotion> {
    await uow.promotions.decide(promotion.id, phase, uow.at);
    await uow.audit(actor, `promotion.${phase.toLowerCase()}`, promotionSubject(promotion.id), data);
    if (phase === 'Approved') await moveVersionStatus(uow, promotion.target, 'approved', approvableFrom(promotion), { promotionId: promotion.id });
    return { ...promotion, phase, decidedAt: uow.at };
  }

  /** Deployments are created, with an empty routing table at revision 1, by the first promotion that names them. */
  private async ensureDeployment(uow: UnitOfWork, actor: Principal, name: string): Promise<void> {
    const deployment: Deployment = {
      name,
      stable: null,
      canary: null,
      canaryWeight: 0,
      revision: 1,
      halted: false,
      kill: null,
      createdAt: uow.at,
      createdBy: actorOf(actor),
      updatedAt: uow.at,
      updatedBy: actorOf(actor),
    };
    if (await uow.deployments.insertIfAbsent(deployment)) {
      await uow.audit(actor, 'deployment.created', deploymentSubject(name), routingOf(deployment));
    }
  }
}
