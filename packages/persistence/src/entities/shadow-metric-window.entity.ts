import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint.transformer.js';
import { ShadowSessionEntity } from './shadow-session.entity.js';

/**
 * One subject's (a candidate's or the live model's) ShadowCounters over one time window of one trading date of
 * a session. Cumulative: every checkpoint replaces the counters of the windows it touched.
 */
@Entity('shadow_metric_windows')
export class ShadowMetricWindowEntity {
  @PrimaryColumn('uuid', { name: 'session_id' })
  sessionId!: string;

  @ManyToOne(() => ShadowSessionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_shadow_metric_windows_session' })
  session?: ShadowSessionEntity;

  @PrimaryColumn('text')
  model!: string;

  @PrimaryColumn('integer')
  version!: number;

  /** candidate | live. */
  @PrimaryColumn('text')
  role!: string;

  /** Trading date, YYYY-MM-DD. */
  @PrimaryColumn('text')
  date!: string;

  /** Window start, ns after local midnight of `date` (the live-flow clock). */
  @PrimaryColumn('bigint', { name: 'window_start_ns', transformer: BIGINT_AS_NUMBER })
  windowStartNs!: number;

  @Column('bigint', { name: 'window_ns', transformer: BIGINT_AS_NUMBER })
  windowNs!: number;

  /** ShadowCounters. */
  @Column('jsonb')
  counters!: object;
}
