import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeploymentEntity } from './deployment.entity.js';
import { PromotionEntity } from './promotion.entity.js';

/**
 * The rollout of one Approved promotion (issue #6 part B, docs/rollout-controller.md): the spec as it stood when
 * the controller took the promotion, the `RolloutStatus` the controller persists after every tick, and at most one
 * pending human command. Exactly one rollout per promotion (unique index).
 */
@Entity('rollouts')
@Index('uq_rollouts_promotion', ['promotionId'], { unique: true })
@Index('ix_rollouts_deployment_created', ['deployment', 'createdAt'])
export class RolloutEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'promotion_id' })
  promotionId!: string;

  @ManyToOne(() => PromotionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'promotion_id', foreignKeyConstraintName: 'fk_rollouts_promotion' })
  promotion?: PromotionEntity;

  @Column('text')
  deployment!: string;

  @ManyToOne(() => DeploymentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'deployment', foreignKeyConstraintName: 'fk_rollouts_deployment' })
  deploymentRow?: DeploymentEntity;

  /** `{ model, version, sha256 }` of the candidate. */
  @Column('jsonb')
  candidate!: object;

  /** The deployment's stable when the rollout started: the rollback target. null: no model traded before. */
  @Column('jsonb', { nullable: true })
  stable!: object | null;

  @Column('jsonb')
  plan!: object;

  @Column('char', { name: 'plan_hash', length: 64 })
  planHash!: string;

  /** `{ sha256, planHash }` the counted risk votes bound. */
  @Column('jsonb')
  approval!: object;

  /** Progressing | Paused | Healthy | Degraded | Aborted (copy of status.phase, for queries). */
  @Column('text')
  phase!: string;

  /** The core `RolloutStatus`, written after every tick. */
  @Column('jsonb')
  status!: object;

  /** `{ id, kind, by, reason, at }`: a human's command the next tick applies; cleared once applied. */
  @Column('jsonb', { name: 'pending_command', nullable: true })
  pendingCommand!: object | null;

  /** The controller's live-analysis memory (core `LiveAnalysisState`: baselines and measurements taken); null before any. */
  @Column('jsonb', { name: 'live_analysis', nullable: true })
  liveAnalysis!: object | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
