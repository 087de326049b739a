import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ModelEntity } from './model.entity.js';

/** An immutable model version: once inserted, only `status` changes (and each change is audited). */
@Entity('model_versions')
@Index('uq_model_versions_model_version', ['modelId', 'version'], { unique: true })
@Index('uq_model_versions_model_sha256', ['modelId', 'sha256'], { unique: true })
export class ModelVersionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'model_id' })
  modelId!: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'model_id', foreignKeyConstraintName: 'fk_model_versions_model' })
  model?: ModelEntity;

  /** 1, 2, 3, … per model, no gaps (assigned under a row lock on the model). */
  @Column('integer')
  version!: number;

  /** Hex sha256 of the artifact bytes: the artifact store's key. */
  @Column('char', { length: 64 })
  sha256!: string;

  @Column('bigint', { name: 'size_bytes', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes!: number;

  /** features, actions, training lineage, tags (the manifest as validated). */
  @Column('jsonb')
  manifest!: object;

  /** The upload check's findings: shapes, opset, probe ranges, inference latency. */
  @Column('jsonb')
  inspection!: object;

  @Column('text')
  status!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** `key:<id>` of the author: never allowed to approve this version. */
  @Column('text', { name: 'created_by' })
  createdBy!: string;
}
