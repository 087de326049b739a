import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Append-only: a trigger (see the initial migration) refuses UPDATE, DELETE and TRUNCATE. */
@Entity('audit_events')
@Index('ix_audit_events_subject', ['subject', 'seq'])
export class AuditEventEntity {
  @PrimaryColumn('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  seq!: number;

  @Column('timestamptz')
  at!: Date;

  @Column('text')
  actor!: string;

  @Column('text')
  action!: string;

  @Column('text')
  subject!: string;

  @Column('jsonb')
  data!: object | null;

  @Column('char', { name: 'prev_hash', length: 64 })
  prevHash!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
