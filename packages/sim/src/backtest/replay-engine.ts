import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, EventType, type MarketDay } from '../data/market-day.js';
import type { BacktestConfig } from '../execution/execution-config.js';
import { FeeModel } from '../execution/fees.js';
import { ImpactModel } from '../execution/impact.js';
import { FeatureEngine } from '../features/feature-engine.js';
import { MarketTracker } from '../features/market-tracker.js';
import type { ExpectedVolume } from '../features/volume-curve.js';
import { formatTimeOfDayNs } from '../orders/order-csv.js';
import { sideSign, type ParentOrder } from '../orders/parent-order.js';
import { hashString, mixSeed, nextUniform, seed32 } from '../stats/random.js';
import type { DecisionBatch, ExecutionStrategy } from '../strategies/execution-strategy.js';
import type { FillRecord } from './backtest-result.js';
import { dayIndex, type DayIndex } from './day-index.js';

/**
 * The replay engine: ONE pass over a day's messages serves every episode (every strategy × every parent order)
 * at once (DESIGN.md principle 8). Each episode is an independent counterfactual world on the same replayed
 * market: episodes never see each other's orders.
 *
 * Time. Market messages are applied in order. Our own events (order starts and ends, decisions on the grid,
 * order arrivals after the latency) at time x happen after every message with time ≤ x and before the first
 * message with time > x; among themselves at equal times: start, end, arrival, decision.
 *
 * State is structure-of-arrays over episodes (typed arrays, preallocated): no allocation per message. Resting
 * orders are indexed by (side, price) in intrusive linked lists over price buckets, so a message only touches
 * the episodes resting where it acts. See docs/simulation.md for the fill, queue, latency, fee and impact models.
 */

// State 0: the order has not started yet (typed arrays start zeroed).
const ST_ACTIVE = 1;
const ST_COMPLETE = 2; // fully filled, waiting for the end of its window to be measured
const ST_FAILED = 3;
const ST_DONE = 4; // window over, measured

/** Margin (ticks) of the price-bucket range around the day's best prices; prices beyond share the edge buckets. */
const BUCKET_MARGIN_TICKS = 1000;

export interface EngineStrategy {
  readonly name: string;
  readonly strategy: ExecutionStrategy;
}

export interface EngineInput {
  readonly day: MarketDay;
  readonly orders: readonly ParentOrder[];
  readonly strategies: readonly EngineStrategy[];
  readonly config: BacktestConfig;
  readonly seed: number;
  /** The expected-volume curve, or a factory given the engine's tracker (e.g. trailingVolumeCurve, causal). */
  readonly curve: ExpectedVolume | ((tracker: MarketTracker) => ExpectedVolume);
  readonly onProgress?: (eventsDone: number, eventsTotal: number) => void;
  /** Awaited about every 16k messages: a replay running beside other work (the shadow runner) lets it in. */
  readonly yieldTo?: () => Promise<void>;
}

/** A strategy's reusable decision batch (capacity = number of orders). */
class BatchBuffer implements DecisionBatch {
  timeNs = 0;
  size = 0;
  readonly episodes: Int32Array;
  readonly orders: Int32Array;
  readonly side: Float64Array;
  readonly quantity: Float64Array;
  readonly filled: Float64Array;
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly urgency: Float64Array;
  readonly expectedIntervalVolume: Float64Array;
  readonly marketVolumeSinceStart: Float64Array;
  readonly features: Float32Array;
  readonly participation: Float64Array;
  readonly aggression: Float64Array;

  constructor(
    capacity: number,
    width: number,
    readonly intervalNs: number,
    readonly curve: ExpectedVolume,
  ) {
    this.episodes = new Int32Array(capacity);
    this.orders = new Int32Array(capacity);
    this.side = new Float64Array(capacity);
    this.quantity = new Float64Array(capacity);
    this.filled = new Float64Array(capacity);
    this.startNs = new Float64Array(capacity);
    this.endNs = new Float64Array(capacity);
    this.urgency = new Float64Array(capacity);
    this.expectedIntervalVolume = new Float64Array(capacity);
    this.marketVolumeSinceStart = new Float64Array(capacity);
    this.features = new Float32Array(capacity * width);
    this.participation = new Float64Array(capacity);
    this.aggression = new Float64Array(capacity);
  }
}

interface Slot {
  readonly name: string;
  readonly strategy: ExecutionStrategy;
  readonly features: FeatureEngine | null;
  readonly batch: BatchBuffer;
}

