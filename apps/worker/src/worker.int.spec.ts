import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@airlock/persistence';
import { createTestDatabase, type TestDatabase } from '@airlock/persistence/testing';
import { createArtifactStore } from '@airlock/artifact-store';
import { pino } from 'pino';
import { startWorker, type RunningWorker } from './bootstrap.js';
import { loadWorkerConfig } from './worker-config.js';

describe('worker process', () => {
  let database: TestDatabase;
  let dir: string;
  let worker: RunningWorker;

  beforeAll(async () => {
    database = await createTestDatabase('airlock_worker');
    const migrate = createDataSource({ databaseUrl: database.url });
    await migrate.initialize();
    await migrate.runMigrations();
    await migrate.destroy();
    dir = mkdtempSync(join(tmpdir(), 'airlock-worker-'));
    const config = loadWorkerConfig({
      DATABASE_URL: database.url,
      AIRLOCK_ARTIFACT_STORE: pathToFileURL(join(dir, 'artifacts')).href,
      WORKER_PORT: '0',
      AIRLOCK_ORPHAN_GRACE_MS: '0',
      AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: '0',
    });
    worker = await startWorker(config, { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await worker?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz, /readyz (database and store) and /metrics', async () => {
    expect(await (await fetch(`${worker.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${worker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: { ok: true }, artifactStore: { ok: true } } });
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toContain('airlock_orphan_artifacts_deleted_total');
    // Read at scrape time from pg-boss and the rollouts table (the queues exist, nothing is queued or rolling out).
    expect(metrics).toMatch(/airlock_queue_depth\{queue="validation-shard",state="ready",app="worker"\} 0/);
    expect(metrics).toMatch(/airlock_rollouts_active\{phase="Progressing",app="worker"\} 0/);
    expect(metrics).toContain('# TYPE airlock_job_duration_seconds histogram');
    expect(metrics).toContain('# TYPE airlock_gate_outcomes_total counter');
  });

  it('sweeps an unreferenced artifact and counts it', async () => {
    const store = createArtifactStore(pathToFileURL(join(dir, 'artifacts')).href);
    const stored = await store.put(new TextEncoder().encode('orphaned bytes'));
    await worker.sweepLoop.runOnce();
    expect(await store.has(stored.sha256)).toBe(false);
    expect(await (await fetch(`${worker.url}/metrics`)).text()).toMatch(/airlock_orphan_artifacts_deleted_total\{app="worker"\} 1/);
  });
});
