import type { Promotion, VersionRef, VersionStatus } from '@airlock/core';
import type { UnitOfWork } from '@airlock/persistence';

/**
 * Moves a version's lifecycle status as promotion and rollout progress (core VERSION_STATUSES): approved when its
 * promotion is approved, canary once it takes flow, champion / retired on completion (RolloutController.crown),
 * rejected when live analysis failed it, back to shadow-passed when a rollout ends otherwise (a manual abort, a
 * kill, an expired approval) so it can be promoted again. Only from the listed statuses: a version that moved on
 * meanwhile keeps its status. Audited `version.status-changed` in the caller's transaction.
 */
export async function moveVersionStatus(uow: UnitOfWork, ref: VersionRef, to: VersionStatus, from: readonly VersionStatus[], data: Record<string, unknown>): Promise<boolean> {
  const model = await uow.models.findByName(ref.model);
  const version = model ? await uow.versions.find(model, ref.version) : null;
  if (!version || !from.includes(version.status)) return false;
  await uow.versions.setStatus(version, to);
  await uow.audit('system', 'version.status-changed', `model:${ref.model}@${ref.version}`, { from: version.status, to, ...data });
  return true;
}

/**
 * The statuses a version may be approved from under this promotion: shadow-passed, or — when an admin overrode
 * the eligibility check — the status it had then (so an overridden version still follows approved → canary →
 * champion / rejected).
 */
export const approvableFrom = (promotion: Pick<Promotion, 'override'>): VersionStatus[] => ['shadow-passed', ...(promotion.override ? [promotion.override.fromStatus] : [])];

/**
 * Where a version goes back to when its rollout ends without a verdict on it (a manual abort, a kill, an expired
 * approval): shadow-passed, or the status an admin override promoted it from (it never passed shadow).
 */
export async function statusBeforePromotion(uow: UnitOfWork, promotionId: string): Promise<VersionStatus> {
  const promotion = await uow.promotions.find(promotionId);
  return promotion?.override?.fromStatus ?? 'shadow-passed';
}
