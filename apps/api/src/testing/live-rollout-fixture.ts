import { executionQualityTemplate, type MetricSpec, type RoutingTable } from '@airlock/core';
import { createLiveFlowPublisher } from '@airlock/live-flow';
import { buildMlpPolicy } from '@airlock/onnx';
import { RolloutController } from '@airlock/promotion';
import { registryVersionResolver, runLiveSim } from '@airlock/shadow';
import { generateParentOrders, generateSyntheticDay, type MarketDay } from '@airlock/sim';
import { pino } from 'pino';
// A test-only fixture (excluded from the api build, see tsconfig.json): it starts the shadow runner app beside the API.
import { startShadowRunner, type RunningShadowRunner } from '../../../shadow-runner/src/bootstrap.js';
import { loadShadowRunnerConfig } from '../../../shadow-runner/src/shadow-runner-config.js';
import { startTestApi, type Json, type TestApi } from './api-harness.js';
import { createModel, registerWithStatus } from './promotion-fixtures.js';

// The whole loop of issue #6 on the machine's PostgreSQL and NATS, shared by the rollout e2e test and the web
// console's browser test: the live-flow simulator trades deployment `desk` as its routing table says (re-read
// every wave), the shadow runner turns the flow into per-version live windows, and the rollout controller
// (ticked every 100 ms, real clock) measures canary against stable from them.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const ACTIONS = ['participation', 'aggression'];
const SPEC = { features: FEATURES, actions: ACTIONS, activation: 'relu' as const, output: 'sigmoid' as const };
const LIVE_LAYER = { weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] };
export const STABLE = buildMlpPolicy({ ...SPEC, layers: [LIVE_LAYER] });
/** The stable's function in other bytes: as good as the stable by construction. */
export const GOOD = buildMlpPolicy({ ...SPEC, layers: [LIVE_LAYER], metadata: { lineage: 'retrained, same function' } });
/** Never trades: participation σ(−30) ≈ 0, so its fill ratio collapses. */
export const IDLE = buildMlpPolicy({ ...SPEC, layers: [{ weights: [[0, 0, 0, 0], [0, 0, 0, 0]], bias: [-30, 0] }] });
export const INTERVAL_MS = 1500;
/**
 * The built-in template with two changes for a test on a shared machine: the IS margin widened to what a few dozen
 * orders per interval can resolve, and a few empty intervals tolerated (a loaded machine slows the simulator).
 */
const TEMPLATE: MetricSpec[] = executionQualityTemplate(INTERVAL_MS, 2).map((m) => ({
  ...m,
  inconclusiveLimit: 4,
  ...(m.name === 'is_delta_bps' ? { condition: { op: '<=' as const, threshold: 25 } } : {}),
}));
/** One simulated trading day per scenario: a producer's sequence numbers restart only with a new session date. */
export const DAYS: readonly MarketDay[] = ['2024-01-02', '2024-01-03'].map((date) => generateSyntheticDay({ seed: 21, regime: 'calm', events: 120_000, levels: 10, date }));
/** Plan caps wide enough that only the plan's weights limit the canary. */
const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000_000, maxOrdersPerMinute: 100_000, allowedInstruments: ['*'] };

/** Ended, or waiting for a human (a plan's own pause step is neither). */
export const settled = (r: Json | undefined): boolean =>
  r !== undefined && (r.phase === 'Healthy' || r.phase === 'Aborted' || (r.phase === 'Paused' && (r.pause as Json | null)?.kind !== 'step'));

export interface LiveRolloutFixture {
  readonly t: TestApi;
  readonly quant: string;
  /** Two distinct risk officers: a `high` tier model needs both votes. */
  readonly risks: readonly [string, string];
  readonly controller: RolloutController;
  /** Registers a version of `exec` (as the quant) and marks it shadow-passed. */
  register(bytes: Uint8Array): Promise<{ version: number; sha256: string }>;
  /** Asks (as the quant, or `key`) to promote a version to `desk` under these steps; returns the PendingApproval promotion. */
  request(version: number, steps: unknown[], key?: string): Promise<Json>;
  /** Requests and approves (every risk officer the tier needs); returns the promotion id. */
  approve(version: number, steps: unknown[]): Promise<string>;
  routing(): Promise<RoutingTable & Json>;
  rolloutOf(promotionId: string): Promise<Json | undefined>;
  /** Trades one simulated day on `desk` while the controller ticks, until `done` (or 100 s); the weights seen in order. */
  tradeUntil(promotionId: string, seed: number, day: MarketDay, done: (r: Json | undefined) => boolean): Promise<{ rollout: Json; weights: number[] }>;
  close(): Promise<void>;
}

