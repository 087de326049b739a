import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ModelVersionEntity } from './model-version.entity.js';

/**
 * One validation of one model version by one suite. Spec fields are written at creation; status fields
 * (phase, shardsDone, gates, report, evidence, error, timestamps) are set by the workers.
 */
@Entity('validation_runs')
@Index('ix_validation_runs_version', ['versionId', 'createdAt'])
export class ValidationRunEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'version_id' })
  versionId!: string;

  @ManyToOne(() => ModelVersionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'version_id', foreignKeyConstraintName: 'fk_validation_runs_version' })
  modelVersion?: ModelVersionEntity;

  /** The suite as it was when the run was requested (suites are versioned data; this is the evidence). */
  @Column('jsonb')
  suite!: object;

  /** What the candidate is judged against: the champion's version and sha256, or null for baselines only. */
  @Column('jsonb', { nullable: true })
  champion!: object | null;

  /**
   * Whether the verdict sets the version's status: a shipped suite covering the model's tier, on a version not yet
   * past needs-review. Other runs are evidence only.
   */
  @Column('boolean', { name: 'affects_status', default: true })
  affectsStatus!: boolean;

  /** Pending | Running | Successful | Failed | Inconclusive | Error — set by the workers. */
  @Column('text')
  phase!: string;

  @Column('integer', { name: 'shards_total' })
  shardsTotal!: number;

  @Column('integer', { name: 'shards_done' })
  shardsDone!: number;

  /** Each gate's name, phase, value, condition and message; set once, at aggregation. */
  @Column('jsonb', { nullable: true })
  gates!: object | null;

  /** The summary shown by the API (aggregates, comparisons); the full result is the evidence artifact. */
  @Column('jsonb', { nullable: true })
  report!: object | null;

  @Column('char', { name: 'evidence_sha256', length: 64, nullable: true })
  evidenceSha256!: string | null;

  /** Why the run failed or errored (a missing dataset, corrupted bytes, a shard that kept failing). */
  @Column('text', { nullable: true })
  error!: string | null;

  @Column('text', { name: 'requested_by' })
  requestedBy!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
