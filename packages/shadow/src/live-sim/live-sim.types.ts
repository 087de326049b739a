import type { BatchPolicy, RoutingTable, VersionRef } from '@airlock/core';
import type { LiveEventType, LiveFlowPublisher, OrderOutcome, ReplayClock } from '@airlock/live-flow';
import type { MarketDay, ParentOrder } from '@airlock/sim';
import type { LiveExecutionOverrides } from '../live-execution.js';

/** What the simulator needs of a routing table: the fields routeParentOrder reads, and the revision (ETag). */
export type LiveSimRoutingTable = Pick<RoutingTable, 'stable' | 'canary' | 'canaryWeight' | 'halted' | 'revision'>;

/** A deliberate training/serving skew: the live side adds `add` to this feature column before its policy sees it. */
export interface LiveSimSkew {
  readonly feature: string;
  readonly add: number;
}

export interface LiveSimProgress {
  /** Event time of the last published event, ns after midnight. */
  readonly eventTimeNs: number;
  /** Events handed to the publisher so far (stored + duplicates). */
  readonly published: number;
  readonly stored: number;
  readonly duplicates: number;
  /** Waves of orders routed so far, of `waves`. */
  readonly wave: number;
  readonly waves: number;
  readonly ordersRouted: number;
  readonly ordersTotal: number;
}

export interface LiveSimOptions {
  /** The market day to replay (LOBSTER or synthetic). */
  readonly day: MarketDay;
  /** Parent orders; default: `orderCount` generated from `seed` (ids `o<seed>-0001`, …). */
  readonly orders?: readonly ParentOrder[];
  /** Orders generated when `orders` is absent; default 200. */
  readonly orderCount?: number;
  /** Seed of the generated orders; default 1. */
  readonly seed?: number;
  /** Port: the deployment's current routing table (the CLI: GET /v1/deployments/{name}/routing with ETag caching). */
  readonly routing: () => Promise<LiveSimRoutingTable>;
  /**
   * Port: the policy of a routed version (the CLI: artifact and manifest from the API, sha256 verified). Called
   * once per version per run. A rejection fails only that version's orders (done "rejected").
   */
  readonly policyFor: (ref: VersionRef) => Promise<BatchPolicy>;
  readonly publisher: LiveFlowPublisher;
  /** Deployment (routing slot) named by every decision event. */
  readonly deployment: string;
  /** 'max' (default): as fast as possible; N: N× event time. */
  readonly speed?: 'max' | number;
  /** Event time per wave of orders; routing is re-read at the start of each wave. Default 5 minutes. */
  readonly waveNs?: number;
  /** Book levels per side published (and replayed); default 10. */
  readonly levels?: number;
  /** Pacing clock (sleep/now); default the system clock. Never read when speed is 'max' except for the duration. */
  readonly clock?: ReplayClock;
  /** Events per publish call; default 1000. */
  readonly batchSize?: number;
  readonly skew?: LiveSimSkew;
  /** Engine settings (decision interval, latency, curve window): the shadow runner must use the same. */
  readonly execution?: LiveExecutionOverrides;
  readonly onProgress?: (progress: LiveSimProgress) => void;
  /** Stops after the current publish call; the summary then says `aborted: true`. */
  readonly signal?: AbortSignal;
}

export type RouteSlot = 'stable' | 'canary' | 'halted';

export interface LiveSimFailure {
  readonly orderId: string;
  /** `model@version`, or null for a halted route. */
  readonly version: string | null;
  readonly reason: string;
}

export interface LiveSimSummary {
  readonly instrument: string;
  readonly session: string;
  readonly deployment: string;
  /** Stream name of the publisher. */
  readonly stream: string;
  readonly events: {
    /** Events handed to the publisher. */
    readonly published: number;
    /** Newly stored; the rest were duplicates (a re-run stores nothing new). */
    readonly stored: number;
    readonly duplicates: number;
    readonly byType: Readonly<Partial<Record<LiveEventType, number>>>;
  };
  readonly orders: {
    readonly total: number;
    readonly bySlot: Readonly<Record<RouteSlot, number>>;
    /** By `model@version`. */
    readonly byVersion: Readonly<Record<string, number>>;
    readonly byOutcome: Readonly<Partial<Record<OrderOutcome, number>>>;
  };
  readonly waves: number;
  /** The routing revision read at each wave. */
  readonly routingRevisions: readonly number[];
  /** Decisions not published because a feature or an action was not finite (their episode failed). */
  readonly skippedDecisions: number;
  /** Orders done "rejected" (halted route, policy that failed to load or failed its episode). */
  readonly failures: readonly LiveSimFailure[];
  /** Event time covered, ns after midnight. */
  readonly eventTimeNs: { readonly from: number; readonly to: number };
  /** Wall time of the run, ms (from the clock). */
  readonly durationMs: number;
  readonly aborted: boolean;
}
