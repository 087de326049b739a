import type { BatchPolicy } from '@airlock/core';
import type { DecisionEvent, FillEvent, LiveEvent, OrderDoneEvent, OrderNewEvent } from '@airlock/live-flow';
import { SequenceTracker } from '@airlock/live-flow';
import { FeeModel, episodeMetrics, resolveBacktestConfig, runBacktest, type ParentOrder } from '@airlock/sim';
import { lobsterTickSize, type LiveExecutionConfig } from '../live-execution.js';
import {
  emptyLiveCounters,
  emptyShadowCounters,
  latencyBucket,
  type FindingKind,
  type LiveCounters,
  type LiveMetricWindowRow,
  type ShadowCheckpoint,
  type ShadowCounters,
  type ShadowFindingRow,
  type ShadowOrderResultRow,
  type ShadowPolicy,
  type ShadowSubject,
  type ShadowWindowRow,
} from '../shadow.types.js';
import { InstrumentDay } from './instrument-day.js';

/** A loaded model version: its artifact's policy (features and actions in manifest order). */
export interface LoadedVersion {
  readonly subject: ShadowSubject;
  readonly policy: BatchPolicy;
}

/** How the scorer finds the versions the flow's decisions name (registry + store, cached by the caller). */
export type VersionResolver = (model: string, version: number) => Promise<LoadedVersion | null>;

/** A running session as the scorer needs it. */
export interface ScoredSession {
  readonly id: string;
  readonly deployment: string;
  readonly policy: ShadowPolicy;
  readonly candidates: readonly LoadedVersion[];
  /** Allowed instruments; null = any. */
  readonly instruments: ReadonlySet<string> | null;
  /** Stream position from which the session counts (orders that began earlier are not scored). */
  readonly firstPosition: number;
}

export interface ScorerOptions {
  readonly durable: string;
  readonly execution: LiveExecutionConfig;
  /** ns per metric window (event time). */
  readonly windowNs: number;
  /** Rows per candidate batch before inference runs (decisions are evaluated in batches, ONNX-style). */
  readonly maxBatchRows: number;
  /** Findings stored per (session, kind); all are counted. */
  readonly examplesPerKind: number;
  /** Monotonic clock for inference timing, ns. */
  readonly clockNs: () => number;
  /** Done orders' hypothetical episodes are scored at a checkpoint once the oldest has waited this long (ms of processing)… */
  readonly scoreIntervalMs: number;
  /** …or this many are waiting. */
  readonly maxPendingScores: number;
  /** Observes every batched inference: the model, its rows, its duration (ns) and its input (a view: copy to keep). */
  readonly onInference?: (subject: ShadowSubject, rows: number, durationNs: number, input: Float32Array) => void;
}

const subjectKey = (s: { model: string; version: number }): string => `${s.model}@${s.version}`;
const dayKey = (instrument: string, session: string): string => `${instrument}|${session}`;

interface LiveOrder {
  readonly id: string;
  readonly instrument: string;
  readonly session: string;
  readonly position: number;
  readonly side: 1 | -1;
  readonly order: ParentOrder;
  readonly arrivalMid: number;
  readonly volStart: number;
  readonly notionalStart: number;
  filled: number;
  passive: number;
  notional: number;
  fees: number;
  /** The deployment and version of its first decision. */
  live: { deployment: string; model: string; version: number } | null;
  readonly day: InstrumentDay;
}

/** One decision row waiting for a policy's batched inference. */
interface PendingRow {
  readonly kind: 'candidate' | 'live';
  readonly orderId: string;
  readonly session: string;
  readonly tsNs: number;
  readonly position: number;
  readonly eventId: string;
  /** The live decision's published actions (names and values, aligned). */
  readonly publishedNames: readonly string[];
  readonly publishedValues: readonly number[];
  /** candidate: the sessions and subject keys this row counts for; live: sessions watching the deployment. */
  readonly targets: readonly { readonly session: ScoredSession; readonly subject: ShadowSubject }[];
  /** The live decision was already counted as skewed (by its features): read by live rows. */
  readonly skewed: boolean;
}

interface PendingBatch {
  readonly loaded: LoadedVersion;
  features: Float32Array;
  rows: PendingRow[];
}

interface Watchers {
  readonly sessions: readonly ScoredSession[];
  /** The live rows' targets for a live version (one per watching session). */
  liveTargets(subject: ShadowSubject): readonly { readonly session: ScoredSession; readonly subject: ShadowSubject }[];
  readonly candidates: readonly { readonly loaded: LoadedVersion; readonly targets: readonly { readonly session: ScoredSession; readonly subject: ShadowSubject }[] }[];
}

