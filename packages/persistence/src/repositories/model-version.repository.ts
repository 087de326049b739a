import type { Model, ModelVersion, VersionStatus } from '@airlock/core';
import type { EntityManager } from 'typeorm';
import { ModelVersionEntity } from '../entities/model-version.entity.js';
import { toModelVersion } from './mappers.js';

export class ModelVersionRepository {
  constructor(private readonly manager: EntityManager) {}

  async findBySha256(model: Model, sha256: string): Promise<ModelVersion | null> {
    const row = await this.manager.findOneBy(ModelVersionEntity, { modelId: model.id, sha256 });
    return row ? toModelVersion(row, model.name) : null;
  }

  async find(model: Model, version: number): Promise<ModelVersion | null> {
    const row = await this.manager.findOneBy(ModelVersionEntity, { modelId: model.id, version });
    return row ? toModelVersion(row, model.name) : null;
  }

  /** A version by its model's name and number, in one query (the hot read path of the API). */
  async findByModelName(modelName: string, version: number): Promise<ModelVersion | null> {
    const row = await this.manager
      .createQueryBuilder(ModelVersionEntity, 'v')
      .innerJoinAndSelect('v.model', 'm')
      .where('m.name = :modelName AND v.version = :version', { modelName, version })
      .getOne();
    return row?.model ? toModelVersion(row, row.model.name) : null;
  }

  /** A version by its id, with its model's name (workers hold ids, not names). */
  async findById(id: string): Promise<ModelVersion | null> {
    const row = await this.manager.findOne(ModelVersionEntity, { where: { id }, relations: { model: true } });
    return row?.model ? toModelVersion(row, row.model.name) : null;
  }

  /** The next version number; call only while holding the model's row lock. */
  async nextVersionNumber(model: Model): Promise<number> {
    const result = await this.manager
      .createQueryBuilder(ModelVersionEntity, 'v')
      .select('COALESCE(MAX(v.version), 0)', 'max')
      .where('v.model_id = :id', { id: model.id })
      .getRawOne<{ max: number | string }>();
    return Number(result?.max ?? 0) + 1;
  }

  async insert(version: ModelVersion): Promise<void> {
    const { modelName: _modelName, manifest, ...row } = version;
    await this.manager.insert(ModelVersionEntity, {
      ...row,
      manifest: { ...manifest },
      inspection: { ...version.inspection },
    });
  }

  async setStatus(version: ModelVersion, status: VersionStatus): Promise<void> {
    await this.manager.update(ModelVersionEntity, { id: version.id }, { status });
  }

  async list(model: Model, page: { limit: number; afterVersion?: number }): Promise<ModelVersion[]> {
    const query = this.manager
      .createQueryBuilder(ModelVersionEntity, 'v')
      .where('v.model_id = :id', { id: model.id })
      .orderBy('v.version', 'ASC')
      .limit(page.limit);
    if (page.afterVersion !== undefined) query.andWhere('v.version > :after', { after: page.afterVersion });
    return (await query.getMany()).map((row) => toModelVersion(row, model.name));
  }

  async isArtifactReferenced(sha256: string): Promise<boolean> {
    return this.manager.existsBy(ModelVersionEntity, { sha256 });
  }
}
