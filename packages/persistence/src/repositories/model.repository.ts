import type { Model } from '@airlock/core';
import type { EntityManager } from 'typeorm';
import { ModelEntity } from '../entities/model.entity.js';
import { toModel } from './mappers.js';

export class ModelRepository {
  constructor(private readonly manager: EntityManager) {}

  /** Inserts unless the name is taken; returns null when it is (the unique index decides, race-free). */
  async insertIfAbsent(model: Model): Promise<Model | null> {
    const result = await this.manager
      .createQueryBuilder()
      .insert()
      .into(ModelEntity)
      .values(model)
      .orIgnore()
      .returning('id')
      .execute();
    return result.raw.length > 0 ? model : null;
  }

  async findByName(name: string): Promise<Model | null> {
    const row = await this.manager.findOneBy(ModelEntity, { name });
    return row ? toModel(row) : null;
  }

  /**
   * Locks the model's row until the transaction ends: concurrent registrations of the same model queue here,
   * so version numbers are assigned one at a time without gaps or duplicates.
   */
  async lockByName(name: string): Promise<Model | null> {
    const row = await this.manager
      .createQueryBuilder(ModelEntity, 'm')
      .setLock('pessimistic_write')
      .where('m.name = :name', { name })
      .getOne();
    return row ? toModel(row) : null;
  }

  async list(page: { limit: number; after?: string }): Promise<Model[]> {
    const query = this.manager.createQueryBuilder(ModelEntity, 'm').orderBy('m.name', 'ASC').limit(page.limit);
    if (page.after) query.where('m.name > :after', { after: page.after });
    return (await query.getMany()).map(toModel);
  }
}