/** A done order waiting for its candidates' hypothetical episodes. */
interface PendingScore {
  readonly order: LiveOrder;
  readonly liveIsBps: number;
  readonly endNs: number;
  readonly sessions: readonly ScoredSession[];
  /** When it was queued (options.clockNs). */
  readonly queuedNs: number;
}

/**
 * The shadow runner's streaming core: fed the live flow one event at a time, it keeps a book per instrument
 * (InstrumentDay), the parent orders in flight with their live fills, and for every session: at each live
 * decision the candidates' decisions on the same market (batched inference) and the live model's decision
 * recomputed from the flow (skew); at each order's end the candidates' hypothetical episodes on the live book
 * (the backtest engine, batched over done orders) against the live model's realised IS.
 *
 * It counts only events after `countedPosition`: earlier ones (a restart's warm-up re-read) rebuild state.
 * Counters are deltas since the last `checkpoint()`, which hands them over for ONE database transaction.
 */
export class ShadowScorer {
  private readonly days = new Map<string, InstrumentDay>();
  /** The day of the last market event (flows are mostly runs of one instrument's events). */
  private lastDay: InstrumentDay | null = null;
  private readonly orders = new Map<string, LiveOrder>();
  private readonly sequences = new SequenceTracker();
  private readonly pending = new Map<string, PendingBatch>();
  private pendingScores: PendingScore[] = [];
  private replayPending = new Set<string>();
  /** The background scoring in progress, its orders, and its failure (rethrown by the next checkpoint). */
  private scoring: Promise<void> | null = null;
  private scoringBatch: readonly PendingScore[] = [];
  private scoringError: Error | null = null;
  private readonly watching = new Map<string, Watchers>();
  private lastLive: { model: string; version: string; loaded: LoadedVersion } | null = null;
  private lastLiveWindow: { deployment: string; subject: object; date: string; start: number; key: string; window: { counters: LiveCounters } } | null = null;
  private readonly scratchRows = new Map<number, Float32Array>();
  /** One order's state for the FeatureEngine, reused at every decision. */
  private readonly orderState = { side: new Float64Array(1), quantity: new Float64Array(1), filled: new Float64Array(1), startNs: new Float64Array(1), endNs: new Float64Array(1) };
  /** Decision time of the rows waiting for inference. */
  private pendingTimeNs = -1;
  private readonly fees = new Map<number, FeeModel>();
  private sessions: ScoredSession[] = [];
  /** Every event with position ≤ this is already in the persisted counters. */
  countedPosition: number;
  lastPosition = 0;

  // --- deltas since the last checkpoint ---
  private windows = new Map<string, ShadowWindowRow & { counters: ShadowCounters }>();
  /** counters() lookups by subject object, so the hot path builds no key string (validated against `windows`). */
  private readonly recentWindows = new WeakMap<object, { session: ScoredSession; role: string; start: number; date: string; key: string; window: ShadowWindowRow & { counters: ShadowCounters } }[]>();
  private liveWindows = new Map<string, LiveMetricWindowRow & { counters: LiveCounters }>();
  private orderResults: ShadowOrderResultRow[] = [];
  private findings: ShadowFindingRow[] = [];
  private findingCounts = new Map<string, Partial<Record<FindingKind, number>>>();
  /** Examples stored per session and kind (across checkpoints). */
  private readonly examplesStored = new Map<string, number>();
  /** Scored orders per session and candidate (for completion), including those persisted before a restart. */
  readonly scoredOrders = new Map<string, number>();

  constructor(
    private readonly options: ScorerOptions,
    private readonly resolveVersion: VersionResolver,
    countedPosition: number,
  ) {
    this.countedPosition = countedPosition;
  }

  setSessions(sessions: readonly ScoredSession[]): void {
    this.sessions = [...sessions];
    this.watching.clear();
  }

  /** The sessions watching a deployment's decisions on an instrument, and their candidates grouped by artifact (cached). */
  private watchers(deployment: string, instrument: string): Watchers {
    const key = `${deployment}\u0000${instrument}`;
    let hit = this.watching.get(key);
    if (!hit) {
      const sessions = this.sessions.filter((s) => s.deployment === deployment && (s.instruments === null || s.instruments.has(instrument)));
      const bySha = new Map<string, { loaded: LoadedVersion; targets: { session: ScoredSession; subject: ShadowSubject }[] }>();
      for (const session of sessions) {
        for (const c of session.candidates) {
          const entry = bySha.get(c.subject.sha256) ?? { loaded: c, targets: [] };
          entry.targets.push({ session, subject: c.subject });
          bySha.set(c.subject.sha256, entry);
        }
      }
      const live = new Map<ShadowSubject, { session: ScoredSession; subject: ShadowSubject }[]>();
      hit = {
        sessions,
        candidates: [...bySha.values()],
        liveTargets: (subject) => {
          let targets = live.get(subject);
          if (!targets) live.set(subject, (targets = sessions.map((session) => ({ session, subject }))));
          return targets;
        },
      };
      this.watching.set(key, hit);
    }
    return hit;
  }

