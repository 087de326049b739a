import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { BIGINT_AS_NUMBER } from './bigint.transformer.js';
import { ShadowSessionEntity } from './shadow-session.entity.js';

/**
 * A bad input or a skew the runner met during a session (the session goes on), with its reason and an example.
 * Exact duplicates of (session, kind, position, reason) are not stored twice.
 */
@Entity('shadow_findings')
@Index('ix_shadow_findings_session_kind', ['sessionId', 'kind', 'position'])
export class ShadowFindingEntity {
  /** bigserial, read as a string (PostgreSQL bigint). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('uuid', { name: 'session_id' })
  sessionId!: string;

  @ManyToOne(() => ShadowSessionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_shadow_findings_session' })
  session?: ShadowSessionEntity;

  /** A FindingKind: malformed, duplicate, sequence-gap, feature-skew, … */
  @Column('text')
  kind!: string;

  /** Live-flow stream position of the event (0 when not tied to one). */
  @Column('bigint', { transformer: BIGINT_AS_NUMBER })
  position!: number;

  @Column('text', { name: 'event_id', nullable: true })
  eventId!: string | null;

  @Column('text')
  reason!: string;

  /** The offending values (bounded JSON). */
  @Column('jsonb', { nullable: true })
  example!: unknown;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
