import { IsNull, type EntityManager } from 'typeorm';
import { IdempotencyRecordEntity } from '../entities/idempotency-record.entity.js';

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'mismatch' };

export class IdempotencyRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Claims the key for this request, or says what happened to the first request that used it. */
  async claim(scope: string, key: string, fingerprint: string, at: Date): Promise<IdempotencyClaim> {
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
