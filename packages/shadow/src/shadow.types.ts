import type { LiveCounters } from '@airlock/core';

export { emptyLiveCounters, type LiveCounters } from '@airlock/core';

/**
 * Shapes shared by the shadow runner (scoring, checkpoints), its persistence and the HTTP API (docs/shadow.md).
 * Units: time in integer ns after local midnight of `session` (the live-flow clock), IS in basis points of the
 * arrival mid (positive = cost), latency in ns.
 */

/** A model version a session scores, with the artifact it was registered with. */
export interface ShadowSubject {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
}

/**
 * The gates that turn a session's evidence into a verdict (same semantics as validation: @airlock/core
 * analysis, one measurement per gate; missing data never passes). Defaults: DEFAULT_SHADOW_POLICY.
 */
export interface ShadowPolicy {
  /** Scored parent orders per candidate after which the session completes by itself. */
  readonly orders: number;
  /** Fewer scored orders than this at the verdict → Inconclusive (needs-review). */
  readonly minOrders: number;
  /** Non-inferiority margin: mean(candidate IS − live IS) per order, bps, 95% bootstrap CI must be ≤ this. */
  readonly maxIsDeltaBps: number;
  /** Invalid outputs (NaN, ±∞, out of [0, 1], a throwing model) per decision, at most. */
  readonly maxInvalidOutputRate: number;
  /** p99 of the candidate's inference time per decision batch (one ONNX run for every order deciding), ms, at most. */
  readonly maxLatencyP99Ms: number;
  /** Skew findings (live model recomputed from the flow disagrees) per live decision, at most. */
  readonly maxSkewRate: number;
  /** |Δ| on any feature (absolute, or relative to |published| when larger than 1) counted as skew. */
  readonly featureTolerance: number;
  /** |Δ| on any action counted as skew (recomputed live decision) or as a divergent candidate decision. */
  readonly actionTolerance: number;
}

export const DEFAULT_SHADOW_POLICY: ShadowPolicy = {
  orders: 200,
  minOrders: 30,
  maxIsDeltaBps: 1,
  maxInvalidOutputRate: 0.001,
  maxLatencyP99Ms: 5,
  maxSkewRate: 0,
  featureTolerance: 1e-4,
  actionTolerance: 1e-4,
};

export type ShadowPhase = 'Running' | 'Completed' | 'Stopped' | 'Failed';
export type ShadowVerdict = 'shadow-passed' | 'shadow-failed' | 'needs-review';

/** Latency histogram: counts per bucket, bucket b covering [2^(b/4), 2^((b+1)/4)) ns (LATENCY_BUCKETS of them). */
export const LATENCY_BUCKETS = 160;

/** Additive counters: a window's, a session total's (sum of windows), per subject (a candidate or the live model). */
export interface ShadowCounters {
  /** Live decision points the subject was evaluated at (for the live model: decisions seen). */
  decisions: number;
  /** Candidate only: decisions whose actions differ from the live model's by more than actionTolerance. */
  divergentDecisions: number;
  /** Σ |candidate − live| participation and aggression over decisions. */
  sumAbsParticipationDelta: number;
  sumAbsAggressionDelta: number;
  /** Outputs that were NaN/±∞/outside [0, 1], or rows of a batch whose inference threw. */
  invalidOutputs: number;
  /** Live model only: decisions whose recomputation disagreed (features or actions) beyond tolerance. */
  skewFindings: number;
  /** Parent orders scored (hypothetical episode and realised IS both measured). */
  orders: number;
  /** Σ IS bps: the subject's (hypothetical for a candidate, realised for the live model) and, for a candidate, Σ (cand − live) and its square. */
  sumIsBps: number;
  sumIsDeltaBps: number;
  sumSqIsDeltaBps: number;
  /** Shares filled and ordered over scored orders (fill ratio = filled / ordered). */
  filledShares: number;
  orderedShares: number;
  /** Inference batches timed, and the histogram of their durations (ns per batch). */
  batches: number;
  latencyHistogram: number[];
}

/** A persisted metric window: one subject's counters over [windowStartNs, windowStartNs + windowNs) of one session date. */
export interface ShadowWindowRow {
  readonly sessionId: string;
  readonly model: string;
  readonly version: number;
  /** 'candidate' or 'live' (the live model the flow's decisions name). */
  readonly role: 'candidate' | 'live';
  /** Trading date YYYY-MM-DD. */
  readonly date: string;
  readonly windowStartNs: number;
  readonly windowNs: number;
  /** Cumulative for this window (an upsert replaces it). */
  readonly counters: ShadowCounters;
}

