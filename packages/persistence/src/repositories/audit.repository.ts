import { GENESIS_HASH, hashAuditEvent, type AuditEvent } from '@airlock/core';
import type { EntityManager } from 'typeorm';
import { AuditEventEntity } from '../entities/audit-event.entity.js';

/** Any constant: the transaction-scoped advisory lock that serialises appends to the chain. */
const AUDIT_CHAIN_LOCK = 0x41_75_64_74; // "Audt"

export interface AuditAppend {
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly data: unknown;
}

export interface AuditQuery {
  /** Exact subject, or its children: `model:x` also matches `model:x@3`. */
  readonly subject?: string;
  readonly afterSeq?: number;
  readonly limit: number;
}

const toEvent = (row: AuditEventEntity): AuditEvent => ({
  seq: row.seq,
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  subject: row.subject,
  data: row.data,
  prevHash: row.prevHash,
  hash: row.hash,
});

export class AuditRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Appends one event to the chain inside the caller's transaction. The advisory lock is held until that
   * transaction commits or rolls back, so the chain has no forks and a rolled-back mutation leaves no event.
   */
  async append(event: AuditAppend): Promise<AuditEvent> {
    await this.manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    const last = await this.manager.find(AuditEventEntity, { order: { seq: 'DESC' }, take: 1 });
    const prevHash = last[0]?.hash ?? GENESIS_HASH;
    // JSON round trip: what is hashed is exactly what jsonb stores and returns (no undefined, no class instances).
    const data = JSON.parse(JSON.stringify(event.data ?? null)) as object | null;
    const content = {
      seq: (last[0]?.seq ?? 0) + 1,
      at: event.at.toISOString(),
      actor: event.actor,
      action: event.action,
      subject: event.subject,
      data,
    };
    const hash = hashAuditEvent(content, prevHash);
    await this.manager.insert(AuditEventEntity, { ...content, at: event.at, prevHash, hash });
    return { ...content, prevHash, hash };
  }

  async list(query: AuditQuery): Promise<AuditEvent[]> {
    const builder = this.manager.createQueryBuilder(AuditEventEntity, 'e').orderBy('e.seq', 'ASC').limit(query.limit);
    if (query.subject !== undefined) {
      builder.andWhere('(e.subject = :subject OR starts_with(e.subject, :child))', {
        subject: query.subject,
        child: `${query.subject}@`,
      });
    }
    if (query.afterSeq !== undefined) builder.andWhere('e.seq > :after', { after: query.afterSeq });
    return (await builder.getMany()).map(toEvent);
  }

  /** The whole chain in order, a page at a time (verification and export of any length). */
  async *stream(pageSize = 1000): AsyncGenerator<AuditEvent> {
    let afterSeq = 0;
    for (;;) {
      const page = await this.list({ afterSeq, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      afterSeq = page[page.length - 1]!.seq;
    }
  }
}
