import { IsNull, type EntityManager } from 'typeorm';

/** How long a claim without a response blocks its key, ms: longer than any request (a 256 MiB upload included). */
export const IN_PROGRESS_LEASE_MS = 10 * 60_000;
import { IdempotencyRecordEntity } from '../entities/idempotency-record.entity.js';

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'mismatch' };

export class IdempotencyRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Claims the key for this request, or says what happened to the first request that used it. A claim whose request
   * never finished (the process died between claim and response) is taken over after IN_PROGRESS_LEASE_MS.
   */
  async claim(scope: string, key: string, fingerprint: string, at: Date): Promise<IdempotencyClaim> {
    await this.manager
      .createQueryBuilder()
      .delete()
      .from(IdempotencyRecordEntity)
      .where('scope = :scope AND key = :key AND response_status IS NULL AND created_at < :expired', {
        scope,
        key,
        expired: new Date(at.getTime() - IN_PROGRESS_LEASE_MS),
      })
      .execute();
    const inserted = await this.manager
      .createQueryBuilder()
      .insert()
      .into(IdempotencyRecordEntity)
      .values({ scope, key, fingerprint, responseStatus: null, responseBody: null, createdAt: at })
      .orIgnore()
      .returning('key')
      .execute();
    if (inserted.raw.length > 0) return { kind: 'claimed' };
    const existing = await this.manager.findOneByOrFail(IdempotencyRecordEntity, { scope, key });
    if (existing.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (existing.responseStatus === null) return { kind: 'in-progress' };
    return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.manager.update(IdempotencyRecordEntity, { scope, key }, { responseStatus: status, responseBody: body as object | null });
  }

  /** Frees the key after a failed request, so the client may retry with it. */
  async release(scope: string, key: string): Promise<void> {
    await this.manager.delete(IdempotencyRecordEntity, { scope, key, responseStatus: IsNull() });
  }
}