/** One scored parent order of one candidate: the paired evidence behind the IS gate (insert-once: no double count). */
export interface ShadowOrderResultRow {
  readonly sessionId: string;
  readonly model: string;
  readonly version: number;
  readonly orderId: string;
  readonly instrument: string;
  readonly date: string;
  readonly liveIsBps: number;
  readonly candidateIsBps: number;
  readonly liveFilled: number;
  readonly candidateFilled: number;
  readonly quantity: number;
}

export const FINDING_KINDS = [
  'malformed',
  'out-of-order',
  'duplicate',
  'sequence-gap',
  'unknown-instrument',
  'unknown-order',
  'unknown-version',
  'candidate-error',
  'invalid-output',
  'feature-skew',
  'decision-skew',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A bad input or a skew, recorded with its reason; the session goes on. */
export interface ShadowFindingRow {
  readonly sessionId: string;
  readonly kind: FindingKind;
  /** Stream position of the event (0 when not tied to one). */
  readonly position: number;
  readonly eventId: string | null;
  readonly reason: string;
  /** An example: the offending values (bounded, JSON). */
  readonly example: unknown;
}

/** Per-version live metrics (stable vs canary) from the flow itself, for the rollout gates (issue #6). */
export interface LiveMetricWindowRow {
  readonly deployment: string;
  readonly model: string;
  readonly version: number;
  readonly date: string;
  readonly windowStartNs: number;
  readonly windowNs: number;
  readonly counters: LiveCounters;
}

/** A session's running totals (sum of its windows), by subject key `model@version`. */
export interface ShadowSessionTotals {
  readonly candidates: Record<string, ShadowCounters>;
  readonly live: Record<string, ShadowCounters>;
  /** Findings by kind (all of them, though only the first few examples per kind are stored). */
  readonly findings: Partial<Record<FindingKind, number>>;
  /** Stream positions: first processed for this session and last counted. */
  readonly firstPosition: number;
  readonly lastPosition: number;
}

/** Everything the runner persists in ONE transaction before it acks `position` on the live flow. */
export interface ShadowCheckpoint {
  /** The runner's durable consumer name. */
  readonly durable: string;
  /** Last counted position: every event ≤ it is in the counters below. */
  readonly position: number;
  /** First position to re-read (warm-up, not counted) to rebuild books and orders in flight after a restart. */
  readonly rewindPosition: number;
  /** Orders done by `position` whose candidates' hypothetical episodes are not scored yet (scoring is batched). */
  readonly pendingOrders: readonly string[];
  readonly sessions: readonly { readonly id: string; readonly totals: ShadowSessionTotals }[];
  readonly windows: readonly ShadowWindowRow[];
  readonly orderResults: readonly ShadowOrderResultRow[];
  readonly findings: readonly ShadowFindingRow[];
  readonly liveWindows: readonly LiveMetricWindowRow[];
}

export const emptyShadowCounters = (): ShadowCounters => ({
  decisions: 0,
  divergentDecisions: 0,
  sumAbsParticipationDelta: 0,
  sumAbsAggressionDelta: 0,
  invalidOutputs: 0,
  skewFindings: 0,
  orders: 0,
  sumIsBps: 0,
  sumIsDeltaBps: 0,
  sumSqIsDeltaBps: 0,
  filledShares: 0,
  orderedShares: 0,
  batches: 0,
  latencyHistogram: new Array<number>(LATENCY_BUCKETS).fill(0),
});

/** Adds `b` into `a` (same shape). */
export function addShadowCounters(a: ShadowCounters, b: ShadowCounters): void {
  a.decisions += b.decisions;
  a.divergentDecisions += b.divergentDecisions;
  a.sumAbsParticipationDelta += b.sumAbsParticipationDelta;
  a.sumAbsAggressionDelta += b.sumAbsAggressionDelta;
  a.invalidOutputs += b.invalidOutputs;
  a.skewFindings += b.skewFindings;
  a.orders += b.orders;
  a.sumIsBps += b.sumIsBps;
  a.sumIsDeltaBps += b.sumIsDeltaBps;
  a.sumSqIsDeltaBps += b.sumSqIsDeltaBps;
  a.filledShares += b.filledShares;
  a.orderedShares += b.orderedShares;
  a.batches += b.batches;
  for (let i = 0; i < LATENCY_BUCKETS; i++) a.latencyHistogram[i] = (a.latencyHistogram[i] ?? 0) + (b.latencyHistogram[i] ?? 0);
}

export const latencyBucket = (ns: number): number => Math.max(0, Math.min(LATENCY_BUCKETS - 1, Math.floor(Math.log2(Math.max(1, ns)) * 4)));

/** The q-quantile (0..1) of a latency histogram, ns (the upper edge of its bucket); null when empty. */
export function latencyQuantileNs(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((s, c) => s + c, 0);
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    seen += histogram[b] ?? 0;
    if (seen >= rank) return Math.round(2 ** ((b + 1) / 4));
  }
  return Math.round(2 ** (histogram.length / 4));
}
