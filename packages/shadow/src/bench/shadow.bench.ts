/**
 * bench:shadow — the shadow runner against the goals, on this machine, in one process:
 *   1. sustained events/s: the runner (live model recomputed + 3 candidates, checkpoints every 5,000 events)
 *      consuming a live-sim flow from a file stream and from NATS JetStream, as fast as it can;
 *   2. the per-decision cost: time the runner spends per live decision (features for 4 models, batched
 *      inference, comparisons) against bare onnxruntime `session.run` calls on the same batch sizes, same run;
 *   3. lag: a publisher in a worker thread sends the flow to NATS at a fixed rate while the runner follows;
 *      per batch, the time from the publisher's ack to the runner having processed its last event.
 *
 * Usage: npm run bench:shadow [-- --orders 1000 --rate 50000 --json]. Needs NATS (NATS_URL, default
 * nats://127.0.0.1:4222); without it the NATS parts are skipped with a note. Checkpoints go to an in-memory
 * store here (the database transaction is measured by the runner's own tests, not this bench).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import type { RoutingTable } from '@airlock/core';
import {
  createLiveFlowConsumer,
  createLiveFlowPublisher,
  createLiveFlowReader,
  type LiveEvent,
} from '@airlock/live-flow';
import { OnnxPolicy, randomMlpPolicy, randomTreeEnsemblePolicy } from '@airlock/onnx';
import { generateSyntheticDay, loadMarketDay, type MarketDay } from '@airlock/sim';
import { liveExecutionConfig } from '../live-execution.js';
import { runLiveSim } from '../live-sim/live-sim.js';
import { ShadowRunner, type ShadowRunnerStore } from '../runner/shadow-runner.js';
import { ShadowScorer, type LoadedVersion, type ScoredSession } from '../runner/shadow-scorer.js';
import { DEFAULT_SHADOW_POLICY, type ShadowCheckpoint } from '../shadow.types.js';
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ORDERS = flag('--orders', 1000);
const RATE = flag('--rate', 50_000);
const CHECKPOINT_EVERY = flag('--checkpoint-every', 20_000);
const ONLY_MEMORY = args.includes('--memory-only');
const JSON_OUT = args.includes('--json');
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

const here = dirname(fileURLToPath(import.meta.url)); // packages/shadow/dist/bench
const repoRoot = resolve(here, '../../../..');
const GOOG = resolve(repoRoot, '../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip');

const LIVE_FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
const CANDIDATE_FEATURES = [...LIVE_FEATURES, 'imbalance_l1', 'imbalance_l5', 'realized_vol_5m_bps', 'trade_flow_imbalance_1m'];
const ACTIONS = ['participation', 'aggression'];
const nowNs = (): number => Number(process.hrtime.bigint());
const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number);
};

interface Model {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly features: readonly string[];
}

function models(): { live: Model; candidates: Model[] } {
  const live = { key: 'exec@1', bytes: randomMlpPolicy({ seed: 1, features: LIVE_FEATURES, actions: ACTIONS, hidden: [16] }).bytes, features: LIVE_FEATURES };
  const candidates = [2, 3, 4].map((v) => ({
    key: `exec@${v}`,
    bytes: randomMlpPolicy({ seed: v, features: CANDIDATE_FEATURES, actions: ACTIONS, hidden: [32, 16] }).bytes,
    features: CANDIDATE_FEATURES,
  }));
  return { live, candidates };
}

async function loadDay(): Promise<{ day: MarketDay; source: string }> {
  if (!existsSync(GOOG)) {
    console.log(`! ${GOOG} is absent: a synthetic day (volatile, 150,000 events) instead.`);
    return { day: generateSyntheticDay({ seed: 1, regime: 'volatile', events: 150_000 }), source: 'synthetic volatile 150k' };
  }
  return { day: await loadMarketDay(GOOG, { cacheDir: join(repoRoot, '.airlock', 'cache') }), source: 'GOOG 2012-06-21 (LOBSTER, 10 levels)' };
}

/** A resolver over the bench's models (real onnxruntime sessions, loaded once). */
async function resolverFor(all: Model[]): Promise<{ resolve: (model: string, version: number) => Promise<LoadedVersion | null>; close(): Promise<void> }> {
  const loaded = new Map<string, LoadedVersion>();
  for (const m of all) {
    const [model, version] = m.key.split('@') as [string, string];
    loaded.set(m.key, { subject: { model, version: Number(version), sha256: sha(m.bytes) }, policy: await OnnxPolicy.load(m.bytes, { features: m.features, actions: ACTIONS }, m.key) });
  }
  return {
    resolve: async (model, version) => loaded.get(`${model}@${version}`) ?? null,
    close: async () => {
      for (const v of loaded.values()) await (v.policy as OnnxPolicy).dispose();
    },
  };
}

