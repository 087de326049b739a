import { ApiKeyEntity } from './api-key.entity.js';
import { DatasetEntity } from './dataset.entity.js';
import { DeploymentEntity } from './deployment.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { ModelAliasEntity } from './model-alias.entity.js';
import { ModelVersionEntity } from './model-version.entity.js';
import { ModelEntity } from './model.entity.js';
import { PromotionApprovalEntity } from './promotion-approval.entity.js';
import { PromotionEntity } from './promotion.entity.js';
import { RolloutEntity } from './rollout.entity.js';
import { ValidationRunEntity } from './validation-run.entity.js';
import { ValidationShardEntity } from './validation-shard.entity.js';

export {
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  DeploymentEntity,
  IdempotencyRecordEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  PromotionApprovalEntity,
  PromotionEntity,
  RolloutEntity,
  ValidationRunEntity,
  ValidationShardEntity,
};

export const ENTITIES = [
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  DeploymentEntity,
  IdempotencyRecordEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  PromotionApprovalEntity,
  PromotionEntity,
  RolloutEntity,
  ValidationRunEntity,
  ValidationShardEntity,
];
