import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The first response to a POST carrying an Idempotency-Key, replayed for later requests with that key. */
@Entity('idempotency_records')
export class IdempotencyRecordEntity {
  /** sha256 of the caller's bearer key: keys are scoped per caller (and checked before authentication runs). */
  @PrimaryColumn('char', { length: 64 })
  scope!: string;

  @PrimaryColumn('text')
  key!: string;

  /** sha256 over method, path and body: the same key for a different request is refused. */
  @Column('char', { length: 64 })
  fingerprint!: string;

  /** null while the first request is still running. */
  @Column('integer', { name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column('jsonb', { name: 'response_body', nullable: true })
  responseBody!: object | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
