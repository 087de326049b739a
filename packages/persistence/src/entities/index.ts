import { ApiKeyEntity } from './api-key.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { ModelAliasEntity } from './model-alias.entity.js';
import { ModelVersionEntity } from './model-version.entity.js';
import { ModelEntity } from './model.entity.js';

export { ApiKeyEntity, AuditEventEntity, IdempotencyRecordEntity, ModelAliasEntity, ModelEntity, ModelVersionEntity };

export const ENTITIES = [ApiKeyEntity, AuditEventEntity, IdempotencyRecordEntity, ModelAliasEntity, ModelEntity, ModelVersionEntity];