  /** A reusable feature row of `width` (enqueue copies it into the batch). */
  private scratch(width: number): Float32Array {
    let row = this.scratchRows.get(width);
    if (!row) this.scratchRows.set(width, (row = new Float32Array(width)));
    return row;
  }

  /** First position a restart must re-read to rebuild the days and orders held now (0 = none held). */
  rewindPosition(): number {
    let min = 0;
    for (const day of this.days.values()) if (min === 0 || day.firstPosition < min) min = day.firstPosition;
    return min;
  }

  /** Orders in flight (tests, metrics). */
  get ordersInFlight(): number {
    return this.orders.size;
  }

  /** A delivery that did not decode: recorded, and the stream goes on. */
  malformed(position: number, reason: string, id: string | null): void {
    this.lastPosition = position;
    if (position <= this.countedPosition) return;
    this.finding(null, 'malformed', position, id, reason, null);
  }

  async handle(position: number, event: LiveEvent): Promise<void> {
    this.lastPosition = position;
    const counting = position > this.countedPosition;
    const seq = this.sequences.observe(event);
    if (seq.kind === 'repeat') {
      if (counting) this.finding(null, 'duplicate', position, event.id, `${event.type} seq ${seq.got} repeats (expected ${seq.expected}): dropped`, { seq: seq.got });
      return;
    }
    if (seq.kind === 'gap' && counting) {
      this.finding(null, 'sequence-gap', position, event.id, `${seq.missing} event(s) missing before seq ${seq.got} of ${event.type} ${event.instrument}`, { expected: seq.expected, got: seq.got });
    }
    switch (event.type) {
      case 'book':
      case 'trade': {
        const day = this.dayFor(event.instrument, event.session, event.tickSize, position);
        if (event.tsNs < day.lastTimeNs) {
          if (counting) this.finding(null, 'out-of-order', position, event.id, `${event.type} at ${event.tsNs} ns is older than the book's last event (${day.lastTimeNs} ns): dropped`, { tsNs: event.tsNs });
          return;
        }
        day.append(event);
        return;
      }
      case 'order.new':
        this.orderNew(position, event, counting);
        return;
      case 'decision':
        await this.decision(position, event, counting);
        return;
      case 'fill':
        this.fill(position, event, counting);
        return;
      case 'order.done':
        this.orderDone(position, event, counting);
        return;
      default:
        // order.amend / order.cancel: the order's own done event closes it; amendments are not modelled yet.
        return;
    }
  }

  // ------------------------------------------------------------------ flow events

  private dayFor(instrument: string, session: string, tickSize: number, position: number): InstrumentDay {
    const last = this.lastDay;
    if (last !== null && last.instrument === instrument && last.session === session) return last; // the common case
    const key = dayKey(instrument, session);
    let day = this.days.get(key);
    if (!day) {
      // A new session date for an instrument closes its previous day (and any order still open on it).
      for (const [k, d] of this.days) {
        if (d.instrument === instrument) {
          this.days.delete(k);
          for (const [id, o] of this.orders) if (o.instrument === instrument && o.session === d.session) this.orders.delete(id);
        }
      }
      day = new InstrumentDay(instrument, session, tickSize, position);
      this.days.set(key, day);
    }
    this.lastDay = day;
    return day;
  }

  private orderNew(position: number, event: OrderNewEvent, counting: boolean): void {
    const day = this.days.get(dayKey(event.instrument, event.session));
    if (!day) {
      if (counting) this.finding(null, 'unknown-instrument', position, event.id, `order ${event.orderId} is for ${event.instrument} ${event.session}, which has no market data`, { orderId: event.orderId });
      return;
    }
    if (this.orders.has(event.orderId)) {
      if (counting) this.finding(null, 'duplicate', position, event.id, `order ${event.orderId} is already open: dropped`, { orderId: event.orderId });
      return;
    }
    const order: ParentOrder = {
      id: event.orderId,
      side: event.side,
      quantity: event.quantity,
      startNs: event.startNs,
      endNs: event.endNs,
      urgency: event.urgency,
      ...(event.limitTicks !== undefined ? { limitTicks: event.limitTicks } : {}),
    };
    this.orders.set(event.orderId, {
      id: event.orderId,
      instrument: event.instrument,
      session: event.session,
      position,
      side: event.side === 'buy' ? 1 : -1,
      order,
      arrivalMid: day.tracker.currentMid(),
      volStart: day.tracker.volumeNow(),
      notionalStart: day.tracker.notionalNow(),
      filled: 0,
      passive: 0,
      notional: 0,
      fees: 0,
      live: null,
      day,
    });
  }

