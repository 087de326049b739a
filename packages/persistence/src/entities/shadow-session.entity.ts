import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeploymentEntity } from './deployment.entity.js';

/**
 * A shadow session (issue #5, docs/shadow.md): candidate versions of one model scored beside the live flow of a
 * deployment. Created Running by the API; the shadow runner updates `totals` with every checkpoint and ends it
 * (Completed, Stopped or Failed) with its verdicts.
 */
@Entity('shadow_sessions')
@Index('ix_shadow_sessions_phase', ['phase'])
export class ShadowSessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** The model's name (every candidate is a version of it). */
  @Column('text')
  model!: string;

  @Column('text')
  deployment!: string;

  @ManyToOne(() => DeploymentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'deployment', foreignKeyConstraintName: 'fk_shadow_sessions_deployment' })
  deploymentRow?: DeploymentEntity;

  /** `[{ model, version, sha256 }]`: the versions scored, with the artifact each was registered with. */
  @Column('jsonb')
  candidates!: object;

  /** The resolved ShadowPolicy (defaults merged with the request's overrides). */
  @Column('jsonb')
  policy!: object;

  /** Instruments the session scores; null: every instrument of the deployment's flow. */
  @Column('jsonb', { nullable: true })
  instruments!: object | null;

  /** Running | Completed | Stopped | Failed. */
  @Column('text')
  phase!: string;

  /** Per candidate `model@version` → `{ verdict, gates: [...] }`; null until the session ends with a verdict. */
  @Column('jsonb', { nullable: true })
  verdicts!: object | null;

  /** ShadowSessionTotals: the sum of the session's windows, replaced by every runner checkpoint. */
  @Column('jsonb')
  totals!: object;

  /** `key:<id>` of whoever asked the runner to stop the session; the runner ends it as Stopped. */
  @Column('text', { name: 'stop_requested_by', nullable: true })
  stopRequestedBy!: string | null;

  /** The evidence artifact (artifact store digest) written when the session ended. */
  @Column('char', { name: 'evidence_sha256', length: 64, nullable: true })
  evidenceSha256!: string | null;

  /** Why a Failed session failed. */
  @Column('text', { nullable: true })
  failure!: string | null;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt!: Date | null;
}
