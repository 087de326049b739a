import { DomainError, routeParentOrder, type BatchPolicy, type VersionRef } from '@airlock/core';
import {
  systemReplayClock,
  type LiveEvent,
  type LiveEventType,
  type OrderOutcome,
  type ReplayClock,
} from '@airlock/live-flow';
import {
  EventType,
  FlowDayBuilder,
  dayView,
  forEachFlowMarketEvent,
  generateParentOrders,
  runBacktest,
  validateParentOrders,
  visibleLevels,
  type FillRecord,
  type MarketDay,
  type ParentOrder,
} from '@airlock/sim';
import { flowTickSize, liveExecutionConfig, lobsterTickSize } from '../live-execution.js';
import { recordingStrategy, type RecordedDecision } from './recording-strategy.js';
import type { LiveSimFailure, LiveSimOptions, LiveSimSummary, RouteSlot } from './live-sim.types.js';

const NS_PER_MINUTE = 60_000_000_000;
export const DEFAULT_LIVE_SIM_WAVE_NS = 5 * NS_PER_MINUTE;
export const DEFAULT_LIVE_SIM_ORDERS = 200;
export const DEFAULT_LIVE_SIM_LEVELS = 10;
export const DEFAULT_LIVE_SIM_BATCH = 1000;

/** Rank of our own events at equal times (market data always comes first): order.new < fill < order.done < decision. */
const RANK: Partial<Record<LiveEventType, number>> = { 'order.new': 0, fill: 1, 'order.done': 2, decision: 3 };

/** An own event waiting for its turn in the merged stream; `seq` is assigned when it is published. */
interface Pending {
  readonly tsNs: number;
  readonly rank: number;
  /** Index of the order in the run's order list, then the event's index within the order: a total order. */
  readonly order: number;
  readonly n: number;
  readonly event: LiveEvent;
}

const comparePending = (a: Pending, b: Pending): number => a.tsNs - b.tsNs || a.rank - b.rank || a.order - b.order || a.n - b.n;

/** The flow's instrument token for a day's instrument (a NATS subject token: `BRK.B` → `BRK-B`). */
export const flowInstrument = (instrument: string): string => instrument.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'X';

/** The FlowDay a simulator run replays and publishes, and which rows are trades whose aggressor is unknown. */
export interface LiveSimFlowDay {
  readonly builder: FlowDayBuilder;
  /** 1 where the row is a trade published with aggressor "unknown" (a cross). */
  readonly unknownAggressor: Uint8Array;
  /** Currency per tick (the flow's tickSize). */
  readonly tickSize: number;
}

/**
 * Converts a day into the market events a live flow carries (forEachFlowMarketEvent) and appends them to a
 * FlowDayBuilder: its rows ARE the published market events, one for one (see marketEventAt), so the engine
 * replays exactly what the shadow runner will rebuild from the flow.
 */
export function buildLiveSimFlowDay(day: MarketDay, levels: number = DEFAULT_LIVE_SIM_LEVELS): LiveSimFlowDay {
  const depth = Math.min(levels, day.levels);
  const tickSize = flowTickSize(day.tickSize);
  const builder = new FlowDayBuilder(flowInstrument(day.instrument), day.date, depth, lobsterTickSize(tickSize));
  const unknown: number[] = [];
  forEachFlowMarketEvent(day, depth, {
    book: (_i, t, bids, asks) => builder.appendBook(t, bids, asks),
    trade: (_i, t, price, shares, aggressor, hidden) => {
      const row = builder.appendTrade(t, price, shares, aggressor, hidden);
      if (aggressor === 0) unknown.push(row);
    },
  });
  const unknownAggressor = new Uint8Array(builder.length);
  for (const row of unknown) unknownAggressor[row] = 1;
  return { builder, unknownAggressor, tickSize };
}

/** The live-flow event of FlowDay row `r` (channel md, seq r + 1, id `md-<instrument>-<session>-<seq>`). */
export function marketEventAt(flow: LiveSimFlowDay, r: number): LiveEvent {
  const b = flow.builder;
  const seq = r + 1;
  const envelope = { v: 1 as const, id: `md-${b.instrument}-${b.date}-${seq}`, instrument: b.instrument, session: b.date, tsNs: b.timeNs[r] as number, seq };
  const type = b.type[r] as number;
  if (type === EventType.BookUpdate) {
    const { bids, asks } = visibleLevels(b, r, b.levels);
    return { ...envelope, type: 'book', tickSize: flow.tickSize, depth: b.levels, bids, asks };
  }
  // A trade row: direction is the resting side (−1 = a resting sell was lifted: buyer-initiated).
  const aggressor = flow.unknownAggressor[r] === 1 ? 'unknown' : (b.direction[r] as number) < 0 ? 'buy' : 'sell';
  return {
    ...envelope,
    type: 'trade',
    tickSize: flow.tickSize,
    priceTicks: b.price[r] as number,
    size: b.size[r] as number,
    aggressor,
    hidden: type === EventType.ExecuteHidden,
  };
}

