import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLiveFlowConsumer, createLiveFlowPublisher, createLiveFlowReader } from '@airlock/live-flow';
import { buildMlpPolicy } from '@airlock/onnx';
import {
  liveExecutionConfig,
  registryVersionResolver,
  ShadowRunner,
  ShadowService,
  type ShadowRunnerStore,
  type ShadowSessionView,
} from '@airlock/shadow';
import { pino } from 'pino';
import { simulateFlow, testDay, TEST_ACTIONS, TEST_FEATURES } from '../../../packages/shadow/src/testing/shadow-fixtures.js';
import { startTestApi, type TestApi } from '../../api/src/testing/api-harness.js';
import { createModel, registerWithStatus } from '../../api/src/testing/promotion-fixtures.js';
import { startShadowRunner } from './bootstrap.js';
import { loadShadowRunnerConfig } from './shadow-runner-config.js';

// The shadow runner end to end on the machine's PostgreSQL and NATS JetStream: the live-flow simulator publishes
// a day of flow for deployment `desk` (live model exec@1) to NATS; the runner scores candidates exec@2 (the
// live model's function in different bytes) and exec@3 (a different policy) and ends the session with verdicts.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const run = `${process.pid}_${Math.floor(Math.random() * 1e6)}`;
const SPEC = { features: TEST_FEATURES, actions: TEST_ACTIONS, activation: 'relu' as const, output: 'sigmoid' as const };
const LIVE = buildMlpPolicy({ ...SPEC, layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });
/** The same function as LIVE, other bytes (a retrained twin with a lineage note): a distinct version. */
const TWIN = buildMlpPolicy({ ...SPEC, layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }], metadata: { lineage: 'twin of v1' } });
const OTHER = buildMlpPolicy({ ...SPEC, layers: [{ weights: [[0, 0, -6, 0], [-8, 0, -6, 0]], bias: [-1, 0.5] }] });

let t: TestApi;
let quant: string;
let stable: { model: string; version: number; sha256: string };
let flowUri: string;
let flowEvents: number;

const register = (bytes: Uint8Array, status: 'validated' | 'shadow-passed' = 'validated'): Promise<{ version: number; sha256: string }> =>
  registerWithStatus(t, quant, 'exec', bytes, { features: TEST_FEATURES, actions: TEST_ACTIONS }, status);

async function startSession(policy: Record<string, number>): Promise<ShadowSessionView> {
  const res = await t.call('POST', '/v1/shadows', { key: quant, json: { model: 'exec', candidates: [2, 3], deployment: 'desk', policy } });
  if (res.status !== 201) throw new Error(`shadow start failed: ${JSON.stringify(res.body)}`);
  return res.body as ShadowSessionView;
}

