import type { ApiKey, Manifest, Model, ModelTier, ModelVersion, Role, VersionStatus } from '@airlock/core';
import type { ApiKeyEntity } from '../entities/api-key.entity.js';
import type { ModelVersionEntity } from '../entities/model-version.entity.js';
import type { ModelEntity } from '../entities/model.entity.js';

// Rows → domain records. Values were checked on the way in, so the casts only restore their types.

export const toModel = (row: ModelEntity): Model => ({
  id: row.id,
  name: row.name,
  description: row.description,
  owner: row.owner,
  assetClass: row.assetClass,
  tier: row.tier as ModelTier,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
});

export const toModelVersion = (row: ModelVersionEntity, modelName: string): ModelVersion => ({
  id: row.id,
  modelId: row.modelId,
  modelName,
  version: row.version,
  sha256: row.sha256,
  sizeBytes: row.sizeBytes,
  manifest: row.manifest as unknown as Manifest,
  inspection: row.inspection as Record<string, unknown>,
  status: row.status as VersionStatus,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
});

export const toApiKey = (row: ApiKeyEntity): ApiKey => ({
  id: row.id,
  name: row.name,
  roles: row.roles as Role[],
  createdAt: row.createdAt,
  createdBy: row.createdBy,
  revokedAt: row.revokedAt,
});
