import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createArtifactStore, s3ClientConfigFromEnv, type ArtifactStore } from '@airlock/artifact-store';
import type { Clock } from '@airlock/core';
import { createDataSource, Database } from '@airlock/persistence';
import { ApiKeysService, OnnxArtifactInspector, type ArtifactInspector } from '@airlock/registry';
import { LogController } from 'fastify';
import { startJobQueue, type PgBoss } from '@airlock/queue';
import { DEFAULT_QUEUE_POLICY, ValidationService } from '@airlock/validation';
import { pino, type Logger } from 'pino';
import { ApiModule } from './api.module.js';
import type { ApiConfig } from './config/api-config.js';
import { registerIdempotencyHooks } from './http/idempotency.hooks.js';
import { createMetricsRegistry, registerHttpMetrics } from '@airlock/runtime';
import { closePdfRenderer } from '@airlock/reports';

export const systemClock: Clock = { now: () => new Date() };

/** Spool files older than this at start belong to uploads a crash interrupted (ms; no upload lasts an hour). */
const SPOOL_MAX_AGE_MS = 3_600_000;

/** Removes upload spool files an earlier process left behind when it died mid-upload. */
async function sweepSpool(dir: string, maxAgeMs: number, logger: Logger): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - maxAgeMs;
  let removed = 0;
  for (const name of entries) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() && info.mtimeMs < cutoff) {
      await rm(path, { force: true });
      removed += 1;
    }
  }
  if (removed > 0) logger.info({ removed, dir }, 'stale upload spool files removed');
}

/** The web console's static files (apps/api/console), see docs/console.md. */
export const CONSOLE_DIR = fileURLToPath(new URL('../console/', import.meta.url));

/** Largest JSON body accepted (bytes); uploads are multipart and have their own limit. */
const JSON_BODY_LIMIT = 1024 * 1024;

export interface RunningApi {
  readonly app: NestFastifyApplication;
  /** http://host:port of the listening server. */
  readonly url: string;
  readonly db: Database;
  readonly store: ArtifactStore;
  readonly logger: Logger;
  /** The job queue (pg-boss) the API sends validation work to; the all-in-one process shares it with the worker. */
  readonly boss: PgBoss;
  /** `METHOD /path` of every route registered (for the contract test against the OpenAPI document). */
  readonly routes: readonly string[];
  close(): Promise<void>;
}

export interface ApiOverrides {
  readonly clock?: Clock;
  readonly inspector?: ArtifactInspector;
  /** Used instead of the store `config.artifactStoreUri` names (tests and benches wrap or fault-inject it); closed by close(). */
  readonly store?: ArtifactStore;
  readonly logger?: Logger;
}

/**
 * Builds the API on its infrastructure and starts listening: database (migrated unless disabled), artifact
 * store, the bootstrap admin key, then Nest on Fastify. Used by main.ts, the all-in-one start, tests and benches.
 */
export async function startApi(config: ApiConfig, overrides: ApiOverrides = {}): Promise<RunningApi> {
  const logger = overrides.logger ?? pino({ level: config.logLevel, base: { app: 'api' } });
  const clock = overrides.clock ?? systemClock;
  const dataSource = createDataSource({ databaseUrl: config.databaseUrl, embeddedDir: `${config.dataDir}/db`, poolSize: config.databasePoolSize });
  await dataSource.initialize();
  // What has started so far, stopped in reverse if a later step fails (e.g. the port is taken).
  const started: (() => Promise<void>)[] = [() => dataSource.destroy()];
  try {
    if (config.migrateOnStart) {
      const applied = await dataSource.runMigrations();
      if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    }
    const db = new Database(dataSource, clock);
    const store = overrides.store ?? createArtifactStore(config.artifactStoreUri, { s3: { clientConfig: s3ClientConfigFromEnv(process.env) } });
    started.push(() => store.close());
    await sweepSpool(join(config.dataDir, 'uploads'), SPOOL_MAX_AGE_MS, logger);
    const inspector = overrides.inspector ?? new OnnxArtifactInspector({ timeoutMs: config.inspectTimeoutMs, maxMemoryMb: config.inspectMaxMemoryMb });
    const bootstrapped = await new ApiKeysService(db).bootstrapAdmin(config.bootstrapAdminKey);
    if (bootstrapped) logger.info({ keyId: bootstrapped.id }, 'bootstrap admin key registered');

    const boss = await startJobQueue({ databaseUrl: config.databaseUrl, onError: (error) => logger.error({ err: error }, 'job queue error') });
    started.push(() => boss.stop({ graceful: false, timeout: 1000 }));
    const validation = new ValidationService(db, store, boss, clock, DEFAULT_QUEUE_POLICY);
    await validation.createQueues({ owner: false });
    const metrics = createMetricsRegistry('api');
    const adapter = new FastifyAdapter({
      loggerInstance: logger,
      bodyLimit: JSON_BODY_LIMIT,
      requestIdHeader: 'x-request-id',
      genReqId: () => randomUUID(),
      // Per-request log lines only at debug/trace: at info, errors and lifecycle events are what operators read.
      logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    });
    const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot({ config, db, store, inspector, clock, metrics, validation }), adapter, {
      logger: ['error', 'warn'],
    });
    started.push(() => app.close());
    const fastify = app.getHttpAdapter().getInstance();
    const routes: string[] = [];
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
    await app.register(fastifyMultipart as never, { throwFileSizeLimit: true });
    const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    await app.register(fastifyStatic as never, { root: swaggerUiDir, prefix: '/docs/assets/', decorateReply: false });
    // The web console: static files, no build step. This file is src/bootstrap.ts or dist/bootstrap.js, one level
    // below the package root either way, so the folder resolves the same from the sources (tests) and the build.
    await app.register(fastifyStatic as never, { root: CONSOLE_DIR, prefix: '/console/', decorateReply: false, index: 'index.html' });
    fastify.get('/console', (_request, reply) => reply.redirect('/console/', 301));
    registerIdempotencyHooks(fastify, db, clock);
    registerHttpMetrics(fastify, metrics);
    fastify.addHook('onSend', async (request, reply) => {
      void reply.header('x-request-id', request.id);
    });
    await app.listen({ port: config.port, host: config.host });
    const address = fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'api listening');
    return {
      app,
      url,
      db,
      store,
      logger,
      boss,
      routes,
      async close() {
        await app.close();
        // The report PDF renderer's Chromium, if a PDF was asked for (launched lazily, shared by the process).
        await closePdfRenderer();
        await boss.stop({ graceful: true, timeout: 5000 });
        await store.close();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
