import type { ApiKey, Role } from '@airlock/core';
import { IsNull, type EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity.js';
import { toApiKey } from './mappers.js';

export class ApiKeyRepository {
  constructor(private readonly manager: EntityManager) {}

  async findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    const row = await this.manager.findOneBy(ApiKeyEntity, { keyHash, revokedAt: IsNull() });
    return row ? toApiKey(row) : null;
  }

  async insert(key: Omit<ApiKey, 'revokedAt'> & { keyHash: string }): Promise<ApiKey> {
    const row = this.manager.create(ApiKeyEntity, { ...key, roles: [...key.roles], revokedAt: null });
    await this.manager.insert(ApiKeyEntity, row);
    return toApiKey(row);
  }

  async existsWithRole(role: Role): Promise<boolean> {
    return this.manager
      .createQueryBuilder(ApiKeyEntity, 'k')
      .where(':role = ANY(k.roles)', { role })
      .andWhere('k.revoked_at IS NULL')
      .getExists();
  }

  async list(): Promise<ApiKey[]> {
    const rows = await this.manager.find(ApiKeyEntity, { order: { createdAt: 'ASC' } });
    return rows.map(toApiKey);
  }
}
