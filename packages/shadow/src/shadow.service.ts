import { randomUUID } from 'node:crypto';
import type { ArtifactStore } from '@airlock/artifact-store';
import {
  DEPLOYMENT_NAME_PATTERN,
  DomainError,
  MODEL_NAME_PATTERN,
  actorOf,
  type FieldProblem,
  type ModelVersion,
  type Principal,
  type VersionStatus,
} from '@airlock/core';
import { INSTRUMENT_PATTERN } from '@airlock/live-flow';
import type { Database, ShadowRunnerCheckpoint, ShadowSession, StoredShadowFinding, UnitOfWork } from '@airlock/persistence';
import {
  DEFAULT_SHADOW_POLICY,
  FINDING_KINDS,
  emptyShadowCounters,
  latencyQuantileNs,
  type FindingKind,
  type ShadowCheckpoint,
  type ShadowCounters,
  type ShadowPhase,
  type ShadowPolicy,
  type ShadowSessionTotals,
  type ShadowSubject,
  type ShadowVerdict,
} from './shadow.types.js';

export const SHADOW_PHASES: readonly ShadowPhase[] = ['Running', 'Completed', 'Stopped', 'Failed'];
export const SHADOW_VERDICTS: readonly ShadowVerdict[] = ['shadow-passed', 'shadow-failed', 'needs-review'];
/** Candidates per session, at most. */
export const MAX_SHADOW_CANDIDATES = 8;
/** Instruments a session may name, at most. */
export const MAX_SHADOW_INSTRUMENTS = 1000;
/** Finding examples shown per kind in a session's view. */
export const FINDING_EXAMPLES_PER_KIND = 5;

/** Versions in these statuses may not be shadowed (409 CONFLICT). */
const UNSHADOWABLE: ReadonlySet<VersionStatus> = new Set(['rejected', 'retired']);
/**
 * Statuses a shadow verdict may move a version from. A version that has moved on meanwhile (a new validation
 * running, rejected, approved, canary, champion, retired) keeps its status; the completion's audit event says so.
 */
