import { approvalExpiresAt, approvedUntil, countingApprovals, requestExpiresAt, viewOf, type Deployment, type Promotion } from '@airlock/core';
import type { Rollout } from '@airlock/persistence';

// Promotion and routing records → the JSON shapes of API.md. Timestamps are ISO-8601 UTC.

export function presentPromotion(promotion: Promotion, now: Date, ttlMs: number) {
  const counting = new Set(countingApprovals(promotion, now, ttlMs).map((a) => a.id));
  return {
    id: promotion.id,
    phase: viewOf(promotion, now, ttlMs),
    model: promotion.target.model,
    version: promotion.target.version,
    sha256: promotion.target.sha256,
    deployment: promotion.deployment,
    tier: promotion.tier,
    plan: promotion.plan,
    planHash: promotion.planHash,
    requiredApprovals: promotion.requiredApprovals,
    validApprovals: counting.size,
    approvals: promotion.approvals.map((a) => ({
      approver: a.approver,
      decision: a.decision,
      comment: a.comment,
      sha256: a.sha256,
      planHash: a.planHash,
      at: a.at.toISOString(),
      expiresAt: approvalExpiresAt(a, ttlMs).toISOString(),
      expired: approvalExpiresAt(a, ttlMs) <= now,
    })),
    override: promotion.override,
    requestedBy: promotion.requestedBy,
    requestedAt: promotion.requestedAt.toISOString(),
    /** When the request stops taking votes (only meaningful while PendingApproval). */
    expiresAt: requestExpiresAt(promotion, ttlMs).toISOString(),
    decidedAt: promotion.decidedAt?.toISOString() ?? null,
    approvedUntil: approvedUntil(promotion, ttlMs)?.toISOString() ?? null,
  };
}

export const presentRouting = (d: Deployment) => ({
  deployment: d.name,
  stable: d.stable,
  canary: d.canary,
  canaryWeight: d.canaryWeight,
  revision: d.revision,
  halted: d.halted,
  kill: d.kill ? { ...d.kill, at: d.kill.at.toISOString() } : null,
  updatedAt: d.updatedAt.toISOString(),
  updatedBy: d.updatedBy,
});

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export const presentRollout = (r: Rollout) => {
  const s = r.status;
  const steps = r.spec.plan.steps;
  return {
    id: r.id,
    promotionId: r.promotionId,
    deployment: r.spec.deployment,
    candidate: r.spec.candidate,
    stable: r.spec.stable,
    planHash: r.spec.planHash,
    phase: s.phase,
    /** The step being executed (0-based); equals `steps` once all are done. */
    step: s.stepIndex,
    steps: steps.length,
    currentStep: steps[s.stepIndex] ?? null,
    stepStartedAt: iso(s.stepStartedAtMs),
    canaryWeight: s.canaryWeight,
    pause: s.pause ? (s.pause.kind === 'step' ? { kind: 'step', until: iso(s.pause.untilMs) } : s.pause) : null,
    analysis: s.analysis ? s.analysis.metrics.map((m) => ({ ...m, stepIndex: s.analysis?.stepIndex, startedAt: iso(s.analysis?.startedAtMs), run: s.analysis?.phase })) : [],
    /** Every live measurement taken so far, per metric, oldest first (the console charts them). */
    measurements: Object.fromEntries(
      Object.entries(r.liveAnalysis?.taken ?? {}).map(([metric, taken]) => [
        metric,
        taken.map((m) => ({ takenAt: iso(m.takenAtMs), phase: m.phase, value: m.value, lower: m.lower ?? null, upper: m.upper ?? null, samples: m.samples ?? null, message: m.message })),
      ]),
    ),
    abort: s.abort ? { reason: s.abort.reason, message: s.abort.message, metric: s.abort.metric, at: iso(s.abort.atMs) } : null,
    pendingCommand: r.pendingCommand ? { kind: r.pendingCommand.kind, by: r.pendingCommand.by ?? null, reason: r.pendingCommand.reason ?? null, at: r.pendingCommand.at } : null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
};