export class ReplayEngine {
  readonly tracker: MarketTracker;
  readonly index: DayIndex;
  readonly exactQueue: boolean;
  readonly fills: FillRecord[] | null;

  private readonly day: MarketDay;
  private readonly levels: number;
  private readonly curve: ExpectedVolume;
  private readonly interval: number;
  private readonly latency: number;
  private readonly queuePower: number;
  private readonly fees: FeeModel;
  private readonly impact: ImpactModel;
  private readonly slots: Slot[];
  private readonly onProgress: ((done: number, total: number) => void) | undefined;
  private readonly yieldTo: (() => Promise<void>) | undefined;

  // --- orders (index o) ---
  readonly nOrders: number;
  private readonly orders: readonly ParentOrder[];
  private readonly oSide: Int8Array;
  private readonly oQty: Float64Array;
  private readonly oStart: Float64Array;
  private readonly oEnd: Float64Array;
  private readonly oLimit: Float64Array; // NaN = none
  private readonly oUrgency: Float64Array;
  readonly oArrivalMid: Float64Array; // ticks
  readonly oEndMid: Float64Array; // ticks, before the impact shift
  private readonly oVolStart: Float64Array;
  private readonly oNotionalStart: Float64Array;
  readonly oMarketVolume: Float64Array; // shares over (start, end]
  readonly oMarketNotional: Float64Array; // ticks·shares over (start, end]
  private readonly startOrder: Int32Array; // orders by (startNs, index)
  private readonly endOrder: Int32Array; // orders by (endNs, index)
  private startPtr = 0;
  private endPtr = 0;
  private liveOrders = 0;

  // --- episodes (index e = strategy · nOrders + order) ---
  readonly nEpisodes: number;
  readonly state: Uint8Array;
  readonly filled: Float64Array; // shares
  readonly passiveFilled: Float64Array;
  readonly notional: Float64Array; // ticks·shares, impact-shifted
  readonly feesPaid: Float64Array; // ticks·shares, positive = paid
  readonly childOrders: Int32Array;
  readonly invalidActions: Int32Array;
  readonly failure: (string | undefined)[];
  private readonly rng: Uint32Array;
  private readonly restPrice: Float64Array;
  private readonly restQty: Float64Array;
  private readonly restAhead: Float64Array; // shares visible ahead of us at our price
  private readonly restCursor: Int32Array; // messages applied when we joined the queue
  private readonly restBucket: Int32Array; // −1 = not resting
  private readonly restNext: Int32Array;
  private readonly restPrev: Int32Array;
  private readonly pending: Uint8Array;
  private readonly pendAgg: Float64Array;
  private readonly pendPass: Float64Array;
  private readonly pendPrice: Float64Array;
  private readonly lastTakeRow: Int32Array;
  private readonly lastTakeQty: Float64Array;

  // --- active episodes (started, window not over), ascending ---
  private readonly active: Int32Array;
  private activeCount = 0;

  // --- our own event clock ---
  private decisionNs = Number.POSITIVE_INFINITY;
  private arrivalNs = Number.POSITIVE_INFINITY;
  private nowNs = 0;

  // --- resting orders by (side, price bucket) ---
  private readonly priceLo: number;
  private readonly buckets: number;
  private readonly headBuy: Int32Array;
  private readonly tailBuy: Int32Array;
  private readonly headSell: Int32Array;
  private readonly tailSell: Int32Array;
  private countBuy = 0;
  private countSell = 0;
  private maxBuyBucket = -1;
  private minSellBucket: number;

