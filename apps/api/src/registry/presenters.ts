import type { ApiKey, Model, ModelVersion } from '@airlock/core';
import type { ModelAlias } from '@airlock/persistence';

// Domain records → the JSON shapes of API.md. Timestamps are ISO-8601 UTC.

export const presentModel = (model: Model) => ({
  name: model.name,
  description: model.description,
  owner: model.owner,
  assetClass: model.assetClass,
  tier: model.tier,
  createdAt: model.createdAt.toISOString(),
  createdBy: model.createdBy,
});

export const presentVersion = (version: ModelVersion) => ({
  model: version.modelName,
  version: version.version,
  sha256: version.sha256,
  sizeBytes: version.sizeBytes,
  status: version.status,
  createdAt: version.createdAt.toISOString(),
  createdBy: version.createdBy,
  features: version.manifest.features,
  actions: version.manifest.actions,
  training: version.manifest.training ?? null,
  tags: version.manifest.tags ?? [],
  inspection: version.inspection,
});

export const presentAlias = (alias: ModelAlias) => ({
  alias: alias.alias,
  version: alias.version,
  updatedAt: alias.updatedAt.toISOString(),
  updatedBy: alias.updatedBy,
});

export const presentApiKey = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  roles: key.roles,
  createdAt: key.createdAt.toISOString(),
  createdBy: key.createdBy,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

/** Cursor pagination: `limit` (1–500, default 100) and the opaque `after` from the previous page's `next`. */
export function pageOf<T>(items: readonly T[], limit: number, cursor: (item: T) => string) {
  const last = items[items.length - 1];
  return { items, next: items.length === limit && last !== undefined ? cursor(last) : null };
}
