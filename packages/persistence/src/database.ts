import type { AuditEvent, Clock, Principal } from '@airlock/core';
import { actorOf } from '@airlock/core';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiKeyRepository } from './repositories/api-key.repository.js';
import { AuditRepository } from './repositories/audit.repository.js';
import { DeploymentRepository } from './repositories/deployment.repository.js';
import { IdempotencyRepository } from './repositories/idempotency.repository.js';
import { ModelAliasRepository } from './repositories/model-alias.repository.js';
import { ModelVersionRepository } from './repositories/model-version.repository.js';
import { ModelRepository } from './repositories/model.repository.js';
import { PromotionRepository } from './repositories/promotion.repository.js';
import { RolloutRepository } from './repositories/rollout.repository.js';
import { ShadowRepository } from './repositories/shadow.repository.js';
import { ValidationRepository } from './repositories/validation.repository.js';

/** Every repository over one EntityManager: the base connection for reads, a transaction for writes. */
export class Repositories {
  readonly apiKeys: ApiKeyRepository;
  readonly models: ModelRepository;
  readonly versions: ModelVersionRepository;
  readonly aliases: ModelAliasRepository;
  readonly auditEvents: AuditRepository;
  readonly idempotency: IdempotencyRepository;
  readonly validation: ValidationRepository;
  readonly deployments: DeploymentRepository;
  readonly promotions: PromotionRepository;
  readonly rollouts: RolloutRepository;
  readonly shadows: ShadowRepository;

  constructor(readonly manager: EntityManager) {
    this.apiKeys = new ApiKeyRepository(manager);
    this.models = new ModelRepository(manager);
    this.versions = new ModelVersionRepository(manager);
    this.aliases = new ModelAliasRepository(manager);
    this.auditEvents = new AuditRepository(manager);
    this.idempotency = new IdempotencyRepository(manager);
    this.validation = new ValidationRepository(manager);
    this.deployments = new DeploymentRepository(manager);
    this.promotions = new PromotionRepository(manager);
    this.rollouts = new RolloutRepository(manager);
    this.shadows = new ShadowRepository(manager);
  }
}

/** A write transaction: repositories plus the audit event every mutation owes, in the same transaction. */
export class UnitOfWork extends Repositories {
  constructor(
    manager: EntityManager,
    /** The transaction's single timestamp: rows and their audit event agree on when it happened. */
    readonly at: Date,
  ) {
    super(manager);
  }

  /**
   * Serialises everything that touches one artifact digest until this transaction ends: writers that are about
   * to reference stored bytes and the orphan sweeper deciding to delete them.
   */
  async lockArtifactDigest(sha256: string): Promise<void> {
    await this.manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`artifact:${sha256}`]);
  }

  /** Whether any row (version, dataset, validation or shadow evidence) references these stored bytes. */
  async isArtifactReferenced(sha256: string): Promise<boolean> {
    return (
      (await this.versions.isArtifactReferenced(sha256)) ||
      (await this.validation.isDatasetReferenced(sha256)) ||
      (await this.validation.isEvidenceReferenced(sha256)) ||
      (await this.shadows.isEvidenceReferenced(sha256))
    );
  }

  audit(actor: Principal | 'system', action: string, subject: string, data: unknown): Promise<AuditEvent> {
    return this.auditEvents.append({ at: this.at, actor: actorOf(actor), action, subject, data });
  }
}

export class Database {
  readonly read: Repositories;

  constructor(
    readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    this.read = new Repositories(dataSource.manager);
  }

  transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(new UnitOfWork(manager, this.clock.now())));
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
