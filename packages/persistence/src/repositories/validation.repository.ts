import type { EntityManager } from 'typeorm';
import { DatasetEntity } from '../entities/dataset.entity.js';
import { ValidationRunEntity } from '../entities/validation-run.entity.js';
import { ValidationShardEntity } from '../entities/validation-shard.entity.js';

export type RunPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
export const TERMINAL_PHASES: readonly RunPhase[] = ['Successful', 'Failed', 'Inconclusive', 'Error'];

export interface ValidationRun {
  readonly id: string;
  readonly versionId: string;
  readonly suite: Record<string, unknown>;
  readonly champion: { version: number; sha256: string } | null;
  /** Whether the verdict sets the version's status (see the entity). */
  readonly affectsStatus: boolean;
  readonly phase: RunPhase;
  readonly shardsTotal: number;
  readonly shardsDone: number;
  readonly gates: unknown[] | null;
  readonly report: Record<string, unknown> | null;
  readonly evidenceSha256: string | null;
  readonly error: string | null;
  readonly requestedBy: string;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
}

export interface ValidationShard {
  readonly id: string;
  readonly runId: string;
  readonly index: number;
  readonly spec: Record<string, unknown>;
  readonly status: 'pending' | 'done';
  readonly result: Record<string, unknown> | null;
}

export interface Dataset {
  readonly id: string;
  readonly name: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly format: string;
  readonly instrument: string;
  readonly date: string;
  readonly levels: number;
  readonly messages: number;
  readonly quality: Record<string, unknown>;
  readonly createdAt: Date;
  readonly createdBy: string;
}

const toRun = (row: ValidationRunEntity): ValidationRun => ({
  ...row,
  suite: row.suite as Record<string, unknown>,
  champion: row.champion as ValidationRun['champion'],
  phase: row.phase as RunPhase,
  gates: row.gates as unknown[] | null,
  report: row.report as Record<string, unknown> | null,
});
const toShard = (row: ValidationShardEntity): ValidationShard => ({
  id: row.id,
  runId: row.runId,
  index: row.index,
  spec: row.spec as Record<string, unknown>,
  status: row.status as ValidationShard['status'],
  result: row.result as Record<string, unknown> | null,
});
const toDataset = (row: DatasetEntity): Dataset => ({ ...row, quality: row.quality as Record<string, unknown> });

export class ValidationRepository {
  constructor(private readonly manager: EntityManager) {}

  async insertRun(run: ValidationRun, shards: readonly ValidationShard[]): Promise<void> {
    await this.manager.insert(ValidationRunEntity, { ...run, suite: run.suite, champion: run.champion, gates: run.gates, report: run.report });
    if (shards.length > 0) await this.manager.insert(ValidationShardEntity, shards.map((s) => ({ ...s, finishedAt: null })));
  }

  async findRun(id: string): Promise<ValidationRun | null> {
    const row = await this.manager.findOneBy(ValidationRunEntity, { id });
    return row ? toRun(row) : null;
  }

  /** Row-locked until the transaction ends: aggregation and failure decide a run's verdict one at a time. */
  async lockRun(id: string): Promise<ValidationRun | null> {
    const row = await this.manager.createQueryBuilder(ValidationRunEntity, 'r').setLock('pessimistic_write').where('r.id = :id', { id }).getOne();
    return row ? toRun(row) : null;
  }

  /** A run of this version that will set its status and has not finished yet. */
  async activeStatusRun(versionId: string): Promise<ValidationRun | null> {
    const row = await this.manager
      .createQueryBuilder(ValidationRunEntity, 'r')
      .where('r.version_id = :versionId AND r.affects_status AND r.phase IN (:...phases)', { versionId, phases: ['Pending', 'Running'] })
      .getOne();
    return row ? toRun(row) : null;
  }

  async runsOfVersion(versionId: string): Promise<ValidationRun[]> {
    return (await this.manager.find(ValidationRunEntity, { where: { versionId }, order: { createdAt: 'DESC' } })).map(toRun);
  }

  /** Pending → Running, once (returns whether this call made the change). */
  async markStarted(id: string, at: Date): Promise<boolean> {
    const result = await this.manager.update(ValidationRunEntity, { id, phase: 'Pending' }, { phase: 'Running', startedAt: at });
    return (result.affected ?? 0) > 0;
  }

  async findShard(runId: string, index: number): Promise<ValidationShard | null> {
    const row = await this.manager.findOneBy(ValidationShardEntity, { runId, index });
    return row ? toShard(row) : null;
  }

  /**
   * Stores a shard's result if no other attempt stored it first, and counts it on the run. Returns the run's
   * progress after this call, or null when the result was already stored (a duplicate delivery: counted once).
   */
  async completeShard(runId: string, index: number, result: object, at: Date): Promise<{ done: number; total: number } | null> {
    const stored = await this.manager.update(ValidationShardEntity, { runId, index, status: 'pending' }, { status: 'done', result, finishedAt: at });
    if ((stored.affected ?? 0) === 0) return null;
    const rows = (await this.manager.query(
      'UPDATE validation_runs SET shards_done = shards_done + 1 WHERE id = $1 RETURNING shards_done, shards_total',
      [runId],
    )) as [Array<{ shards_done: number; shards_total: number }>, number] | Array<{ shards_done: number; shards_total: number }>;
    const row = (Array.isArray(rows[0]) ? rows[0][0] : rows[0]) as { shards_done: number; shards_total: number };
    return { done: row.shards_done, total: row.shards_total };
  }

  async shardResults(runId: string): Promise<ValidationShard[]> {
    return (await this.manager.find(ValidationShardEntity, { where: { runId }, order: { index: 'ASC' } })).map(toShard);
  }

  async finishRun(
    id: string,
    outcome: { phase: RunPhase; gates: unknown[] | null; report: object | null; evidenceSha256: string | null; error: string | null; at: Date },
  ): Promise<void> {
    await this.manager.update(ValidationRunEntity, { id }, {
      phase: outcome.phase,
      gates: outcome.gates,
      report: outcome.report,
      evidenceSha256: outcome.evidenceSha256,
      error: outcome.error,
      finishedAt: outcome.at,
    });
  }

  async isEvidenceReferenced(sha256: string): Promise<boolean> {
    return this.manager.existsBy(ValidationRunEntity, { evidenceSha256: sha256 });
  }

  // --- datasets ---

  async insertDatasetIfAbsent(dataset: Dataset): Promise<boolean> {
    const result = await this.manager.createQueryBuilder().insert().into(DatasetEntity).values(dataset).orIgnore().returning('id').execute();
    return result.raw.length > 0;
  }

  async findDataset(idOrName: string): Promise<Dataset | null> {
    const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(idOrName);
    const row = await this.manager.findOneBy(DatasetEntity, isUuid ? { id: idOrName } : { name: idOrName });
    return row ? toDataset(row) : null;
  }

  async listDatasets(): Promise<Dataset[]> {
    return (await this.manager.find(DatasetEntity, { order: { name: 'ASC' } })).map(toDataset);
  }

  async isDatasetReferenced(sha256: string): Promise<boolean> {
    return this.manager.existsBy(DatasetEntity, { sha256 });
  }
}
