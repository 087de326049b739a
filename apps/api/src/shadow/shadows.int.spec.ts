import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@airlock/core';
import { DEFAULT_SHADOW_POLICY, LATENCY_BUCKETS, ShadowService, emptyShadowCounters, latencyBucket, type ShadowCheckpoint } from '@airlock/shadow';
import { TEST_ADMIN_KEY, startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

const MODEL = 'exec-shadow';
const DEPLOYMENT = 'equities-shadow';

describe('shadow sessions over HTTP (real PostgreSQL)', () => {
  let t: TestApi;
  let quant: string;
  let risk: string;
  let auditor: string;
  let runner: ShadowService;
  /** Version numbers by role in these tests (statuses set in beforeAll). */
  const v: Record<string, number> = {};

  const start = (json: Json, key = quant) => t.call('POST', '/v1/shadows', { key, json });
  const valid = (overrides: Json = {}) => ({ model: MODEL, candidates: [v.a, v.b], deployment: DEPLOYMENT, ...overrides });
  const audit = async (subject: string): Promise<Json[]> => (await t.call('GET', `/v1/audit?subject=${subject}&limit=500`)).body.items as Json[];
  const statusOf = async (version: number) => (await t.call('GET', `/v1/models/${MODEL}/versions/${version}`, { key: quant })).body.status as string;

  beforeAll(async () => {
    t = await startTestApi();
    [quant, risk, auditor] = await Promise.all([t.keyWith('quant'), t.keyWith('risk'), t.keyWith('auditor')]);
    await createModel(t, quant, MODEL, 'low');
    let seed = 500;
    for (const [name, status] of [
      ['a', 'shadow-passed'], // promotable: its promotion creates the deployment
      ['b', 'validated'],
      ['review', 'needs-review'],
      ['rejected', 'rejected'],
      ['retired', 'retired'],
      ['c', 'validated'],
      ['champion', 'champion'],
    ] as const) {
      v[name] = (await versionWithStatus(t, quant, MODEL, (seed += 1), status)).version;
    }
    // The deployment is created by the first promotion that names it.
    expect((await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version: v.a, deployment: DEPLOYMENT } })).status).toBe(201);
    runner = new ShadowService(t.api.db, () => new Date(), t.api.store);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('POST /v1/shadows → 201 Running with the resolved policy, empty metrics, a Location, and an audited start', async () => {
    const created = await start(valid({ policy: { orders: 50, maxIsDeltaBps: 0.5 }, instruments: ['AAA', 'BBB'] }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`/v1/shadows/${id}`);
    const sha = async (version: number) => (await t.call('GET', `/v1/models/${MODEL}/versions/${version}`)).body.sha256 as string;
    expect(created.body).toMatchObject({
      model: MODEL,
      deployment: DEPLOYMENT,
      phase: 'Running',
      policy: { ...DEFAULT_SHADOW_POLICY, orders: 50, maxIsDeltaBps: 0.5 },
      instruments: ['AAA', 'BBB'],
      completedAt: null,
      stopRequestedBy: null,
      live: [],
      findings: { byKind: {}, examples: {} },
      evidence: null,
    });
    expect(created.body.candidates).toEqual([
      {
        model: MODEL,
        version: v.a,
        sha256: await sha(v.a!),
        verdict: null,
        gates: [],
        metrics: {
          decisions: 0,
          divergentDecisions: 0,
          divergenceRate: null,
          meanAbsParticipationDelta: null,
          orders: 0,
          meanCandidateIsBps: null,
          meanLiveIsBps: null,
          meanIsDeltaBps: null,
          invalidOutputs: 0,
          invalidOutputRate: null,
          latencyP50Ms: null,
          latencyP99Ms: null,
          fillRatio: null,
        },
      },
      expect.objectContaining({ version: v.b, sha256: await sha(v.b!) }),
    ]);
    const got = await t.call('GET', `/v1/shadows/${id}`, { key: auditor });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...created.body, durationSeconds: got.body.durationSeconds });

    const events = await audit(`shadow:${id}`);
    expect(events.map((e) => e.action)).toEqual(['shadow.started']);
    expect(events[0]).toMatchObject({ data: { model: MODEL, deployment: DEPLOYMENT, instruments: ['AAA', 'BBB'], policy: { orders: 50 } } });
    expect(events[0].data.candidates.map((c: Json) => c.version)).toEqual([v.a, v.b]);
    expect(events[0].actor).toMatch(/^key:/);

    // needs-review may be shadowed (a shadow verdict is the way out of it); admins may start too.
    expect((await start(valid({ candidates: [v.review] }), TEST_ADMIN_KEY)).status).toBe(201);
  });

  it('refuses every bad input with its coded problem+json', async () => {
    const problem = async (json: Json, status: number, code: string) => {
      const response = await start(json);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
      return response.body as Json;
    };
    const fields = (body: Json) => (body.errors as Json[]).map((e) => e.field as string);

    expect(fields(await problem(valid({ candidates: [] }), 400, 'VALIDATION_FAILED'))).toEqual(['candidates']);
    expect(fields(await problem(valid({ candidates: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), 400, 'VALIDATION_FAILED'))).toContain('candidates');
    expect(fields(await problem(valid({ candidates: [v.a, v.b, v.a] }), 400, 'VALIDATION_FAILED'))).toEqual(['candidates[2]']);
    expect(fields(await problem(valid({ candidates: [0, 1.5] }), 400, 'VALIDATION_FAILED'))).toEqual(['candidates[0]', 'candidates[1]']);
    expect(fields(await problem(valid({ model: 'Not A Name', deployment: 'x' }), 400, 'VALIDATION_FAILED'))).toEqual(['model', 'deployment']);
    const ranges = await problem(
      valid({ policy: { orders: 0, minOrders: 2.5, maxInvalidOutputRate: 2, maxLatencyP99Ms: 0, maxSkewRate: -0.1, actionTolerance: 5, maxIsDeltaBps: 1e9 } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(fields(ranges).sort()).toEqual(
      ['policy.orders', 'policy.minOrders', 'policy.maxInvalidOutputRate', 'policy.maxLatencyP99Ms', 'policy.maxSkewRate', 'policy.actionTolerance', 'policy.maxIsDeltaBps'].sort(),
    );
    expect(fields(await problem(valid({ policy: { orders: 10, minOrders: 20 } }), 400, 'VALIDATION_FAILED'))).toEqual(['policy.minOrders']);
    expect((await problem(valid({ policy: { bogus: 1 } }), 400, 'VALIDATION_FAILED')).errors.length).toBeGreaterThan(0);
    expect(fields(await problem(valid({ policy: { orders: 'many' } }), 400, 'VALIDATION_FAILED'))).toEqual(['policy.orders']);
    expect(fields(await problem(valid({ instruments: [] }), 400, 'VALIDATION_FAILED'))).toEqual(['instruments']);
    expect(fields(await problem(valid({ instruments: ['AAA', 'AAA', 'no spaces'] }), 400, 'VALIDATION_FAILED'))).toEqual(['instruments[1]', 'instruments[2]']);
    expect(fields(await problem({ model: MODEL }, 400, 'VALIDATION_FAILED')).sort()).toEqual(['candidates', 'deployment']);

    // JSON cannot carry NaN or ±∞: the use-case refuses them from any other caller.
    const admin: Principal = { keyId: 'k', name: 'n', roles: ['admin'] };
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(runner.start(admin, { ...valid(), policy: { maxIsDeltaBps: bad } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { errors: [{ field: 'policy.maxIsDeltaBps' }] } });
    }

    expect((await problem(valid({ model: 'exec-nobody' }), 404, 'NOT_FOUND')).detail).toContain('exec-nobody');
    expect((await problem(valid({ candidates: [v.a, 999] }), 404, 'NOT_FOUND')).detail).toContain('999');
    expect((await problem(valid({ deployment: 'nowhere' }), 404, 'NOT_FOUND')).detail).toContain('nowhere');

    const rejected = await problem(valid({ candidates: [v.a, v.rejected] }), 409, 'CONFLICT');
    expect(rejected.detail).toContain(`${MODEL}@${v.rejected} is "rejected"`);
    expect(rejected.versions).toEqual([{ version: v.rejected, status: 'rejected' }]);
    expect((await problem(valid({ candidates: [v.retired] }), 409, 'CONFLICT')).detail).toMatch(/retired.*cannot be shadowed/);
  });

  it('roles: auditors and risk may read but not start or stop; unknown ids are 404', async () => {
    const created = await start(valid());
    expect((await start(valid(), auditor)).status).toBe(403);
    expect((await start(valid(), risk)).status).toBe(403);
    expect((await t.call('POST', '/v1/shadows', { key: null, json: valid() })).status).toBe(401);
    expect((await t.call('GET', `/v1/shadows/${created.body.id}`, { key: risk })).status).toBe(200);
    expect((await t.call('POST', `/v1/shadows/${created.body.id}/stop`, { key: auditor })).status).toBe(403);

    for (const id of [randomUUID(), 'not-a-uuid']) {
      const missing = await t.call('GET', `/v1/shadows/${id}`, { key: auditor });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('NOT_FOUND');
      expect((await t.call('POST', `/v1/shadows/${id}/stop`, { key: quant })).status).toBe(404);
    }
  });

  it('stop → 202 with stopRequestedBy, audited; a second stop → 409; stopping an ended session → 409', async () => {
    const id = (await start(valid())).body.id as string;
    const stopped = await t.call('POST', `/v1/shadows/${id}/stop`, { key: quant });
    expect(stopped.status).toBe(202);
    expect(stopped.body).toMatchObject({ id, phase: 'Running' });
    expect(stopped.body.stopRequestedBy).toMatch(/^key:/);
    const again = await t.call('POST', `/v1/shadows/${id}/stop`, { key: quant });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT', phase: 'Running' });
    expect((await audit(`shadow:${id}`)).map((e) => e.action)).toEqual(['shadow.started', 'shadow.stop-requested']);
    expect((await runner.running()).find((s) => s.id === id)).toMatchObject({ stopRequested: true });

    expect(await runner.complete(id, { phase: 'Stopped', verdicts: null })).toBe(true);
    const late = await t.call('POST', `/v1/shadows/${id}/stop`, { key: quant });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('Stopped');
  });

  it('lists sessions oldest first, filtered by model and phase', async () => {
    const all = await t.call('GET', '/v1/shadows?limit=500', { key: auditor });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThan(2);
    expect(all.body.items[0].findings).toEqual({ byKind: {} });
    const stopped = await t.call('GET', `/v1/shadows?model=${MODEL}&phase=Stopped`, { key: auditor });
    expect(stopped.body.items.length).toBe(1);
    expect(stopped.body.items[0].phase).toBe('Stopped');
    expect((await t.call('GET', '/v1/shadows?model=exec-nobody', { key: auditor })).body.items).toEqual([]);
    expect((await t.call('GET', '/v1/shadows?phase=Sleeping', { key: auditor })).status).toBe(400);
    const page = await t.call('GET', '/v1/shadows?limit=1', { key: auditor });
    expect(page.body.next).toBe(page.body.items[0].id);
    const second = await t.call('GET', `/v1/shadows?limit=1&after=${page.body.next}`, { key: auditor });
    expect(second.body.items[0].id).toBe(all.body.items[1].id);
  });

  it('the runner’s checkpoints show as metrics; completion stores evidence, sets each candidate’s status and is audited once', async () => {
    const id = (await start(valid({ candidates: [v.c, v.review, v.champion] }))).body.id as string;
    const cand = emptyShadowCounters();
    Object.assign(cand, { decisions: 200, divergentDecisions: 50, sumAbsParticipationDelta: 20, invalidOutputs: 2, orders: 4, sumIsBps: 10, sumIsDeltaBps: -2, filledShares: 300, orderedShares: 400, batches: 100 });
    cand.latencyHistogram[latencyBucket(1_000_000)] = 100;
    const live = { ...emptyShadowCounters(), decisions: 200, skewFindings: 1, orders: 4, sumIsBps: 12 };
    const checkpoint: ShadowCheckpoint = {
      durable: 'shadow-api-test',
      position: 500,
      rewindPosition: 400,
      pendingOrders: [],
      sessions: [{ id, totals: { candidates: { [`${MODEL}@${v.c}`]: cand }, live: { [`${MODEL}@${v.a}`]: live }, findings: { 'feature-skew': 7, duplicate: 1 }, firstPosition: 1, lastPosition: 500 } }],
      windows: [],
      orderResults: [1, 2, 3, 4].map((n) => ({ sessionId: id, model: MODEL, version: v.c!, orderId: `P-${n}`, instrument: 'AAA', date: '2026-11-24', liveIsBps: 3, candidateIsBps: 2.5, liveFilled: 100, candidateFilled: 75, quantity: 100 })),
      findings: Array.from({ length: 7 }, (_, i) => ({ sessionId: id, kind: 'feature-skew' as const, position: 10 + i, eventId: `e-${i}`, reason: 'spread_bps differs', example: { i } })),
      liveWindows: [],
    };
    await runner.saveCheckpoint(checkpoint);
    expect(await runner.isDeltas(id, MODEL, v.c!)).toEqual([-0.5, -0.5, -0.5, -0.5]);
    const view = (await t.call('GET', `/v1/shadows/${id}`, { key: auditor })).body;
    expect(view.candidates[0].metrics).toEqual({
      decisions: 200,
      divergentDecisions: 50,
      divergenceRate: 0.25,
      meanAbsParticipationDelta: 0.1,
      orders: 4,
      meanCandidateIsBps: 2.5,
      meanLiveIsBps: 3,
      meanIsDeltaBps: -0.5,
      invalidOutputs: 2,
      invalidOutputRate: 0.01,
      latencyP50Ms: expect.closeTo(1, 0),
      latencyP99Ms: expect.closeTo(1, 0),
      fillRatio: 0.75,
    });
    expect(view.candidates[1].metrics.divergenceRate).toBeNull();
    expect(view.live).toEqual([{ model: MODEL, version: v.a, metrics: { decisions: 200, skewFindings: 1, orders: 4, meanIsBps: 3 } }]);
    expect(view.findings.byKind).toEqual({ 'feature-skew': 7, duplicate: 1 });
    expect(view.findings.examples['feature-skew'].map((f: Json) => f.position)).toEqual([10, 11, 12, 13, 14]);
    expect(LATENCY_BUCKETS).toBeGreaterThan(latencyBucket(1_000_000));

    const gate = { name: 'is-delta-bps', phase: 'Successful' as const, value: -0.5, interval: [-0.9, -0.1] as [number, number], condition: '<= 1', samples: 4, message: 'ok', dryRun: false };
    const verdicts = {
      [`${MODEL}@${v.c}`]: { verdict: 'shadow-passed' as const, gates: [gate] },
      [`${MODEL}@${v.review}`]: { verdict: 'shadow-failed' as const, gates: [] },
      [`${MODEL}@${v.champion}`]: { verdict: 'shadow-failed' as const, gates: [] },
    };
    const evidence = new TextEncoder().encode(JSON.stringify({ schema: 'airlock.shadow-evidence/1', id }));
    expect(await runner.complete(id, { phase: 'Completed', verdicts, evidence })).toBe(true);
    expect(await runner.complete(id, { phase: 'Failed', verdicts: null, failure: 'late' })).toBe(false);

    const done = (await t.call('GET', `/v1/shadows/${id}`, { key: auditor })).body;
    expect(done).toMatchObject({ phase: 'Completed', failure: null });
    expect(done.completedAt).not.toBeNull();
    expect(done.candidates.map((c: Json) => c.verdict)).toEqual(['shadow-passed', 'shadow-failed', 'shadow-failed']);
    expect(done.candidates[0].gates).toEqual([{ ...gate, lower: -0.9, upper: -0.1 }]);
    expect(await t.api.store.has(done.evidence.sha256)).toBe(true);
    expect(await statusOf(v.c!)).toBe('shadow-passed');
    expect(await statusOf(v.review!)).toBe('shadow-failed');
    expect(await statusOf(v.champion!)).toBe('champion'); // past review: a shadow verdict does not move it

    const events = await audit(`shadow:${id}`);
    expect(events.map((e) => e.action)).toEqual(['shadow.started', 'shadow.completed']);
    expect(events[1]).toMatchObject({
      actor: 'system',
      data: { phase: 'Completed', evidenceSha256: done.evidence.sha256, statusUnchanged: [{ version: v.champion, status: 'champion' }] },
    });
    expect(events[1].data.verdicts[`${MODEL}@${v.c}`]).toEqual({ verdict: 'shadow-passed', gates: [{ name: 'is-delta-bps', phase: 'Successful', value: -0.5 }] });
    const changes = (await audit(`model:${MODEL}@${v.c}`)).filter((e) => e.action === 'version.status-changed');
    expect(changes.map((e) => e.data)).toEqual([{ from: 'validated', to: 'shadow-passed', shadowSessionId: id }]);
  });
});
