import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routeParentOrder, type BatchPolicy, type VersionRef } from '@airlock/core';
import {
  createLiveFlowPublisher,
  createLiveFlowReader,
  type DecisionEvent,
  type FillEvent,
  type LiveEvent,
  type OrderDoneEvent,
  type OrderNewEvent,
} from '@airlock/live-flow';
import { OnnxPolicy, randomMlpPolicy } from '@airlock/onnx';
import { FlowDayBuilder, generateParentOrders, generateSyntheticDay, runBacktest, type MarketDay, type ParentOrder } from '@airlock/sim';
import { appendFlowMarketEvent, liveExecutionConfig, lobsterTickSize } from '../live-execution.js';
import { buildLiveSimFlowDay, runLiveSim } from './live-sim.js';
import type { LiveSimOptions, LiveSimRoutingTable } from './live-sim.types.js';

// The live-flow simulator on real parts: a synthetic day, real onnxruntime policies, the file transport.

const FEATURES = ['spread_bps', 'imbalance_l1', 'time_remaining_frac', 'qty_remaining_frac', 'side'];
const ACTIONS = ['participation', 'aggression'];
const STABLE: VersionRef = { model: 'exec-sim', version: 1, sha256: 'a'.repeat(64) };
const CANARY: VersionRef = { model: 'exec-sim', version: 2, sha256: 'b'.repeat(64) };
const table = (over: Partial<LiveSimRoutingTable> = {}): LiveSimRoutingTable => ({ stable: STABLE, canary: null, canaryWeight: 0, halted: false, revision: 1, ...over });

let dir: string;
let day: MarketDay;
let orders: ParentOrder[];
const policies: OnnxPolicy[] = [];
let byVersion: Map<number, OnnxPolicy>;

async function readAll(uri: string): Promise<LiveEvent[]> {
  const reader = await createLiveFlowReader(uri);
  const events: LiveEvent[] = [];
  try {
    await reader.read(1, Number.MAX_SAFE_INTEGER, (d) => {
      if (!d.decoded.ok) throw new Error(`undecodable event at ${d.position}: ${d.decoded.reason}`);
      events.push(d.decoded.event);
    });
  } finally {
    await reader.close();
  }
  return events;
}

async function simulate(stream: string, over: Partial<LiveSimOptions> = {}) {
  const uri = `file://${dir}?stream=${stream}`;
  const publisher = await createLiveFlowPublisher(uri);
  try {
    const summary = await runLiveSim({
      day,
      orders,
      routing: async () => table(),
      policyFor: async (ref) => byVersion.get(ref.version) as BatchPolicy,
      publisher,
      deployment: 'equities-test',
      ...over,
    });
    return { summary, uri };
  } finally {
    await publisher.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-live-sim-'));
  day = generateSyntheticDay({ seed: 3, regime: 'calm', events: 30_000, sessionNs: 3_600e9 });
  orders = generateParentOrders(day, { count: 40, seed: 5, durationRangeNs: [120e9, 600e9], idPrefix: 'p' });
  byVersion = new Map();
  for (const [version, seed] of [[1, 11], [2, 12]] as const) {
    const { bytes } = randomMlpPolicy({ seed, features: FEATURES, actions: ACTIONS, hidden: [6] });
    const policy = await OnnxPolicy.load(bytes, { features: FEATURES, actions: ACTIONS }, `exec-sim@${version}`);
    policies.push(policy);
    byVersion.set(version, policy);
  }
}, 60_000);

