import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDataSource, Database } from '@airlock/persistence';
import { KubernetesRolloutActuator } from '@airlock/actuators';
import { RolloutController, RolloutLeaderLoop } from '@airlock/promotion';
import { FakeKubeApi } from '../../../../packages/actuators/src/kube-api.testkit.js';
import type { DataSource } from 'typeorm';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };
const MODEL = 'exec-roll';

describe('rollout controller: ticks, routing, commands, leader election (real PostgreSQL)', () => {
  const clock = new MutableClock();
  let t: TestApi;
  let quant: string;
  let risk: string;
  let controller: RolloutController;
  let seed = 100;

  const ref = (v: { version: number; sha256: string }) => ({ model: MODEL, version: v.version, sha256: v.sha256 });
  const routing = async (deployment: string) => (await t.call('GET', `/v1/deployments/${deployment}/routing`, { key: quant })).body;
  /** The latest promotion approved per deployment. */
  const latest = new Map<string, string>();
  /** The rollout of the deployment's latest approved promotion, as listed by the API. */
  const rolloutOf = async (deployment: string): Promise<Json> => {
    const page = await t.call('GET', `/v1/rollouts?deployment=${deployment}`, { key: quant });
    expect(page.status).toBe(200);
    return (page.body.items as Json[]).find((r) => r.promotionId === latest.get(deployment));
  };
  const events = async (promotionId: string): Promise<string[]> => {
    const audit = await t.call('GET', `/v1/audit?subject=promotion:${promotionId}&limit=500`);
    return (audit.body.items as Json[]).map((e) => e.action as string).filter((a) => a.startsWith('rollout.'));
  };

  /** A fresh shadow-passed version, promoted to `deployment` under `steps` and approved by a risk officer. */
  async function approved(deployment: string, steps: unknown[]): Promise<{ id: string; version: { version: number; sha256: string } }> {
    const version = await versionWithStatus(t, quant, MODEL, (seed += 1), 'shadow-passed');
    const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version: version.version, deployment, plan: { steps, caps: CAPS } } });
    expect(created.status).toBe(201);
    const vote = await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk, json: { decision: 'approve', comment: 'ok' } });
    expect(vote.body.phase).toBe('Approved');
    latest.set(deployment, created.body.id as string);
    return { id: created.body.id as string, version };
  }

  /** Gives `deployment` a stable champion (a one-step rollout to 100%). */
  async function crowned(deployment: string) {
    const p = await approved(deployment, [{ setWeight: 100 }]);
    await controller.tick();
    expect((await rolloutOf(deployment)).phase).toBe('Healthy');
    return p.version;
  }

  beforeAll(async () => {
    t = await startTestApi({}, { clock });
    [quant, risk] = await Promise.all([t.keyWith('quant'), t.keyWith('risk')]);
    await createModel(t, quant, MODEL, 'low');
    controller = new RolloutController(t.api.db, clock, { approvalTtlMs: t.config.approvalTtlMs, analysisGraceMs: 1000, analysisTemplates: { 'execution-quality': [{ name: 'slippage-bps', condition: { op: '<=', threshold: 5 } }] } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('timed pauses: 1% → 5% → 25% → 50% → 100% → Healthy; the routing table follows; the candidate becomes stable and champion', async () => {
    const v1 = await crowned('ladder');
    expect(await routing('ladder')).toMatchObject({ stable: ref(v1), canary: null, canaryWeight: 0, revision: 2 });
    const pause = { pause: { durationSeconds: 2 } };
    const p = await approved('ladder', [{ setWeight: 1 }, pause, { setWeight: 5 }, pause, { setWeight: 25 }, pause, { setWeight: 50 }, pause, { setWeight: 100 }]);
    const v2 = p.version;

    const first = await controller.tick();
    expect(first.created).toBe(1);
    const rollout = await rolloutOf('ladder');
    expect(rollout).toMatchObject({ promotionId: p.id, deployment: 'ladder', phase: 'Paused', step: 1, canaryWeight: 1, stable: ref(v1), candidate: ref(v2) });
    expect(await routing('ladder')).toMatchObject({ stable: ref(v1), canary: ref(v2), canaryWeight: 1, revision: 3 });

    // Nothing due: the table is not rewritten.
    expect((await controller.tick()).changed).toBe(0);
    expect((await routing('ladder')).revision).toBe(3);

    let revision = 3;
    let previous = 1;
    for (const weight of [5, 25, 50]) {
      clock.advanceMs(1999);
      await controller.tick();
      expect(await routing('ladder')).toMatchObject({ canaryWeight: previous, revision }); // the pause is not over yet
      clock.advanceMs(1);
      await controller.tick();
      revision += 1;
      expect(await routing('ladder')).toMatchObject({ stable: ref(v1), canary: ref(v2), canaryWeight: weight, revision });
      previous = weight;
    }
    clock.advanceMs(2000);
    await controller.tick();
    const done = await t.call('GET', `/v1/rollouts/${rollout.id}`, { key: quant });
    expect(done.body).toMatchObject({ phase: 'Healthy', canaryWeight: 100, step: 9, steps: 9, stable: ref(v1) });
    expect(done.body.finishedAt).not.toBeNull();
    expect(await routing('ladder')).toMatchObject({ stable: ref(v2), canary: null, canaryWeight: 0, revision: revision + 1 });

    const aliases = await t.call('GET', `/v1/models/${MODEL}/aliases`, { key: quant });
    expect(aliases.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ alias: 'champion', version: v2.version })]));
    const statusOf = async (version: number) => (await t.call('GET', `/v1/models/${MODEL}/versions/${version}`, { key: quant })).body.status;
    expect(await statusOf(v2.version)).toBe('champion');
    expect(await statusOf(v1.version)).toBe('retired');
    expect(await events(p.id)).toEqual([
      'rollout.created',
      ...Array.from({ length: 4 }, () => ['rollout.weightSet', 'rollout.paused', 'rollout.resumed']).flat(),
      'rollout.weightSet',
      'rollout.completed',
    ]);
    // Healthy is terminal: commands are refused.
    expect((await t.call('POST', `/v1/rollouts/${rollout.id}/abort`, { key: risk, json: { reason: 'late' } })).status).toBe(409);
  });

  it('a manual abort (risk) routes all flow back to stable; quants may pause but not resume or abort', async () => {
    const stable = await crowned('abortable');
    const p = await approved('abortable', [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }]);
    await controller.tick();
    const rollout = await rolloutOf('abortable');
    expect(rollout).toMatchObject({ phase: 'Paused', canaryWeight: 10, pause: { kind: 'step', until: null } });
    expect(await routing('abortable')).toMatchObject({ stable: ref(stable), canary: ref(p.version), canaryWeight: 10 });

    for (const action of ['resume', 'abort']) expect((await t.call('POST', `/v1/rollouts/${rollout.id}/${action}`, { key: quant, json: {} })).status).toBe(403);
    const abort = await t.call('POST', `/v1/rollouts/${rollout.id}/abort`, { key: risk, json: { reason: 'slippage looks off' } });
    expect(abort.status).toBe(200);
    expect(abort.body.pendingCommand).toMatchObject({ kind: 'abort', reason: 'slippage looks off' });
    expect((await t.call('POST', `/v1/rollouts/${rollout.id}/pause`, { key: quant, json: {} })).status).toBe(409); // one command at a time

    await controller.tick();
    const after = (await t.call('GET', `/v1/rollouts/${rollout.id}`, { key: quant })).body;
    expect(after).toMatchObject({ phase: 'Aborted', canaryWeight: 0, pendingCommand: null, abort: { reason: 'manual' } });
    expect(after.abort.message).toContain('slippage looks off');
    // A manual abort is no verdict on the model: it may be promoted again.
    expect(((await t.call('GET', `/v1/models/${MODEL}/versions/${p.version.version}`, { key: quant })).body as Json).status).toBe('shadow-passed');
    expect(await routing('abortable')).toMatchObject({ stable: ref(stable), canary: null, canaryWeight: 0 });
    expect(await events(p.id)).toEqual(['rollout.created', 'rollout.weightSet', 'rollout.paused', 'rollout.command.abort', 'rollout.aborted']);
    expect((await t.call('GET', '/v1/rollouts/not-a-uuid', { key: quant })).status).toBe(404);
  });

  it('an admin-overridden version follows the lifecycle (approved → canary) and a manual abort returns it to the status it was overridden from', async () => {
    await crowned('hotfix');
    const version = await versionWithStatus(t, quant, MODEL, (seed += 1), 'validated');
    const created = await t.call('POST', '/v1/promotions', { json: { model: MODEL, version: version.version, deployment: 'hotfix', plan: { steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }], caps: CAPS }, override: { reason: 'hotfix' } } });
    expect(created.body.override).toMatchObject({ fromStatus: 'validated' });
    await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk, json: { decision: 'approve', comment: 'hotfix procedure' } });
    latest.set('hotfix', created.body.id as string);
    const status = async () => ((await t.call('GET', `/v1/models/${MODEL}/versions/${version.version}`, { key: quant })).body as Json).status;
    expect(await status()).toBe('approved');
    await controller.tick();
    expect(await status()).toBe('canary');
    const rollout = await rolloutOf('hotfix');
    await t.call('POST', `/v1/rollouts/${rollout.id}/abort`, { key: risk, json: { reason: 'second thoughts' } });
    await controller.tick();
    // It never passed shadow: back to "validated", not "shadow-passed".
    expect(await status()).toBe('validated');
  });

  it('promote-full (risk) skips the remaining steps: the candidate becomes stable and champion at the next tick', async () => {
    const stable = await crowned('fast-track');
    const p = await approved('fast-track', [{ setWeight: 5 }, { pause: {} }, { setWeight: 25 }, { pause: {} }, { setWeight: 100 }]);
    await controller.tick();
    const rollout = await rolloutOf('fast-track');
    expect(rollout).toMatchObject({ phase: 'Paused', canaryWeight: 5 });
    expect((await t.call('POST', `/v1/rollouts/${rollout.id}/promote-full`, { key: quant, json: {} })).status).toBe(403);
    const command = await t.call('POST', `/v1/rollouts/${rollout.id}/promote-full`, { key: risk, json: { reason: 'desk needs it today' } });
    expect(command.status).toBe(200);
    expect(command.body.pendingCommand).toMatchObject({ kind: 'promoteFull', reason: 'desk needs it today' });
    await controller.tick();
    expect((await t.call('GET', `/v1/rollouts/${rollout.id}`, { key: quant })).body).toMatchObject({ phase: 'Healthy', pendingCommand: null });
    expect(await routing('fast-track')).toMatchObject({ stable: ref(p.version), canary: null, canaryWeight: 0 });
    expect(((await t.call('GET', `/v1/models/${MODEL}/versions/${p.version.version}`, { key: quant })).body as Json).status).toBe('champion');
    expect(((await t.call('GET', `/v1/models/${MODEL}/versions/${stable.version}`, { key: quant })).body as Json).status).toBe('retired');
    expect(await events(p.id)).toEqual(expect.arrayContaining(['rollout.command.promoteFull', 'rollout.completed']));
  });

  it('with the Kubernetes actuator the cluster follows the routing table: replicas split by weight, routing ConfigMap, kill included', async () => {
    const api = await new FakeKubeApi().start();
    const errors: string[] = [];
    const cluster = new KubernetesRolloutActuator({ kubeConfig: api.kubeConfig(), namespace: 'engines', image: 'registry.local/engine:1', totalReplicas: 10 });
    const withCluster = new RolloutController(t.api.db, clock, { approvalTtlMs: t.config.approvalTtlMs, cluster, onClusterError: (d, e) => errors.push(`${d}: ${String(e)}`) });
    try {
      const stable = await crowned('k8s-desk');
      const p = await approved('k8s-desk', [{ setWeight: 30 }, { pause: {} }, { setWeight: 100 }]);
      await withCluster.tick();
      expect(await routing('k8s-desk')).toMatchObject({ canaryWeight: 30 });
      const track = (name: string) => api.get('deployments', 'engines', name) as Json | undefined;
      expect(track('k8s-desk-stable')?.spec).toMatchObject({ replicas: 7 });
      expect(track('k8s-desk-canary')?.spec).toMatchObject({ replicas: 3 });
      const routingMap = api.get('configmaps', 'engines', 'k8s-desk-routing') as Json;
      expect(JSON.parse((routingMap.data as Json)['routing.json'] as string)).toMatchObject({ canaryWeight: 30, canary: { version: String(p.version.version) }, stable: { version: String(stable.version) } });
      // Nothing new: the cluster is not written again.
      api.clearRequests();
      await withCluster.tick();
      expect(api.writes()).toEqual([]);
      // The kill switch writes the routing table at once; the next tick brings the cluster to it.
      const killed = await t.call('POST', '/v1/deployments/k8s-desk/kill', { key: risk, json: { reason: 'venue incident', mode: 'stable' } });
      expect(killed.status).toBe(200);
      await withCluster.tick();
      expect(track('k8s-desk-canary')?.spec).toMatchObject({ replicas: 0 });
      expect(track('k8s-desk-stable')?.spec).toMatchObject({ replicas: 10 });
      expect(errors).toEqual([]);
    } finally {
      await api.stop();
    }
  });

  it('the kill switch aborts the rollout; the controller never routes against it', async () => {
    const stable = await crowned('killable');
    await approved('killable', [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }]);
    await controller.tick();
    const killed = await t.call('POST', '/v1/deployments/killable/kill', { key: risk, json: { reason: 'incident', mode: 'halt' } });
    expect(killed.body).toMatchObject({ canary: null, canaryWeight: 0, halted: true });
    await controller.tick();
    expect(await rolloutOf('killable')).toMatchObject({ phase: 'Aborted', abort: { reason: 'killed' } });
    expect(await routing('killable')).toMatchObject({ stable: ref(stable), canary: null, canaryWeight: 0, halted: true, revision: killed.body.revision });
  });

  it('an analysis step without measurements goes Paused/Inconclusive after its grace: missing data never passes', async () => {
    await approved('analysed', [{ setWeight: 1 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 100 }]);
    await controller.tick();
    expect(await rolloutOf('analysed')).toMatchObject({ phase: 'Progressing', step: 1, canaryWeight: 1 });
    clock.advanceMs(999);
    await controller.tick();
    expect(await rolloutOf('analysed')).toMatchObject({ phase: 'Progressing', step: 1 });
    clock.advanceMs(1);
    await controller.tick();
    const paused = await rolloutOf('analysed');
    expect(paused).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 1, pause: { kind: 'inconclusive' } });
    expect(paused.analysis).toEqual([expect.objectContaining({ template: 'execution-quality', metric: 'slippage-bps', phase: 'Inconclusive' })]);
    expect(paused.analysis[0].message).toContain('missing data never passes');
    await t.call('POST', `/v1/rollouts/${paused.id}/abort`, { key: risk, json: {} });
    await controller.tick();
    expect((await rolloutOf('analysed')).phase).toBe('Aborted');
  });

  it('a controller stopped mid-rollout and started again resumes from the persisted status, without repeating events', async () => {
    const p = await approved('restart', [{ setWeight: 1 }, { pause: { durationSeconds: 10 } }, { setWeight: 5 }, { pause: {} }]);
    await controller.tick();
    const before = await rolloutOf('restart');
    const eventsBefore = await events(p.id);
    expect(before).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 1 });

    // A new process: its own connections and controller instance, nothing in memory.
    const ds = createDataSource({ databaseUrl: t.config.databaseUrl, poolSize: 2 });
    await ds.initialize();
    try {
      const again = new RolloutController(new Database(ds, clock), clock, { approvalTtlMs: t.config.approvalTtlMs });
      expect((await again.tick()).changed).toBe(0);
      expect(await rolloutOf('restart')).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 1, stepStartedAt: before.stepStartedAt });
      expect(await events(p.id)).toEqual(eventsBefore);
      clock.advanceMs(10_000);
      await again.tick();
      expect(await rolloutOf('restart')).toMatchObject({ phase: 'Paused', step: 3, canaryWeight: 5 });
      expect(await events(p.id)).toEqual([...eventsBefore, 'rollout.resumed', 'rollout.weightSet', 'rollout.paused']);
      await t.call('POST', `/v1/rollouts/${before.id}/abort`, { key: risk, json: {} });
      await again.tick();
    } finally {
      await ds.destroy();
    }
  });

  it('leader election: of two workers exactly one acts; when its connection closes the other takes over', async () => {
    const sources: DataSource[] = [];
    const loops: RolloutLeaderLoop[] = [];
    const waitFor = async (what: string, check: () => Promise<boolean> | boolean) => {
      for (let i = 0; i < 400; i += 1) {
        if (await check()) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    try {
      for (let i = 0; i < 2; i += 1) {
        const ds = createDataSource({ databaseUrl: t.config.databaseUrl, poolSize: 3 });
        await ds.initialize();
        sources.push(ds);
        const db = new Database(ds, clock);
        loops.push(new RolloutLeaderLoop(ds, new RolloutController(db, clock, { approvalTtlMs: t.config.approvalTtlMs }), { intervalMs: 20, advisoryLock: true }));
      }
      const p = await approved('elected', [{ setWeight: 1 }, { pause: { durationSeconds: 1 } }, { setWeight: 5 }, { pause: { durationSeconds: 1 } }, { setWeight: 25 }, { pause: {} }]);
      loops.forEach((l) => l.start());
      await waitFor('the first step', async () => (await routing('elected')).canaryWeight === 1);
      await new Promise((r) => setTimeout(r, 100)); // several rounds of both loops
      const leader = loops.find((l) => l.isLeader)!;
      const follower = loops.find((l) => l !== leader)!;
      expect(loops.filter((l) => l.isLeader)).toHaveLength(1);
      expect(leader.changes).toBeGreaterThan(0);
      expect([follower.ticks, follower.changes]).toEqual([0, 0]);

      clock.advanceMs(1000);
      await waitFor('the second step', async () => (await routing('elected')).canaryWeight === 5);
      expect([follower.ticks, follower.changes]).toEqual([0, 0]);

      // The leader's connection dies (as with a crashed process): PostgreSQL releases its lock.
      const pid = await leader.sessionPid();
      expect(pid).not.toBeNull();
      await t.api.db.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      await waitFor('the old leader to notice', () => !leader.isLeader);
      await leader.stop();
      await waitFor('the follower to take over', () => follower.isLeader);
      const changesBefore = leader.changes;
      clock.advanceMs(1000);
      await waitFor('the third step', async () => (await routing('elected')).canaryWeight === 25);
      expect(follower.changes).toBeGreaterThan(0);
      expect(leader.changes).toBe(changesBefore);
      // No step was applied twice across the hand-over.
      expect((await events(p.id)).filter((e) => e === 'rollout.weightSet')).toHaveLength(3);
    } finally {
      for (const loop of loops) await loop.stop();
      for (const ds of sources) if (ds.isInitialized) await ds.destroy();
    }
  });
});
