import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

describe('deployments: routing table, ETag and the kill switch (real PostgreSQL)', () => {
  let t: TestApi;
  let quant: string;
  let risk: string;
  let auditor: string;
  let stable: { model: string; version: number; sha256: string };
  let canary: { model: string; version: number; sha256: string };

  /** Moves the routing table directly: a stand-in for part B's rollout controller, which owns these fields. */
  async function routeCanary(name: string, weight: number): Promise<void> {
    await t.api.db.transaction(async (uow) => {
      const d = await uow.deployments.lock(name);
      if (!d) throw new Error('no deployment');
      await uow.deployments.update({ ...d, stable, canary, canaryWeight: weight, revision: d.revision + 1, updatedAt: uow.at });
      await uow.audit('system', 'deployment.routed-by-test', `deployment:${name}`, { stable, canary, weight });
    });
  }

  const routing = (name: string, headers: Record<string, string> = {}, key = quant) => t.call('GET', `/v1/deployments/${name}/routing`, { key, headers });
  const kill = (name: string, json: Json, key = risk) => t.call('POST', `/v1/deployments/${name}/kill`, { key, json });
  const resume = (name: string, key = risk) => t.call('POST', `/v1/deployments/${name}/resume`, { key, json: { reason: 'incident closed' } });

  beforeAll(async () => {
    t = await startTestApi();
    [quant, risk, auditor] = await Promise.all([t.keyWith('quant'), t.keyWith('risk'), t.keyWith('auditor')]);
    await createModel(t, quant, 'exec-beta', 'medium');
    const v1 = await versionWithStatus(t, quant, 'exec-beta', 11, 'shadow-passed');
    const v2 = await versionWithStatus(t, quant, 'exec-beta', 12, 'shadow-passed');
    stable = { model: 'exec-beta', ...v1 };
    canary = { model: 'exec-beta', ...v2 };
    for (const deployment of ['equities-us', 'equities-eu']) {
      const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: 'exec-beta', version: v2.version, deployment } });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is created empty by the first promotion that names it, served with its revision as ETag, 304 when unchanged', async () => {
    expect((await routing('nowhere')).status).toBe(404);
    const first = await routing('equities-us', {}, auditor);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ deployment: 'equities-us', stable: null, canary: null, canaryWeight: 0, revision: 1, halted: false, kill: null });
    expect(first.headers.get('etag')).toBe('"1"');
    const unchanged = await routing('equities-us', { 'if-none-match': '"1"' });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe('"1"');
    expect((await routing('equities-us', { 'if-none-match': 'W/"0", "1"' })).status).toBe(304);

    await routeCanary('equities-us', 5);
    const changed = await routing('equities-us', { 'if-none-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"2"');
    expect(changed.body).toMatchObject({ stable, canary, canaryWeight: 5, revision: 2 });
  });

  it('only risk and admin may kill or resume', async () => {
    for (const key of [quant, auditor]) {
      expect((await kill('equities-us', { reason: 'x', mode: 'halt' }, key)).status).toBe(403);
      expect((await resume('equities-us', key)).status).toBe(403);
    }
    expect((await t.call('POST', '/v1/deployments/equities-us/kill', { key: null, json: { reason: 'x', mode: 'halt' } })).status).toBe(401);
    const noReason = await kill('equities-us', { reason: ' ', mode: 'stable' });
    expect([noReason.status, noReason.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await routing('equities-us')).body.revision).toBe(2);
  });

  it('kill to stable: the canary is dropped at once (one revision), audited; resume lifts it', async () => {
    const killed = await kill('equities-us', { reason: 'slippage alert on the canary', mode: 'stable' });
    expect(killed.status).toBe(200);
    expect(killed.body).toMatchObject({ stable, canary: null, canaryWeight: 0, halted: false, revision: 3, kill: { mode: 'stable', reason: 'slippage alert on the canary' } });
    expect((await routing('equities-us', { 'if-none-match': '"2"' })).headers.get('etag')).toBe('"3"');
    const audit = await t.call('GET', '/v1/audit?subject=deployment:equities-us');
    const event = audit.body.items.at(-1);
    expect(event).toMatchObject({ action: 'deployment.killed', data: { mode: 'stable', before: { canaryWeight: 5, revision: 2 }, after: { canary: null, canaryWeight: 0, revision: 3 } } });

    const resumed = await resume('equities-us');
    expect(resumed.body).toMatchObject({ stable, canary: null, canaryWeight: 0, halted: false, kill: null, revision: 4 });
    const again = await resume('equities-us');
    expect([again.status, again.body.code]).toEqual([409, 'DEPLOYMENT_NOT_KILLED']);
  });

  it('kill with halt: engines must stop sending; only resume (by admin here) re-enables', async () => {
    await routeCanary('equities-eu', 25);
    const halted = await t.call('POST', '/v1/deployments/equities-eu/kill', { json: { reason: 'exchange outage', mode: 'halt' } });
    expect(halted.body).toMatchObject({ halted: true, canary: null, canaryWeight: 0, stable, revision: 3, kill: { mode: 'halt' } });
    expect((await routing('equities-eu')).body.halted).toBe(true);
    const resumed = await t.call('POST', '/v1/deployments/equities-eu/resume', { json: {} });
    expect(resumed.body).toMatchObject({ halted: false, kill: null, revision: 4 });
  });
});
