import type { RolloutPlan } from './rollout-plan.js';
import type { ModelTier, VersionStatus } from './registry.js';

/** Deployment names follow the model-name shape (`equities-us`). */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * Statuses a version may be promoted from: `shadow-passed` — validated by backtests, then passed in shadow on
 * live flow (a version reaches it only through both) — and the statuses promotion moves it on to (`approved`,
 * `canary`, `champion`: e.g. a champion of one deployment promoted to another). Not `validated` (no shadow yet),
 * not `rejected` or `retired`. An admin override (audited, with its reason) promotes from any other status.
 */
export const PROMOTABLE_STATUSES: readonly VersionStatus[] = ['shadow-passed', 'approved', 'canary', 'champion'];

/** Distinct risk approvers a promotion needs, by the model's tier. */
export const REQUIRED_APPROVALS: Readonly<Record<ModelTier, number>> = { low: 1, medium: 1, high: 2 };

/** PendingApproval → Approved | Rejected, set by the promotion use-cases; part B's rollout controller takes Approved on. */
export const PROMOTION_PHASES = ['PendingApproval', 'Approved', 'Rejected'] as const;
export type PromotionPhase = (typeof PROMOTION_PHASES)[number];
/** What a client sees: a PendingApproval request whose approval window has closed reads as `Expired`. */
export type PromotionView = PromotionPhase | 'Expired';

export interface VersionRef {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
}

export interface Approval {
  readonly id: string;
  /** `key:<id>` of the risk officer. */
  readonly approver: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
  /** What was approved: always the promotion's artifact digest and plan hash. */
  readonly sha256: string;
  readonly planHash: string;
  readonly at: Date;
}

export interface Promotion {
  readonly id: string;
  readonly modelId: string;
  readonly versionId: string;
  readonly target: VersionRef;
  readonly tier: ModelTier;
  readonly deployment: string;
  readonly plan: RolloutPlan;
  readonly planHash: string;
  readonly phase: PromotionPhase;
  readonly requiredApprovals: number;
  /** Set when an admin promoted a version that was not in a promotable status. */
  readonly override: { readonly reason: string; readonly by: string; readonly fromStatus: VersionStatus } | null;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly decidedAt: Date | null;
  readonly approvals: readonly Approval[];
}

/** The table execution engines follow for one deployment. */
export interface RoutingTable {
  readonly stable: VersionRef | null;
  readonly canary: VersionRef | null;
  /** Percent of parent orders sent to the canary, 0–100. */
  readonly canaryWeight: number;
  /** +1 on every change; the ETag. */
  readonly revision: number;
  /** true: execution engines must stop sending orders with this deployment's models. */
  readonly halted: boolean;
}

export interface KillRecord {
  readonly mode: 'stable' | 'halt';
  readonly reason: string;
  readonly by: string;
  readonly at: Date;
}

export interface Deployment extends RoutingTable {
  readonly name: string;
  /** The last kill, until a resume clears it. */
  readonly kill: KillRecord | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

/**
 * Approval lifetime. A vote counts for `ttlMs` after it is cast; a request's approval window closes `ttlMs`
 * after it was made, so no vote older than the TTL can complete an approval. An Approved promotion stays
 * startable until its oldest counted vote expires (`approvedUntil`).
 */
export const approvalExpiresAt = (approval: Approval, ttlMs: number): Date => new Date(approval.at.getTime() + ttlMs);
export const requestExpiresAt = (promotion: Promotion, ttlMs: number): Date => new Date(promotion.requestedAt.getTime() + ttlMs);

/** Approve votes still counting at `now`, one per approver. */
export function countingApprovals(promotion: Promotion, now: Date, ttlMs: number): Approval[] {
  const seen = new Set<string>();
  return promotion.approvals.filter((a) => {
    if (a.decision !== 'approve' || approvalExpiresAt(a, ttlMs) <= now || seen.has(a.approver)) return false;
    seen.add(a.approver);
    return true;
  });
}

export function viewOf(promotion: Promotion, now: Date, ttlMs: number): PromotionView {
  return promotion.phase === 'PendingApproval' && requestExpiresAt(promotion, ttlMs) <= now ? 'Expired' : promotion.phase;
}

/** Until when an Approved promotion may be started: the first expiry among the votes that approved it. */
export function approvedUntil(promotion: Promotion, ttlMs: number): Date | null {
  if (promotion.phase !== 'Approved' || promotion.decidedAt === null) return null;
  const counted = countingApprovals(promotion, promotion.decidedAt, ttlMs);
  const first = Math.min(...counted.map((a) => approvalExpiresAt(a, ttlMs).getTime()));
  return Number.isFinite(first) ? new Date(first) : null;
}