  constructor(input: EngineInput) {
    const { day, orders, config } = input;
    this.day = day;
    this.levels = day.levels;
    this.interval = config.decisionIntervalNs;
    this.latency = config.latencyNs;
    this.queuePower = config.queuePower;
    this.tracker = new MarketTracker(day);
    this.curve = typeof input.curve === 'function' ? input.curve(this.tracker) : input.curve;
    this.index = dayIndex(day);
    this.exactQueue = config.queueModel === 'exact' || (config.queueModel === 'auto' && this.index.hasOrderIds);
    this.fees = new FeeModel(config.fees, day.tickSize);
    this.impact = new ImpactModel(config.impact, this.index.dailyVolBps, this.index.dailyVolume);
    this.fills = config.recordFills ? [] : null;
    this.onProgress = input.onProgress;
    this.yieldTo = input.yieldTo;

    const nO = orders.length;
    this.nOrders = nO;
    this.orders = orders;
    this.oSide = new Int8Array(nO);
    this.oQty = new Float64Array(nO);
    this.oStart = new Float64Array(nO);
    this.oEnd = new Float64Array(nO);
    this.oLimit = new Float64Array(nO);
    this.oUrgency = new Float64Array(nO);
    this.oArrivalMid = new Float64Array(nO).fill(Number.NaN);
    this.oEndMid = new Float64Array(nO).fill(Number.NaN);
    this.oVolStart = new Float64Array(nO);
    this.oNotionalStart = new Float64Array(nO);
    this.oMarketVolume = new Float64Array(nO);
    this.oMarketNotional = new Float64Array(nO);
    orders.forEach((o, i) => {
      this.oSide[i] = sideSign(o.side);
      this.oQty[i] = o.quantity;
      this.oStart[i] = o.startNs;
      this.oEnd[i] = o.endNs;
      this.oLimit[i] = o.limitTicks ?? Number.NaN;
      this.oUrgency[i] = o.urgency;
    });
    const byTime = (times: Float64Array): Int32Array =>
      Int32Array.from(orders.map((_, i) => i).sort((a, b) => (times[a] as number) - (times[b] as number) || a - b));
    this.startOrder = byTime(this.oStart);
    this.endOrder = byTime(this.oEnd);

    this.slots = input.strategies.map(({ name, strategy }) => ({
      name,
      strategy,
      features: strategy.features.length > 0 ? new FeatureEngine(this.tracker, strategy.features) : null,
      batch: new BatchBuffer(nO, strategy.features.length, this.interval, this.curve),
    }));

    const nE = nO * this.slots.length;
    this.nEpisodes = nE;
    this.state = new Uint8Array(nE);
    this.filled = new Float64Array(nE);
    this.passiveFilled = new Float64Array(nE);
    this.notional = new Float64Array(nE);
    this.feesPaid = new Float64Array(nE);
    this.childOrders = new Int32Array(nE);
    this.invalidActions = new Int32Array(nE);
    this.failure = new Array<string | undefined>(nE).fill(undefined);
    this.rng = new Uint32Array(nE);
    // Common random numbers: every strategy's episode of one order starts from the same stream. Seeded by the
    // order's id, not its position, so an order's episodes are the same whichever subset of orders runs with it
    // (validation shards split the orders; their results must equal one unsplit run).
    const base = seed32(input.seed);
    const orderSeeds = input.orders.map((order) => mixSeed(base, hashString(order.id)));
    for (let e = 0; e < nE; e++) this.rng[e] = orderSeeds[e % nO] as number;
    this.restPrice = new Float64Array(nE);
    this.restQty = new Float64Array(nE);
    this.restAhead = new Float64Array(nE);
    this.restCursor = new Int32Array(nE);
    this.restBucket = new Int32Array(nE).fill(-1);
    this.restNext = new Int32Array(nE).fill(-1);
    this.restPrev = new Int32Array(nE).fill(-1);
    this.pending = new Uint8Array(nE);
    this.pendAgg = new Float64Array(nE);
    this.pendPass = new Float64Array(nE);
    this.pendPrice = new Float64Array(nE);
    this.lastTakeRow = new Int32Array(nE).fill(-1);
    this.lastTakeQty = new Float64Array(nE);
    this.active = new Int32Array(nE);

    this.priceLo = this.index.minTouchTicks - BUCKET_MARGIN_TICKS;
    this.buckets = Math.max(1, this.index.maxTouchTicks - this.index.minTouchTicks + 2 * BUCKET_MARGIN_TICKS + 1);
    this.headBuy = new Int32Array(this.buckets).fill(-1);
    this.tailBuy = new Int32Array(this.buckets).fill(-1);
    this.headSell = new Int32Array(this.buckets).fill(-1);
    this.tailSell = new Int32Array(this.buckets).fill(-1);
    this.minSellBucket = this.buckets;
  }

  /** The impact overlay's shift after `filledShares`, bps against us (for the end-of-window mark). */
  impactShiftBps(filledShares: number): number {
    return this.impact.shiftBps(filledShares);
  }

  /** Replays the whole day once, driving every episode. */
  async run(): Promise<void> {
    const day = this.day;
    const n = day.length;
    const times = day.timeNs;
    const tracker = this.tracker;
    const progress = this.onProgress;
    let nextInternal = this.nextInternalTime();
    for (let i = 0; i < n; i++) {
      const t = times[i] as number;
      if (t > nextInternal) {
        await this.processInternal(t);
        nextInternal = this.nextInternalTime();
      }
      tracker.consume(i);
      if (this.countBuy + this.countSell !== 0) this.match(i, t);
      if ((i & 0x3fff) === 0) {
        if (progress !== undefined) progress(i, n);
        if (this.yieldTo !== undefined) await this.yieldTo();
      }
    }
    await this.processInternal(Number.POSITIVE_INFINITY);
    if (progress !== undefined) progress(n, n);
  }

