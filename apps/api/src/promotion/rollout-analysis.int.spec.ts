import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { emptyLiveCounters, type LiveCounters } from '@airlock/core';
import { RolloutController } from '@airlock/promotion';
import { Registry } from 'prom-client';
import { registerWorkerMetrics } from '../../../worker/src/worker-metrics.js';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

// Rollout analysis from the live flow (issue #6): the controller measures canary against stable from the per-version
// live windows the shadow runner writes (here written through the same repository call the runner uses), one
// measurement per interval, Argo limits; real PostgreSQL, a controlled clock.

const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };
const MODEL = 'exec-live-analysis';
const INTERVAL_MS = 1000;
const PLAN = [{ setWeight: 10 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 100 }];

/** Live counters of done orders with these realised IS values (bps), every order fully filled. */
function orders(is: number[]): LiveCounters {
  return {
    ...emptyLiveCounters(),
    decisions: is.length * 20,
    ordersDone: is.length,
    isCount: is.length,
    sumIsBps: is.reduce((a, b) => a + b, 0),
    sumSqIsBps: is.reduce((a, b) => a + b * b, 0),
    filledShares: is.length * 500,
    orderedShares: is.length * 500,
  };
}

describe('rollout analysis on live metrics', () => {
  const clock = new MutableClock();
  let t: TestApi;
  let quant: string;
  let risk: string;
  let controller: RolloutController;
  /** The worker's metrics over the same database: what its /metrics would show. */
  let registry: Registry;
  let seed = 500;
  let position = 0;
  let windowStart = 0;

  const routing = async (deployment: string) => (await t.call('GET', `/v1/deployments/${deployment}/routing`, { key: quant })).body as Json;
  const rolloutOf = async (deployment: string): Promise<Json> => {
    const page = await t.call('GET', `/v1/rollouts?deployment=${deployment}`, { key: quant });
    const items = page.body.items as Json[];
    return [...items].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)))[0]!; // the newest
  };

  async function approved(deployment: string, steps: unknown[]): Promise<{ version: number; sha256: string }> {
    const version = await versionWithStatus(t, quant, MODEL, (seed += 1), 'shadow-passed');
    const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version: version.version, deployment, plan: { steps, caps: CAPS } } });
    expect(created.status).toBe(201);
    const vote = await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk, json: { decision: 'approve', comment: 'ok' } });
    expect(vote.body.phase).toBe('Approved');
    return version;
  }

  /** One minute of live flow as the runner checkpoints it: per-version counters of the deployment. */
  async function live(deployment: string, rows: { version: number; counters: LiveCounters }[]): Promise<void> {
    windowStart += 60_000_000_000;
    position += 100;
    await t.api.db.transaction((uow) =>
      uow.shadows.saveCheckpoint(
        {
          durable: `analysis-test-${deployment}`,
          position,
          rewindPosition: 0,
          sessions: [],
          windows: [],
          orderResults: [],
          findings: [],
          liveWindows: rows.map((r) => ({ deployment, model: MODEL, version: r.version, date: '2026-11-25', windowStartNs: windowStart, windowNs: 60_000_000_000, counters: r.counters })),
        },
        uow.at,
      ),
    );
  }

  beforeAll(async () => {
    t = await startTestApi({}, { clock });
    [quant, risk] = await Promise.all([t.keyWith('quant'), t.keyWith('risk')]);
    await createModel(t, quant, MODEL, 'low');
    registry = new Registry();
    const workerMetrics = registerWorkerMetrics(registry, t.api.db, t.api.boss);
    controller = new RolloutController(t.api.db, clock, {
      approvalTtlMs: t.config.approvalTtlMs,
      analysisIntervalMs: INTERVAL_MS,
      analysisGraceMs: 1000,
      onMeasurement: (metric, phase) => workerMetrics.gateOutcome('rollout', metric, phase),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function withStable(deployment: string): Promise<{ version: number; sha256: string }> {
    const stable = await approved(deployment, [{ setWeight: 100 }]);
    await controller.tick();
    expect((await rolloutOf(deployment)).phase).toBe('Healthy');
    clock.advanceMs(1); // the candidate's rollout is strictly newer
    return stable;
  }

  it('a canary as good as stable passes three measurements and becomes champion', async () => {
    const stable = await withStable('good-desk');
    const candidate = await approved('good-desk', PLAN);
    const status = async (): Promise<unknown> => ((await t.call('GET', `/v1/models/${MODEL}/versions/${candidate.version}`, { key: quant })).body as Json).status;
    expect(await status()).toBe('approved');
    await controller.tick(); // created, 10%, analysis started
    expect(await routing('good-desk')).toMatchObject({ canary: { version: candidate.version }, canaryWeight: 10 });
    expect(await status()).toBe('canary');
    await controller.tick(); // baselines
    const during = await registry.metrics();
    expect(during).toMatch(new RegExp(`airlock_rollout_canary_weight\\{deployment="good-desk",candidate="${MODEL}@${candidate.version}"\\} 10`));
    expect(during).toMatch(/airlock_rollouts_active\{phase="Progressing"\} [1-9]/);
    for (let i = 0; i < 3; i++) {
      await live('good-desk', [
        { version: candidate.version, counters: orders([2, 3, 4, 3, 2, 3]) },
        { version: stable.version, counters: orders([2, 3, 4, 3, 2, 3, 3, 3]) },
      ]);
      clock.advanceMs(INTERVAL_MS);
      await controller.tick();
    }
    await controller.tick();
    const done = await rolloutOf('good-desk');
    expect(done.phase).toBe('Healthy');
    expect(await routing('good-desk')).toMatchObject({ stable: { version: candidate.version }, canary: null, canaryWeight: 0 });
    const version = (await t.call('GET', `/v1/models/${MODEL}/versions/${candidate.version}`, { key: quant })).body as Json;
    expect(version.status).toBe('champion');
    // Three successful is_delta_bps measurements (count 3) were counted as gate outcomes.
    expect(await registry.metrics()).toMatch(/airlock_gate_outcomes_total\{source="rollout",gate="is_delta_bps",phase="Successful"\} 3/);
  });

  it('a canary that costs 10 bps more is aborted at its first measurement: all flow back to stable', async () => {
    const stable = await withStable('bad-desk');
    const candidate = await approved('bad-desk', PLAN);
    await controller.tick();
    await controller.tick();
    await live('bad-desk', [
      { version: candidate.version, counters: orders([12, 13, 14, 13, 12, 13]) },
      { version: stable.version, counters: orders([2, 3, 4, 3, 2, 3]) },
    ]);
    clock.advanceMs(INTERVAL_MS); // one interval after the failing flow
    await controller.tick();
    const aborted = await rolloutOf('bad-desk');
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.abort).toMatchObject({ reason: 'analysisFailed', metric: 'is_delta_bps' });
    // Failed live: the version is rejected (it can no longer be promoted without an admin override).
    expect(((await t.call('GET', `/v1/models/${MODEL}/versions/${candidate.version}`, { key: quant })).body as Json).status).toBe('rejected');
    expect(await routing('bad-desk')).toMatchObject({ stable: { version: stable.version }, canary: null, canaryWeight: 0 });
  });

  it('no live flow for the canary: Inconclusive after the window, paused for a human (missing data never passes)', async () => {
    await withStable('quiet-desk');
    await approved('quiet-desk', PLAN);
    await controller.tick();
    await controller.tick();
    for (let i = 0; i < 4; i++) {
      clock.advanceMs(INTERVAL_MS);
      await controller.tick();
    }
    const paused = await rolloutOf('quiet-desk');
    expect(paused).toMatchObject({ phase: 'Paused', pause: { kind: 'inconclusive' } });
    expect((paused.analysis as Json[]).find((m) => m.metric === 'is_delta_bps')).toMatchObject({ phase: 'Inconclusive' });
  });
});
