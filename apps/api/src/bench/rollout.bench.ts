/**
 * Rollout controller benchmark, issue #6 (root script `bench:rollout`: `npm run build && node apps/api/dist/bench/rollout.bench.js`).
 * A script that prints figures, not a timed test: nothing here passes or fails on a number.
 *
 * One process: a real API (startApi on a free loopback port, file artifact store in a temp dir, a fresh database
 * on the machine's PostgreSQL via createTestDatabase, dropped at the end). Versions are registered over HTTP (a
 * tiny ONNX MLP each), set to `shadow-passed` through the repository (standing in for validation + shadow, as the
 * integration tests do); promotions and approvals go through the HTTP API (quant requests, risk approves).
 *
 *  1. Rollback time. Per run, a fresh deployment: a stable (plan [setWeight 100]), then a candidate with the plan
 *     [setWeight 10, analysis execution-quality, setWeight 100]. The real RolloutLeaderLoop (advisory lock on its
 *     own session) ticks a RolloutController on the system clock every --tick-ms (100) with the built-in
 *     `execution-quality` template at --interval-ms (1000). Live windows are written as the shadow runner does
 *     (uow.shadows.saveCheckpoint liveWindows): good flow (canary ≈ stable IS) every 250 ms, then, at a random
 *     moment 1.1–1.9 intervals after the canary reached 10%, a window where the canary's IS is 10 bps worse than
 *     stable's (and bad flow every 250 ms after it). Measured: wall time from that write's commit until
 *     GET /v1/deployments/{name}/routing (polled every --poll-ms, 10) shows canary null and weight 0; and the
 *     controller's own abort time (rollout.abort.at) after the write.
 *  2. Tick time with --rollouts (1,000) concurrent rollouts: 1,000 deployments, each with a stable and an active
 *     rollout of one candidate version (all created over HTTP: 4,000 requests), every deployment with
 *     --history-windows (60) minute windows of live flow per version already stored. `controller.tick()` called
 *     directly (no leader loop) with a clock the bench moves forward: several ticks with nothing due and with every
 *     rollout due, first in a timed pause step (1 h), then in an analysis step (interval 60 s) where every tick
 *     reads both versions' live windows of every deployment.
 * Each measured window also reports the CPU (in cores) this benchmark used (this process and our database's
 * PostgreSQL backends) and what other processes used meanwhile (from /proc), so a disturbed run shows itself.
 *
 * Flags: --json (one JSON document instead of tables), --runs N (rollback runs, default 5), --interval-ms (1000),
 * --tick-ms (100), --poll-ms (10), --rollouts N (1000), --history-windows N (60), --idle-ticks N (10),
 * --http-concurrency N (8), --skip-scale, --skip-rollback. Progress goes to stderr, results to stdout.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FEATURES, emptyLiveCounters, type Clock, type LiveCounters } from '@airlock/core';
import { randomMlpPolicy } from '@airlock/onnx';
import { createTestDatabase, type TestDatabase } from '@airlock/persistence/testing';
import type { StoredLiveWindow } from '@airlock/persistence';
import { RolloutController, RolloutLeaderLoop, type TickResult } from '@airlock/promotion';
import { pino } from 'pino';
import { startApi, systemClock, type RunningApi } from '../bootstrap.js';
import { loadApiConfig, type ApiConfig } from '../config/api-config.js';
import { cpuSnapshot, interference, machine, type CpuSnapshot, type Interference } from './bench-machine.js';

const args = process.argv.slice(2);
const numberFlag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
};

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Epoch milliseconds with sub-ms resolution. */
const nowMs = (): number => performance.timeOrigin + performance.now();

// ------------------------------------------------------------------------------------------------ statistics

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly max: number;
}
const summary = (xs: readonly number[]): Summary => ({ n: xs.length, min: round1(Math.min(...xs)), p50: round1(median(xs)), max: round1(Math.max(...xs)) });
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const cell = (s: Summary) => `p50 ${fmt(s.p50)} ms [${fmt(s.min)}–${fmt(s.max)}], n = ${s.n}`;


// --------------------------------------------------------------------------------------------- HTTP + fixtures