afterAll(async () => {
  for (const p of policies) await p.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('runLiveSim', () => {
  let events: LiveEvent[];

  beforeAll(async () => {
    const { summary, uri } = await simulate('main');
    events = await readAll(uri);
    expect(summary.events.published).toBe(events.length);
    expect(summary.events.stored).toBe(events.length);
    expect(summary.orders).toMatchObject({ total: orders.length, bySlot: { stable: orders.length, canary: 0, halted: 0 }, byVersion: { 'exec-sim@1': orders.length } });
    expect(summary.failures).toEqual([]);
  }, 120_000);

  it('publishes a flow that decodes, in non-decreasing time, with gap-free seqs per channel', () => {
    expect(events.length).toBeGreaterThan(1000);
    for (let i = 1; i < events.length; i++) expect((events[i] as LiveEvent).tsNs).toBeGreaterThanOrEqual((events[i - 1] as LiveEvent).tsNs);
    const seqs = new Map<string, number>();
    for (const e of events) {
      const channel = { book: 'md', trade: 'md', decision: 'decision', fill: 'exec' }[e.type as string] ?? 'order';
      const next = (seqs.get(channel) ?? 0) + 1;
      expect(e.seq).toBe(next);
      seqs.set(channel, next);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('gives every order new … done, decisions with the policy’s features, fills summing to done.filledQuantity', () => {
    const byOrder = new Map<string, LiveEvent[]>();
    for (const e of events) if ('orderId' in e) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e]);
    expect(byOrder.size).toBe(orders.length);
    let decisions = 0;
    let fills = 0;
    for (const order of orders) {
      const own = byOrder.get(order.id) ?? [];
      const first = own[0] as OrderNewEvent;
      const last = own.at(-1) as OrderDoneEvent;
      expect(first).toMatchObject({ type: 'order.new', tsNs: order.startNs, quantity: order.quantity, side: order.side, endNs: order.endNs });
      expect(last).toMatchObject({ type: 'order.done', tsNs: order.endNs });
      expect(['filled', 'expired']).toContain(last.outcome);
      const filled = own.filter((e): e is FillEvent => e.type === 'fill').reduce((s, f) => s + f.quantity, 0);
      expect(last.filledQuantity).toBe(filled);
      expect(filled).toBeLessThanOrEqual(order.quantity);
      for (const d of own.filter((e): e is DecisionEvent => e.type === 'decision')) {
        decisions += 1;
        expect(d).toMatchObject({ deployment: 'equities-test', model: 'exec-sim', version: '1', sha256: STABLE.sha256, featureNames: FEATURES, actionNames: ACTIONS });
        expect(d.features).toHaveLength(FEATURES.length);
        expect(d.tsNs).toBeGreaterThanOrEqual(order.startNs);
        expect(d.tsNs).toBeLessThan(order.endNs);
        // side is +1 / −1, time_remaining_frac in (0, 1]
        expect(d.features[4]).toBe(order.side === 'buy' ? 1 : -1);
        expect(d.features[2]).toBeGreaterThan(0);
      }
      fills += own.filter((e) => e.type === 'fill').length;
    }
    expect(decisions).toBeGreaterThan(orders.length);
    expect(fills).toBeGreaterThan(0);
  });

  it('decisions carry exactly what the policy answers for the published features', async () => {
    const decisions = events.filter((e): e is DecisionEvent => e.type === 'decision').slice(0, 50);
    const input = Float32Array.from(decisions.flatMap((d) => d.features));
    const output = await (byVersion.get(1) as OnnxPolicy).decide(input, decisions.length);
    decisions.forEach((d, r) => {
      expect(d.actions[0]).toBe(output[r * 2]);
      expect(d.actions[1]).toBe(output[r * 2 + 1]);
    });
  });

  it('publishes the market data the engine replayed: rebuilding a FlowDay from the flow gives the same columns', () => {
    const market = events.filter((e) => e.type === 'book' || e.type === 'trade');
    const first = market[0] as LiveEvent & { tickSize: number; depth?: number };
    const rebuilt = new FlowDayBuilder(first.instrument, first.session, 10, lobsterTickSize(first.tickSize));
    for (const e of market) appendFlowMarketEvent(rebuilt, e as Parameters<typeof appendFlowMarketEvent>[1]);
    const simulated = buildLiveSimFlowDay(day, 10).builder.snapshot();
    const again = rebuilt.snapshot();
    expect(again.length).toBe(simulated.length);
    expect(again.tickSize).toBe(simulated.tickSize);
    for (const column of ['timeNs', 'type', 'orderId', 'size', 'price', 'direction', 'askPrice', 'askSize', 'bidPrice', 'bidSize'] as const) {
      expect(Buffer.from(again[column].buffer, again[column].byteOffset, again[column].byteLength).equals(
        Buffer.from(simulated[column].buffer, simulated[column].byteOffset, simulated[column].byteLength),
      )).toBe(true);
    }
  });

  it('an identical policy replayed in one run on the rebuilt FlowDay reproduces the published fills exactly', async () => {
    const market = events.filter((e) => e.type === 'book' || e.type === 'trade');
    const first = market[0] as LiveEvent & { tickSize: number };
    const rebuilt = new FlowDayBuilder(first.instrument, first.session, 10, lobsterTickSize(first.tickSize));
    for (const e of market) appendFlowMarketEvent(rebuilt, e as Parameters<typeof appendFlowMarketEvent>[1]);
    const live = liveExecutionConfig();
    const result = await runBacktest({ day: rebuilt.snapshot(), orders, strategies: { again: byVersion.get(1) as BatchPolicy }, seed: live.seed, curve: live.curve, config: live.config });
    const replayed = (result.fills ?? []).map((f) => [f.orderId, f.timeNs, f.priceTicks, f.quantity, f.liquidity]);
    const published = events.filter((e): e is FillEvent => e.type === 'fill').map((f) => [f.orderId, f.tsNs, f.priceTicks, f.quantity, f.liquidity]);
    const key = (f: unknown[]) => f.join('|');
    expect(published.map(key).sort()).toEqual(replayed.map(key).sort());
  }, 60_000);

  it('a re-run into the same stream stores nothing new', async () => {
    const { summary } = await simulate('main');
    expect(summary.events.published).toBe(events.length);
    expect(summary.events.stored).toBe(0);
    expect(summary.events.duplicates).toBe(events.length);
  }, 120_000);
});

describe('runLiveSim routing', () => {
  it('splits orders by the routing table exactly as routeParentOrder does, re-read at every wave', async () => {
    const canaryTable = table({ canary: CANARY, canaryWeight: 50, revision: 7 });
    let reads = 0;
    const { summary, uri } = await simulate('canary', {
      routing: async () => {
        reads += 1;
        return canaryTable;
      },
      waveNs: 10 * 60e9,
    });
    const events = await readAll(uri);
    expect(reads).toBe(summary.waves);
    expect(summary.waves).toBeGreaterThan(1);
    expect(summary.routingRevisions.every((r) => r === 7)).toBe(true);
    const decided = new Map<string, string>();
    for (const e of events) if (e.type === 'decision') decided.set(e.orderId, e.version);
    const expected = new Map(orders.map((o) => [o.id, routeParentOrder(o.id, canaryTable)]));
    const canaries = [...expected.values()].filter((r) => r.slot === 'canary').length;
    expect(canaries).toBeGreaterThan(orders.length * 0.25);
    expect(canaries).toBeLessThan(orders.length * 0.75);
    expect(summary.orders.bySlot).toEqual({ stable: orders.length - canaries, canary: canaries, halted: 0 });
    for (const [orderId, version] of decided) expect(version).toBe(String((expected.get(orderId) as { version: VersionRef }).version.version));
    expect(decided.size).toBeGreaterThan(orders.length * 0.8);
  }, 120_000);

  it('a weight change between waves reaches only new orders; halted orders are rejected', async () => {
    let wave = 0;
    const { summary, uri } = await simulate('halt', {
      routing: async () => (wave++ === 0 ? table() : table({ halted: true, revision: 2 })),
      waveNs: 20 * 60e9,
    });
    const events = await readAll(uri);
    expect(summary.routingRevisions[0]).toBe(1);
    expect(summary.orders.bySlot.halted).toBeGreaterThan(0);
    expect(summary.orders.byOutcome.rejected).toBe(summary.orders.bySlot.halted);
    const rejected = events.filter((e): e is OrderDoneEvent => e.type === 'order.done' && e.outcome === 'rejected');
    expect(rejected).toHaveLength(summary.orders.bySlot.halted);
    for (const done of rejected) {
      expect(done.filledQuantity).toBe(0);
      expect(events.some((e) => e.type === 'decision' && e.orderId === done.orderId)).toBe(false);
    }
  }, 120_000);

  it('a policy that returns NaN fails only its episodes: done "rejected", the flow still publishes', async () => {
    const nan: BatchPolicy = {
      name: 'nan',
      features: FEATURES,
      actions: ACTIONS,
      decide: async (_input, rows) => new Float32Array(rows * 2).fill(Number.NaN),
    };
    const { summary, uri } = await simulate('nan', {
      routing: async () => table({ canary: CANARY, canaryWeight: 50 }),
      policyFor: async (ref) => (ref.version === 2 ? nan : (byVersion.get(1) as BatchPolicy)),
    });
    const events = await readAll(uri);
    const done = events.filter((e): e is OrderDoneEvent => e.type === 'order.done');
    expect(done).toHaveLength(orders.length);
    const rejected = done.filter((d) => d.outcome === 'rejected').map((d) => d.orderId);
    expect(rejected.length).toBe(summary.orders.bySlot.canary);
    expect(summary.failures.map((f) => f.version)).toEqual(rejected.map(() => 'exec-sim@2'));
    expect(summary.skippedDecisions).toBe(rejected.length);
  }, 120_000);
});

describe('runLiveSim skew and pacing', () => {
  it('skew adds exactly `add` to the published feature column', async () => {
    const base = await readAll((await simulate('noskew')).uri);
    const skewed = await readAll((await simulate('skew', { skew: { feature: 'imbalance_l1', add: 0.25 } })).uri);
    const decisions = (events: LiveEvent[]) => events.filter((e): e is DecisionEvent => e.type === 'decision');
    const a = decisions(base);
    const b = new Map(decisions(skewed).map((d) => [d.id, d]));
    let compared = 0;
    for (const d of a) {
      const s = b.get(d.id);
      if (!s) continue;
      compared += 1;
      expect(s.features[1] as number).toBeCloseTo((d.features[1] as number) + 0.25, 6);
      expect(s.features[0]).toBe(d.features[0]);
      // the first decision of an order sees the same market, so its features differ only in the skewed column
    }
    expect(compared).toBeGreaterThan(orders.length / 2);
  }, 120_000);

  it('paces by event time at N× speed through the injected clock', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock = { nowMs: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
    const { summary } = await simulate('paced', { speed: 600, clock, orders: orders.slice(0, 4) });
    const spanMs = (summary.eventTimeNs.to - summary.eventTimeNs.from) / 1e6 / 600;
    expect(sleeps.length).toBeGreaterThan(10);
    expect(now).toBeGreaterThanOrEqual(spanMs - 1);
    expect(now).toBeLessThanOrEqual(spanMs + 1);
    expect(summary.durationMs).toBe(now);
  }, 120_000);
});
