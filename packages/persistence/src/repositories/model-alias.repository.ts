import type { Model } from '@airlock/core';
import type { EntityManager } from 'typeorm';
import { ModelAliasEntity } from '../entities/model-alias.entity.js';

export interface ModelAlias {
  readonly alias: string;
  readonly version: number;
  readonly updatedAt: Date;
  readonly updatedBy: string;
}

export class ModelAliasRepository {
  constructor(private readonly manager: EntityManager) {}

  async upsert(model: Model, alias: ModelAlias): Promise<void> {
    await this.manager.upsert(ModelAliasEntity, { modelId: model.id, ...alias }, ['modelId', 'alias']);
  }

  async list(model: Model): Promise<ModelAlias[]> {
    const rows = await this.manager.find(ModelAliasEntity, { where: { modelId: model.id }, order: { alias: 'ASC' } });
    return rows.map(({ alias, version, updatedAt, updatedBy }) => ({ alias, version, updatedAt, updatedBy }));
  }
}
