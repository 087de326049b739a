import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { RolloutController } from '@airlock/promotion';
import { unzipSync } from 'fflate';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

// GET /v1/reports/evidence-pack on real PostgreSQL: a deployment with a champion, a canary rolled back by a risk
// officer and a kill-switch activation, all in the period; the archive's manifest checks out file by file.

const MODEL = 'exec-evidence';
const CAPS = { maxShareOfParentOrders: 25, maxNotionalPerOrder: 250_000, maxOrdersPerMinute: 30, allowedInstruments: ['GOOG'] };

describe('algorithm-governance evidence pack', () => {
  const clock = new MutableClock();
  let t: TestApi;
  let quant: string;
  let risk: string;
  let auditor: string;
  let stable: { version: number; sha256: string };
  let canary: { version: number; sha256: string };


  beforeAll(async () => {
    t = await startTestApi({}, { clock });
    [quant, risk, auditor] = await Promise.all([t.keyWith('quant'), t.keyWith('risk'), t.keyWith('auditor')]);
    await createModel(t, quant, MODEL, 'high');
    stable = await versionWithStatus(t, quant, MODEL, 61, 'shadow-passed');
    canary = await versionWithStatus(t, quant, MODEL, 62, 'shadow-passed');
    const controller = new RolloutController(t.api.db, clock, { approvalTtlMs: t.config.approvalTtlMs });
    // High tier: two distinct risk approvers.
    const risk2 = await t.keyWith('risk');
    const approveTwice = async (version: number, steps: unknown[]) => {
      const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version, deployment: 'desk-ev', plan: { steps, caps: CAPS } } });
      expect(created.status).toBe(201);
      await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk, json: { decision: 'approve' } });
      expect((await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk2, json: { decision: 'approve' } })).body.phase).toBe('Approved');
    };
    await approveTwice(stable.version, [{ setWeight: 100 }]);
    await controller.tick();
    await approveTwice(canary.version, [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }]);
    await controller.tick();
    const rollout = ((await t.call('GET', '/v1/rollouts?deployment=desk-ev', { key: quant })).body.items as Json[]).find((r) => r.phase === 'Paused')!;
    await t.call('POST', `/v1/rollouts/${rollout.id}/abort`, { key: risk, json: { reason: 'slippage' } });
    await controller.tick();
    expect((await t.call('POST', '/v1/deployments/desk-ev/kill', { key: risk, json: { reason: 'venue outage', mode: 'stable' } })).status).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const day = (offsetDays: number) => new Date(clock.now().getTime() + offsetDays * 86_400_000).toISOString().slice(0, 10);

  it('one zip: summary per deployment, lifecycle reports, the period’s audit events, and a manifest that checks out', async () => {
    const res = await fetch(`${t.api.url}/v1/reports/evidence-pack?from=${day(-1)}&to=${day(1)}`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/zip');
    expect(res.headers.get('content-disposition')).toContain(`airlock-evidence-${day(-1)}_${day(1)}.zip`);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const text = (path: string) => new TextDecoder().decode(files[path]);
    // Every file but the manifest is listed with its sha256, and each digest matches.
    const listed = text('MANIFEST.sha256').trim().split('\n').map((l) => l.split('  ') as [string, string]);
    expect(listed.map(([, path]) => path).sort()).toEqual(Object.keys(files).filter((p) => p !== 'MANIFEST.sha256').sort());
    for (const [digest, path] of listed) expect(createHash('sha256').update(files[path]!).digest('hex')).toBe(digest);

    const summary = JSON.parse(text('summary.json')) as Json;
    const desk = (summary.deployments as Json[]).find((d) => d.deployment === 'desk-ev')!;
    const algorithms = desk.algorithms as Json[];
    expect(algorithms.map((a) => a.version).sort()).toEqual([`${MODEL}@${stable.version}`, `${MODEL}@${canary.version}`].sort());
    const stableAlgo = algorithms.find((a) => a.version === `${MODEL}@${stable.version}`)!;
    const auth = (stableAlgo.authorisations as Json[])[0]!;
    expect(auth.approvals).toHaveLength(2); // high tier: two distinct approvers, each binding the artifact and plan
    for (const a of auth.approvals as Json[]) expect(a).toMatchObject({ decision: 'approve', sha256: stable.sha256, planHash: auth.planHash });
    expect(auth.limits).toEqual(CAPS);
    expect(desk.rollbacks).toEqual([expect.objectContaining({ candidate: expect.objectContaining({ version: canary.version }), reason: 'manual' })]);
    expect(desk.killSwitch).toEqual([expect.objectContaining({ action: 'deployment.killed' })]);
    expect(files[`reports/${MODEL}@${canary.version}.json`]).toBeDefined();
    expect(JSON.parse(text('audit/verification.json'))).toMatchObject({ ok: true });
    expect(text('audit/events.jsonl').trim().split('\n').length).toBeGreaterThan(10);
  });

  it('a period before anything happened has no deployment changes; a bad period is refused', async () => {
    const before = await fetch(`${t.api.url}/v1/reports/evidence-pack?from=2001-01-01&to=2001-02-01`, { headers: { authorization: `Bearer ${auditor}` } });
    const files = unzipSync(new Uint8Array(await before.arrayBuffer()));
    expect(JSON.parse(new TextDecoder().decode(files['summary.json'])).deployments).toEqual([]);
    expect(new TextDecoder().decode(files['audit/events.jsonl'])).toBe('');
    const missing = await t.call('GET', `/v1/reports/evidence-pack?from=${day(-1)}`, { key: auditor });
    expect([missing.status, missing.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const inverted = await t.call('GET', `/v1/reports/evidence-pack?from=${day(1)}&to=${day(-1)}`, { key: auditor });
    expect([inverted.status, inverted.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await t.call('GET', `/v1/reports/evidence-pack?from=${day(-1)}&to=${day(1)}`, { key: quant })).status).toBe(403);
  });
});