  private fill(position: number, event: FillEvent, counting: boolean): void {
    const order = this.orders.get(event.orderId);
    if (!order) {
      if (counting) this.finding(null, 'unknown-order', position, event.id, `fill for order ${event.orderId}, which is not open`, { orderId: event.orderId });
      return;
    }
    const day = order.day; // alive: closing a day removes its orders
    const fees = this.feeModel(day?.builder.tickSize ?? lobsterTickSize(event.tickSize));
    order.filled += event.quantity;
    order.notional += event.priceTicks * event.quantity;
    if (event.liquidity === 'maker') {
      order.passive += event.quantity;
      order.fees += fees.maker(event.priceTicks, event.quantity);
    } else {
      order.fees += fees.taker(event.priceTicks, event.quantity);
    }
  }

  private async decision(position: number, event: DecisionEvent, counting: boolean): Promise<void> {
    const last = this.lastLive;
    const cached = last !== null && last.model === event.model && last.version === event.version ? last.loaded : undefined;
    const version = cached ? cached.subject.version : /^[1-9][0-9]{0,8}$/.test(event.version) ? Number(event.version) : null;
    let problem = 'which is not registered';
    const loaded =
      cached ??
      (version === null
        ? null
        : await this.resolveVersion(event.model, version).catch((error: unknown) => {
            problem = `which cannot be loaded: ${error instanceof Error ? error.message : String(error)}`;
            return null;
          }));
    // Registered versions never change: the last one resolved is kept for the next decision (the common case).
    if (loaded && !cached) this.lastLive = { model: event.model, version: event.version, loaded };
    if (!loaded || version === null) {
      if (counting) this.finding(null, 'unknown-version', position, event.id, `decision names ${event.model}@${event.version}, ${problem}`, { model: event.model, version: event.version });
      return;
    }
    if (loaded.subject.sha256 !== event.sha256) {
      if (counting) {
        this.finding(null, 'unknown-version', position, event.id, `decision of ${event.model}@${version} ran artifact ${event.sha256.slice(0, 12)}…, not the registered ${loaded.subject.sha256.slice(0, 12)}…`, {
          published: event.sha256,
          registered: loaded.subject.sha256,
        });
      }
      return;
    }
    const order = this.orders.get(event.orderId);
    if (!order) {
      if (counting) this.finding(null, 'unknown-order', position, event.id, `decision for order ${event.orderId}, which is not open`, { orderId: event.orderId });
      return;
    }
    order.live ??= { deployment: event.deployment, model: event.model, version };
    if (!counting) return;
    const day = order.day; // alive: closing a day removes its orders
    if (!day) return;
    const liveKey = subjectKey(loaded.subject);
    this.liveWindow(event.deployment, loaded.subject, order.session, event.tsNs).decisions += 1;
    for (const v of event.actions) if (v < 0 || v > 1) this.liveWindow(event.deployment, loaded.subject, order.session, event.tsNs).limitBreaches += 1;

    const watch = this.watchers(event.deployment, order.instrument);
    const sessions = watch.sessions;
    if (sessions.length === 0) return;
    // One batch per live decision point: the orders deciding at the same time are inferred together, as the
    // live engine does, so a batch's duration is the latency a decision would have had.
    if (this.pendingTimeNs !== event.tsNs) {
      await this.flushInference();
      this.pendingTimeNs = event.tsNs;
    }
    for (const s of sessions) this.counters(s, 'live', loaded.subject, order.session, event.tsNs).decisions += 1;

    // Skew, part 1: the features the live model was given against the same features computed from the flow.
    const state = this.orderState;
    state.side[0] = order.side;
    state.quantity[0] = order.order.quantity;
    state.filled[0] = order.filled;
    state.startNs[0] = order.order.startNs;
    state.endNs[0] = order.order.endNs;
    const liveNames = loaded.policy.features;
    const recomputed = this.scratch(liveNames.length);
    day.features(liveNames).compute(event.tsNs, 1, state, recomputed);
    let skewed: { feature: string; published: number | null; recomputed: number }[] | null = null;
    const featureTolerance = sessions[0]!.policy.featureTolerance;
    for (let c = 0; c < liveNames.length; c++) {
      const name = liveNames[c] as string;
      const i = event.featureNames[c] === name ? c : event.featureNames.indexOf(name);
      const pub = i >= 0 ? (event.features[i] as number) : null;
      const mine = recomputed[c] as number;
      if (pub === null || !(Math.abs(Math.fround(pub) - mine) <= featureTolerance * Math.max(1, Math.abs(pub)))) (skewed ??= []).push({ feature: name, published: pub, recomputed: mine });
    }
    if (skewed !== null) {
      for (const s of sessions) {
        this.counters(s, 'live', loaded.subject, order.session, event.tsNs).skewFindings += 1;
        this.finding(s, 'feature-skew', position, event.id, `${liveKey} order ${order.id} at ${event.tsNs} ns: ${skewed.map((k) => k.feature).join(', ')} differ from the runner's recomputation`, { orderId: order.id, tsNs: event.tsNs, features: skewed.slice(0, 8) });
      }
    }
    // Skew, part 2: the live model recomputed on the runner's features must give the published actions.
    const row = (kind: PendingRow['kind'], targets: PendingRow['targets']): PendingRow => ({
      kind,
      orderId: order.id,
      session: order.session,
      tsNs: event.tsNs,
      position,
      eventId: event.id,
      publishedNames: event.actionNames,
      publishedValues: event.actions,
      targets,
      skewed: skewed !== null,
    });
    this.enqueue(loaded, recomputed, row('live', watch.liveTargets(loaded.subject)));

    // Candidates at the same decision point, each on its own features from the same book and order state.
    for (const { loaded: candidate, targets } of watch.candidates) {
      const features = this.scratch(candidate.policy.features.length);
      day.features(candidate.policy.features).compute(event.tsNs, 1, state, features);
      this.enqueue(candidate, features, row('candidate', targets));
    }
    for (const batch of this.pending.values()) if (batch.rows.length >= this.options.maxBatchRows) await this.runBatch(batch);
  }