const STATUSES_SHADOW_MAY_SET: ReadonlySet<VersionStatus> = new Set(['registered', 'validated', 'needs-review', 'shadow-passed', 'shadow-failed']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const shadowSubject = (id: string) => `shadow:${id}`;
/** The key of a subject in totals and verdicts. */
export const subjectKey = (s: { readonly model: string; readonly version: number }) => `${s.model}@${s.version}`;

/** The accepted range of every policy field (inclusive unless noted); integers where `integer`. */
const POLICY_RANGES: Record<keyof ShadowPolicy, { min: number; max: number; integer?: boolean; minExclusive?: boolean }> = {
  orders: { min: 1, max: 1_000_000, integer: true },
  minOrders: { min: 1, max: 1_000_000, integer: true },
  maxIsDeltaBps: { min: -1000, max: 1000 },
  maxInvalidOutputRate: { min: 0, max: 1 },
  maxLatencyP99Ms: { min: 0, max: 60_000, minExclusive: true },
  maxSkewRate: { min: 0, max: 1 },
  featureTolerance: { min: 0, max: 1_000_000 },
  actionTolerance: { min: 0, max: 1 },
};

export interface ShadowStartRequest {
  readonly model: string;
  /** Version numbers of `model`: 1–8, distinct. */
  readonly candidates: readonly number[];
  readonly deployment: string;
  /** Overrides of DEFAULT_SHADOW_POLICY. */
  readonly policy?: Partial<ShadowPolicy>;
  /** Score only these instruments of the flow (default: all). */
  readonly instruments?: readonly string[];
}

/**
 * One gate behind a verdict (the analysis of @airlock/core: one measurement per gate). Structural: the runner's
 * gate results (with `interval`, `samples`, `dryRun`) are stored as they come; views add `lower`/`upper`.
 */
export interface ShadowGate {
  readonly name: string;
  readonly phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  readonly value: number | null;
  readonly lower?: number | null;
  readonly upper?: number | null;
  readonly interval?: readonly [number, number] | null;
  readonly samples?: number;
  /** e.g. `<= 1` */
  readonly condition: string;
  readonly message: string;
  readonly dryRun?: boolean;
}

export interface ShadowCandidateVerdict {
  readonly verdict: ShadowVerdict;
  readonly gates: readonly ShadowGate[];
}

/** What the runner reports when it ends a session. */
export interface ShadowCompletion {
  /** Completed, Stopped or Failed. */
  readonly phase: ShadowPhase;
  /** By candidate `model@version`; a candidate without an entry keeps its status. */
  readonly verdicts: Readonly<Record<string, ShadowCandidateVerdict>> | null;
  /** The evidence document; stored in the artifact store, its sha256 on the session. */
  readonly evidence?: Uint8Array;
  /** Why the session failed (phase Failed). */
  readonly failure?: string | null;
}

/** A session as the runner reads it. */
export interface ShadowSessionRecord {
  readonly id: string;
  readonly model: string;
  readonly deployment: string;
  readonly candidates: readonly ShadowSubject[];
  readonly policy: ShadowPolicy;
  readonly instruments: readonly string[] | null;
  readonly phase: ShadowPhase;
  readonly verdicts: Readonly<Record<string, ShadowCandidateVerdict>> | null;
  readonly totals: ShadowSessionTotals;
  /** Whether a stop was requested (by `stopRequestedBy`): the runner ends the session as Stopped. */
  readonly stopRequested: boolean;
  readonly stopRequestedBy: string | null;
  readonly evidenceSha256: string | null;
  readonly failure: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

/** A gate as views show it: the interval as `lower`/`upper` (null without one). */
export type ShadowGateView = ShadowGate & { readonly lower: number | null; readonly upper: number | null };

export interface ShadowCandidateMetrics {
  readonly decisions: number;
  readonly divergentDecisions: number;
  readonly divergenceRate: number | null;
  readonly meanAbsParticipationDelta: number | null;
  readonly orders: number;
  readonly meanCandidateIsBps: number | null;
  readonly meanLiveIsBps: number | null;
  readonly meanIsDeltaBps: number | null;
  readonly invalidOutputs: number;
  readonly invalidOutputRate: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP99Ms: number | null;
  readonly fillRatio: number | null;
}

export interface ShadowFindingExample {
  readonly position: number;
  readonly eventId: string | null;
  readonly reason: string;
  readonly example: unknown;
  readonly at: string;
}

export interface ShadowSessionView {
  readonly id: string;
  readonly model: string;
  readonly deployment: string;
  readonly phase: ShadowPhase;
  readonly policy: ShadowPolicy;
  readonly instruments: readonly string[] | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly completedAt: string | null;
  /** Seconds from creation to completion (or to now while Running). */
  readonly durationSeconds: number;
  readonly stopRequestedBy: string | null;
  readonly failure: string | null;
  readonly candidates: readonly {
    readonly model: string;
    readonly version: number;
    readonly sha256: string;
    readonly metrics: ShadowCandidateMetrics;
    readonly verdict: ShadowVerdict | null;
    readonly gates: readonly ShadowGateView[];
  }[];
  readonly live: readonly {
    readonly model: string;
    readonly version: number;
    readonly metrics: { readonly decisions: number; readonly skewFindings: number; readonly orders: number; readonly meanIsBps: number | null };
  }[];
  /** `examples` (the first few per kind, stream order) only on a single session's view, not in lists. */
  readonly findings: { readonly byKind: Partial<Record<FindingKind, number>>; readonly examples?: Partial<Record<FindingKind, ShadowFindingExample[]>> };
  readonly evidence: { readonly sha256: string } | null;
}

export interface ShadowListQuery {
  readonly model?: string;
  readonly phase?: ShadowPhase;
  readonly limit: number;
  readonly after?: string;
}

export const emptyShadowTotals = (): ShadowSessionTotals => ({ candidates: {}, live: {}, findings: {}, firstPosition: 0, lastPosition: 0 });

/** a / b, or null when there is nothing to divide by (never NaN or ±∞). */
const ratio = (a: number, b: number): number | null => {
  const value = a / b;
  return b > 0 && Number.isFinite(value) ? value : null;
};
const finite = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const nsToMs = (ns: number | null): number | null => (ns === null ? null : ns / 1e6);

/** Counters as stored (possibly partial, e.g. written before a field existed) → complete, finite counters. */
function countersOf(stored: Partial<ShadowCounters> | undefined): ShadowCounters {
  const c = emptyShadowCounters();
  if (!stored) return c;
  for (const key of Object.keys(c) as (keyof ShadowCounters)[]) {
    if (key === 'latencyHistogram') continue;
    (c as unknown as Record<string, number>)[key] = finite(stored[key]);
  }
  const histogram = Array.isArray(stored.latencyHistogram) ? stored.latencyHistogram : [];
  c.latencyHistogram = c.latencyHistogram.map((_, i) => finite(histogram[i]));
  return c;
}

export function candidateMetrics(stored: Partial<ShadowCounters> | undefined): ShadowCandidateMetrics {
  const c = countersOf(stored);
  return {
    decisions: c.decisions,
    divergentDecisions: c.divergentDecisions,
    divergenceRate: ratio(c.divergentDecisions, c.decisions),
    meanAbsParticipationDelta: ratio(c.sumAbsParticipationDelta, c.decisions),
    orders: c.orders,
    meanCandidateIsBps: ratio(c.sumIsBps, c.orders),
    // The candidate's Σ IS minus Σ (candidate − live) is the live model's Σ IS over the same orders.
    meanLiveIsBps: ratio(c.sumIsBps - c.sumIsDeltaBps, c.orders),
    meanIsDeltaBps: ratio(c.sumIsDeltaBps, c.orders),
    invalidOutputs: c.invalidOutputs,
    invalidOutputRate: ratio(c.invalidOutputs, c.decisions),
    latencyP50Ms: nsToMs(latencyQuantileNs(c.latencyHistogram, 0.5)),
    latencyP99Ms: nsToMs(latencyQuantileNs(c.latencyHistogram, 0.99)),
    fillRatio: ratio(c.filledShares, c.orderedShares),
  };
}

const parseSubjectKey = (key: string): { model: string; version: number } => {
  const at = key.lastIndexOf('@');
  return { model: key.slice(0, at), version: Number(key.slice(at + 1)) };
};

export const toShadowSessionRecord = (session: ShadowSession): ShadowSessionRecord => ({
  ...session,
  candidates: session.candidates,
  policy: { ...DEFAULT_SHADOW_POLICY, ...(session.policy as Partial<ShadowPolicy>) },
  totals: { ...emptyShadowTotals(), ...(session.totals as Partial<ShadowSessionTotals>) },
  verdicts: session.verdicts as Record<string, ShadowCandidateVerdict> | null,
  stopRequested: session.stopRequestedBy !== null,
});

const gateView = (g: ShadowGate): ShadowGateView => ({ ...g, lower: g.lower ?? g.interval?.[0] ?? null, upper: g.upper ?? g.interval?.[1] ?? null });

/**
 * Shadow sessions (issue #5, docs/shadow.md): started and stopped over the API, scored and completed by the shadow
 * runner. Every change is audited in the transaction that makes it.
 */
export class ShadowService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    /** Where completion evidence goes; needed only by the runner's complete(). */
    private readonly store?: ArtifactStore,
  ) {}

  /**
   * Starts a session. Refusals, in order: VALIDATION_FAILED (every offending field), NOT_FOUND (model, versions,
   * deployment), CONFLICT (a candidate that is rejected or retired).
   */
  async start(actor: Principal, input: ShadowStartRequest): Promise<ShadowSessionView> {
    const policy = resolvePolicy(input);
    return this.db.transaction(async (uow) => {
      const model = await uow.models.findByName(input.model);
      if (!model) throw new DomainError('NOT_FOUND', `model "${input.model}" not found`);
      const versions: ModelVersion[] = [];
      const missing: number[] = [];
      for (const number of input.candidates) {
        const version = await uow.versions.find(model, number);
        if (version) versions.push(version);
        else missing.push(number);
      }
      if (missing.length > 0) throw new DomainError('NOT_FOUND', `${model.name} has no version ${missing.join(', ')}`, { versions: missing });
      if (!(await uow.deployments.find(input.deployment))) throw new DomainError('NOT_FOUND', `deployment "${input.deployment}" not found`);
      const refused = versions.filter((v) => UNSHADOWABLE.has(v.status));
      if (refused.length > 0) {
        throw new DomainError(
          'CONFLICT',
          `${refused.map((v) => `${model.name}@${v.version} is "${v.status}"`).join('; ')}: a rejected or retired version cannot be shadowed; register a new version`,
          { versions: refused.map((v) => ({ version: v.version, status: v.status })) },
        );
      }
      const session: ShadowSession = {
        id: randomUUID(),
        model: model.name,
        deployment: input.deployment,
        candidates: versions.map((v) => ({ model: model.name, version: v.version, sha256: v.sha256 })),
        policy,
        instruments: input.instruments ? [...input.instruments] : null,
        phase: 'Running',
        verdicts: null,
        totals: emptyShadowTotals(),
        stopRequestedBy: null,
        evidenceSha256: null,
        failure: null,
        createdBy: actorOf(actor),
        createdAt: uow.at,
        completedAt: null,
      };
      await uow.shadows.createSession(session);
      await uow.audit(actor, 'shadow.started', shadowSubject(session.id), {
        model: session.model,
        deployment: session.deployment,
        candidates: session.candidates,
        policy,
        instruments: session.instruments,
      });
      return this.view(toShadowSessionRecord(session), []);
    });
  }

  async get(id: string): Promise<ShadowSessionView> {
    const session = await this.find(id);
    return this.view(session, await this.db.read.shadows.firstFindingsPerKind(session.id, FINDING_EXAMPLES_PER_KIND));
  }

  /** Oldest first; views without finding examples. */
  async list(query: ShadowListQuery): Promise<ShadowSessionView[]> {
    const after = query.after !== undefined && UUID.test(query.after) ? query.after : undefined;
    const sessions = await this.db.read.shadows.listSessions({ ...query, after });
    return sessions.map((s) => this.view(toShadowSessionRecord(s), null));
  }

  /** Asks the runner to stop a Running session (it ends it as Stopped). CONFLICT when not Running or asked already. */
  async stop(actor: Principal, id: string): Promise<ShadowSessionView> {
    await this.find(id);
    await this.db.transaction(async (uow) => {
      if (!(await uow.shadows.requestStop(id, actorOf(actor)))) {
        const current = await uow.shadows.findSession(id);
        if (!current) throw new DomainError('NOT_FOUND', `shadow session "${id}" not found`);
        throw new DomainError(
          'CONFLICT',
          current.phase !== 'Running' ? `the session is ${current.phase}: nothing to stop` : `a stop was requested already (by ${current.stopRequestedBy ?? '?'})`,
          { phase: current.phase, stopRequestedBy: current.stopRequestedBy },
        );
      }
      await uow.audit(actor, 'shadow.stop-requested', shadowSubject(id), {});
    });
    return this.get(id);
  }

  // ---- the runner's side -------------------------------------------------------------------------------------

  /** Sessions to score (those with a stop request included: the runner ends them). */
  async running(): Promise<ShadowSessionRecord[]> {
    return (await this.db.read.shadows.listRunning()).map(toShadowSessionRecord);
  }

  async session(id: string): Promise<ShadowSessionRecord | null> {
    const found = UUID.test(id) ? await this.db.read.shadows.findSession(id) : null;
    return found ? toShadowSessionRecord(found) : null;
  }

  /** candidate IS − live IS of every scored order of one candidate (the IS gate's paired sample). */
  async isDeltas(sessionId: string, model: string, version: number): Promise<number[]> {
    return (await this.db.read.shadows.listOrderResults(sessionId, model, version)).map((r) => r.candidateIsBps - r.liveIsBps);
  }

  checkpoint(durable: string): Promise<ShadowRunnerCheckpoint | null> {
    return this.db.read.shadows.findCheckpoint(durable);
  }

  /** Persists a checkpoint in one transaction (see ShadowRepository.saveCheckpoint); ack the flow only after it. */
  saveCheckpoint(checkpoint: ShadowCheckpoint): Promise<{ orderResultsInserted: number; findingsInserted: number }> {
    return this.db.transaction((uow) => uow.shadows.saveCheckpoint(checkpoint, uow.at));
  }

  /**
   * Ends a Running session: stores the evidence (before the transaction), then in one transaction the phase,
   * verdicts and evidence digest, each candidate version's status from its verdict, and the audit events.
   * false when the session had ended already (nothing is changed).
   */
  async complete(id: string, completion: ShadowCompletion): Promise<boolean> {
    if (!SHADOW_PHASES.includes(completion.phase) || completion.phase === 'Running') throw new DomainError('VALIDATION_FAILED', `a session cannot complete as "${completion.phase}"`);
    for (const [key, v] of Object.entries(completion.verdicts ?? {})) {
      if (!SHADOW_VERDICTS.includes(v.verdict)) throw new DomainError('VALIDATION_FAILED', `verdict of ${key} must be one of ${SHADOW_VERDICTS.join(', ')}`);
    }
    const evidence = completion.evidence;
    if (evidence && !this.store) throw new Error('ShadowService needs an ArtifactStore to store evidence');
    const stored = evidence && this.store ? await this.store.put(evidence) : null;
    return this.db.transaction(async (uow) => {
      const session = await uow.shadows.findSession(id);
      if (!session) throw new DomainError('NOT_FOUND', `shadow session "${id}" not found`);
      if (session.phase !== 'Running') return false;
      if (stored && evidence && this.store) {
        await uow.lockArtifactDigest(stored.sha256);
        if (!(await this.store.has(stored.sha256))) await this.store.put(evidence); // swept meanwhile
      }
      const failure = completion.failure ?? null;
      const completed = await uow.shadows.completeSession(id, {
        phase: completion.phase as Exclude<ShadowPhase, 'Running'>,
        verdicts: completion.verdicts,
        evidenceSha256: stored?.sha256 ?? null,
        failure,
        at: uow.at,
      });
      if (!completed) return false;
      const unchanged: { version: number; status: VersionStatus }[] = [];
      for (const candidate of session.candidates) {
        const verdict = completion.verdicts?.[subjectKey(candidate)];
        if (!verdict) continue;
        const status = await this.setStatus(uow, candidate, verdict.verdict, id);
        if (status) unchanged.push({ version: candidate.version, status });
      }
      await uow.audit('system', 'shadow.completed', shadowSubject(id), {
        model: session.model,
        deployment: session.deployment,
        phase: completion.phase,
        evidenceSha256: stored?.sha256 ?? null,
        failure,
        verdicts: Object.fromEntries(
          Object.entries(completion.verdicts ?? {}).map(([key, v]) => [key, { verdict: v.verdict, gates: v.gates.map((g) => ({ name: g.name, phase: g.phase, value: g.value })) }]),
        ),
        statusUnchanged: unchanged,
      });
      return true;
    });
  }

  /** The version's status from a verdict (audited like validation's); returns the status it kept when it may not move. */
  private async setStatus(uow: UnitOfWork, candidate: ShadowSubject, verdict: ShadowVerdict, sessionId: string): Promise<VersionStatus | null> {
    const version = await uow.versions.findByModelName(candidate.model, candidate.version);
    if (!version || version.status === verdict) return null;
    if (!STATUSES_SHADOW_MAY_SET.has(version.status)) return version.status;
    await uow.versions.setStatus(version, verdict);
    await uow.audit('system', 'version.status-changed', `model:${candidate.model}@${candidate.version}`, { from: version.status, to: verdict, shadowSessionId: sessionId });
    return null;
  }

  private async find(id: string): Promise<ShadowSessionRecord> {
    const found = await this.session(id);
    if (!found) throw new DomainError('NOT_FOUND', `shadow session "${id}" not found`);
    return found;
  }

  private view(session: ShadowSessionRecord, examples: readonly StoredShadowFinding[] | null): ShadowSessionView {
    const { totals } = session;
    const end = session.completedAt ?? this.now();
    const byKind: Partial<Record<FindingKind, number>> = {};
    for (const kind of FINDING_KINDS) {
      const n = finite(totals.findings[kind]);
      if (n > 0) byKind[kind] = n;
    }
    const grouped: Partial<Record<FindingKind, ShadowFindingExample[]>> = {};
    for (const f of examples ?? []) {
      const kind = f.kind as FindingKind;
      (grouped[kind] ??= []).push({ position: f.position, eventId: f.eventId, reason: f.reason, example: f.example, at: f.createdAt.toISOString() });
    }
    return {
      id: session.id,
      model: session.model,
      deployment: session.deployment,
      phase: session.phase,
      policy: session.policy,
      instruments: session.instruments,
      createdAt: session.createdAt.toISOString(),
      createdBy: session.createdBy,
      completedAt: session.completedAt?.toISOString() ?? null,
      durationSeconds: Math.max(0, Math.round((end.getTime() - session.createdAt.getTime()) / 1000)),
      stopRequestedBy: session.stopRequestedBy,
      failure: session.failure,
      candidates: session.candidates.map((c) => {
        const verdict = session.verdicts?.[subjectKey(c)] ?? null;
        return { model: c.model, version: c.version, sha256: c.sha256, metrics: candidateMetrics(totals.candidates[subjectKey(c)]), verdict: verdict?.verdict ?? null, gates: (verdict?.gates ?? []).map(gateView) };
      }),
      live: Object.keys(totals.live)
        .sort()
        .map((key) => {
          const c = countersOf(totals.live[key]);
          return { ...parseSubjectKey(key), metrics: { decisions: c.decisions, skewFindings: c.skewFindings, orders: c.orders, meanIsBps: ratio(c.sumIsBps, c.orders) } };
        }),
      findings: examples === null ? { byKind } : { byKind, examples: grouped },
      evidence: session.evidenceSha256 ? { sha256: session.evidenceSha256 } : null,
    };
  }
}

