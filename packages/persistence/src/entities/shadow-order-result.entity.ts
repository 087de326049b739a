import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ShadowSessionEntity } from './shadow-session.entity.js';

/**
 * One parent order scored for one candidate: the live (realised) and the candidate's (hypothetical) implementation
 * shortfall, paired. Insert-once (primary key), so a replayed checkpoint never counts an order twice.
 */
@Entity('shadow_order_results')
export class ShadowOrderResultEntity {
  @PrimaryColumn('uuid', { name: 'session_id' })
  sessionId!: string;

  @ManyToOne(() => ShadowSessionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_shadow_order_results_session' })
  session?: ShadowSessionEntity;

  @PrimaryColumn('text')
  model!: string;

  @PrimaryColumn('integer')
  version!: number;

  @PrimaryColumn('text', { name: 'order_id' })
  orderId!: string;

  @Column('text')
  instrument!: string;

  /** Trading date, YYYY-MM-DD. */
  @Column('text')
  date!: string;

  /** IS in bps of the arrival mid, positive = cost. */
  @Column('double precision', { name: 'live_is_bps' })
  liveIsBps!: number;

  @Column('double precision', { name: 'candidate_is_bps' })
  candidateIsBps!: number;

  /** Shares filled live and in the candidate's hypothetical episode, of `quantity` ordered. */
  @Column('double precision', { name: 'live_filled' })
  liveFilled!: number;

  @Column('double precision', { name: 'candidate_filled' })
  candidateFilled!: number;

  @Column('double precision')
  quantity!: number;
}