beforeAll(async () => {
  t = await startTestApi();
  quant = await t.keyWith('quant');
  await createModel(t, quant, 'exec', 'medium');
  stable = { model: 'exec', ...(await register(LIVE, 'shadow-passed')) };
  await register(TWIN);
  await register(OTHER);
  // A promotion (of the live model, which passed its own shadow) creates deployment `desk`; all its flow goes to exec@1.
  expect((await t.call('POST', '/v1/promotions', { key: quant, json: { model: 'exec', version: 1, deployment: 'desk' } })).status).toBe(201);
  await t.api.db.transaction(async (uow) => {
    const d = await uow.deployments.lock('desk');
    if (!d) throw new Error('no deployment');
    await uow.deployments.update({ ...d, stable, canary: null, canaryWeight: 0, revision: d.revision + 1, updatedAt: uow.at });
  });
  flowUri = `${NATS_URL}/shadow_${run}`;
  const publisher = await createLiveFlowPublisher(flowUri);
  const flow = await simulateFlow({ day: testDay(), stable, versions: { 'exec@1': LIVE }, orders: 60, publisher });
  await publisher.close();
  await flow.cleanup();
  flowEvents = flow.summary.events.stored;
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('shadow runner on PostgreSQL and NATS', () => {
  it('live-sim → NATS → runner → verdicts: the twin passes with zero divergence and IS delta, the other is scored against it', async () => {
    // Latency is wall time on a shared machine: its gate is tested on fixed numbers (shadow-verdict.spec.ts), not here.
    const session = await startSession({ orders: 25, minOrders: 10, maxLatencyP99Ms: 10_000 });
    const config = loadShadowRunnerConfig({ SHADOW_RUNNER_PORT: '0', AIRLOCK_LIVE_FLOW: flowUri, AIRLOCK_SHADOW_DURABLE: `e2e_${run}`, AIRLOCK_SHADOW_TICK_MS: '50', AIRLOCK_SHADOW_CHECKPOINT_EVERY: '2000', AIRLOCK_SHADOW_SCORE_MS: '200' });
    const runner = await startShadowRunner(config, { db: t.api.db, store: t.api.store, logger: pino({ level: 'silent' }) });
    let view: ShadowSessionView;
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        view = (await t.call('GET', `/v1/shadows/${session.id}`, { key: quant })).body as ShadowSessionView;
        if (view.phase !== 'Running' || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // The gate outcomes are counted right after the completion commits: read until they show (1 s at most).
      let metrics = '';
      for (let i = 0; i < 20 && !metrics.includes('source="shadow"'); i++) {
        metrics = await (await fetch(`${runner.url}/metrics`)).text();
        if (!metrics.includes('source="shadow"')) await new Promise((r) => setTimeout(r, 50));
      }
      expect(metrics).toMatch(/airlock_shadow_lag_events\{app="shadow-runner"\} \d+/);
      expect(metrics).toMatch(/airlock_gate_outcomes_total\{source="shadow",gate="is_delta_bps",phase="Successful",app="shadow-runner"\} [12]/); // the twin, and the other if it passed
      expect(metrics).toMatch(/airlock_shadow_position\{app="shadow-runner"\} [1-9]\d*/);
    } finally {
      await runner.close();
    }
    expect(view.phase).toBe('Completed');
    const twin = view.candidates.find((c) => c.version === 2)!;
    const other = view.candidates.find((c) => c.version === 3)!;
    expect(twin.metrics.orders).toBeGreaterThanOrEqual(25);
    expect(twin.metrics.divergentDecisions).toBe(0);
    expect(twin.metrics.meanIsDeltaBps).toBe(0);
    expect(twin.metrics.invalidOutputs).toBe(0);
    expect(twin.verdict).toBe('shadow-passed');
    expect(twin.gates.find((g) => g.name === 'is_delta_bps')).toMatchObject({ phase: 'Successful', value: 0 });
    expect(other.metrics.divergenceRate).toBeGreaterThan(0);
    expect(other.verdict).not.toBeNull();
    expect(view.live.find((l) => l.version === 1)!.metrics.skewFindings).toBe(0);
    expect(view.evidence?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const version = (await t.call('GET', '/v1/models/exec/versions/2', { key: quant })).body as { status: string };
    expect(version.status).toBe('shadow-passed');
    const audit = (await t.call('GET', `/v1/audit?subject=shadow:${session.id}`, { key: await t.keyWith('auditor') })).body as { items?: { action: string }[] } | { action: string }[];
    const actions = (Array.isArray(audit) ? audit : (audit.items ?? [])).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['shadow.started', 'shadow.completed']));
  }, 150_000);

  it('a runner killed between its database checkpoint and its ack, restarted, gives the same totals as an uninterrupted run', async () => {
    const uninterrupted = await startSession({ orders: 1_000_000 });
    const restarted = await startSession({ orders: 1_000_000 });
    const service = new ShadowService(t.api.db, () => new Date(), t.api.store);
    const only = (id: string): ShadowRunnerStore => ({
      checkpoint: (d) => service.checkpoint(d),
      saveCheckpoint: (cp) => service.saveCheckpoint(cp),
      running: async () => (await service.running()).filter((s) => s.id === id),
      isDeltas: (s, m, v) => service.isDeltas(s, m, v),
      complete: (s, c) => service.complete(s, c),
    });
    const versions = registryVersionResolver(t.api.db, t.api.store, () => Date.now());
    const runOnce = async (sessionId: string, durable: string, onCheckpoint?: (n: number) => void): Promise<void> => {
      const consumer = await createLiveFlowConsumer(flowUri, { durable, nats: { ackPolicy: 'all' } });
      const reader = await createLiveFlowReader(flowUri);
      let checkpoints = 0;
      try {
        const runner = new ShadowRunner(only(sessionId), consumer, reader, versions, {
          durable,
          execution: liveExecutionConfig(),
          checkpointEvery: 1500,
          scoreIntervalMs: 60_000, // scored only at the end of a run: the crash leaves done orders unscored
          clockNs: () => Number(process.hrtime.bigint()),
          onCheckpoint: () => onCheckpoint?.(++checkpoints),
        });
        await runner.run({ follow: false });
      } finally {
        await consumer.close();
        await reader.close();
      }
    };
    try {
      await runOnce(uninterrupted.id, `whole_${run}`);
      // Dies right after its third checkpoint committed, before that checkpoint's ack reached NATS.
      await expect(
        runOnce(restarted.id, `crash_${run}`, (n) => {
          if (n === 3) throw new Error('killed');
        }),
      ).rejects.toThrow('killed');
      const half = await service.session(restarted.id);
      expect(half!.totals.lastPosition).toBeGreaterThan(0);
      expect(half!.totals.lastPosition).toBeLessThan(flowEvents);
      // The database is ahead of the transport, and the runner must re-read its day to rebuild the books.
      const saved = (await service.checkpoint(`crash_${run}`))!;
      const peek = await createLiveFlowConsumer(flowUri, { durable: `crash_${run}`, nats: { ackPolicy: 'all' } });
      const acked = await peek.ackedPosition();
      await peek.close();
      expect(acked).toBeLessThan(saved.position);
      expect(saved.rewindPosition).toBeGreaterThanOrEqual(1);
      expect(saved.rewindPosition).toBeLessThan(saved.position);
      expect(saved.pendingOrders.length).toBeGreaterThan(0); // done before the crash, scored only after the restart
      await runOnce(restarted.id, `crash_${run}`);
    } finally {
      await versions.close();
    }
    const a = (await service.session(uninterrupted.id))!;
    const b = (await service.session(restarted.id))!;
    // Everything counted is equal; inference durations are wall time (the histograms' totals, the batches, are equal).
    const counted = (totals: Record<string, { latencyHistogram: number[] }>) =>
      Object.fromEntries(Object.entries(totals).map(([k, { latencyHistogram, ...rest }]) => [k, { ...rest, timed: latencyHistogram.reduce((x, y) => x + y, 0) }]));
    expect(counted(b.totals.candidates)).toEqual(counted(a.totals.candidates));
    expect(counted(b.totals.live)).toEqual(counted(a.totals.live));
    expect(b.totals.findings).toEqual(a.totals.findings);
    expect(a.totals.candidates['exec@2']!.orders).toBeGreaterThan(30);
    for (const v of [2, 3]) expect(await service.isDeltas(restarted.id, 'exec', v)).toEqual(await service.isDeltas(uninterrupted.id, 'exec', v));
  }, 150_000);
});