  private orderDone(position: number, event: OrderDoneEvent, counting: boolean): void {
    const order = this.orders.get(event.orderId);
    if (!order) {
      if (counting) this.finding(null, 'unknown-order', position, event.id, `order.done for ${event.orderId}, which is not open`, { orderId: event.orderId });
      return;
    }
    this.orders.delete(event.orderId);
    // A warm-up replay scores the orders the last checkpoint left unscored; everything else it only rebuilds.
    const rescore = !counting && this.replayPending.delete(order.id);
    if (!counting && !rescore) return;
    const day = order.day; // alive: closing a day removes its orders
    const endMid = day.tracker.currentMid();
    const ok = Number.isFinite(order.arrivalMid) && Number.isFinite(endMid);
    const m = ok
      ? episodeMetrics({
          side: order.side,
          quantity: order.order.quantity,
          filled: order.filled,
          passiveFilled: order.passive,
          grossNotional: order.notional,
          fees: order.fees,
          arrivalMid: order.arrivalMid,
          endMark: endMid,
          marketVolume: day.tracker.volumeNow() - order.volStart,
          marketNotional: day.tracker.notionalNow() - order.notionalStart,
        })
      : null;
    if (order.live && counting) {
      const live = this.liveWindow(order.live.deployment, { model: order.live.model, version: order.live.version }, order.session, event.tsNs);
      live.ordersDone += 1;
      if (event.outcome === 'rejected') live.ordersRejected += 1;
      if (event.outcome === 'cancelled') live.ordersCancelled += 1;
      live.filledShares += order.filled;
      live.orderedShares += order.order.quantity;
      if (m) {
        live.isCount += 1;
        live.sumIsBps += m.isBps;
        live.sumSqIsBps += m.isBps * m.isBps;
      }
    }
    // Scored by every session watching the order's deployment that saw it from its start.
    const live = order.live;
    if (!m || !live || event.outcome === 'rejected') return;
    const sessions = this.sessions.filter((s) => s.deployment === live.deployment && order.position >= s.firstPosition && (s.instruments === null || s.instruments.has(order.instrument)));
    if (sessions.length > 0) this.pendingScores.push({ order, liveIsBps: m.isBps, endNs: event.tsNs, sessions, queuedNs: this.options.clockNs() });
  }

  /** Starts scoring what is queued, in the background (one scoring at a time). */
  private startScoring(): Promise<void> | null {
    if (this.scoring !== null || this.pendingScores.length === 0) return this.scoring;
    const batch = this.pendingScores;
    this.pendingScores = [];
    this.scoringBatch = batch;
    this.scoring = this.scoreDoneOrders(batch)
      .catch((error: unknown) => {
        this.scoringError = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.scoring = null;
        this.scoringBatch = [];
      });
    return this.scoring;
  }

  /** Orders a checkpoint left unscored: scored when the warm-up replays their order.done. */
  resumePending(orderIds: readonly string[]): void {
    this.replayPending = new Set(orderIds);
  }

  // ------------------------------------------------------------------ batched inference at decision points

  private enqueue(loaded: LoadedVersion, features: Float32Array, row: PendingRow): void {
    const sha = loaded.subject.sha256;
    let batch = this.pending.get(sha);
    if (!batch) {
      batch = { loaded, features: new Float32Array(features.length * this.options.maxBatchRows), rows: [] };
      this.pending.set(sha, batch);
    }
    const width = features.length;
    const at = batch.rows.length * width;
    if (at + width > batch.features.length) {
      const grown = new Float32Array(Math.max(batch.features.length * 2, at + width));
      grown.set(batch.features);
      batch.features = grown;
    }
    batch.features.set(features, at);
    batch.rows.push(row);
  }

