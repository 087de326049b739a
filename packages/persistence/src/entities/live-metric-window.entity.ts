import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint.transformer.js';

/**
 * Live metrics per deployment and version (stable vs canary) from the live flow itself, by time window: the
 * input of the rollout's analysis gates. Cumulative per window (a checkpoint replaces the counters). No foreign
 * key: the flow may name a deployment before the registry knows it, and that must not stop the runner.
 */
@Entity('live_metric_windows')
export class LiveMetricWindowEntity {
  @PrimaryColumn('text')
  deployment!: string;

  @PrimaryColumn('text')
  model!: string;

  @PrimaryColumn('integer')
  version!: number;

  /** Trading date, YYYY-MM-DD. */
  @PrimaryColumn('text')
  date!: string;

  @PrimaryColumn('bigint', { name: 'window_start_ns', transformer: BIGINT_AS_NUMBER })
  windowStartNs!: number;

  @Column('bigint', { name: 'window_ns', transformer: BIGINT_AS_NUMBER })
  windowNs!: number;

  /** LiveCounters. */
  @Column('jsonb')
  counters!: object;
}
