import { Semaphore } from '@airlock/core';
import type { LiveDelivery, LiveFlowConsumer, LiveFlowLag, LiveFlowReader, LiveReadDelivery } from '@airlock/live-flow';
import type { LiveExecutionConfig } from '../live-execution.js';
import type { ShadowCompletion, ShadowSessionRecord } from '../shadow.service.js';
import { emptyShadowCounters, type ShadowCheckpoint, type ShadowCounters } from '../shadow.types.js';
import { ShadowScorer, type LoadedVersion, type ScoredSession, type VersionResolver } from './shadow-scorer.js';
import { shadowVerdict, type CandidateVerdict } from './shadow-verdict.js';

/** A running session as the runner needs it (ShadowService.running() gives more). */
export type RunningSessionRecord = Pick<ShadowSessionRecord, 'id' | 'deployment' | 'candidates' | 'policy' | 'instruments' | 'stopRequested' | 'totals'>;

/** What the runner persists and reads: ShadowService (PostgreSQL) in production. */
export interface ShadowRunnerStore {
  checkpoint(durable: string): Promise<{ readonly position: number; readonly rewindPosition: number; readonly pendingOrders: readonly string[] } | null>;
  /** ONE transaction: counter deltas added, order results inserted once, findings, live windows, the position. */
  saveCheckpoint(checkpoint: ShadowCheckpoint): Promise<unknown>;
  running(): Promise<readonly RunningSessionRecord[]>;
  /** candidate IS − live IS per scored order. */
  isDeltas(sessionId: string, model: string, version: number): Promise<number[]>;
  complete(sessionId: string, completion: ShadowCompletion): Promise<boolean>;
}

export interface ShadowRunnerOptions {
  readonly durable: string;
  readonly execution: LiveExecutionConfig;
  /** ns of event time per metric window (default 60 s). */
  readonly windowNs?: number;
  /**
   * A checkpoint (a database transaction, the candidates' hypothetical episodes, then the ack) is taken after
   * this many events (default 20,000; under NATS's max_ack_pending of 50,000) or `checkpointIntervalMs` of
   * processing (default 1,000), whichever comes first. Fewer checkpoints cost less; more bound the re-work after
   * a crash.
   */
  readonly checkpointEvery?: number;
  readonly checkpointIntervalMs?: number;
  /**
   * Done orders' hypothetical episodes are scored at the first checkpoint after the oldest has waited this long
   * (ms of processing; default 10,000), or 1,000 are waiting, and at the end of a run: each scoring replays the
   * day from the open, so batching them keeps the stalls rare. Results (and completions) lag by as much.
   */
  readonly scoreIntervalMs?: number;
  /** Rows per batched inference (default 256). */
  readonly maxBatchRows?: number;
  readonly clockNs: () => number;
  /** Called after every checkpoint (metrics, logs, tests); `lag` is sampled at most once a second, else null. */
  readonly onCheckpoint?: (info: { readonly position: number; readonly lag: LiveFlowLag | null; readonly sessions: number; readonly ordersInFlight: number; readonly durationNs: number }) => void;
  readonly onSessionCompleted?: (sessionId: string, verdicts: Readonly<Record<string, CandidateVerdict>>) => void;
}

const key = (s: { model: string; version: number }): string => `${s.model}@${s.version}`;

/** ns between lag samples. */
const LAG_SAMPLE_NS = 1_000_000_000;

/**
 * The shadow runner's loop: consumes the live flow under one durable name, scores it (ShadowScorer) for
 * every Running session, and every `checkpointEvery` events persists what it counted — in one database
 * transaction with its position — and only then acks the flow. Restarted, it re-reads from the stored rewind
 * position to the stored position without counting (rebuilding books and orders in flight), then counts on:
 * no gap, no double count, whatever the transport's own ack position says.
 */