  private async runBatch(batch: PendingBatch): Promise<void> {
    const rows = batch.rows;
    if (rows.length === 0) return;
    batch.rows = [];
    const policy = batch.loaded.policy;
    const width = policy.features.length;
    const actions = policy.actions;
    let output: ArrayLike<number> | null = null;
    let error: string | null = null;
    const started = this.options.clockNs();
    try {
      output = await policy.decide(batch.features.subarray(0, rows.length * width), rows.length);
      if (!output || output.length < rows.length * actions.length) {
        error = `returned ${output?.length ?? 'no'} values for ${rows.length} rows × ${actions.length} actions`;
        output = null;
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const elapsed = this.options.clockNs() - started;
    this.options.onInference?.(batch.loaded.subject, rows.length, elapsed, batch.features.subarray(0, rows.length * width));
    const A = actions.length;
    const pCol = actions.indexOf('participation');
    const aCol = actions.indexOf('aggression');
    const bucket = latencyBucket(elapsed);
    const timed = new Set<ShadowCounters>();
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as PendingRow;
      for (const { session, subject } of row.targets) {
        const c = this.counters(session, row.kind, subject, row.session, row.tsNs);
        if (row.kind === 'candidate' && !timed.has(c)) {
          // One timed batch per subject and window: the batch's duration is one decision point's latency.
          timed.add(c);
          c.batches += 1;
          c.latencyHistogram[bucket] = (c.latencyHistogram[bucket] ?? 0) + 1;
        }
        if (output === null) {
          if (row.kind === 'candidate') {
            c.decisions += 1;
            c.invalidOutputs += 1;
            if (r === 0) this.finding(session, 'candidate-error', row.position, row.eventId, `${subjectKey(subject)} failed on a batch of ${rows.length}: ${error}`, { rows: rows.length });
          }
          continue;
        }
        const base = r * A;
        if (row.kind === 'live') {
          const tol = session.policy.actionTolerance;
          let differs: { action: string; published: number; recomputed: number | null }[] | null = null;
          for (let i = 0; i < row.publishedNames.length; i++) {
            const name = row.publishedNames[i] as string;
            const col = actions[i] === name ? i : actions.indexOf(name);
            const mine = col >= 0 ? (output[base + col] as number) : Number.NaN;
            const pub = row.publishedValues[i] as number;
            if (!(Math.abs(mine - pub) <= tol)) (differs ??= []).push({ action: name, published: pub, recomputed: col >= 0 ? mine : null });
          }
          if (differs !== null) {
            if (!row.skewed) c.skewFindings += 1; // one skewed decision counts once, whatever disagreed
            this.finding(session, 'decision-skew', row.position, row.eventId, `${subjectKey(subject)} recomputed from the flow decides differently for order ${row.orderId} at ${row.tsNs} ns`, {
              orderId: row.orderId,
              tsNs: row.tsNs,
              actions: differs,
            });
          }
          continue;
        }
        c.decisions += 1;
        let invalid: { action: string; value: number | string }[] | null = null;
        for (let a = 0; a < A; a++) {
          const v = output[base + a] as number;
          if (!(v >= 0 && v <= 1)) (invalid ??= []).push({ action: actions[a] as string, value: Number.isFinite(v) ? v : String(v) });
        }
        if (invalid !== null) {
          c.invalidOutputs += 1;
          this.finding(session, 'invalid-output', row.position, row.eventId, `${subjectKey(subject)} answered ${invalid.map((x) => `${x.action}=${x.value}`).join(', ')} for order ${row.orderId}`, {
            orderId: row.orderId,
            tsNs: row.tsNs,
            outputs: invalid,
          });
        }
        const pubP = publishedAction(row, 'participation', Number.NaN);
        const pubA = publishedAction(row, 'aggression', 0);
        const dp = Math.abs((pCol >= 0 ? (output[base + pCol] as number) : Number.NaN) - pubP);
        const da = Math.abs((aCol >= 0 ? (output[base + aCol] as number) : 0) - pubA);
        if (Number.isFinite(dp)) c.sumAbsParticipationDelta += dp;
        if (Number.isFinite(da)) c.sumAbsAggressionDelta += da;
        if (!(dp <= session.policy.actionTolerance) || !(da <= session.policy.actionTolerance)) c.divergentDecisions += 1;
      }
    }
  }

  // ------------------------------------------------------------------ hypothetical episodes of done orders

  /**
   * The candidates' hypothetical episodes of a batch of done orders: one engine run per instrument-day over its
   * book so far. Runs in the background of the event path (the engine awaits at every decision, so events keep
   * flowing); its counters land in whichever checkpoint follows its completion.
   */
  private async scoreDoneOrders(batch: readonly PendingScore[]): Promise<void> {
    const byDay = new Map<InstrumentDay, PendingScore[]>();
    for (const p of batch) byDay.set(p.order.day, [...(byDay.get(p.order.day) ?? []), p]);
    for (const [day, scores] of byDay) {
      const candidates = new Map<string, LoadedVersion>();
      for (const p of scores) for (const s of p.sessions) for (const c of s.candidates) candidates.set(c.subject.sha256, c);
      const result = await runBacktest({
        day: day.builder.snapshot(),
        orders: scores.map((p) => p.order.order),
        strategies: Object.fromEntries([...candidates].map(([sha, c]) => [sha, c.policy])),
        seed: this.options.execution.seed, // the simulator's: the same episode streams on both sides
        curve: this.options.execution.curve,
        config: { ...this.options.execution.config, recordFills: false },
        yieldTo: () => new Promise<void>((resolve) => setImmediate(resolve)), // events keep flowing during the replay
      });
      const episodes = new Map(result.episodes.map((e) => [`${e.strategy}|${e.orderId}`, e]));
      for (const p of scores) {
        for (const s of p.sessions) {
          for (const c of s.candidates) {
            const e = episodes.get(`${c.subject.sha256}|${p.order.id}`);
            if (!e || e.isBps === null) continue; // a failed episode: its invalid outputs were counted at the decisions
            const counters = this.counters(s, 'candidate', c.subject, p.order.session, p.endNs);
            const delta = e.isBps - p.liveIsBps;
            counters.orders += 1;
            counters.sumIsBps += e.isBps;
            counters.sumIsDeltaBps += delta;
            counters.sumSqIsDeltaBps += delta * delta;
            counters.filledShares += e.filled;
            counters.orderedShares += e.quantity;
            const live = this.counters(s, 'live', { model: p.order.live!.model, version: p.order.live!.version }, p.order.session, p.endNs);
            live.orders += 1;
            live.sumIsBps += p.liveIsBps;
            live.filledShares += p.order.filled;
            live.orderedShares += p.order.order.quantity;
            const scoredKey = `${s.id}|${subjectKey(c.subject)}`;
            this.scoredOrders.set(scoredKey, (this.scoredOrders.get(scoredKey) ?? 0) + 1);
            this.orderResults.push({
              sessionId: s.id,
              model: c.subject.model,
              version: c.subject.version,
              orderId: p.order.id,
              instrument: p.order.instrument,
              date: p.order.session,
              liveIsBps: p.liveIsBps,
              candidateIsBps: e.isBps,
              liveFilled: p.order.filled,
              candidateFilled: e.filled,
              quantity: p.order.order.quantity,
            });
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ checkpoints

  /** Runs every pending inference batch now (checkpoints do; the bench times it). */
  async flushInference(): Promise<void> {
    for (const batch of this.pending.values()) await this.runBatch(batch);
  }

  /**
   * Runs every pending inference batch and hypothetical episode, then hands over everything counted since
   * the last checkpoint, up to `lastPosition`. Persist it in one transaction, then ack `position`.
   */
  async checkpoint(options: { readonly scoreAll?: boolean } = {}): Promise<ShadowCheckpoint> {
    await this.flushInference();
    // Each scoring replays the day from the open: batched, it runs every scoreIntervalMs or maxPendingScores
    // orders; the unscored ones travel in the checkpoint (pendingOrders) so a restart scores them.
    if (options.scoreAll === true) {
      // The end of a run: everything scored before the last checkpoint.
      await this.scoring;
      await this.startScoring();
      await this.scoring;
    } else {
      const oldest = this.pendingScores[0];
      const due = oldest !== undefined && (this.pendingScores.length >= this.options.maxPendingScores || this.options.clockNs() - oldest.queuedNs >= this.options.scoreIntervalMs * 1e6);
      if (due && this.scoring === null) void this.startScoring();
    }
    if (this.scoringError !== null) {
      const error = this.scoringError;
      this.scoringError = null;
      throw error;
    }
    const position = Math.max(this.countedPosition, this.lastPosition);
    const sessions = new Map<string, { candidates: Record<string, ShadowCounters>; live: Record<string, ShadowCounters> }>();
    for (const w of this.windows.values()) {
      const totals = sessions.get(w.sessionId) ?? { candidates: {}, live: {} };
      const bucket = w.role === 'candidate' ? totals.candidates : totals.live;
      const k = subjectKey(w);
      const sum = bucket[k] ?? emptyShadowCounters();
      addCounters(sum, w.counters);
      bucket[k] = sum;
      sessions.set(w.sessionId, totals);
    }
    for (const id of this.findingCounts.keys()) if (!sessions.has(id)) sessions.set(id, { candidates: {}, live: {} });
    const checkpoint: ShadowCheckpoint = {
      durable: this.options.durable,
      position,
      rewindPosition: this.rewindPosition(),
      pendingOrders: [...this.scoringBatch, ...this.pendingScores].map((p) => p.order.id),
      sessions: [...sessions].map(([id, t]) => ({
        id,
        totals: { candidates: t.candidates, live: t.live, findings: this.findingCounts.get(id) ?? {}, firstPosition: 0, lastPosition: position },
      })),
      windows: [...this.windows.values()],
      orderResults: this.orderResults,
      findings: this.findings,
      liveWindows: [...this.liveWindows.values()],
    };
    this.windows = new Map();
    this.liveWindows = new Map();
    this.orderResults = [];
    this.findings = [];
    this.findingCounts = new Map();
    this.countedPosition = position;
    return checkpoint;
  }

  // ------------------------------------------------------------------ accumulators

  private windowStart(tsNs: number): number {
    return Math.floor(tsNs / this.options.windowNs) * this.options.windowNs;
  }

  private counters(session: ScoredSession, role: 'candidate' | 'live', subject: { model: string; version: number }, date: string, tsNs: number): ShadowCounters {
    const start = this.windowStart(tsNs);
    // Fast path: the same session, role and subject object as a recent call, in the same window.
    const recent = this.recentWindows.get(subject);
    if (recent !== undefined) {
      for (const r of recent) if (r.session === session && r.role === role && r.start === start && r.date === date && this.windows.get(r.key) === r.window) return r.window.counters;
    }
    const k = `${session.id}|${role}|${subjectKey(subject)}|${date}|${start}`;
    let w = this.windows.get(k);
    if (!w) {
      w = { sessionId: session.id, model: subject.model, version: subject.version, role, date, windowStartNs: start, windowNs: this.options.windowNs, counters: emptyShadowCounters() };
      this.windows.set(k, w);
    }
    const entry = { session, role, start, date, key: k, window: w };
    if (recent === undefined) this.recentWindows.set(subject, [entry]);
    else {
      const i = recent.findIndex((r) => r.session === session && r.role === role);
      if (i >= 0) recent[i] = entry;
      else recent.push(entry);
    }
    return w.counters;
  }

  private liveWindow(deployment: string, subject: { model: string; version: number }, date: string, tsNs: number): LiveCounters {
    const start = this.windowStart(tsNs);
    const last = this.lastLiveWindow;
    if (last !== null && last.subject === subject && last.deployment === deployment && last.date === date && last.start === start && this.liveWindows.get(last.key) === last.window) {
      return last.window.counters;
    }
    const k = `${deployment}|${subjectKey(subject)}|${date}|${start}`;
    let w = this.liveWindows.get(k);
    if (!w) {
      w = { deployment, model: subject.model, version: subject.version, date, windowStartNs: start, windowNs: this.options.windowNs, counters: emptyLiveCounters() };
      this.liveWindows.set(k, w);
    }
    this.lastLiveWindow = { deployment, subject, date, start, key: k, window: w };
    return w.counters;
  }

  /** Records a finding for one session, or (session null) for every running session: counted always, stored up to examplesPerKind. */
  private finding(session: ScoredSession | null, kind: FindingKind, position: number, eventId: string | null, reason: string, example: unknown): void {
    for (const s of session ? [session] : this.sessions) {
      const counts = this.findingCounts.get(s.id) ?? {};
      counts[kind] = (counts[kind] ?? 0) + 1;
      this.findingCounts.set(s.id, counts);
      const stored = `${s.id}|${kind}`;
      const n = this.examplesStored.get(stored) ?? 0;
      if (n < this.options.examplesPerKind) {
        this.examplesStored.set(stored, n + 1);
        this.findings.push({ sessionId: s.id, kind, position, eventId, reason, example });
      }
    }
  }

  private feeModel(tickSize: number): FeeModel {
    let model = this.fees.get(tickSize);
    if (!model) {
      model = new FeeModel(resolveBacktestConfig(this.options.execution.config).fees, tickSize); // as the engine resolves it
      this.fees.set(tickSize, model);
    }
    return model;
  }
}

/** A published action's value by name, or `fallback` when the live model does not output it. */
function publishedAction(row: PendingRow, name: string, fallback: number): number {
  const i = row.publishedNames.indexOf(name);
  return i >= 0 ? (row.publishedValues[i] as number) : fallback;
}

function addCounters(a: ShadowCounters, b: ShadowCounters): void {
  for (const k of Object.keys(a) as (keyof ShadowCounters)[]) {
    if (k === 'latencyHistogram') b.latencyHistogram.forEach((v, i) => (a.latencyHistogram[i] = (a.latencyHistogram[i] ?? 0) + v));
    else a[k] += b[k];
  }
}
