import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint.transformer.js';

/**
 * Where a shadow runner (by its durable consumer name) stands on the live flow: every event up to `position` is
 * in the stored counters; after a restart it re-reads from `rewind_position` (warm-up, not counted).
 */
@Entity('shadow_runner_checkpoints')
export class ShadowRunnerCheckpointEntity {
  @PrimaryColumn('text')
  durable!: string;

  @Column('bigint', { transformer: BIGINT_AS_NUMBER })
  position!: number;

  @Column('bigint', { name: 'rewind_position', transformer: BIGINT_AS_NUMBER })
  rewindPosition!: number;

  /**
   * Parent orders done at or before `position` whose candidates' hypothetical episodes were not scored yet
   * (scoring is batched): a restart scores them when its warm-up replays their `order.done`. null = none
   * (rows written before the column existed).
   */
  @Column('jsonb', { name: 'pending_orders', nullable: true })
  pendingOrders!: string[] | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
