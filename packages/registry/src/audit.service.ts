import { AuditChainVerifier, type AuditEvent, type ChainVerification } from '@airlock/core';
import type { AuditQuery, Database } from '@airlock/persistence';

export class AuditService {
  constructor(private readonly db: Database) {}

  list(query: AuditQuery): Promise<AuditEvent[]> {
    return this.db.read.auditEvents.list(query);
  }

  /** The whole chain, in order, a page at a time (JSONL export). */
  stream(): AsyncIterable<AuditEvent> {
    return this.db.read.auditEvents.stream();
  }

  /** Recomputes every hash from the first event: a modified, deleted or reordered event breaks the chain. */
  async verify(): Promise<ChainVerification> {
    const verifier = new AuditChainVerifier();
    for await (const event of this.db.read.auditEvents.stream()) if (!verifier.add(event)) break;
    return verifier.result();
  }
}