/** API, keys, model `exec` (of `tier`), a stable version live on `desk`, and the shadow runner on a NATS subject of its own. */
export async function startLiveRollout(tier: 'low' | 'medium' | 'high' = 'low'): Promise<LiveRolloutFixture> {
  const run = `${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const flowUri = `${NATS_URL}/rollout_${run}`;
  const t = await startTestApi();
  const [quant, risk1, risk2] = await Promise.all([t.keyWith('quant'), t.keyWith('risk'), t.keyWith('risk')]);
  await createModel(t, quant, 'exec', tier);
  const controller = new RolloutController(t.api.db, { now: () => new Date() }, { approvalTtlMs: t.config.approvalTtlMs, analysisTemplates: { 'execution-quality': TEMPLATE }, analysisGraceMs: 4 * INTERVAL_MS });

  // Validation and shadow are tested on their own: the versions here start shadow-passed.
  const register = (bytes: Uint8Array) => registerWithStatus(t, quant, 'exec', bytes, { features: FEATURES, actions: ACTIONS }, 'shadow-passed');
  const request = async (version: number, steps: unknown[], key = quant) => {
    const created = await t.call('POST', '/v1/promotions', { key, json: { model: 'exec', version, deployment: 'desk', plan: { steps, caps: CAPS } } });
    if (created.status !== 201) throw new Error(`promotion request failed: ${JSON.stringify(created.body)}`);
    return created.body as Json;
  };
  const approve = async (version: number, steps: unknown[]) => {
    const promotion = await request(version, steps);
    let phase = promotion.phase as string;
    for (const risk of [risk1, risk2]) {
      if (phase !== 'PendingApproval') break;
      const vote = await t.call('POST', `/v1/promotions/${promotion.id}/approvals`, { key: risk, json: { decision: 'approve', comment: 'ok' } });
      if (vote.status !== 201) throw new Error(`vote failed: ${JSON.stringify(vote.body)}`);
      phase = vote.body.phase as string;
    }
    if (phase !== 'Approved') throw new Error(`promotion ${promotion.id} is ${phase}, not Approved`);
    return promotion.id as string;
  };
  const routing = async () => (await t.call('GET', '/v1/deployments/desk/routing', { key: quant })).body as RoutingTable & Json;
  const rolloutOf = async (promotionId: string) => {
    const page = await t.call('GET', '/v1/rollouts?deployment=desk', { key: quant });
    return (page.body.items as Json[]).find((r) => r.promotionId === promotionId);
  };

  const stable = await register(STABLE);
  await approve(stable.version, [{ setWeight: 100 }]);
  await controller.tick();
  const table = await routing();
  if (table.stable?.version !== stable.version || table.canary !== null) throw new Error(`the stable version is not live: ${JSON.stringify(table)}`);
  const runner: RunningShadowRunner = await startShadowRunner(
    loadShadowRunnerConfig({ SHADOW_RUNNER_PORT: '0', AIRLOCK_LIVE_FLOW: flowUri, AIRLOCK_SHADOW_DURABLE: `rollout_${run}`, AIRLOCK_SHADOW_CHECKPOINT_MS: '100', AIRLOCK_SHADOW_TICK_MS: '100' }),
    { db: t.api.db, store: t.api.store, logger: pino({ level: 'silent' }) },
  );

  const tradeUntil = async (promotionId: string, seed: number, day: MarketDay, done: (r: Json | undefined) => boolean) => {
    const versions = registryVersionResolver(t.api.db, t.api.store, () => Date.now());
    const publisher = await createLiveFlowPublisher(flowUri);
    const stop = new AbortController();
    const sim = runLiveSim({
      day,
      // Short orders (1–3 market minutes) so that each analysis interval sees many of them finish.
      orders: generateParentOrders(day, { count: 3000, seed, durationRangeNs: [60_000_000_000, 180_000_000_000], idPrefix: `w${seed}-` }),
      routing: async () => (await routing()) as RoutingTable,
      policyFor: async (ref) => (await versions(ref.model, ref.version))!.policy,
      publisher,
      deployment: 'desk',
      speed: 1000,
      waveNs: 30_000_000_000,
      signal: stop.signal,
    });
    const weights: number[] = [];
    let rollout: Json = {};
    try {
      const deadline = Date.now() + 100_000;
      while (Date.now() < deadline) {
        await controller.tick();
        const current = await routing();
        if (weights[weights.length - 1] !== current.canaryWeight) weights.push(current.canaryWeight);
        const found = await rolloutOf(promotionId);
        if (found) rollout = found;
        if (done(found)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      stop.abort();
      await sim.catch(() => undefined);
      await publisher.close();
      await versions.close();
    }
    return { rollout, weights };
  };

  return {
    t,
    quant,
    risks: [risk1, risk2],
    controller,
    register,
    request,
    approve,
    routing,
    rolloutOf,
    tradeUntil,
    async close() {
      await runner.close();
      await t.close();
    },
  };
}
