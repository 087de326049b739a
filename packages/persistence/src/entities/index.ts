import { ApiKeyEntity } from './api-key.entity.js';
import { DatasetEntity } from './dataset.entity.js';
import { DeploymentEntity } from './deployment.entity.js';
import { AuditEventEntity } from './audit-event.entity.js';
import { IdempotencyRecordEntity } from './idempotency-record.entity.js';
import { LiveMetricWindowEntity } from './live-metric-window.entity.js';
import { ModelAliasEntity } from './model-alias.entity.js';
import { ModelVersionEntity } from './model-version.entity.js';
import { ModelEntity } from './model.entity.js';
import { PromotionApprovalEntity } from './promotion-approval.entity.js';
import { PromotionEntity } from './promotion.entity.js';
import { RolloutEntity } from './rollout.entity.js';
import { ShadowFindingEntity } from './shadow-finding.entity.js';
import { ShadowMetricWindowEntity } from './shadow-metric-window.entity.js';
import { ShadowOrderResultEntity } from './shadow-order-result.entity.js';
import { ShadowRunnerCheckpointEntity } from './shadow-runner-checkpoint.entity.js';
import { ShadowSessionEntity } from './shadow-session.entity.js';
import { ValidationRunEntity } from './validation-run.entity.js';
import { ValidationShardEntity } from './validation-shard.entity.js';

export {
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  DeploymentEntity,
  IdempotencyRecordEntity,
  LiveMetricWindowEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  PromotionApprovalEntity,
  PromotionEntity,
  RolloutEntity,
  ShadowFindingEntity,
  ShadowMetricWindowEntity,
  ShadowOrderResultEntity,
  ShadowRunnerCheckpointEntity,
  ShadowSessionEntity,
  ValidationRunEntity,
  ValidationShardEntity,
};

export const ENTITIES = [
  ApiKeyEntity,
  AuditEventEntity,
  DatasetEntity,
  DeploymentEntity,
  IdempotencyRecordEntity,
  LiveMetricWindowEntity,
  ModelAliasEntity,
  ModelEntity,
  ModelVersionEntity,
  PromotionApprovalEntity,
  PromotionEntity,
  RolloutEntity,
  ShadowFindingEntity,
  ShadowMetricWindowEntity,
  ShadowOrderResultEntity,
  ShadowRunnerCheckpointEntity,
  ShadowSessionEntity,
  ValidationRunEntity,
  ValidationShardEntity,
];
