import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ValidationRunEntity } from './validation-run.entity.js';

/** One unit of a run's work: a dataset × scenario × chunk of parent orders. Its result is stored once. */
@Entity('validation_shards')
@Index('uq_validation_shards_run_index', ['runId', 'index'], { unique: true })
export class ValidationShardEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'run_id' })
  runId!: string;

  @ManyToOne(() => ValidationRunEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'fk_validation_shards_run' })
  run?: ValidationRunEntity;

  @Column('integer')
  index!: number;

  /** Dataset, scenario and order range of this shard. */
  @Column('jsonb')
  spec!: object;

  /** pending | done — set by the worker that stores the result (first writer wins). */
  @Column('text')
  status!: string;

  /** Per-episode metrics of every strategy for this shard (null until done). */
  @Column('jsonb', { nullable: true })
  result!: object | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}