// Response bodies are JSON of many shapes, read field by field.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };
const MODEL_FEATURES = FEATURES.map((f) => f.name);
const MODEL_ACTIONS = ['participation', 'aggression'];
const LIVE_DATE = '2026-11-25';
const WINDOW_NS = 60_000_000_000;

interface Ctx {
  readonly api: RunningApi;
  readonly config: ApiConfig;
  readonly admin: string;
  quant: string;
  risk: string;
  readonly databaseName: string;
}

async function call(ctx: Ctx, method: string, path: string, key: string, json?: unknown, form?: FormData): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  let body: RequestInit['body'];
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) body = form;
  const response = await fetch(`${ctx.api.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Json = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : text;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed };
}

async function expectStatus(ctx: Ctx, expected: number, method: string, path: string, key: string, json?: unknown, form?: FormData): Promise<Json> {
  const reply = await call(ctx, method, path, key, json, form);
  if (reply.status !== expected) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 1000)}`);
  return reply.body;
}

/** Registers a tiny MLP version (as quant) and marks it shadow-passed through the repository. */
async function shadowPassedVersion(ctx: Ctx, model: string, seed: number): Promise<{ version: number; sha256: string }> {
  const bytes = randomMlpPolicy({ seed, features: MODEL_FEATURES, actions: MODEL_ACTIONS, hidden: [4] }).bytes;
  const form = new FormData();
  form.append('manifest', JSON.stringify({ features: MODEL_FEATURES, actions: MODEL_ACTIONS, tags: ['bench'] }));
  form.append('artifact', new Blob([bytes]), 'model.onnx');
  const { version, sha256 } = (await expectStatus(ctx, 201, 'POST', `/v1/models/${model}/versions`, ctx.quant, undefined, form)) as { version: number; sha256: string };
  await ctx.api.db.transaction(async (uow) => {
    const found = await uow.models.findByName(model);
    const row = found ? await uow.versions.find(found, version) : null;
    if (!row) throw new Error('registered version vanished');
    await uow.versions.setStatus(row, 'shadow-passed');
    await uow.audit('system', 'version.status-set-by-bench', `model:${model}@${version}`, { status: 'shadow-passed' });
  });
  return { version, sha256 };
}

