import { ApiKeyEntity } from './api-key.entity.js';
import { DatasetEntity } from './dataset.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { ModelAliasEntity } from './model-alias.entity.js';
import { ModelVersionEntity } from './model-version.entity.js';
import { ModelEntity } from './model.entity.js';
import { ValidationRunEntity } from './validation-run.entity.js';
import { ValidationShardEntity } from './validation-shard.entity.js';

export {
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  IdempotencyRecordEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  ValidationRunEntity,
  ValidationShardEntity,
};

export const ENTITIES = [
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  IdempotencyRecordEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  ValidationRunEntity,
  ValidationShardEntity,
];
