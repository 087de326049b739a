import type { Deployment, KillRecord, VersionRef } from '@airlock/core';
import { In, type EntityManager } from 'typeorm';
import { DeploymentEntity } from '../entities/deployment.entity.js';

const toDeployment = (row: DeploymentEntity): Deployment => {
  const kill = row.kill as (Omit<KillRecord, 'at'> & { at: string }) | null;
  return {
    name: row.name,
    stable: row.stable as VersionRef | null,
    canary: row.canary as VersionRef | null,
    canaryWeight: row.canaryWeight,
    revision: row.revision,
    halted: row.halted,
    kill: kill ? { ...kill, at: new Date(kill.at) } : null,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
};

const toRow = (d: Deployment) => ({
  ...d,
  stable: d.stable ? { ...d.stable } : null,
  canary: d.canary ? { ...d.canary } : null,
  kill: d.kill ? { ...d.kill, at: d.kill.at.toISOString() } : null,
});

export class DeploymentRepository {
  constructor(private readonly manager: EntityManager) {}

  async find(name: string): Promise<Deployment | null> {
    const row = await this.manager.findOneBy(DeploymentEntity, { name });
    return row ? toDeployment(row) : null;
  }

  /** Every deployment, by name, read without locks. */
  async list(): Promise<Deployment[]> {
    return (await this.manager.find(DeploymentEntity, { order: { name: 'ASC' } })).map(toDeployment);
  }

  /** Deployments by name, read without locks. */
  async findMany(names: readonly string[]): Promise<Deployment[]> {
    if (names.length === 0) return [];
    return (await this.manager.find(DeploymentEntity, { where: { name: In([...names]) } })).map(toDeployment);
  }

  /** The deployment under a row lock until the transaction ends: routing changes are serialised per deployment. */
  async lock(name: string): Promise<Deployment | null> {
    const row = await this.manager.findOne(DeploymentEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
    return row ? toDeployment(row) : null;
  }

  /** false when a deployment of that name exists already (a concurrent first promotion created it). */
  async insertIfAbsent(deployment: Deployment): Promise<boolean> {
    const result = await this.manager.createQueryBuilder().insert().into(DeploymentEntity).values(toRow(deployment)).orIgnore().returning('name').execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** Writes the routing table; call only while holding the row lock, with `revision` already incremented. */
  async update(deployment: Deployment): Promise<void> {
    const { name, createdAt: _c, createdBy: _b, ...rest } = toRow(deployment);
    await this.manager.update(DeploymentEntity, { name }, rest);
  }
}