/** POST /v1/promotions (quant) + one approval (risk; the model is low tier: one vote). */
async function promoteAndApprove(ctx: Ctx, model: string, version: number, deployment: string, steps: unknown[]): Promise<string> {
  const created = await expectStatus(ctx, 201, 'POST', '/v1/promotions', ctx.quant, { model, version, deployment, plan: { steps, caps: CAPS } });
  const voted = await expectStatus(ctx, 201, 'POST', `/v1/promotions/${created.id}/approvals`, ctx.risk, { decision: 'approve', comment: 'bench' });
  if (voted.phase !== 'Approved') throw new Error(`promotion ${created.id} is ${voted.phase} after the vote`);
  return created.id as string;
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Live counters of done orders with these realised IS values (bps), every order fully filled. */
function orders(is: readonly number[]): LiveCounters {
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
const GOOD_CANARY = orders([2, 3, 4, 3, 2, 3]);
const GOOD_STABLE = orders([2, 3, 4, 3, 2, 3, 3, 3]);
/** 10 bps worse than stable: canary IS 12–14 bps against stable's 2–4. */
const BAD_CANARY = orders([12, 13, 14, 13, 12, 13, 13, 13, 12, 14, 13, 13]);
const BAD_STABLE = orders([2, 3, 4, 3, 2, 3, 3, 3, 2, 4, 3, 3]);

let windowCounter = 0;
let checkpointPosition = 0;

/** One checkpoint of live windows, written as the shadow runner writes them (one transaction). */
async function writeLive(ctx: Ctx, rows: readonly { deployment: string; model: string; version: number; counters: LiveCounters }[]): Promise<void> {
  windowCounter += 1;
  checkpointPosition += 1;
  const windowStartNs = windowCounter * WINDOW_NS;
  const liveWindows: StoredLiveWindow[] = rows.map((r) => ({ deployment: r.deployment, model: r.model, version: r.version, date: LIVE_DATE, windowStartNs, windowNs: WINDOW_NS, counters: r.counters }));
  await ctx.api.db.transaction((uow) =>
    uow.shadows.saveCheckpoint({ durable: 'rollout-bench', position: checkpointPosition, rewindPosition: 0, sessions: [], windows: [], orderResults: [], findings: [], liveWindows }, uow.at),
  );
}

// ---------------------------------------------------------------------------------------------- 1. rollback

interface RollbackRun {
  readonly deployment: string;
  /** Canary at 10% (first seen) → bad write committed, ms. */
  readonly badAfterWeightMs: number;
  /** Bad write committed → routing seen all on stable (GET routing), ms. */
  readonly rollbackMs: number;
  /** Bad write committed → the controller's abort (rollout.abort.at; ms resolution). */
  readonly abortDecisionMs: number;
  readonly abortReason: string;
  readonly abortMetric: string | null;
  readonly abortMessage: string;
  readonly interference: Interference | null;
}

async function waitFor<T>(what: string, timeoutMs: number, pollMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}

async function rollbackRun(ctx: Ctx, model: string, run: number, opts: { intervalMs: number; pollMs: number }): Promise<RollbackRun> {
  const deployment = `rollback-${run}`;
  const routing = async () => (await expectStatus(ctx, 200, 'GET', `/v1/deployments/${deployment}/routing`, ctx.quant)) as Json;

  const stable = await shadowPassedVersion(ctx, model, 1000 + run * 2);
  await promoteAndApprove(ctx, model, stable.version, deployment, [{ setWeight: 100 }]);
  await waitFor('the stable to be routed', 30_000, 20, async () => ((await routing()).stable?.version === stable.version ? true : undefined));
  const candidate = await shadowPassedVersion(ctx, model, 1001 + run * 2);
  const promotionId = await promoteAndApprove(ctx, model, candidate.version, deployment, [{ setWeight: 10 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 100 }]);
  const at10 = await waitFor('the canary at 10%', 30_000, opts.pollMs, async () => {
    const r = await routing();
    return r.canary?.version === candidate.version && r.canaryWeight === 10 ? performance.now() : undefined;
  });

  const flow = (good: boolean) =>
    writeLive(ctx, [
      { deployment, model, version: candidate.version, counters: good ? GOOD_CANARY : BAD_CANARY },
      { deployment, model, version: stable.version, counters: good ? GOOD_STABLE : BAD_STABLE },
    ]);
  // Good flow until a random moment 1.1–1.9 intervals after the canary reached 10% (one good measurement taken by then).
  const badAt = at10 + opts.intervalMs * (1.1 + 0.8 * Math.random());
  while (performance.now() + 250 < badAt) {
    await flow(true);
    await sleep(250);
  }
  await sleep(Math.max(0, badAt - performance.now()));
  const before = cpuSnapshot(ctx.databaseName);
  await flow(false);
  const writtenAt = performance.now();
  const writtenEpoch = nowMs();
  // The canary keeps trading badly: bad flow every 250 ms while we watch the routing table.
  let watching = true;
  const badFlow = (async () => {
    while (watching) {
      await sleep(250);
      if (watching) await flow(false);
    }
  })();
  const backAt = await waitFor('the rollback', 30_000, opts.pollMs, async () => {
    const r = await routing();
    return r.canary === null && r.canaryWeight === 0 && r.stable?.version === stable.version ? performance.now() : undefined;
  });
  const after = cpuSnapshot(ctx.databaseName);
  watching = false;
  await badFlow;

  const rollouts = (await expectStatus(ctx, 200, 'GET', `/v1/rollouts?deployment=${deployment}`, ctx.quant)).items as Json[];
  const rollout = rollouts.find((r) => r.promotionId === promotionId);
  if (!rollout || rollout.phase !== 'Aborted' || !rollout.abort) throw new Error(`rollout of ${deployment} is ${rollout?.phase} after the rollback`);
  return {
    deployment,
    badAfterWeightMs: round1(writtenAt - at10),
    rollbackMs: round1(backAt - writtenAt),
    abortDecisionMs: Math.round(Date.parse(rollout.abort.at as string) - writtenEpoch),
    abortReason: rollout.abort.reason as string,
    abortMetric: (rollout.abort.metric as string | null) ?? null,
    abortMessage: rollout.abort.message as string,
    interference: interference(before, after),
  };
}

interface RollbackResult {
  readonly intervalMs: number;
  readonly tickMs: number;
  readonly pollMs: number;
  readonly runs: RollbackRun[];
  readonly rollbackMs: Summary;
  readonly abortDecisionMs: Summary;
  /** Leader-loop ticks during the runs, and how long one took on average (ms). */
  readonly leaderTicks: number;
  readonly leaderTickMeanMs: number;
}

/** The controller with each tick's duration recorded (what the leader loop runs). */
class TimedController extends RolloutController {
  ticks = 0;
  totalMs = 0;
  override async tick(): Promise<TickResult> {
    const t0 = performance.now();
    try {
      return await super.tick();
    } finally {
      this.totalMs += performance.now() - t0;
      this.ticks += 1;
    }
  }
}

async function benchRollback(ctx: Ctx, opts: { runs: number; intervalMs: number; tickMs: number; pollMs: number }): Promise<RollbackResult> {
  const model = 'bench-rollback';
  await expectStatus(ctx, 201, 'POST', '/v1/models', ctx.quant, { name: model, owner: 'desk-bench', assetClass: 'equities', tier: 'low' });
  const controller = new TimedController(ctx.api.db, systemClock, { approvalTtlMs: ctx.config.approvalTtlMs, analysisIntervalMs: opts.intervalMs });
  const loop = new RolloutLeaderLoop(ctx.api.db.dataSource, controller, { intervalMs: opts.tickMs, advisoryLock: true });
  loop.start();
  const runs: RollbackRun[] = [];
  try {
    for (let run = 1; run <= opts.runs; run++) {
      const r = await rollbackRun(ctx, model, run, opts);
      log(`  run ${run}: rollback seen ${fmt(r.rollbackMs)} ms after the bad write (controller aborted at +${r.abortDecisionMs} ms: ${r.abortMetric}, ${r.abortMessage})`);
      runs.push(r);
    }
  } finally {
    await loop.stop();
  }
  if (!loop.ticks) throw new Error('the leader loop never ticked');
  return {
    intervalMs: opts.intervalMs,
    tickMs: opts.tickMs,
    pollMs: opts.pollMs,
    runs,
    rollbackMs: summary(runs.map((r) => r.rollbackMs)),
    abortDecisionMs: summary(runs.map((r) => r.abortDecisionMs)),
    leaderTicks: controller.ticks,
    leaderTickMeanMs: round1(controller.totalMs / Math.max(1, controller.ticks)),
  };
}

// ------------------------------------------------------------------------------------------- 2. scale

interface TickSample {
  readonly ms: number;
  readonly reconciled: number;
  readonly changed: number;
  readonly created: number;
}
interface TickSeries {
  readonly label: string;
  readonly samples: TickSample[];
  readonly ms: Summary;
  readonly interference: Interference | null;
}

class BenchClock implements Clock {
  offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
}

async function series(ctx: Ctx, controller: Pick<RolloutController, 'tick'>, label: string, count: number, before?: (i: number) => Promise<void>): Promise<TickSeries> {
  const samples: TickSample[] = [];
  let cpuFrom: CpuSnapshot | undefined;
  let cpuTo: CpuSnapshot | undefined;
  let busyTicks: CpuSnapshot[] = [];
  for (let i = 0; i < count; i++) {
    if (before) await before(i);
    const from = cpuSnapshot(ctx.databaseName);
    const t0 = performance.now();
    const result = await controller.tick();
    const ms = performance.now() - t0;
    const to = cpuSnapshot(ctx.databaseName);
    if (from && to) busyTicks = [...busyTicks, from, to];
    samples.push({ ms: round1(ms), reconciled: result.reconciled, changed: result.changed, created: result.created });
  }
  // CPU over the ticks themselves (not the preparation between them): sum the per-tick deltas.
  if (busyTicks.length >= 2) {
    let machineBusy = 0;
    let ours = 0;
    let span = 0;
    for (let i = 0; i + 1 < busyTicks.length; i += 2) {
      const a = busyTicks[i] as CpuSnapshot;
      const b = busyTicks[i + 1] as CpuSnapshot;
      machineBusy += b.machineBusy - a.machineBusy;
      ours += b.ours - a.ours;
      span += b.atMs - a.atMs;
    }
    cpuFrom = { atMs: 0, machineBusy: 0, ours: 0 };
    cpuTo = { atMs: span, machineBusy, ours };
  }
  const s: TickSeries = { label, samples, ms: summary(samples.map((x) => x.ms)), interference: interference(cpuFrom, cpuTo) };
  const changes = [...new Set(samples.map((x) => x.changed))].join('/');
  log(`  ${label}: ${cell(s.ms)} (reconciled ${samples[0]?.reconciled}, changed ${changes})`);
  return s;
}

interface ScaleResult {
  readonly rollouts: number;
  readonly historyWindowsPerVersion: number;
  readonly liveWindowRows: number;
  readonly setup: { readonly method: string; readonly requests: number; readonly httpSeconds: number; readonly concurrency: number; readonly seedWindowsSeconds: number };
  readonly series: TickSeries[];
}

async function benchScale(ctx: Ctx, opts: { rollouts: number; historyWindows: number; idleTicks: number; concurrency: number }): Promise<ScaleResult> {
  const model = 'bench-scale';
  const n = opts.rollouts;
  await expectStatus(ctx, 201, 'POST', '/v1/models', ctx.quant, { name: model, owner: 'desk-bench', assetClass: 'equities', tier: 'low' });
  const stable = await shadowPassedVersion(ctx, model, 7);
  const candidate = await shadowPassedVersion(ctx, model, 8);
  const deployments = Array.from({ length: n }, (_, i) => `desk-${String(i).padStart(4, '0')}`);
  const clock = new BenchClock();
  const intervalMs = 60_000;
  const pauseMs = 3600_000;
  const controller = new RolloutController(ctx.api.db, clock, { approvalTtlMs: ctx.config.approvalTtlMs, analysisIntervalMs: intervalMs });
  const out: TickSeries[] = [];

  log(`  ${n} stable promotions + approvals over HTTP (concurrency ${opts.concurrency})…`);
  const h0 = performance.now();
  await pool(deployments, opts.concurrency, async (d) => {
    await promoteAndApprove(ctx, model, stable.version, d, [{ setWeight: 100 }]);
  });
  const stableHttp = performance.now() - h0;
  out.push(await series(ctx, controller, `create + complete ${n} stable rollouts (one tick)`, 1));

  const PAUSES = 4;
  const steps: unknown[] = [];
  for (let i = 0; i < PAUSES; i++) steps.push({ setWeight: 10 + i }, { pause: { durationSeconds: pauseMs / 1000 } });
  steps.push({ setWeight: 20 }, { analysis: { templates: ['execution-quality'] } }, { pause: {} }, { setWeight: 100 });
  log(`  ${n} candidate promotions + approvals over HTTP…`);
  const h1 = performance.now();
  await pool(deployments, opts.concurrency, async (d) => {
    await promoteAndApprove(ctx, model, candidate.version, d, steps);
  });
  const httpSeconds = (stableHttp + performance.now() - h1) / 1000;
  log(`  HTTP setup: ${(4 * n).toLocaleString('en-US')} requests in ${httpSeconds.toFixed(1)} s`);

  log(`  seeding ${opts.historyWindows} live windows per version per deployment…`);
  const s0 = performance.now();
  const historyRows = deployments.flatMap((d) => [
    { deployment: d, model, version: candidate.version, counters: GOOD_CANARY },
    { deployment: d, model, version: stable.version, counters: GOOD_STABLE },
  ]);
  // One minute window per version per deployment per checkpoint, as a runner writes them.
  for (let w = 0; w < opts.historyWindows; w++) await writeLive(ctx, historyRows);
  const seedWindowsSeconds = (performance.now() - s0) / 1000;

  out.push(await series(ctx, controller, `create ${n} rollouts → 10%, pause (one tick)`, 1));
  out.push(await series(ctx, controller, `pause step, nothing due`, opts.idleTicks));
  out.push(
    await series(ctx, controller, `pause step, every rollout due (pause over → next weight → next pause)`, PAUSES, async () => {
      clock.offsetMs += pauseMs + 1;
    }),
  );
  out.push(await series(ctx, controller, `analysis step, first tick (baselines recorded, every rollout written)`, 1));
  out.push(await series(ctx, controller, `analysis step, nothing due (reads live windows)`, opts.idleTicks));
  out.push(
    await series(ctx, controller, `analysis step, every rollout due (one measurement each; the 3rd passes the step)`, 3, async () => {
      await writeLive(ctx, historyRows);
      clock.offsetMs += intervalMs + 1;
    }),
  );

  const passed = out.at(-1)?.samples.at(-1)?.changed;
  if (passed !== n) log(`  warning: the last analysis tick changed ${passed} of ${n} rollouts`);

  // Floors of the design (one transaction per rollout, one at a time): the same two row locks in a bare
  // transaction, and that plus a one-row UPDATE (a commit that flushes WAL), over the same 1,000 rollouts.
  const active = (await ctx.api.db.dataSource.query(`SELECT id, deployment FROM rollouts WHERE phase NOT IN ('Healthy', 'Aborted')`)) as { id: string; deployment: string }[];
  const floor = async (label: string, write: boolean): Promise<TickSeries> =>
    series(ctx, { tick: async () => {
      for (const r of active) {
        await ctx.api.db.transaction(async (uow) => {
          await uow.rollouts.lock(r.id);
          await uow.deployments.lock(r.deployment);
          if (write) await uow.manager.query('UPDATE rollouts SET updated_at = updated_at WHERE id = $1', [r.id]);
        });
      }
      return { created: 0, reconciled: active.length, changed: write ? active.length : 0 };
    } }, label, 3);
  out.push(await floor(`floor: ${active.length} transactions locking rollout + deployment rows, nothing else`, false));
  out.push(await floor(`floor: the same + a one-row UPDATE each (commit flushes WAL)`, true));
  const [{ count }] = (await ctx.api.db.dataSource.query('SELECT count(*)::int AS count FROM live_metric_windows')) as [{ count: number }];
  return {
    rollouts: n,
    historyWindowsPerVersion: opts.historyWindows,
    liveWindowRows: count,
    setup: { method: 'HTTP (POST /v1/promotions + approvals, one stable and one candidate version registered over HTTP)', requests: 4 * n, httpSeconds: round1(httpSeconds), concurrency: opts.concurrency, seedWindowsSeconds: round1(seedWindowsSeconds) },
    series: out,
  };
}

// ------------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const jsonOut = args.includes('--json');
  const opts = {
    runs: numberFlag('--runs', 5),
    intervalMs: numberFlag('--interval-ms', 1000),
    tickMs: numberFlag('--tick-ms', 100),
    pollMs: numberFlag('--poll-ms', 10),
    rollouts: numberFlag('--rollouts', 1000),
    historyWindows: numberFlag('--history-windows', 60),
    idleTicks: numberFlag('--idle-ticks', 10),
    concurrency: numberFlag('--http-concurrency', 8),
  };
  const host = machine();
  log(`machine: ${host.cores} cores, ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, load average ${host.loadAvgAtStart.join(' ')}`);

  const workDir = mkdtempSync(join(tmpdir(), 'airlock-rollout-bench-'));
  let database: TestDatabase | undefined;
  let api: RunningApi | undefined;
  try {
    database = await createTestDatabase('airlock_bench');
    const admin = `ak_bench_${randomBytes(16).toString('hex')}`;
    const config = loadApiConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      AIRLOCK_DATA_DIR: join(workDir, 'data'),
      AIRLOCK_ARTIFACT_STORE: pathToFileURL(join(workDir, 'artifacts')).href,
      AIRLOCK_BOOTSTRAP_ADMIN_KEY: admin,
      LOG_LEVEL: 'silent',
    });
    api = await startApi(config, { logger: pino({ level: 'silent' }) });
    const ctx: Ctx = { api, config, admin, quant: '', risk: '', databaseName: database.name };
    ctx.quant = (await expectStatus(ctx, 201, 'POST', '/v1/api-keys', admin, { name: 'bench-quant', roles: ['quant'] })).key as string;
    ctx.risk = (await expectStatus(ctx, 201, 'POST', '/v1/api-keys', admin, { name: 'bench-risk', roles: ['risk'] })).key as string;
    log(`API at ${api.url} on PostgreSQL (${database.name})`);

    let rollback: RollbackResult | null = null;
    if (!args.includes('--skip-rollback')) {
      log(`rollback time (${opts.runs} runs, analysis interval ${opts.intervalMs} ms, leader loop every ${opts.tickMs} ms):`);
      rollback = await benchRollback(ctx, opts);
    }
    let scale: ScaleResult | null = null;
    if (!args.includes('--skip-scale')) {
      log(`tick time with ${opts.rollouts} rollouts:`);
      scale = await benchScale(ctx, opts);
    }
    const result: Result = { machine: { ...host, loadAvgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) }, database: 'PostgreSQL (createTestDatabase)', rollback, scale };
    if (jsonOut) console.log(JSON.stringify(result, null, 2));
    else printTables(result);
  } finally {
    await api?.close();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface Result {
  machine: ReturnType<typeof machine> & { loadAvgAtEnd: number[] };
  database: string;
  rollback: RollbackResult | null;
  scale: ScaleResult | null;
}

function printTables(r: Result): void {
  const m = r.machine;
  const out: string[] = [];
  const cpu = (i: Interference | null) => (i ? `CPU ours ${i.oursCores} / others ${i.otherCores} cores` : 'CPU n/a');
  out.push(`machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node} (${m.platform})`);
  out.push(`load average (1/5/15 min) at start ${m.loadAvgAtStart.join(' ')}, at end ${m.loadAvgAtEnd.join(' ')}; database: ${r.database}`);
  if (r.rollback) {
    const b = r.rollback;
    out.push('');
    out.push(`Rollback time: canary 10% in an execution-quality analysis step, interval ${b.intervalMs} ms; RolloutLeaderLoop every ${b.tickMs} ms (system clock); routing polled every ${b.pollMs} ms`);
    out.push('  run  bad write after 10% (ms)  rollback seen (ms)  controller abort (ms)  × interval  CPU ours/others  abort');
    b.runs.forEach((x, i) => {
      const cells = [
        String(i + 1).padStart(3),
        fmt(x.badAfterWeightMs).padStart(24),
        fmt(x.rollbackMs).padStart(18),
        String(x.abortDecisionMs).padStart(21),
        (x.rollbackMs / b.intervalMs).toFixed(2).padStart(10),
        (x.interference ? `${x.interference.oursCores}/${x.interference.otherCores}` : 'n/a').padStart(15),
        `${x.abortReason} ${x.abortMetric ?? ''}: ${x.abortMessage}`,
      ];
      out.push(`  ${cells.join('  ')}`);
    });
    out.push(`  rollback (bad write committed → GET routing shows canary null, weight 0): min ${fmt(b.rollbackMs.min)} / median ${fmt(b.rollbackMs.p50)} / max ${fmt(b.rollbackMs.max)} ms`);
    out.push(`  = ${(b.rollbackMs.p50 / b.intervalMs).toFixed(2)} × the interval at the median, ${(b.rollbackMs.max / b.intervalMs).toFixed(2)} × at the max (goal: within one interval, + one tick)`);
    out.push(`  leader-loop ticks during the runs: ${b.leaderTicks}, mean ${fmt(b.leaderTickMeanMs)} ms each`);
  }
  if (r.scale) {
    const s = r.scale;
    out.push('');
    out.push(`Controller tick with ${s.rollouts.toLocaleString('en-US')} concurrent rollouts (controller.tick() called directly, clock moved by the bench)`);
    out.push(
      `  setup: ${s.setup.method}; ${s.setup.requests.toLocaleString('en-US')} requests in ${s.setup.httpSeconds} s (concurrency ${s.setup.concurrency}); ` +
        `${s.historyWindowsPerVersion} live windows per version per deployment seeded in ${s.setup.seedWindowsSeconds} s (${s.liveWindowRows.toLocaleString('en-US')} rows at the end)`,
    );
    const width = Math.max(...s.series.map((x) => x.label.length));
    for (const x of s.series) {
      const changed = [...new Set(x.samples.map((y) => y.changed))].join('/');
      out.push(`  ${x.label.padEnd(width)}  ${cell(x.ms).padEnd(34)}  changed ${changed.padStart(4)}  ${cpu(x.interference)}`);
    }
    out.push('  (goal: a tick over 1,000 rollouts under 1 s)');
  }
  console.log(out.join('\n'));
}

await main();