  // ------------------------------------------------------------------ our own events

  private nextInternalTime(): number {
    const ts = this.startPtr < this.nOrders ? (this.oStart[this.startOrder[this.startPtr] as number] as number) : Number.POSITIVE_INFINITY;
    const te = this.endPtr < this.nOrders ? (this.oEnd[this.endOrder[this.endPtr] as number] as number) : Number.POSITIVE_INFINITY;
    return Math.min(ts, te, this.arrivalNs, this.decisionNs);
  }

  /** Processes our events with time < limit, in time order (ties: start, end, arrival, decision). */
  private async processInternal(limit: number): Promise<void> {
    for (;;) {
      const ts = this.startPtr < this.nOrders ? (this.oStart[this.startOrder[this.startPtr] as number] as number) : Number.POSITIVE_INFINITY;
      const te = this.endPtr < this.nOrders ? (this.oEnd[this.endOrder[this.endPtr] as number] as number) : Number.POSITIVE_INFINITY;
      const ta = this.arrivalNs;
      const td = this.decisionNs;
      const m = Math.min(ts, te, ta, td);
      if (!(m < limit)) return;
      this.nowNs = m;
      if (ts === m) this.startOrderAt(this.startOrder[this.startPtr++] as number, m);
      else if (te === m) this.endOrderAt(this.endOrder[this.endPtr++] as number);
      else if (ta === m) this.arrive();
      else await this.decide(m);
    }
  }

  private startOrderAt(o: number, timeNs: number): void {
    const tracker = this.tracker;
    const mid = tracker.currentMid();
    this.oArrivalMid[o] = mid;
    this.oVolStart[o] = tracker.volumeNow();
    this.oNotionalStart[o] = tracker.notionalNow();
    this.liveOrders++;
    for (let s = 0; s < this.slots.length; s++) {
      const e = s * this.nOrders + o;
      this.insertActive(e);
      if (Number.isFinite(mid)) this.state[e] = ST_ACTIVE;
      else this.failEpisode(e, `no two-sided book at the order's start (${formatTimeOfDayNs(timeNs)})`);
    }
    const firstDecision = Math.ceil(timeNs / this.interval) * this.interval;
    if (firstDecision < this.decisionNs) this.decisionNs = firstDecision;
  }

  private endOrderAt(o: number): void {
    const tracker = this.tracker;
    this.oEndMid[o] = tracker.currentMid();
    this.oMarketVolume[o] = tracker.volumeNow() - (this.oVolStart[o] as number);
    this.oMarketNotional[o] = tracker.notionalNow() - (this.oNotionalStart[o] as number);
    for (let s = 0; s < this.slots.length; s++) {
      const e = s * this.nOrders + o;
      if (this.restBucket[e] !== -1) this.unrest(e);
      this.pending[e] = 0;
      if (this.state[e] !== ST_FAILED) this.state[e] = ST_DONE;
      this.removeActive(e);
    }
    this.liveOrders--;
  }

  private insertActive(e: number): void {
    const a = this.active;
    let i = this.activeCount;
    while (i > 0 && (a[i - 1] as number) > e) {
      a[i] = a[i - 1] as number;
      i--;
    }
    a[i] = e;
    this.activeCount++;
  }

  private removeActive(e: number): void {
    const a = this.active;
    const n = this.activeCount;
    let i = 0;
    while (i < n && a[i] !== e) i++;
    if (i === n) return;
    a.copyWithin(i, i + 1, n);
    this.activeCount--;
  }

