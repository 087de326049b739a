import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routeParentOrder } from '@airlock/core';
import { createLiveFlowReader, type LiveEvent, type OrderDoneEvent } from '@airlock/live-flow';
import { startTestApi, type TestApi } from '../../../api/src/testing/api-harness.js';
import { createModel, versionWithStatus } from '../../../api/src/testing/promotion-fixtures.js';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerLiveSimCommand } from './live-sim.command.js';

// `airlock live-sim` end to end: a real API (PostgreSQL) with a registered ONNX model and a deployment's routing
// table, publishing to the machine's NATS JetStream, then reading the stream back and counting.

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const STREAM = `livesim_${process.pid}_${Math.floor(Math.random() * 1e6)}`;

let t: TestApi;
let quant: string;
let dir: string;
let stable: { model: string; version: number; sha256: string };
let canary: { model: string; version: number; sha256: string };

const airlock = (...args: string[]) => runAirlock([registerLiveSimCommand], ['live-sim', ...args], { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: quant, AIRLOCK_CONFIG: join(dir, 'none.json') });

async function route(name: string, weight: number): Promise<void> {
  await t.api.db.transaction(async (uow) => {
    const d = await uow.deployments.lock(name);
    if (!d) throw new Error('no deployment');
    await uow.deployments.update({ ...d, stable, canary, canaryWeight: weight, revision: d.revision + 1, updatedAt: uow.at });
    await uow.audit('system', 'deployment.routed-by-test', `deployment:${name}`, { stable, canary, weight });
  });
}

async function readStream(uri: string): Promise<LiveEvent[]> {
  const reader = await createLiveFlowReader(uri);
  const events: LiveEvent[] = [];
  try {
    await reader.read(1, Number.MAX_SAFE_INTEGER, (d) => {
      if (!d.decoded.ok) throw new Error(`undecodable at ${d.position}: ${d.decoded.reason}`);
      events.push(d.decoded.event);
    });
  } finally {
    await reader.close();
  }
  return events;
}

beforeAll(async () => {
  t = await startTestApi();
  quant = await t.keyWith('quant');
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-live-sim-'));
  await createModel(t, quant, 'exec-live', 'medium');
  stable = { model: 'exec-live', ...(await versionWithStatus(t, quant, 'exec-live', 21, 'shadow-passed')) };
  canary = { model: 'exec-live', ...(await versionWithStatus(t, quant, 'exec-live', 22, 'shadow-passed')) };
  const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: 'exec-live', version: canary.version, deployment: 'equities-sim' } });
  expect(created.status).toBe(201);
  await route('equities-sim', 30);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('airlock live-sim', () => {
  it('routes by the API’s table, runs the registered models, publishes the whole flow to NATS', async () => {
    const flow = `${NATS_URL}/${STREAM}`;
    const args = ['--deployment', 'equities-sim', '--synthetic', 'calm:4', '--events', '20000', '--orders', '30', '--seed', '2', '--flow', flow, '--wave-minutes', '30'];
    const run = await airlock(...args, '--json');
    expect(run.err).not.toMatch(/error/i);
    expect(run.code).toBe(ExitCode.Ok);
    const summary = JSON.parse(run.out) as {
      events: { published: number; stored: number; duplicates: number; byType: Record<string, number> };
      orders: { total: number; bySlot: { stable: number; canary: number; halted: number }; byVersion: Record<string, number> };
      failures: unknown[];
    };
    expect(summary.orders.total).toBe(30);
    expect(summary.failures).toEqual([]);
    expect(summary.events.stored).toBe(summary.events.published);

    const events = await readStream(flow);
    expect(events).toHaveLength(summary.events.published);
    const counts: Record<string, number> = {};
    for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
    expect(counts).toEqual(summary.events.byType);
    expect(counts['order.new']).toBe(30);
    expect(counts['order.done']).toBe(30);
    expect(counts.decision).toBeGreaterThan(30);

    // every decision names the version routeParentOrder picks for its order under the table (30% canary)
    const table = { stable, canary, canaryWeight: 30, halted: false };
    const versions = new Set<string>();
    for (const e of events) {
      if (e.type !== 'decision') continue;
      const expected = routeParentOrder(e.orderId, table);
      expect(expected.slot).not.toBe('halted');
      expect([e.model, e.version, e.sha256, e.deployment]).toEqual([expected.version?.model, String(expected.version?.version), expected.version?.sha256, 'equities-sim']);
      versions.add(e.version);
    }
    expect(versions.size).toBe(2);
    const doneFilled = events.filter((e): e is OrderDoneEvent => e.type === 'order.done').reduce((s, d) => s + d.filledQuantity, 0);
    const fillQty = events.reduce((s, e) => s + (e.type === 'fill' ? e.quantity : 0), 0);
    expect(doneFilled).toBe(fillQty);
    expect(summary.orders.bySlot.canary + summary.orders.bySlot.stable).toBe(30);

    // the same run again (inside JetStream's 2-minute duplicate window) stores nothing new; the table prints
    const again = await airlock(...args);
    expect(again.code).toBe(ExitCode.Ok);
    expect(again.out).toMatch(/0 stored/);
    expect(again.out).toMatch(/canary/);
    expect(await readStream(flow)).toHaveLength(events.length);
  }, 180_000);

  it('exit 2 for an unknown deployment or bad options, 3 for an unreachable flow', async () => {
    const unknown = await airlock('--deployment', 'nowhere', '--synthetic', 'calm', '--events', '2000', '--orders', '2', '--flow', join(dir, 'flow'));
    expect(unknown.code).toBe(ExitCode.BadInput);
    expect(unknown.err).toMatch(/NOT_FOUND|not found/i);
    const bad = await airlock('--deployment', 'equities-sim', '--skew', 'nonsense', '--flow', join(dir, 'flow'));
    expect(bad.code).toBe(ExitCode.BadInput);
    const both = await airlock('--deployment', 'equities-sim', '--data', dir, '--synthetic', 'calm', '--flow', join(dir, 'flow'));
    expect(both.code).toBe(ExitCode.BadInput);
    const down = await airlock('--deployment', 'equities-sim', '--synthetic', 'calm', '--events', '2000', '--orders', '2', '--flow', 'nats://127.0.0.1:9/x');
    expect(down.code).toBe(ExitCode.Unavailable);
  }, 120_000);
});
