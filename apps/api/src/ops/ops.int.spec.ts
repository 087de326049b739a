import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACTIONS, FEATURES } from '@airlock/core';
import { startTestApi, type TestApi } from '../testing/api-harness.js';
import { pino } from 'pino';
import { startApi } from '../bootstrap.js';
import { loadApiConfig } from '../config/api-config.js';
import { OPENAPI_DOCUMENT } from './openapi.js';

describe('operations endpoints', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('/healthz and /readyz answer without a key; readiness checks the database and the store', async () => {
    expect((await t.call('GET', '/healthz', { key: null })).body).toEqual({ status: 'ok' });
    const ready = await t.call('GET', '/readyz', { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: { ok: true }, artifactStore: { ok: true } } });
  });

  it('/metrics exposes the HTTP latency histogram by route pattern', async () => {
    await t.call('GET', '/v1/models');
    const metrics = await t.call('GET', '/metrics', { key: null });
    expect(metrics.status).toBe(200);
    expect(String(metrics.body)).toMatch(/airlock_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/models"/);
    expect(String(metrics.body)).toContain('process_cpu_user_seconds_total');
  });

  it('/v1/catalog serves the contract: at least 10 features with units and formulas, and the two actions', async () => {
    const catalog = await t.call('GET', '/v1/catalog', { key: null });
    expect(catalog.body.features.length).toBeGreaterThanOrEqual(10);
    expect(catalog.body.features).toEqual(FEATURES);
    for (const feature of catalog.body.features) expect(feature).toEqual({ name: expect.any(String), unit: expect.any(String), description: expect.any(String), formula: expect.any(String) });
    expect(catalog.body.actions.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['participation', 'aggression']));
    expect(catalog.body.actions).toEqual(ACTIONS);
  });

  it('/openapi.json documents exactly the routes the app serves, and /docs renders it', async () => {
    const doc = await t.call('GET', '/openapi.json', { key: null });
    expect(doc.body.openapi).toBe('3.1.0');
    const documented = Object.entries(OPENAPI_DOCUMENT.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const served = t.api.routes.filter((r) => !r.startsWith('HEAD ') && !r.includes('/docs/assets/') && !r.startsWith('GET /console/')).sort();
    expect(served).toEqual(documented);
    const docs = await t.call('GET', '/docs', { key: null });
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect((await t.call('GET', '/docs/assets/swagger-ui-bundle.js', { key: null })).status).toBe(200);
  });

  it('answers an unknown route with a problem document', async () => {
    const response = await t.call('GET', '/v1/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('NOT_FOUND');
  });

  it('a start that fails (the port is taken) rejects with the cause and releases what it had started', async () => {
    const port = new URL(t.api.url).port;
    await expect(
      startApi(loadApiConfig({ ...t.env, PORT: port, AIRLOCK_MIGRATE_ON_START: 'false' }), { logger: pino({ level: 'silent' }) }),
    ).rejects.toThrow(/EADDRINUSE/);
    // The running API is unaffected, and the failed one left no job-queue or database work behind to hang on.
    expect((await t.call('GET', '/readyz', { key: null })).status).toBe(200);
  });

  it('returns a request id on every response', async () => {
    const response = await t.call('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-me-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-me-123');
  });
});
