import { createReadStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { ArtifactStore } from '@airlock/artifact-store';
import {
  ALIAS_PATTERN,
  DomainError,
  MODEL_NAME_PATTERN,
  MODEL_TIERS,
  PROTECTED_ALIASES,
  Semaphore,
  parseManifest,
  type FieldProblem,
  type Model,
  type ModelTier,
  type ModelVersion,
  type Principal,
} from '@airlock/core';
import type { Database, ModelAlias } from '@airlock/persistence';
import type { ArtifactInspector } from './artifact-inspector.js';

export interface NewModel {
  readonly name: string;
  readonly description?: string;
  readonly owner: string;
  readonly assetClass: string;
  readonly tier: string;
}

/** An upload already spooled to a local file by the edge, with its digest and size computed on the way. */
export interface SpooledArtifact {
  readonly path: string;
  readonly sha256: string;
  readonly sizeBytes: number;
}

export interface Registration {
  readonly version: ModelVersion;
  /** false when the same bytes were registered for this model before: the existing version is returned. */
  readonly created: boolean;
}

export interface Page {
  readonly limit: number;
  readonly after?: string;
}

const subjectOf = (model: string, version?: number) => (version === undefined ? `model:${model}` : `model:${model}@${version}`);

function checkNewModel(input: NewModel): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (typeof input.name !== 'string' || !MODEL_NAME_PATTERN.test(input.name)) {
    problems.push({ field: 'name', message: `must match ${MODEL_NAME_PATTERN.source}` });
  }
  const text = (field: 'description' | 'owner' | 'assetClass', max: number, required: boolean) => {
    const value = input[field];
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || (required && value.trim().length === 0) || value.length > max) {
      problems.push({ field, message: `${required ? 'required, ' : ''}a string of at most ${max} characters` });
    }
  };
  text('description', 4000, false);
  text('owner', 200, true);
  text('assetClass', 100, true);
  if (!(MODEL_TIERS as readonly string[]).includes(input.tier)) {
    problems.push({ field: 'tier', message: `one of ${MODEL_TIERS.join(', ')}` });
  }
  return problems;
}

/** Whole-artifact reads held in memory at once per replica (each up to the upload limit, 256 MiB by default). */
const CONCURRENT_ARTIFACT_READS = 4;

export class RegistryService {
  private readonly artifactReads = new Semaphore(CONCURRENT_ARTIFACT_READS);

  constructor(
    private readonly db: Database,
    private readonly store: ArtifactStore,
    private readonly inspector: ArtifactInspector,
  ) {}

  async createModel(actor: Principal, input: NewModel): Promise<Model> {
    const problems = checkNewModel(input);
    if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid model', { errors: problems });
    return this.db.transaction(async (uow) => {
      const model: Model = {
        id: randomUUID(),
        name: input.name,
        description: input.description ?? '',
        owner: input.owner.trim(),
        assetClass: input.assetClass.trim(),
        tier: input.tier as ModelTier,
        createdAt: uow.at,
        createdBy: `key:${actor.keyId}`,
      };
      if (!(await uow.models.insertIfAbsent(model))) {
        throw new DomainError('CONFLICT', `model "${input.name}" exists already`, { errors: [{ field: 'name', message: 'taken' }] });
      }
      const { id: _id, createdAt: _at, ...data } = model;
      await uow.audit(actor, 'model.created', subjectOf(model.name), data);
      return model;
    });
  }

  async getModel(name: string): Promise<Model> {
    const model = MODEL_NAME_PATTERN.test(name) ? await this.db.read.models.findByName(name) : null;
    if (!model) throw new DomainError('NOT_FOUND', `model "${name}" not found`);
    return model;
  }

  listModels(page: Page): Promise<Model[]> {
    return this.db.read.models.list(page);
  }

