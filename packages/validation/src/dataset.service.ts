import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ArtifactStore } from '@airlock/artifact-store';
import { DomainError, type Principal } from '@airlock/core';
import type { Database, Dataset } from '@airlock/persistence';
import { dataQuality, loadLobster } from '@airlock/sim';

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;

/** A registered dataset's bytes as the registry sees them: spooled to a local file with digest and size. */
export interface SpooledDataset {
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

/**
 * Market-data sets in the registry: a LOBSTER archive is parsed (clear errors with file and line when it cannot
 * be), its data-quality report computed, its bytes stored under their sha256, and the row committed with its audit
 * event. Suites name datasets; workers read them back verified.
 */
export class DatasetService {
  constructor(
    private readonly db: Database,
    private readonly store: ArtifactStore,
  ) {}

  /** From an uploaded archive (already spooled). */
  async register(actor: Principal, name: string, upload: SpooledDataset): Promise<Dataset> {
    if (!NAME_PATTERN.test(name)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid dataset name', { errors: [{ field: 'name', message: `must match ${NAME_PATTERN.source}` }] });
    }
    if (await this.db.read.validation.findDataset(name)) {
      throw new DomainError('CONFLICT', `dataset "${name}" exists already`, { errors: [{ field: 'name', message: 'taken' }] });
    }
    const { day, problems } = await loadLobster(upload.path);
    const quality = { ...dataQuality(day), loadProblems: problems.length, firstLoadProblems: problems.slice(0, 10) };
    await this.store.put(createReadStream(upload.path), { expectedSha256: upload.sha256 });
    return this.db.transaction(async (uow) => {
      await uow.lockArtifactDigest(upload.sha256);
      if (!(await this.store.has(upload.sha256))) await this.store.put(createReadStream(upload.path), { expectedSha256: upload.sha256 });
      const dataset: Dataset = {
        id: randomUUID(),
        name,
        sha256: upload.sha256,
        sizeBytes: upload.sizeBytes,
        format: 'lobster',
        instrument: day.instrument,
        date: day.date,
        levels: day.levels,
        messages: day.length,
        quality: JSON.parse(JSON.stringify(quality)) as Record<string, unknown>,
        createdAt: uow.at,
        createdBy: `key:${actor.keyId}`,
      };
      if (!(await uow.validation.insertDatasetIfAbsent(dataset))) {
        throw new DomainError('CONFLICT', `dataset "${name}" exists already`, { errors: [{ field: 'name', message: 'taken' }] });
      }
      await uow.audit(actor, 'dataset.registered', `dataset:${name}`, {
        sha256: dataset.sha256,
        instrument: dataset.instrument,
        date: dataset.date,
        levels: dataset.levels,
        messages: dataset.messages,
      });
      return dataset;
    });
  }

  /** From bytes already in the artifact store (`sha256:<hex>`), e.g. uploaded there by a data pipeline. */
  async registerStored(actor: Principal, name: string, sha256: string): Promise<Dataset> {
    const bytes = await this.store.get(sha256); // verified: a mismatch is ARTIFACT_INTEGRITY
    const dir = await mkdtemp(join(tmpdir(), 'airlock-dataset-'));
    try {
      const path = join(dir, 'dataset.zip');
      await writeFile(path, bytes);
      return await this.register(actor, name, { path, sha256, sizeBytes: bytes.length });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async get(idOrName: string): Promise<Dataset> {
    const found = await this.db.read.validation.findDataset(idOrName);
    if (!found) throw new DomainError('NOT_FOUND', `dataset "${idOrName}" not found`);
    return found;
  }

  list(): Promise<Dataset[]> {
    return this.db.read.validation.listDatasets();
  }
}