/** Rows up to and including the first one after `timeNs`: a causal replay of them is the full day's up to timeNs. */
function rowsThrough(day: MarketDay, timeNs: number): number {
  let lo = 0;
  let hi = day.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((day.timeNs[mid] as number) <= timeNs) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(day.length, lo + 1);
}

const refKey = (ref: VersionRef): string => `${ref.model}@${ref.version}`;
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The live-flow simulator: the stand-in for a firm's execution engine. Replays a day's market data as live-flow
 * events, routes each parent order by the deployment's routing table (re-read at every wave of orders, so a
 * rollout's weight changes reach new orders; an order keeps its route for life), works each routed order with
 * its version's policy on the backtest engine — replaying the FlowDay built from exactly the published market
 * events, with liveExecutionConfig — and publishes the whole flow in time order: market data, order.new,
 * decisions (with the features the policy saw), fills, order.done. Event ids are deterministic, so a re-run into
 * the same stream stores nothing new.
 */
export async function runLiveSim(options: LiveSimOptions): Promise<LiveSimSummary> {
  const clock: ReplayClock = options.clock ?? systemReplayClock;
  const startedMs = clock.nowMs();
  const speed = options.speed ?? 'max';
  const waveNs = options.waveNs ?? DEFAULT_LIVE_SIM_WAVE_NS;
  const batchSize = options.batchSize ?? DEFAULT_LIVE_SIM_BATCH;
  const seed = options.seed ?? 1;
  const problems: { field: string; message: string }[] = [];
  if (speed !== 'max' && !(typeof speed === 'number' && speed > 0 && Number.isFinite(speed))) problems.push({ field: 'speed', message: 'must be "max" or a positive number' });
  if (!Number.isSafeInteger(waveNs) || waveNs <= 0) problems.push({ field: 'waveNs', message: 'must be a positive integer of ns' });
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) problems.push({ field: 'batchSize', message: 'must be a positive integer' });
  if (options.day.length === 0) problems.push({ field: 'day', message: 'has no messages' });
  if (options.skew && !Number.isFinite(options.skew.add)) problems.push({ field: 'skew.add', message: 'must be a finite number' });
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid live-sim options', { errors: problems });

  const execution = liveExecutionConfig(options.execution);
  const flow = buildLiveSimFlowDay(options.day, options.levels ?? DEFAULT_LIVE_SIM_LEVELS);
  const fday = flow.builder.snapshot();
  const instrument = flow.builder.instrument;
  const session = flow.builder.date;
  const orders: readonly ParentOrder[] =
    options.orders ??
    generateParentOrders(options.day, {
      count: options.orderCount ?? DEFAULT_LIVE_SIM_ORDERS,
      seed,
      gridNs: execution.config.decisionIntervalNs,
      idPrefix: `o${seed}`,
    });
  validateParentOrders(orders);

  // Waves: orders grouped by start time (wave k starts at a multiple of waveNs after midnight).
  const waveOf = new Map<number, number[]>();
  orders.forEach((order, i) => {
    const at = Math.floor(order.startNs / waveNs) * waveNs;
    const list = waveOf.get(at);
    if (list) list.push(i);
    else waveOf.set(at, [i]);
  });
  const waves = [...waveOf.entries()].sort((a, b) => a[0] - b[0]).map(([atNs, members]) => ({ atNs, members }));

  const bySlot: Record<RouteSlot, number> = { stable: 0, canary: 0, halted: 0 };
  const byVersion: Record<string, number> = {};
  const byOutcome: Partial<Record<OrderOutcome, number>> = {};
  const byType: Partial<Record<LiveEventType, number>> = {};
  const failures: LiveSimFailure[] = [];
  const routingRevisions: number[] = [];
  const policies = new Map<string, Promise<BatchPolicy>>();
  let skippedDecisions = 0;
  let ordersRouted = 0;

  const policyFor = (ref: VersionRef): Promise<BatchPolicy> => {
    const key = `${refKey(ref)}#${ref.sha256}`;
    let found = policies.get(key);
    if (!found) {
      found = options.policyFor(ref);
      found.catch(() => undefined);
      policies.set(key, found);
    }
    return found;
  };

  // --- own events of one wave ---
  const pending: Pending[] = [];
  let pendingAt = 0;
  const orderEvents = (i: number, out: Pending[], body: { type: LiveEventType; id: string; tsNs: number; n: number; fields: Record<string, unknown> }): void => {
    const event = { v: 1, type: body.type, id: body.id, instrument, session, tsNs: body.tsNs, seq: 0, ...body.fields } as unknown as LiveEvent;
    out.push({ tsNs: body.tsNs, rank: RANK[body.type] ?? 9, order: i, n: body.n, event });
  };
  const orderNew = (i: number, out: Pending[]): void => {
    const o = orders[i] as ParentOrder;
    orderEvents(i, out, {
      type: 'order.new',
      id: `ord-${o.id}-new`,
      tsNs: o.startNs,
      n: 0,
      fields: {
        orderId: o.id,
        side: o.side,
        quantity: o.quantity,
        startNs: o.startNs,
        endNs: o.endNs,
        ...(o.limitTicks !== undefined ? { limitTicks: o.limitTicks } : {}),
        urgency: o.urgency,
        tickSize: flow.tickSize,
      },
    });
  };
  const orderDone = (i: number, out: Pending[], tsNs: number, filledQuantity: number, outcome: OrderOutcome): void => {
    const o = orders[i] as ParentOrder;
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
    orderEvents(i, out, { type: 'order.done', id: `ord-${o.id}-done`, tsNs, n: 1 << 30, fields: { orderId: o.id, filledQuantity, outcome } });
  };

  async function runWave(members: readonly number[]): Promise<Pending[]> {
    const out: Pending[] = [];
    const table = await options.routing();
    routingRevisions.push(table.revision);
    const groups = new Map<string, { ref: VersionRef; members: number[] }>();
    for (const i of members) {
      const o = orders[i] as ParentOrder;
      const route = routeParentOrder(o.id, table);
      bySlot[route.slot] += 1;
      ordersRouted += 1;
      if (route.slot === 'halted') {
        orderNew(i, out);
        orderDone(i, out, o.startNs, 0, 'rejected');
        failures.push({ orderId: o.id, version: null, reason: 'the deployment is halted (or routes to no version)' });
        continue;
      }
      const key = `${refKey(route.version)}#${route.version.sha256}`;
      byVersion[refKey(route.version)] = (byVersion[refKey(route.version)] ?? 0) + 1;
      const group = groups.get(key);
      if (group) group.members.push(i);
      else groups.set(key, { ref: route.version, members: [i] });
    }
    for (const { ref, members: routed } of groups.values()) await runVersion(ref, routed, out);
    return out;
  }

  async function runVersion(ref: VersionRef, members: readonly number[], out: Pending[]): Promise<void> {
    const version = refKey(ref);
    let policy: BatchPolicy;
    try {
      policy = await policyFor(ref);
    } catch (error) {
      for (const i of members) {
        const o = orders[i] as ParentOrder;
        orderNew(i, out);
        orderDone(i, out, o.startNs, 0, 'rejected');
        failures.push({ orderId: o.id, version, reason: `the policy could not be loaded: ${errorMessage(error)}` });
      }
      return;
    }
    const waveOrders = members.map((i) => orders[i] as ParentOrder);
    const recorder = recordingStrategy(policy, options.skew);
    const maxEnd = waveOrders.reduce((m, o) => Math.max(m, o.endNs), 0);
    const result = await runBacktest({
      day: dayView(fday, Math.min(fday.length, rowsThrough(fday, maxEnd))),
      orders: waveOrders,
      strategies: { live: recorder.strategy },
      seed: execution.seed,
      curve: execution.curve,
      config: execution.config,
    });
    const fillsByOrder = new Map<string, FillRecord[]>();
    for (const fill of result.fills ?? []) {
      const list = fillsByOrder.get(fill.orderId);
      if (list) list.push(fill);
      else fillsByOrder.set(fill.orderId, [fill]);
    }
    const decisionsByOrder = new Map<number, RecordedDecision[]>();
    for (const d of recorder.decisions) {
      const list = decisionsByOrder.get(d.order);
      if (list) list.push(d);
      else decisionsByOrder.set(d.order, [d]);
    }
    members.forEach((i, local) => {
      const o = orders[i] as ParentOrder;
      const episode = result.episodes[local];
      orderNew(i, out);
      for (const d of decisionsByOrder.get(local) ?? []) {
        if (!d.features.every(Number.isFinite) || !d.actions.every(Number.isFinite)) {
          skippedDecisions += 1;
          continue;
        }
        orderEvents(i, out, {
          type: 'decision',
          id: `dec-${o.id}-${d.timeNs}`,
          tsNs: d.timeNs,
          n: 0,
          fields: {
            orderId: o.id,
            deployment: options.deployment,
            model: ref.model,
            version: String(ref.version),
            sha256: ref.sha256,
            featureNames: recorder.featureNames,
            features: d.features,
            actionNames: recorder.actionNames,
            actions: d.actions,
          },
        });
      }
      let filled = 0;
      (fillsByOrder.get(o.id) ?? []).forEach((fill, k) => {
        filled += fill.quantity;
        orderEvents(i, out, {
          type: 'fill',
          id: `fill-${o.id}-${k + 1}`,
          tsNs: fill.timeNs,
          n: k + 1,
          fields: { orderId: o.id, childOrderId: `${o.id}-c${k + 1}`, tickSize: flow.tickSize, priceTicks: fill.priceTicks, quantity: fill.quantity, liquidity: fill.liquidity },
        });
      });
      const failure = recorder.failures.get(local);
      if (failure !== undefined) {
        failures.push({ orderId: o.id, version, reason: episode?.failure ?? failure });
        orderDone(i, out, o.endNs, filled, 'rejected');
      } else {
        orderDone(i, out, o.endNs, filled, filled >= o.quantity ? 'filled' : 'expired');
      }
    });
  }

  // --- the merged, paced publication ---
  let batch: LiveEvent[] = [];
  let published = 0;
  let stored = 0;
  let duplicates = 0;
  let lastTs = -1;
  let wave = 0;
  const seqs = { order: 0, decision: 0, exec: 0 };
  const firstTs = Math.min(fday.length > 0 ? (fday.timeNs[0] as number) : Infinity, waves[0]?.atNs ?? Infinity);
  const progress = (): void =>
    options.onProgress?.({ eventTimeNs: lastTs, published, stored, duplicates, wave, waves: waves.length, ordersRouted, ordersTotal: orders.length });

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const receipt = await options.publisher.publish(batch);
    published += batch.length;
    stored += receipt.stored;
    duplicates += receipt.duplicates;
    batch = [];
    progress();
  };
  /** Waits until event time `tsNs` is due on the wall clock (N× speed), flushing what is ready first. */
  const pace = async (tsNs: number): Promise<void> => {
    if (speed === 'max') return;
    const dueMs = startedMs + (tsNs - firstTs) / 1e6 / speed;
    const waitMs = dueMs - clock.nowMs();
    if (waitMs >= 1) {
      await flush();
      await clock.sleep(waitMs, options.signal);
    }
  };
  const emit = async (event: LiveEvent): Promise<void> => {
    await pace(event.tsNs);
    byType[event.type] = (byType[event.type] ?? 0) + 1;
    lastTs = event.tsNs;
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  };

  let m = 0;
  const n = fday.length;
  let aborted = false;
  for (;;) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const nextMarket = m < n ? (fday.timeNs[m] as number) : Infinity;
    const nextOwn = pendingAt < pending.length ? (pending[pendingAt] as Pending).tsNs : Infinity;
    const nextWave = wave < waves.length ? (waves[wave] as { atNs: number }).atNs : Infinity;
    if (nextWave === Infinity && nextMarket === Infinity && nextOwn === Infinity) break;
    if (nextWave <= nextMarket && nextWave <= nextOwn) {
      await pace(nextWave);
      const computed = await runWave((waves[wave] as { members: number[] }).members);
      wave += 1;
      const rest = pending.slice(pendingAt).concat(computed).sort(comparePending);
      pending.length = 0;
      pending.push(...rest);
      pendingAt = 0;
      continue;
    }
    if (nextMarket <= nextOwn) {
      await emit(marketEventAt(flow, m));
      m += 1;
      continue;
    }
    const own = pending[pendingAt++] as Pending;
    const channel = own.event.type === 'decision' ? 'decision' : own.event.type === 'fill' ? 'exec' : 'order';
    seqs[channel] += 1;
    await emit({ ...own.event, seq: seqs[channel] });
  }
  await flush();

  return {
    instrument,
    session,
    deployment: options.deployment,
    stream: options.publisher.stream,
    events: { published, stored, duplicates, byType },
    orders: { total: orders.length, bySlot, byVersion, byOutcome },
    waves: wave,
    routingRevisions,
    skippedDecisions,
    failures,
    eventTimeNs: { from: Number.isFinite(firstTs) ? firstTs : 0, to: Math.max(0, lastTs) },
    durationMs: clock.nowMs() - startedMs,
    aborted,
  };
}
