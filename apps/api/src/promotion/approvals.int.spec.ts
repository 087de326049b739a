import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_ROLLOUT_PLAN, planHash } from '@airlock/core';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

const OTHER_HASH = 'f'.repeat(64);

describe('promotion requests and four-eyes approvals (real PostgreSQL)', () => {
  const clock = new MutableClock();
  let t: TestApi;
  let author: string; // quant + risk: registers every version, so may never vote on them
  let requester: string; // quant + risk: requests, so may never vote on its own requests
  let risk1: string;
  let risk2: string;
  let auditor: string;
  let high: { version: number; sha256: string };

  beforeAll(async () => {
    t = await startTestApi({}, { clock });
    [author, requester, risk1, risk2, auditor] = await Promise.all([
      t.keyWith('quant', 'risk'),
      t.keyWith('quant', 'risk'),
      t.keyWith('risk'),
      t.keyWith('risk'),
      t.keyWith('auditor'),
    ]);
    await createModel(t, author, 'exec-high', 'high');
    await createModel(t, author, 'exec-low', 'low');
    high = await versionWithStatus(t, author, 'exec-high', 1, 'shadow-passed');
  });
  afterAll(async () => {
    await t?.close();
  });

  const request = (json: Json, key = requester) => t.call('POST', '/v1/promotions', { key, json });
  const vote = (id: string, key: string, json: Json) => t.call('POST', `/v1/promotions/${id}/approvals`, { key, json });
  const newPromotion = async (deployment = 'equities-us', model = 'exec-high', version = high.version) => {
    const created = await request({ model, version, deployment });
    expect(created.status).toBe(201);
    return created.body as Json;
  };

  it('creates a PendingApproval request bound to the artifact sha256 and the default plan’s hash', async () => {
    const created = await request({ model: 'exec-high', version: high.version, deployment: 'equities-us' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      phase: 'PendingApproval',
      model: 'exec-high',
      version: high.version,
      sha256: high.sha256,
      deployment: 'equities-us',
      tier: 'high',
      planHash: planHash(DEFAULT_ROLLOUT_PLAN),
      requiredApprovals: 2,
      validApprovals: 0,
      approvals: [],
      override: null,
    });
    expect((await t.call('GET', `/v1/promotions/${created.body.id}`, { key: auditor })).body.id).toBe(created.body.id);
    const inbox = await t.call('GET', '/v1/promotions?phase=PendingApproval', { key: risk1 });
    expect(inbox.body.items.map((p: Json) => p.id)).toContain(created.body.id);
  });

  it('refuses a version that has not passed validation and shadow (PROMOTION_NOT_ELIGIBLE); only an admin may override, on the record', async () => {
    const validatedOnly = await versionWithStatus(t, author, 'exec-high', 3, 'validated');
    const notShadowed = await request({ model: 'exec-high', version: validatedOnly.version, deployment: 'equities-us' });
    expect(notShadowed.status).toBe(409);
    expect(notShadowed.body).toMatchObject({ code: 'PROMOTION_NOT_ELIGIBLE', versionStatus: 'validated', eligibleStatuses: ['shadow-passed', 'approved', 'canary', 'champion'] });
    const registered = await versionWithStatus(t, author, 'exec-high', 2, 'registered');
    const refused = await request({ model: 'exec-high', version: registered.version, deployment: 'equities-us' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PROMOTION_NOT_ELIGIBLE', versionStatus: 'registered' });
    const quantOverride = await request({ model: 'exec-high', version: registered.version, deployment: 'equities-us', override: { reason: 'hotfix' } });
    expect(quantOverride.status).toBe(403);
    const admin = await t.call('POST', '/v1/promotions', { json: { model: 'exec-high', version: registered.version, deployment: 'equities-us', override: { reason: 'hotfix after incident 42' } } });
    expect(admin.status).toBe(201);
    expect(admin.body.override).toMatchObject({ reason: 'hotfix after incident 42', fromStatus: 'registered' });
  });

  it('checks the plan and hashes exactly the plan it stores', async () => {
    const bad = await request({ model: 'exec-high', version: high.version, deployment: 'equities-us', plan: { steps: [{ setWeight: 80 }, { jump: 1 }], caps: { ...DEFAULT_ROLLOUT_PLAN.caps } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: Json) => e.field)).toEqual(expect.arrayContaining(['plan.steps[1]']));
    const plan = { steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }], caps: { maxShareOfParentOrders: 10, maxNotionalPerOrder: 50_000, maxOrdersPerMinute: 5, allowedInstruments: ['AAPL', 'MSFT'] } };
    const ok = await request({ model: 'exec-high', version: high.version, deployment: 'equities-us', plan });
    expect(ok.status).toBe(201);
    expect(ok.body.planHash).toBe(planHash(plan));
  });

  it('only risk votes; never the requester (APPROVAL_SELF) nor the version’s author (APPROVAL_AUTHOR)', async () => {
    const p = await newPromotion();
    expect((await vote(p.id, auditor, { decision: 'approve' })).status).toBe(403);
    const self = await vote(p.id, requester, { decision: 'approve', comment: 'lgtm' });
    expect([self.status, self.body.code]).toEqual([403, 'APPROVAL_SELF']);
    const byAuthor = await vote(p.id, author, { decision: 'approve', comment: 'lgtm' });
    expect([byAuthor.status, byAuthor.body.code]).toEqual([403, 'APPROVAL_AUTHOR']);
    expect((await t.call('GET', `/v1/promotions/${p.id}`)).body.approvals).toEqual([]);
  });

  it('high tier: one approval leaves it pending, a second vote by the same officer is refused, a second officer approves', async () => {
    const p = await newPromotion();
    const first = await vote(p.id, risk1, { decision: 'approve', comment: 'evidence reviewed', sha256: high.sha256, planHash: p.planHash });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ phase: 'PendingApproval', validApprovals: 1 });
    expect(first.body.approvals[0]).toMatchObject({ decision: 'approve', sha256: high.sha256, planHash: p.planHash, expired: false });
    const again = await vote(p.id, risk1, { decision: 'approve', comment: 'again' });
    expect([again.status, again.body.code]).toEqual([409, 'APPROVAL_DUPLICATE']);
    const second = await vote(p.id, risk2, { decision: 'approve', comment: 'ok' });
    expect(second.body).toMatchObject({ phase: 'Approved', validApprovals: 2 });
    expect(second.body.approvedUntil).toBe(first.body.approvals[0].expiresAt);
    const late = await vote(p.id, (await t.keyWith('risk')), { decision: 'approve', comment: 'me too' });
    expect([late.status, late.body.code]).toEqual([409, 'PROMOTION_CLOSED']);
    const inbox = await t.call('GET', '/v1/promotions?phase=PendingApproval', { key: risk1 });
    expect(inbox.body.items.map((x: Json) => x.id)).not.toContain(p.id);
    const audit = await t.call('GET', `/v1/audit?subject=promotion:${p.id}`);
    expect(audit.body.items.map((e: Json) => e.action)).toEqual(['promotion.requested', 'promotion.approval', 'promotion.approval', 'promotion.approved']);
    for (const event of audit.body.items) expect(event.data).toMatchObject({ sha256: high.sha256, planHash: p.planHash });
  });

  it('low tier: one approval is enough', async () => {
    const low = await versionWithStatus(t, author, 'exec-low', 3, 'shadow-passed');
    const p = await newPromotion('equities-eu', 'exec-low', low.version);
    expect(p.requiredApprovals).toBe(1);
    expect((await vote(p.id, risk1, { decision: 'approve' })).body.phase).toBe('Approved');
  });

  it('refuses a vote for another artifact or plan (APPROVAL_BINDING_MISMATCH)', async () => {
    const p = await newPromotion();
    const sha = await vote(p.id, risk1, { decision: 'approve', comment: 'x', sha256: OTHER_HASH });
    expect([sha.status, sha.body.code]).toEqual([409, 'APPROVAL_BINDING_MISMATCH']);
    expect(sha.body.errors).toEqual([{ field: 'sha256', message: expect.stringContaining(high.sha256) }]);
    const plan = await vote(p.id, risk1, { decision: 'approve', comment: 'x', sha256: high.sha256, planHash: OTHER_HASH });
    expect([plan.status, plan.body.code, plan.body.errors[0].field]).toEqual([409, 'APPROVAL_BINDING_MISMATCH', 'planHash']);
    expect((await t.call('GET', `/v1/promotions/${p.id}`)).body.approvals).toEqual([]);
  });

  it('a rejection needs a comment and is final', async () => {
    const p = await newPromotion();
    const bare = await vote(p.id, risk1, { decision: 'reject', comment: '  ' });
    expect([bare.status, bare.body.code, bare.body.errors[0].field]).toEqual([400, 'VALIDATION_FAILED', 'comment']);
    const rejected = await vote(p.id, risk1, { decision: 'reject', comment: 'impact too high in the open auction' });
    expect(rejected.body).toMatchObject({ phase: 'Rejected', approvals: [{ decision: 'reject', comment: 'impact too high in the open auction' }] });
    const after = await vote(p.id, risk2, { decision: 'approve', comment: 'ok' });
    expect([after.status, after.body.code]).toEqual([409, 'PROMOTION_CLOSED']);
  });

  it('approvals expire: after the TTL the request reads Expired, old votes show expired, and new votes are refused (APPROVAL_EXPIRED)', async () => {
    const p = await newPromotion();
    expect((await vote(p.id, risk1, { decision: 'approve', comment: 'ok' })).body.phase).toBe('PendingApproval');
    clock.advanceHours(25);
    const read = await t.call('GET', `/v1/promotions/${p.id}`);
    expect(read.body).toMatchObject({ phase: 'Expired', validApprovals: 0, approvals: [{ expired: true }] });
    const late = await vote(p.id, risk2, { decision: 'approve', comment: 'ok' });
    expect([late.status, late.body.code]).toEqual([409, 'APPROVAL_EXPIRED']);
    expect((await t.call('GET', '/v1/promotions?phase=PendingApproval')).body.items.map((x: Json) => x.id)).not.toContain(p.id);
    expect((await t.call('GET', '/v1/promotions?phase=Expired')).body.items.map((x: Json) => x.id)).toContain(p.id);
  });

  it('answers 404 for an unknown promotion and 400 for an unknown phase filter', async () => {
    expect((await t.call('GET', '/v1/promotions/not-a-uuid')).status).toBe(404);
    expect((await t.call('GET', '/v1/promotions?phase=Whatever')).body.code).toBe('VALIDATION_FAILED');
  });
});