/** Checkpoints kept in memory (the bench measures the runner, not PostgreSQL). */
function memoryStore(sessions: ScoredSession[]): ShadowRunnerStore & { saved: ShadowCheckpoint[] } {
  const saved: ShadowCheckpoint[] = [];
  return {
    saved,
    checkpoint: async () => null,
    saveCheckpoint: async (cp) => {
      saved.push(cp);
    },
    running: async () =>
      sessions.map((s) => ({ id: s.id, deployment: s.deployment, candidates: s.candidates.map((c) => c.subject), policy: { ...s.policy, orders: Number.MAX_SAFE_INTEGER }, instruments: null, stopRequested: false, totals: { candidates: {}, live: {}, findings: {}, firstPosition: 1, lastPosition: 0 } })),
    isDeltas: async () => [],
    complete: async () => true,
  };
}

async function main(): Promise<void> {
  const { day, source } = await loadDay();
  const { live, candidates } = models();
  const resolver = await resolverFor([live, ...candidates]);
  const stable = (await resolver.resolve('exec', 1))!.subject;
  const session: ScoredSession = {
    id: 'bench',
    deployment: 'desk',
    policy: DEFAULT_SHADOW_POLICY,
    candidates: await Promise.all(candidates.map(async (c) => (await resolver.resolve('exec', Number(c.key.split('@')[1])))!)),
    instruments: null,
    firstPosition: 1,
  };
  const dir = await mkdtemp(join(tmpdir(), 'airlock-shadow-bench-'));
  const fileUri = `file://${dir}`;
  const lines: string[] = [];
  const out = (line: string): void => {
    lines.push(line);
    if (!JSON_OUT) console.log(line);
  };
  const results: Record<string, unknown> = { source, orders: ORDERS, cpus: (await import('node:os')).cpus().length, node: process.version };
  try {
    // --- the flow: the live-flow simulator, live model exec@1 on every order
    const table: RoutingTable = { stable, canary: null, canaryWeight: 0, revision: 1, halted: false };
    const publisher = await createLiveFlowPublisher(fileUri, { file: { fsync: false } });
    const t0 = performance.now();
    const sim = await runLiveSim({ day, orderCount: ORDERS, seed: 7, routing: async () => table, policyFor: async () => (await resolver.resolve('exec', 1))!.policy, publisher, deployment: 'desk' });
    await publisher.close();
    const events = sim.events.stored;
    out(`flow: ${source}, ${ORDERS} parent orders → ${events.toLocaleString()} events (${sim.events.byType.decision ?? 0} decisions) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Decoded once, for the in-memory measurements (released before the transport runs).
    let decoded: { position: number; event: LiveEvent }[] = [];
    const reader = await createLiveFlowReader(fileUri);
    await reader.read(1, Number.MAX_SAFE_INTEGER, (d) => {
      if (d.decoded.ok) decoded.push({ position: d.position, event: d.decoded.event });
    });
    await reader.close();

    // --- 2. per-decision cost vs bare session.run on the same batches: small MLPs, then boosted trees
    const small = await scoreInMemory(decoded, live, candidates, resolver.resolve, session);
    out(`in memory: ${decoded.length.toLocaleString()} events scored in ${small.seconds.toFixed(2)} s = ${Math.round(decoded.length / small.seconds).toLocaleString()} events/s (no transport)`);
    out(`per decision, MLP candidates [32,16] (${small.batches} batches, mean ${small.meanRows.toFixed(1)} rows): runner ${small.perDecisionUs.toFixed(1)} µs vs bare session.run ${small.barePerDecisionUs.toFixed(1)} µs = ${(small.perDecisionUs / small.barePerDecisionUs).toFixed(2)}× (goal ≤ 1.5×)`);
    out(`hypothetical episodes of ${small.scoredOrders} orders × 3 candidates (engine on the rebuilt book): ${small.scoringMs.toFixed(0)} ms`);
    const trees = [2, 3, 4].map((v) => ({
      key: `trees@${v}`,
      bytes: randomTreeEnsemblePolicy({ seed: v, features: CANDIDATE_FEATURES, actions: ACTIONS, trees: 300, depth: 6 }).bytes,
      features: CANDIDATE_FEATURES,
    }));
    const treeResolver = await resolverFor([live, ...trees]);
    const treeSession: ScoredSession = { ...session, candidates: await Promise.all(trees.map(async (c) => (await treeResolver.resolve('trees', Number(c.key.split('@')[1])))!)) };
    const big = await scoreInMemory(decoded, live, trees, treeResolver.resolve, treeSession);
    await treeResolver.close();
    out(`per decision, boosted-tree candidates (300 trees × depth 6): runner ${big.perDecisionUs.toFixed(1)} µs vs bare session.run ${big.barePerDecisionUs.toFixed(1)} µs = ${(big.perDecisionUs / big.barePerDecisionUs).toFixed(2)}× (goal ≤ 1.5×)`);
    const decodedCount = decoded.length;
    decoded = [];
    Object.assign(results, {
      events: decodedCount,
      decisions: small.decisions,
      inMemoryEventsPerSecond: decodedCount / small.seconds,
      perDecisionUs: small.perDecisionUs,
      barePerDecisionUs: small.barePerDecisionUs,
      perDecisionRatio: small.perDecisionUs / small.barePerDecisionUs,
      treesPerDecisionUs: big.perDecisionUs,
      treesBarePerDecisionUs: big.barePerDecisionUs,
      treesPerDecisionRatio: big.perDecisionUs / big.barePerDecisionUs,
      episodeScoringMs: small.scoringMs,
    });

    // --- 1. sustained events/s through the transports (decode + score + checkpoint + ack)
    if (ONLY_MEMORY) return;
    for (const uri of [fileUri, `${NATS_URL}/bench${randomUUID().slice(0, 8)}`]) {
      const kind = uri.startsWith('file') ? 'file' : 'nats';
      if (kind === 'nats') {
        const ok = await copyToNats(fileUri, uri).catch((e: unknown) => {
          out(`! NATS at ${NATS_URL} unavailable (${e instanceof Error ? e.message : String(e)}): NATS parts skipped`);
          return false;
        });
        if (!ok) continue;
      }
      const consumer = await createLiveFlowConsumer(uri, { durable: `bench-${randomUUID().slice(0, 8)}`, ...(kind === 'nats' ? { nats: { ackPolicy: 'all' } } : {}) });
      const rangeReader = await createLiveFlowReader(uri);
      const checkpointMs: number[] = [];
      const runner = new ShadowRunner(memoryStore([session]), consumer, rangeReader, resolver.resolve, {
        durable: 'bench',
        execution: liveExecutionConfig(),
        clockNs: nowNs,
        checkpointEvery: CHECKPOINT_EVERY,
        onCheckpoint: (info) => checkpointMs.push(info.durationNs / 1e6),
      });
      const start = performance.now();
      await runner.run({ follow: false });
      const seconds = (performance.now() - start) / 1000;
      await consumer.close();
      await rangeReader.close();
      out(`${kind}: ${events.toLocaleString()} events through the runner in ${seconds.toFixed(2)} s = ${Math.round(events / seconds).toLocaleString()} events/s (goal ≥ 100,000); ${checkpointMs.length} checkpoints, p50 ${quantile(checkpointMs, 0.5).toFixed(1)} ms, max ${Math.max(...checkpointMs).toFixed(1)} ms`);
      results[`${kind}EventsPerSecond`] = events / seconds;
      if (kind === 'nats') {
        // --- 3. lag while following a paced publisher
        const lag = await measureLag(fileUri, session, resolver.resolve);
        out(`nats lag at ${RATE.toLocaleString()} events/s offered (${lag.batches} batches of 500): p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms (goal p99 < 50 ms)`);
        Object.assign(results, { lagP50Ms: lag.p50, lagP99Ms: lag.p99, lagMaxMs: lag.max, offeredRate: RATE });
      }
    }
  } finally {
    await resolver.close();
    await rm(dir, { recursive: true, force: true });
  }
  if (JSON_OUT) console.log(JSON.stringify(results, null, 2));
}

/** Feeds decoded events through a scorer; times the decision path and replays its batches on bare onnxruntime. */
async function scoreInMemory(
  decoded: readonly { position: number; event: LiveEvent }[],
  live: Model,
  candidates: readonly Model[],
  resolve: (model: string, version: number) => Promise<LoadedVersion | null>,
  session: ScoredSession,
): Promise<{ seconds: number; decisions: number; batches: number; meanRows: number; perDecisionUs: number; barePerDecisionUs: number; scoringMs: number; scoredOrders: number }> {
  const batches: { key: string; rows: number; input: Float32Array }[] = [];
  const scorer = new ShadowScorer(
    {
      durable: 'bench',
      execution: liveExecutionConfig(),
      windowNs: 60e9,
      maxBatchRows: 256,
      examplesPerKind: 20,
      clockNs: nowNs,
      scoreIntervalMs: 10_000,
      maxPendingScores: 1000,
      onInference: (subject, rows, _ns, input) => batches.push({ key: `${subject.model}@${subject.version}`, rows, input: input.slice() }),
    },
    resolve,
    0,
  );
  scorer.setSessions([session]);
  let decisionNs = 0;
  let decisions = 0;
  const tAll = nowNs();
  for (const { position, event } of decoded) {
    if (event.type === 'decision') {
      const s = nowNs();
      await scorer.handle(position, event);
      decisionNs += nowNs() - s;
      decisions++;
    } else {
      await scorer.handle(position, event);
    }
  }
  const s = nowNs();
  await scorer.flushInference();
  decisionNs += nowNs() - s;
  const scoreStart = nowNs();
  await scorer.checkpoint({ scoreAll: true });
  const scoringNs = nowNs() - scoreStart;
  const allNs = nowNs() - tAll;

  // Bare onnxruntime: the same models, the same batches (the very inputs), in the same order (a warm-up pass, then measured).
  const sessions = new Map<string, { session: ort.InferenceSession; width: number }>();
  for (const m of [live, ...candidates]) {
    sessions.set(m.key, { session: await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' }), width: m.features.length });
  }
  let bareNs = 0;
  for (let rep = 0; rep < 2; rep++) {
    let t = 0;
    for (const b of batches) {
      const m = sessions.get(b.key)!;
      const start = nowNs();
      await m.session.run({ [m.session.inputNames[0]!]: new ort.Tensor('float32', b.input, [b.rows, m.width]) });
      t += nowNs() - start;
    }
    bareNs = t;
  }
  for (const m of sessions.values()) await m.session.release();
  return {
    seconds: allNs / 1e9,
    decisions,
    batches: batches.length,
    meanRows: batches.reduce((a, b) => a + b.rows, 0) / batches.length,
    perDecisionUs: decisionNs / decisions / 1e3,
    barePerDecisionUs: bareNs / decisions / 1e3,
    scoringMs: scoringNs / 1e6,
    scoredOrders: [...scorer.scoredOrders.values()][0] ?? 0,
  };
}

async function copyToNats(fileUri: string, natsUri: string): Promise<boolean> {
  const publisher = await createLiveFlowPublisher(natsUri);
  const reader = await createLiveFlowReader(fileUri);
  let batch: LiveEvent[] = [];
  await reader.read(1, Number.MAX_SAFE_INTEGER, async (d) => {
    if (d.decoded.ok) batch.push(d.decoded.event);
    if (batch.length >= 1000) {
      await publisher.publish(batch);
      batch = [];
    }
  });
  if (batch.length > 0) await publisher.publish(batch);
  await reader.close();
  await publisher.close();
  return true;
}

/**
 * Runs the publisher in a worker thread at RATE events/s (it reads the flow from the file stream itself); per
 * published batch, the time from its ack to the runner having processed its last event, ms.
 */
async function measureLag(fileUri: string, session: ScoredSession, resolve: (m: string, v: number) => Promise<LoadedVersion | null>): Promise<{ p50: number; p99: number; max: number; batches: number }> {
  const uri = `${NATS_URL}/lag${randomUUID().slice(0, 8)}`;
  const consumer = await createLiveFlowConsumer(uri, { durable: 'lag', nats: { ackPolicy: 'all' } });
  const reader = await createLiveFlowReader(uri);
  const acked: { position: number; at: number }[] = []; // a batch's last stream position and its ack time (epoch ms)
  const lags: number[] = [];
  const controller = new AbortController();
  const runner = new ShadowRunner(memoryStore([session]), consumer, reader, resolve, { durable: 'lag', execution: liveExecutionConfig(), clockNs: nowNs, checkpointEvery: CHECKPOINT_EVERY });
  const running = runner.run({ follow: true, signal: controller.signal });
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { uri, fileUri, rate: RATE } });
  let published = 0;
  worker.on('message', (m: { position: number; at: number; done?: number }) => {
    if (m.done !== undefined) published = m.done;
    else acked.push(m);
  });
  const exited = new Promise<void>((r) => worker.on('exit', () => r()));
  // Every millisecond: which acked batches has the runner's scorer passed?
  const processedThrough = (): number => (runner as unknown as { scorer: { lastPosition: number } | null }).scorer?.lastPosition ?? 0;
  let next = 0;
  const poll = setInterval(() => {
    const position = processedThrough();
    const now = performance.timeOrigin + performance.now();
    while (next < acked.length && acked[next]!.position <= position) lags.push(Math.max(0, now - acked[next++]!.at));
  }, 1);
  await exited;
  while (processedThrough() < published) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(poll);
  controller.abort();
  await running;
  await consumer.close();
  await reader.close();
  return { p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: Math.max(...lags), batches: lags.length };
}

async function publishPaced(): Promise<void> {
  const { uri, fileUri, rate } = workerData as { uri: string; fileUri: string; rate: number };
  const events: LiveEvent[] = [];
  const source = await createLiveFlowReader(fileUri);
  await source.read(1, Number.MAX_SAFE_INTEGER, (d) => {
    if (d.decoded.ok) events.push(d.decoded.event);
  });
  await source.close();
  const publisher = await createLiveFlowPublisher(uri);
  const start = performance.now();
  let last = 0;
  for (let i = 0; i < events.length; i += 500) {
    const due = start + (i / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const receipt = await publisher.publish(events.slice(i, i + 500));
    last = receipt.acks[receipt.acks.length - 1]!.position;
    parentPort!.postMessage({ position: last, at: performance.timeOrigin + performance.now() });
  }
  await publisher.close();
  parentPort!.postMessage({ done: last, position: 0, at: 0 });
}

if (isMainThread) {
  await main();
} else {
  await publishPaced();
}