/** Checks a start request's fields (every problem listed) and merges the policy over DEFAULT_SHADOW_POLICY. */
export function resolvePolicy(input: ShadowStartRequest): ShadowPolicy {
  const problems: FieldProblem[] = [];
  if (!MODEL_NAME_PATTERN.test(input.model)) problems.push({ field: 'model', message: `must match ${MODEL_NAME_PATTERN.source}` });
  if (!DEPLOYMENT_NAME_PATTERN.test(input.deployment)) problems.push({ field: 'deployment', message: `must match ${DEPLOYMENT_NAME_PATTERN.source}` });
  const candidates = input.candidates;
  if (!Array.isArray(candidates) || candidates.length < 1 || candidates.length > MAX_SHADOW_CANDIDATES) {
    problems.push({ field: 'candidates', message: `1 to ${MAX_SHADOW_CANDIDATES} version numbers` });
  }
  const seen = new Set<number>();
  (Array.isArray(candidates) ? candidates : []).forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 1) problems.push({ field: `candidates[${i}]`, message: 'a positive integer version' });
    else if (seen.has(v)) problems.push({ field: `candidates[${i}]`, message: `version ${v} is named twice` });
    seen.add(v);
  });
  const overrides = (input.policy ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const range = POLICY_RANGES[key as keyof ShadowPolicy] as (typeof POLICY_RANGES)[keyof ShadowPolicy] | undefined;
    if (!range) {
      problems.push({ field: `policy.${key}`, message: `unknown policy field; known: ${Object.keys(POLICY_RANGES).join(', ')}` });
      continue;
    }
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (range.minExclusive ? value > range.min : value >= range.min) &&
      value <= range.max &&
      (!range.integer || Number.isInteger(value));
    if (!ok) {
      problems.push({ field: `policy.${key}`, message: `${range.integer ? 'an integer' : 'a finite number'} from ${range.min}${range.minExclusive ? ' (exclusive)' : ''} to ${range.max}` });
    }
  }
  const policy = { ...DEFAULT_SHADOW_POLICY, ...(input.policy ?? {}) } as ShadowPolicy;
  if (!problems.some((p) => p.field === 'policy.minOrders' || p.field === 'policy.orders') && policy.minOrders > policy.orders) {
    problems.push({ field: 'policy.minOrders', message: `at most policy.orders (${policy.orders})` });
  }
  if (input.instruments !== undefined) {
    const instruments = input.instruments;
    if (!Array.isArray(instruments) || instruments.length < 1 || instruments.length > MAX_SHADOW_INSTRUMENTS) {
      problems.push({ field: 'instruments', message: `1 to ${MAX_SHADOW_INSTRUMENTS} instruments; omit it for every instrument` });
    } else {
      const names = new Set<string>();
      instruments.forEach((name, i) => {
        if (typeof name !== 'string' || !INSTRUMENT_PATTERN.test(name)) problems.push({ field: `instruments[${i}]`, message: `must match ${INSTRUMENT_PATTERN.source}` });
        else if (names.has(name)) problems.push({ field: `instruments[${i}]`, message: `${name} is named twice` });
        names.add(name);
      });
    }
  }
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', 'invalid shadow session request', { errors: problems });
  return { ...policy };
}
