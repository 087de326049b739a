import { EvidencePackService, InventoryService, LifecycleReportService } from '@airlock/reports';
import { EvidencePackController } from './reports/evidence-pack.controller.js';
import { ReportsController, VersionReportController } from './reports/reports.controller.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { ArtifactStore } from '@airlock/artifact-store';
import type { Clock } from '@airlock/core';
import { Database } from '@airlock/persistence';
import { DeploymentService, PromotionService, RolloutService } from '@airlock/promotion';
import { ApiKeysService, AuditService, RegistryService, type ArtifactInspector } from '@airlock/registry';
import { ShadowService } from '@airlock/shadow';
import { DatasetService, ValidationService } from '@airlock/validation';
import type { Registry } from 'prom-client';
import { AuditController } from './audit/audit.controller.js';
import type { ApiConfig } from './config/api-config.js';
import { AuthGuard } from './http/auth.guard.js';
import { ProblemFilter } from './http/problem.filter.js';
import { ActorsController } from './keys/actors.controller.js';
import { ApiKeysController } from './keys/api-keys.controller.js';
import { MeController } from './keys/me.controller.js';
import { CatalogController } from './ops/catalog.controller.js';
import { DocsController } from './ops/docs.controller.js';
import { HealthController } from './ops/health.controller.js';
import { DeploymentsController } from './promotion/deployments.controller.js';
import { PromotionsController } from './promotion/promotions.controller.js';
import { RolloutsController } from './promotion/rollouts.controller.js';
import { ModelsController } from './registry/models.controller.js';
import { ShadowsController } from './shadow/shadows.controller.js';
import { ArtifactStoreReader } from './validation/artifact-store.reader.js';
import { DatasetsController } from './validation/datasets.controller.js';
import { ValidationsController } from './validation/validations.controller.js';
import { API_CONFIG, ARTIFACT_STORE, CLOCK, METRICS_REGISTRY } from './tokens.js';

/** The infrastructure the API runs on, built by the bootstrap before Nest starts. */
export interface ApiInfrastructure {
  readonly config: ApiConfig;
  readonly db: Database;
  readonly store: ArtifactStore;
  readonly inspector: ArtifactInspector;
  readonly clock: Clock;
  readonly metrics: Registry;
  readonly validation: ValidationService;
}

@Module({})
export class ApiModule {
  static forRoot(infra: ApiInfrastructure): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        ActorsController,
        ApiKeysController,
        AuditController,
        CatalogController,
        DatasetsController,
        DeploymentsController,
        DocsController,
        EvidencePackController,
        HealthController,
        MeController,
        ModelsController,
        PromotionsController,
        ReportsController,
        VersionReportController,
        RolloutsController,
        ShadowsController,
        ValidationsController,
      ],
      providers: [
        { provide: API_CONFIG, useValue: infra.config },
        { provide: CLOCK, useValue: infra.clock },
        { provide: ARTIFACT_STORE, useValue: infra.store },
        { provide: METRICS_REGISTRY, useValue: infra.metrics },
        { provide: Database, useValue: infra.db },
        { provide: ApiKeysService, useValue: new ApiKeysService(infra.db) },
        { provide: AuditService, useValue: new AuditService(infra.db) },
        { provide: RegistryService, useValue: new RegistryService(infra.db, infra.store, infra.inspector) },
        { provide: ValidationService, useValue: infra.validation },
        { provide: DatasetService, useValue: new DatasetService(infra.db, infra.store) },
        { provide: PromotionService, useValue: new PromotionService(infra.db, infra.clock, { approvalTtlMs: infra.config.approvalTtlMs }) },
        { provide: DeploymentService, useValue: new DeploymentService(infra.db) },
        { provide: InventoryService, useValue: new InventoryService(infra.db, () => infra.clock.now()) },
        { provide: LifecycleReportService, useValue: new LifecycleReportService(infra.db, () => infra.clock.now()) },
        { provide: EvidencePackService, useValue: new EvidencePackService(infra.db, () => infra.clock.now()) },
        { provide: RolloutService, useValue: new RolloutService(infra.db) },
        { provide: ShadowService, useValue: new ShadowService(infra.db, () => infra.clock.now(), infra.store) },
        ArtifactStoreReader,
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