  /**
   * Registers a version: the manifest and the artifact are checked first, the bytes are stored under their
   * digest, then the version row and its audit event commit together. A refusal stores nothing. A crash after
   * storing and before committing leaves unreferenced bytes that the orphan sweeper removes after its grace
   * period; a version row never exists without its bytes (re-checked under the digest lock before commit).
   */
  async registerVersion(actor: Principal, modelName: string, artifact: SpooledArtifact, manifestText: string): Promise<Registration> {
    const model = await this.getModel(modelName);
    const manifest = parseManifest(manifestText);
    const existing = await this.db.read.versions.findBySha256(model, artifact.sha256);
    if (existing) return { version: existing, created: false };

    const inspection = await this.inspector.inspect(artifact.path, manifest);
    const storeBytes = () => this.store.put(createReadStream(artifact.path), { expectedSha256: artifact.sha256 });
    await storeBytes();

    return this.db.transaction(async (uow) => {
      await uow.lockArtifactDigest(artifact.sha256);
      const locked = await uow.models.lockByName(model.name);
      if (!locked) throw new DomainError('NOT_FOUND', `model "${model.name}" not found`);
      // A concurrent upload of the same bytes may have committed while this one was being inspected.
      const raced = await uow.versions.findBySha256(locked, artifact.sha256);
      if (raced) return { version: raced, created: false };
      // The sweeper may have removed the bytes between put() and this lock if they had been orphaned before.
      if (!(await this.store.has(artifact.sha256))) await storeBytes();
      const version: ModelVersion = {
        id: randomUUID(),
        modelId: locked.id,
        modelName: locked.name,
        version: await uow.versions.nextVersionNumber(locked),
        sha256: artifact.sha256,
        sizeBytes: artifact.sizeBytes,
        manifest,
        inspection,
        status: 'registered',
        createdAt: uow.at,
        createdBy: `key:${actor.keyId}`,
      };
      await uow.versions.insert(version);
      await uow.audit(actor, 'version.registered', subjectOf(locked.name, version.version), {
        sha256: version.sha256,
        sizeBytes: version.sizeBytes,
        features: manifest.features,
        actions: manifest.actions,
        training: manifest.training ?? null,
      });
      return { version, created: true };
    });
  }

  async getVersion(modelName: string, version: number): Promise<ModelVersion> {
    const valid = MODEL_NAME_PATTERN.test(modelName) && Number.isSafeInteger(version) && version > 0;
    const found = valid ? await this.db.read.versions.findByModelName(modelName, version) : null;
    if (found) return found;
    await this.getModel(modelName); // says which is missing: the model or the version
    throw new DomainError('NOT_FOUND', `version ${version} of model "${modelName}" not found`);
  }

  async listVersions(modelName: string, page: { limit: number; afterVersion?: number }): Promise<ModelVersion[]> {
    return this.db.read.versions.list(await this.getModel(modelName), page);
  }

  /**
   * The artifact's bytes, verified against the version's digest (ARTIFACT_INTEGRITY if they no longer match).
   * Read whole so a mismatch becomes a clean error before anything is sent; artifacts are bounded by the upload limit.
   */
  readVerifiedArtifact(version: ModelVersion): Promise<Uint8Array> {
    return this.artifactReads.run(() => this.store.get(version.sha256));
  }

  async listAliases(modelName: string): Promise<ModelAlias[]> {
    return this.db.read.aliases.list(await this.getModel(modelName));
  }

  /** Points an alias at a version. `champion` is refused here: only a completed rollout moves it. */
  async setAlias(actor: Principal, modelName: string, alias: string, version: number): Promise<ModelAlias> {
    if (!ALIAS_PATTERN.test(alias)) {
      throw new DomainError('VALIDATION_FAILED', 'invalid alias', { errors: [{ field: 'alias', message: `must match ${ALIAS_PATTERN.source}` }] });
    }
    if (PROTECTED_ALIASES.has(alias)) {
      throw new DomainError('ALIAS_PROTECTED', `alias "${alias}" is moved only by a completed rollout`);
    }
    if (!Number.isSafeInteger(version) || version < 1) {
      throw new DomainError('VALIDATION_FAILED', 'invalid version', { errors: [{ field: 'version', message: 'a positive integer' }] });
    }
    const target = await this.getVersion(modelName, version);
    return this.db.transaction(async (uow) => {
      const model = await uow.models.lockByName(modelName);
      if (!model) throw new DomainError('NOT_FOUND', `model "${modelName}" not found`);
      const entry: ModelAlias = { alias, version: target.version, updatedAt: uow.at, updatedBy: `key:${actor.keyId}` };
      await uow.aliases.upsert(model, entry);
      await uow.audit(actor, 'alias.set', subjectOf(model.name), { alias, version: target.version, sha256: target.sha256 });
      return entry;
    });
  }
}
