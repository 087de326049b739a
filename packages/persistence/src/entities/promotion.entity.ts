import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeploymentEntity } from './deployment.entity.js';
import { ModelVersionEntity } from './model-version.entity.js';

/**
 * A request to promote one version to one deployment under one rollout plan. Spec fields are written at
 * creation; `phase` and `decidedAt` are set by the approval use-case (and, from part B, the rollout controller).
 */
@Entity('promotions')
@Index('ix_promotions_phase_requested', ['phase', 'requestedAt'])
export class PromotionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'version_id' })
  versionId!: string;

  @ManyToOne(() => ModelVersionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'fk_promotions_version' })
  modelVersion?: ModelVersionEntity;

  @Column('text')
  deployment!: string;

  @ManyToOne(() => DeploymentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'deployment', foreignKeyConstraintName: 'fk_promotions_deployment' })
  deploymentRow?: DeploymentEntity;

  /** The artifact digest approvals bind (copied from the version at request time). */
  @Column('char', { length: 64 })
  sha256!: string;

  /** The model's tier at request time: it fixed `requiredApprovals`. */
  @Column('text')
  tier!: string;

  @Column('jsonb')
  plan!: object;

  @Column('char', { name: 'plan_hash', length: 64 })
  planHash!: string;

  /** PendingApproval | Approved | Rejected. */
  @Column('text')
  phase!: string;

  @Column('integer', { name: 'required_approvals' })
  requiredApprovals!: number;

  /** `{ reason, by, fromStatus }` when an admin promoted a version outside the promotable statuses. */
  @Column('jsonb', { nullable: true })
  override!: object | null;

  @Column('text', { name: 'requested_by' })
  requestedBy!: string;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt!: Date;

  @Column('timestamptz', { name: 'decided_at', nullable: true })
  decidedAt!: Date | null;
}