export class ShadowRunner {
  private scorer: ShadowScorer | null = null;
  private readonly sessionState = new Map<string, { first: number }>();
  private readonly lock = new Semaphore(1);
  private lagSampledNs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: ShadowRunnerStore,
    private readonly consumer: LiveFlowConsumer,
    private readonly reader: LiveFlowReader,
    private readonly resolveVersion: VersionResolver,
    private readonly options: ShadowRunnerOptions,
  ) {}

  /** Consumes until the signal (follow) or the end of the stream (follow: false), checkpointing as it goes. */
  async run(options: { readonly follow?: boolean; readonly signal?: AbortSignal } = {}): Promise<{ readonly position: number }> {
    const saved = await this.store.checkpoint(this.options.durable);
    const counted = saved?.position ?? 0;
    const scorer = new ShadowScorer(
      {
        durable: this.options.durable,
        execution: this.options.execution,
        windowNs: this.options.windowNs ?? 60_000_000_000,
        maxBatchRows: this.options.maxBatchRows ?? 256,
        examplesPerKind: 20,
        clockNs: this.options.clockNs,
        scoreIntervalMs: this.options.scoreIntervalMs ?? 10_000,
        maxPendingScores: 1000,
      },
      this.resolveVersion,
      counted,
    );
    this.scorer = scorer;
    await this.refreshSessions(counted + 1);
    // Warm-up: rebuild the books and orders in flight from the rewind position, counting nothing.
    let warmedThrough = 0;
    scorer.resumePending(saved?.pendingOrders ?? []);
    if (saved && saved.rewindPosition > 0 && saved.rewindPosition <= counted) {
      await this.reader.read(saved.rewindPosition, counted, (d) => this.feed(d));
      warmedThrough = counted;
    }
    const every = this.options.checkpointEvery ?? 20_000;
    const intervalNs = (this.options.checkpointIntervalMs ?? 1000) * 1e6;
    let since = 0;
    let lastNs = this.options.clockNs();
    let last: LiveDelivery | null = null;
    await this.consumer.consume(
      async (delivery) => {
        last = delivery;
        // The transport may resume before the database's position (a crash between the two): already warmed.
        if (delivery.position <= warmedThrough) return;
        await this.feed(delivery);
        if (++since >= every || ((since & 0xff) === 0 && this.options.clockNs() - lastNs >= intervalNs)) {
          since = 0;
          await this.checkpoint();
          await delivery.ack();
          lastNs = this.options.clockNs();
        }
      },
      { follow: options.follow ?? true, ...(options.signal ? { signal: options.signal } : {}) },
    );
    await this.checkpoint({ scoreAll: true });
    // The database holds the position now; acking the tail only spares a restart re-reading it.
    await (last as LiveDelivery | null)?.ack().catch(() => undefined);
    return { position: scorer.countedPosition };
  }

  /**
   * A checkpoint outside the event path (a timer while the flow is idle: picks up new and stopped sessions).
   * Never interleaves with an event: skipped while one is being fed, and the next event waits for it.
   */
  async tick(): Promise<void> {
    if (!this.scorer || this.feeding || this.ticking) return;
    this.ticking = this.checkpoint().finally(() => {
      this.ticking = null;
    });
    await this.ticking;
  }

  private feeding = false;
  private ticking: Promise<void> | null = null;

  private async feed(delivery: LiveReadDelivery): Promise<void> {
    if (this.ticking) await this.ticking;
    const scorer = this.scorer as ShadowScorer;
    this.feeding = true;
    try {
      if (delivery.decoded.ok) await scorer.handle(delivery.position, delivery.decoded.event);
      else scorer.malformed(delivery.position, delivery.decoded.reason, delivery.decoded.id ?? null);
    } finally {
      this.feeding = false;
    }
  }

  private async checkpoint(options: { readonly scoreAll?: boolean } = {}): Promise<void> {
    await this.lock.run(async () => {
      const startedNs = this.options.clockNs();
      const scorer = this.scorer as ShadowScorer;
      const checkpoint = await scorer.checkpoint(options);
      const sessions = checkpoint.sessions.map((s) => ({
        id: s.id,
        totals: { ...s.totals, firstPosition: this.sessionState.get(s.id)?.first ?? 0 },
      }));
      await this.store.saveCheckpoint({ ...checkpoint, sessions });
      await this.refreshSessions(checkpoint.position + 1);
      // Lag costs a read of the stream's tail (file) or a JetStream request: sampled at most once a second.
      const now = this.options.clockNs();
      let lag: LiveFlowLag | null = null;
      if (now - this.lagSampledNs >= LAG_SAMPLE_NS) {
        this.lagSampledNs = now;
        lag = await this.consumer.lag().catch(() => null);
      }
      this.options.onCheckpoint?.({
        position: checkpoint.position,
        lag,
        sessions: this.sessionState.size,
        ordersInFlight: scorer.ordersInFlight,
        durationNs: this.options.clockNs() - startedNs,
      });
    });
  }

  /** Loads Running sessions, finalises the stopped and the complete ones, and hands the rest to the scorer. */
  private async refreshSessions(nextPosition: number): Promise<void> {
    const scorer = this.scorer as ShadowScorer;
    const records = await this.store.running();
    const active: ScoredSession[] = [];
    for (const record of records) {
      const state = this.sessionState.get(record.id) ?? { first: record.totals?.firstPosition || nextPosition };
      this.sessionState.set(record.id, state);
      const done =
        record.stopRequested ||
        record.candidates.every((c) => (record.totals?.candidates[key(c)]?.orders ?? 0) >= record.policy.orders);
      if (done) {
        await this.finalise(record);
        this.sessionState.delete(record.id);
        continue;
      }
      const candidates: LoadedVersion[] = [];
      let failure: string | null = null;
      for (const subject of record.candidates) {
        const loaded = await this.resolveVersion(subject.model, subject.version).catch((e: unknown) => {
          failure = `cannot load ${key(subject)}: ${e instanceof Error ? e.message : String(e)}`;
          return null;
        });
        if (!loaded) {
          failure ??= `${key(subject)} is not registered`;
          break;
        }
        candidates.push(loaded);
      }
      if (failure !== null) {
        await this.store.complete(record.id, { phase: 'Failed', verdicts: null, failure });
        this.sessionState.delete(record.id);
        continue;
      }
      active.push({
        id: record.id,
        deployment: record.deployment,
        policy: record.policy,
        candidates,
        instruments: record.instruments ? new Set(record.instruments) : null,
        firstPosition: state.first,
      });
    }
    scorer.setSessions(active);
  }

  private async finalise(record: RunningSessionRecord): Promise<void> {
    const live = emptyShadowCounters();
    for (const c of Object.values(record.totals?.live ?? {})) {
      live.decisions += c.decisions;
      live.skewFindings += c.skewFindings;
    }
    const verdicts: Record<string, CandidateVerdict> = {};
    for (const subject of record.candidates) {
      const counters: ShadowCounters = record.totals?.candidates[key(subject)] ?? emptyShadowCounters();
      const deltas = await this.store.isDeltas(record.id, subject.model, subject.version);
      verdicts[key(subject)] = shadowVerdict(record.policy, counters, live, deltas);
    }
    const phase = record.stopRequested ? 'Stopped' : 'Completed';
    const evidence = {
      schema: 'airlock.shadow-evidence/1',
      session: record.id,
      deployment: record.deployment,
      phase,
      policy: record.policy,
      candidates: record.candidates,
      totals: record.totals,
      verdicts,
    };
    await this.store.complete(record.id, { phase, verdicts, failure: null, evidence: new TextEncoder().encode(`${JSON.stringify(evidence, null, 2)}\n`) });
    this.options.onSessionCompleted?.(record.id, verdicts);
  }
}