  /** One decision on the grid: every active episode of every strategy decides; one policy call per strategy. */
  private async decide(timeNs: number): Promise<void> {
    const tracker = this.tracker;
    const snap = tracker.snapshot(timeNs);
    const nO = this.nOrders;
    const slots = this.slots;
    for (const slot of slots) {
      slot.batch.size = 0;
      slot.batch.timeNs = timeNs;
    }
    const volumeNow = tracker.volumeNow();
    const nextNs = timeNs + this.interval;
    for (let k = 0; k < this.activeCount; k++) {
      const e = this.active[k] as number;
      if (this.state[e] !== ST_ACTIVE) continue;
      const s = (e / nO) | 0;
      const o = e - s * nO;
      const end = this.oEnd[o] as number;
      if (!(timeNs < end)) continue;
      const b = (slots[s] as Slot).batch;
      const r = b.size++;
      b.episodes[r] = e;
      b.orders[r] = o;
      b.side[r] = this.oSide[o] as number;
      b.quantity[r] = this.oQty[o] as number;
      b.filled[r] = this.filled[e] as number;
      b.startNs[r] = this.oStart[o] as number;
      b.endNs[r] = end;
      b.urgency[r] = this.oUrgency[o] as number;
      b.expectedIntervalVolume[r] = this.curve.expected(timeNs, nextNs < end ? nextNs : end);
      b.marketVolumeSinceStart[r] = volumeNow - (this.oVolStart[o] as number);
      b.participation[r] = Number.NaN; // a strategy that skips a row fails that episode
      b.aggression[r] = Number.NaN;
    }
    const errors: unknown[] = new Array<unknown>(slots.length).fill(undefined);
    let waits: Promise<void>[] | null = null;
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s] as Slot;
      if (slot.batch.size === 0) continue;
      try {
        if (slot.features !== null) slot.features.compute(timeNs, slot.batch.size, slot.batch, slot.batch.features);
        const result = slot.strategy.plan(slot.batch);
        if (result !== undefined) {
          (waits ??= []).push(
            result.then(undefined, (error: unknown) => {
              errors[s] = error ?? new Error('rejected');
            }),
          );
        }
      } catch (error) {
        errors[s] = error ?? new Error('threw');
      }
    }
    if (waits !== null) await Promise.all(waits);

    let anyPending = false;
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s] as Slot;
      const b = slot.batch;
      if (b.size === 0) continue;
      const error = errors[s];
      if (error !== undefined) {
        const message = error instanceof Error ? error.message : String(error);
        for (let r = 0; r < b.size; r++) this.failEpisode(b.episodes[r] as number, `strategy "${slot.name}" failed at ${formatTimeOfDayNs(timeNs)}: ${message}`);
        continue;
      }
      for (let r = 0; r < b.size; r++) {
        const e = b.episodes[r] as number;
        if (this.state[e] !== ST_ACTIVE) continue;
        let p = b.participation[r] as number;
        let a = b.aggression[r] as number;
        if (!Number.isFinite(p) || !Number.isFinite(a)) {
          this.failEpisode(e, `strategy "${slot.name}" returned a non-finite action at ${formatTimeOfDayNs(timeNs)} (participation=${p}, aggression=${a})`);
          continue;
        }
        if (p < 0 || p > 1) {
          this.invalidActions[e] = (this.invalidActions[e] as number) + 1;
          p = p < 0 ? 0 : 1;
        }
        if (a < 0 || a > 1) {
          this.invalidActions[e] = (this.invalidActions[e] as number) + 1;
          a = a < 0 ? 0 : 1;
        }
        const o = e - s * nO;
        const remaining = (this.oQty[o] as number) - (this.filled[e] as number);
        const child = Math.min(remaining, Math.round(p * (b.expectedIntervalVolume[r] as number)));
        const aggressive = Math.round(a * child);
        let passive = child - aggressive;
        // Passive price: our touch at the decision (bid for a buy, ask for a sell), never through the limit.
        const side = this.oSide[o] as number;
        let price = side > 0 ? snap.bid1 : snap.ask1;
        const limit = this.oLimit[o] as number;
        if (limit === limit) price = price === price ? (side > 0 ? Math.min(price, limit) : Math.max(price, limit)) : limit;
        if (price !== price) passive = 0;
        this.pending[e] = 1;
        this.pendAgg[e] = aggressive;
        this.pendPass[e] = passive;
        this.pendPrice[e] = price;
        anyPending = true;
      }
    }
    if (anyPending) this.arrivalNs = timeNs + this.latency;
    this.decisionNs = this.liveOrders > 0 ? nextNs : Number.POSITIVE_INFINITY;
  }

  /** Instructions sent at the last decision reach the exchange: cross, then amend/replace the resting order. */
  private arrive(): void {
    this.arrivalNs = Number.POSITIVE_INFINITY;
    const nO = this.nOrders;
    for (let k = 0; k < this.activeCount; k++) {
      const e = this.active[k] as number;
      if (this.pending[e] === 0) continue;
      this.pending[e] = 0;
      if (this.state[e] !== ST_ACTIVE) continue;
      const o = e % nO;
      const quantity = this.oQty[o] as number;
      const aggressive = Math.min(this.pendAgg[e] as number, quantity - (this.filled[e] as number));
      if (aggressive > 0) {
        this.childOrders[e] = (this.childOrders[e] as number) + 1;
        this.take(e, aggressive, this.oLimit[o] as number);
        if (this.state[e] !== ST_ACTIVE) continue;
      }
      const passive = Math.min(this.pendPass[e] as number, quantity - (this.filled[e] as number));
      const price = this.pendPrice[e] as number;
      if (this.restBucket[e] !== -1) {
        // Same price and no larger: reduce in place, keeping queue priority (as exchanges do); else cancel.
        if (passive > 0 && this.restPrice[e] === price && passive <= (this.restQty[e] as number)) {
          this.restQty[e] = passive;
          continue;
        }
        this.unrest(e);
      }
      if (passive > 0) {
        this.childOrders[e] = (this.childOrders[e] as number) + 1;
        this.placePassive(e, price, passive);
      }
    }
  }

  // ------------------------------------------------------------------ fills

  /**
   * Takes up to `quantity` shares from the visible opposite side at the book in force, best level first, never
   * beyond `limit` (NaN = none) and never more than the visible size. Liquidity this episode already took from
   * the same book row is not available again. Returns the shares taken.
   */
  private take(e: number, quantity: number, limit: number): number {
    if (this.tracker.halted) return 0;
    const o = e % this.nOrders;
    const side = this.oSide[o] as number;
    const day = this.day;
    const L = this.levels;
    const row = this.tracker.rawRow();
    const base = row * L;
    const prices = side > 0 ? day.askPrice : day.bidPrice;
    const sizes = side > 0 ? day.askSize : day.bidSize;
    const empty = side > 0 ? EMPTY_ASK_TICKS : EMPTY_BID_TICKS;
    const sameRow = this.lastTakeRow[e] === row;
    let skip = sameRow ? (this.lastTakeQty[e] as number) : 0;
    let taken = 0;
    for (let l = 0; l < L && taken < quantity; l++) {
      const size = sizes[base + l] as number;
      const price = prices[base + l] as number;
      if (size <= 0 || price === empty) break;
      if (limit === limit && (side > 0 ? price > limit : price < limit)) break;
      let available = size;
      if (skip > 0) {
        if (skip >= available) {
          skip -= available;
          continue;
        }
        available -= skip;
        skip = 0;
      }
      const q = Math.min(available, quantity - taken);
      taken += q;
      this.fill(e, price, q, false);
    }
    this.lastTakeQty[e] = (sameRow ? (this.lastTakeQty[e] as number) : 0) + taken;
    this.lastTakeRow[e] = row;
    return taken;
  }

  /** A passive order reaches the exchange: executes what it can if marketable, rests the rest behind the visible queue. */
  private placePassive(e: number, price: number, quantity: number): void {
    const o = e % this.nOrders;
    const side = this.oSide[o] as number;
    const day = this.day;
    const row = this.tracker.rawRow();
    const k = row * this.levels;
    let remaining = quantity;
    const opposite = side > 0 ? (day.askPrice[k] as number) : (day.bidPrice[k] as number);
    const oppositeSize = side > 0 ? (day.askSize[k] as number) : (day.bidSize[k] as number);
    const oppositeEmpty = side > 0 ? opposite === EMPTY_ASK_TICKS : opposite === EMPTY_BID_TICKS;
    if (!oppositeEmpty && oppositeSize > 0 && (side > 0 ? price >= opposite : price <= opposite)) {
      remaining -= this.take(e, remaining, price);
      if (this.state[e] !== ST_ACTIVE || remaining <= 0) return;
    }
    this.restPrice[e] = price;
    this.restQty[e] = remaining;
    this.restAhead[e] = this.visibleSizeAt(row, side, price);
    this.restCursor[e] = this.tracker.cursor;
    this.rest(e, side, price);
  }

  /** Visible shares resting at `price` on `side` (+1 bids, −1 asks) in book row `row`; 0 if not a visible level. */
  private visibleSizeAt(row: number, side: number, price: number): number {
    const day = this.day;
    const L = this.levels;
    const k = row * L;
    const prices = side > 0 ? day.bidPrice : day.askPrice;
    const sizes = side > 0 ? day.bidSize : day.askSize;
    for (let l = 0; l < L; l++) if ((prices[k + l] as number) === price) return sizes[k + l] as number;
    return 0;
  }

  /** Books one fill: the impact overlay shifts its price against us by I(shares filled before it). */
  private fill(e: number, price: number, quantity: number, maker: boolean): void {
    const o = e % this.nOrders;
    const side = this.oSide[o] as number;
    const filledBefore = this.filled[e] as number;
    const effective = price * (1 + (side * this.impact.shiftBps(filledBefore)) / 1e4);
    const fee = maker ? this.fees.maker(price, quantity) : this.fees.taker(price, quantity);
    this.notional[e] = (this.notional[e] as number) + effective * quantity;
    this.feesPaid[e] = (this.feesPaid[e] as number) + fee;
    this.filled[e] = filledBefore + quantity;
    if (maker) this.passiveFilled[e] = (this.passiveFilled[e] as number) + quantity;
    if (this.fills !== null) {
      const order = this.orders[o] as ParentOrder;
      this.fills.push({
        strategy: (this.slots[(e / this.nOrders) | 0] as Slot).name,
        orderId: order.id,
        timeNs: this.nowNs,
        priceTicks: price,
        effectivePriceTicks: effective,
        quantity,
        liquidity: maker ? 'maker' : 'taker',
        feeTicks: fee,
      });
    }
    if ((this.filled[e] as number) >= (this.oQty[o] as number)) {
      if (this.restBucket[e] !== -1) this.unrest(e);
      this.pending[e] = 0;
      this.state[e] = ST_COMPLETE;
    }
  }

  /** A resting order trades `amount` shares (capped at its size) at its own price. */
  private fillResting(e: number, amount: number): void {
    const q = Math.min(this.restQty[e] as number, amount);
    if (q <= 0) return;
    this.restQty[e] = (this.restQty[e] as number) - q;
    const price = this.restPrice[e] as number;
    if ((this.restQty[e] as number) <= 0) this.unrest(e);
    this.fill(e, price, q, true);
  }

  private failEpisode(e: number, reason: string): void {
    if (this.restBucket[e] !== -1) this.unrest(e);
    this.pending[e] = 0;
    this.state[e] = ST_FAILED;
    this.failure[e] ??= reason;
  }

  // ------------------------------------------------------------------ resting-order index

  private bucketOf(price: number): number {
    const b = price - this.priceLo;
    return b < 0 ? 0 : b >= this.buckets ? this.buckets - 1 : b;
  }

  private rest(e: number, side: number, price: number): void {
    const b = this.bucketOf(price);
    const head = side > 0 ? this.headBuy : this.headSell;
    const tail = side > 0 ? this.tailBuy : this.tailSell;
    const last = tail[b] as number;
    this.restBucket[e] = b;
    this.restPrev[e] = last;
    this.restNext[e] = -1;
    if (last !== -1) this.restNext[last] = e;
    else head[b] = e;
    tail[b] = e;
    if (side > 0) {
      this.countBuy++;
      if (b > this.maxBuyBucket) this.maxBuyBucket = b;
    } else {
      this.countSell++;
      if (b < this.minSellBucket) this.minSellBucket = b;
    }
  }

  private unrest(e: number): void {
    const b = this.restBucket[e] as number;
    const side = this.oSide[e % this.nOrders] as number;
    const head = side > 0 ? this.headBuy : this.headSell;
    const tail = side > 0 ? this.tailBuy : this.tailSell;
    const prev = this.restPrev[e] as number;
    const next = this.restNext[e] as number;
    if (prev !== -1) this.restNext[prev] = next;
    else head[b] = next;
    if (next !== -1) this.restPrev[next] = prev;
    else tail[b] = prev;
    this.restBucket[e] = -1;
    this.restQty[e] = 0;
    if (side > 0) {
      if (--this.countBuy === 0) this.maxBuyBucket = -1;
      else if (b === this.maxBuyBucket) while (this.maxBuyBucket >= 0 && this.headBuy[this.maxBuyBucket] === -1) this.maxBuyBucket--;
    } else {
      if (--this.countSell === 0) this.minSellBucket = this.buckets;
      else if (b === this.minSellBucket) while (this.minSellBucket < this.buckets && this.headSell[this.minSellBucket] === -1) this.minSellBucket++;
    }
  }

  // ------------------------------------------------------------------ market messages against our resting orders

  /**
   * Message i (already applied to the tracker) against our resting orders. For a resting buy at P (sells mirror):
   *  - type 1, a sell submitted at p ≤ P: it would have traded with us → fill min(ours, size);
   *  - type 2/3 at P on the bid side: exact — the cancelled order was ahead iff it was submitted before we
   *    joined (or before the file began); probabilistic — from ahead with probability a^n/(a^n + b^n);
   *  - type 4 at P on the bid side: exact — an order ahead shrinks the queue ahead, an order behind us means the
   *    aggressor would have reached us → fill min(ours, size); probabilistic — consumes the queue ahead first;
   *  - type 4 or 5 on the bid side at p < P: the aggressor went through our price → fill min(ours, size);
   *  - type 5 at P itself: hidden orders queue behind visible ones, no fill (conservative).
   */
  private match(i: number, timeNs: number): void {
    const day = this.day;
    const type = day.type[i] as number;
    if (type > EventType.ExecuteHidden) return;
    this.nowNs = timeNs;
    const price = day.price[i] as number;
    const direction = day.direction[i] as number;
    const size = day.size[i] as number;
    if (type === EventType.Submit) {
      if (direction < 0) {
        if (this.countBuy > 0 && this.bucketOf(price) <= this.maxBuyBucket) this.throughBuys(price, size, false);
      } else if (this.countSell > 0 && this.bucketOf(price) >= this.minSellBucket) this.throughSells(price, size, false);
      return;
    }
    if (direction > 0 ? this.countBuy === 0 : this.countSell === 0) return;
    if (type === EventType.Cancel || type === EventType.Delete) {
      this.queueEvent(i, direction, price, size, false);
      return;
    }
    if (type === EventType.ExecuteVisible) this.queueEvent(i, direction, price, size, true);
    if (direction > 0) {
      if (this.countBuy > 0 && this.bucketOf(price) <= this.maxBuyBucket) this.throughBuys(price, size, true);
    } else if (this.countSell > 0 && this.bucketOf(price) >= this.minSellBucket) this.throughSells(price, size, true);
  }

  /** Buys resting at P ≥ p (strict: P > p) trade `size` shares each. */
  private throughBuys(p: number, size: number, strict: boolean): void {
    const lowest = this.bucketOf(p);
    for (let b = this.maxBuyBucket; b >= lowest; b--) {
      let e = this.headBuy[b] as number;
      while (e !== -1) {
        const next = this.restNext[e] as number;
        const P = this.restPrice[e] as number;
        if (strict ? P > p : P >= p) this.fillResting(e, size);
        e = next;
      }
    }
  }

  /** Sells resting at P ≤ p (strict: P < p) trade `size` shares each. */
  private throughSells(p: number, size: number, strict: boolean): void {
    const highest = this.bucketOf(p);
    for (let b = this.minSellBucket; b <= highest; b++) {
      let e = this.headSell[b] as number;
      while (e !== -1) {
        const next = this.restNext[e] as number;
        const P = this.restPrice[e] as number;
        if (strict ? P < p : P <= p) this.fillResting(e, size);
        e = next;
      }
    }
  }

  /** A cancel or visible execution at exactly our price on our side: queue-position bookkeeping. */
  private queueEvent(i: number, side: number, price: number, size: number, execution: boolean): void {
    const b = this.bucketOf(price);
    let e = side > 0 ? (this.headBuy[b] as number) : (this.headSell[b] as number);
    if (e === -1) return;
    const exact = this.exactQueue;
    const submittedAt = exact ? (this.index.submitIndex[i] as number) : 0;
    let visibleBefore = -1; // probabilistic cancels: shares at this price before the message, looked up once
    while (e !== -1) {
      const next = this.restNext[e] as number;
      if (this.restPrice[e] === price) {
        const ahead = this.restAhead[e] as number;
        if (exact) {
          if (submittedAt < (this.restCursor[e] as number)) this.restAhead[e] = ahead > size ? ahead - size : 0;
          else if (execution) {
            // An order that queued behind us traded: under price-time priority everything ahead of us is gone.
            this.restAhead[e] = 0;
            this.fillResting(e, size);
          }
        } else if (execution) {
          if (ahead >= size) this.restAhead[e] = ahead - size;
          else {
            this.restAhead[e] = 0;
            this.fillResting(e, size - ahead);
          }
        } else if (ahead > 0) {
          if (visibleBefore < 0) visibleBefore = this.visibleSizeAt(i > 0 ? i - 1 : 0, side, price);
          const behind = Math.max(0, visibleBefore - ahead);
          const pa = this.queuePower === 1 ? ahead : ahead ** this.queuePower;
          const pb = this.queuePower === 1 ? behind : behind ** this.queuePower;
          if (nextUniform(this.rng, e) * (pa + pb) < pa) this.restAhead[e] = ahead > size ? ahead - size : 0;
        }
      }
      e = next;
    }
  }
}
