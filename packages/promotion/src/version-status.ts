import type { VersionRef, VersionStatus } from '@airlock/core';
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
