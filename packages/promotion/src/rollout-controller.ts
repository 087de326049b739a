import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ANALYSIS_GRACE_MS,
  Semaphore,
  approvedUntil,
  countingApprovals,
  desiredRouting,
  initialRolloutStatus,
  reconcileRollout,
  type Clock,
  type Deployment,
  type MetricSpec,
  type RolloutEvent,
  addLiveCounters,
  emptyLiveAnalysisState,
  emptyLiveCounters,
  executionQualityTemplate,
  isLiveMetric,
  takeLiveMeasurements,
  type LiveAnalysisState,
  type LiveCounters,
  type RolloutSpec,
  type RolloutStatus,
  type VersionRef,
} from '@airlock/core';
import { createRolloutActuator, sameRouting, type DesiredRouting as PortRouting, type ModelRef, type RolloutActuator } from '@airlock/actuators';
import type { Database, Rollout, UnitOfWork } from '@airlock/persistence';
import { deploymentSubject, routingOf } from './deployment.service.js';
import { moveVersionStatus, statusBeforePromotion } from './version-status.js';
import { promotionSubject } from './promotion.service.js';

export interface RolloutControllerOptions {
  /** How long a vote counts (AIRLOCK_APPROVAL_TTL_HOURS): a rollout must start before the oldest counted vote expires. */
  readonly approvalTtlMs: number;
  /**
   * Analysis templates by name (default: `execution-quality` = executionQualityTemplate(analysisIntervalMs)).
   * Metrics named after a live metric (is_delta_bps, reject_rate, fill_ratio_delta, limit_breaches) are measured
   * from the shadow runner's per-version live windows; any other name has no provider and ends Inconclusive.
   */
  readonly analysisTemplates?: Readonly<Record<string, readonly MetricSpec[]>>;
  /** Interval of the default template's measurements, ms (default 60,000). */
  readonly analysisIntervalMs?: number;
  /** Rollouts reconciled at once within a tick (default 4; each is one transaction). */
  readonly concurrency?: number;
  /**
   * A second actuator that runs the execution engines (the Kubernetes one: stable and canary Deployments, replicas
   * split by weight, a routing ConfigMap). The routing table stays the source of truth — engines read it and the
   * kill switch writes it at once; after every tick the cluster is brought to each deployment's table whose
   * revision it has not applied yet (level-triggered: a failure is logged and retried at the next tick).
   */
  readonly cluster?: RolloutActuator;
  /** Called for every live measurement taken (its metric and phase; /metrics counts them). */
  readonly onMeasurement?: (metric: string, phase: string) => void;
  /** Called when applying a deployment's table to the cluster fails (it is retried at the next tick). */
  readonly onClusterError?: (deployment: string, error: unknown) => void;
  /** Grace after an analysis metric's expected window before missing data turns Inconclusive. */
  readonly analysisGraceMs?: number;
}

export interface TickResult {
  /** Rollouts created for Approved promotions. */
  readonly created: number;
  /** Rollouts reconciled. */
  readonly reconciled: number;
  /** Ticks that changed something (status, events or routing). */
  readonly changed: number;
}

const TERMINAL = new Set(['Healthy', 'Aborted']);

/** JSON with object keys sorted: equal values give equal strings whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
const toPort = (ref: VersionRef | null): ModelRef | null => (ref === null ? null : { model: ref.model, version: String(ref.version), sha256: ref.sha256 });
const fromPort = (ref: ModelRef | null): VersionRef | null => (ref === null ? null : { model: ref.model, version: Number(ref.version), sha256: ref.sha256 });
const portTable = (d: Deployment): PortRouting => ({
  deployment: d.name,
  stable: toPort(d.stable),
  canary: toPort(d.canary),
  canaryWeight: d.canaryWeight,
  halted: d.halted,
  revision: d.revision,
});

/**
 * The rollout controller's tick (docs/rollout-controller.md): creates the rollout of every Approved promotion that
 * has none, then reconciles every non-terminal rollout, one transaction per rollout under its row lock and the
 * deployment's. Analysis steps are measured from the live flow: the shadow runner's per-version live windows of
 * the deployment, canary against stable, one measurement per metric interval (takeLiveMeasurements); missing
 * data never passes. Run it only while holding leadership (RolloutLeaderLoop).
 */
export class RolloutController {
  private readonly templates: Readonly<Record<string, readonly MetricSpec[]>>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly options: RolloutControllerOptions,
  ) {
    this.templates = options.analysisTemplates ?? { 'execution-quality': executionQualityTemplate(options.analysisIntervalMs ?? 60_000) };
  }

  /** Revision of each deployment's routing table last applied to the cluster actuator (in memory: a restart re-applies once). */
  private readonly clusterRevisions = new Map<string, number>();

  private async syncCluster(): Promise<void> {
    const cluster = this.options.cluster;
    if (!cluster) return;
    for (const deployment of await this.db.read.deployments.list()) {
      if (this.clusterRevisions.get(deployment.name) === deployment.revision) continue;
      try {
        await cluster.apply(portTable(deployment));
        this.clusterRevisions.set(deployment.name, deployment.revision);
      } catch (error) {
        this.options.onClusterError?.(deployment.name, error);
      }
    }
  }

  /**
   * Whether a tick could change anything for this rollout (pure, on unlocked reads): a kill or halt, a pending
   * command, a live measurement or baseline due, a status or event from reconcile on the measurements already
   * taken, or a routing table that differs from the desired one. false only when all of them say no.
   */
  private isDue(rollout: Rollout, deployment: Deployment | undefined, nowMs: number): boolean {
    if (deployment === undefined || deployment.halted || deployment.kill !== null || rollout.pendingCommand !== null) return true;
    const { spec, status } = rollout;
    const step = spec.plan.steps[status.stepIndex];
    if (status.analysis !== null && step !== undefined && 'analysis' in step) {
      const state = rollout.liveAnalysis ?? emptyLiveAnalysisState();
      for (const metric of step.analysis.templates.flatMap((t) => this.templates[t] ?? [])) {
        if (!isLiveMetric(metric.name)) continue;
        const base = state.baselines[metric.name];
        if (base === undefined || base.takenAtMs < status.analysis.startedAtMs || nowMs - base.takenAtMs >= (metric.intervalMs ?? 0)) return true;
      }
    }
    const next = reconcileRollout({
      spec,
      status,
      nowMs,
      measurements: rollout.liveAnalysis?.taken ?? {},
      analysisTemplates: this.templates,
      analysisGraceMs: this.options.analysisGraceMs ?? DEFAULT_ANALYSIS_GRACE_MS,
    });
    if (next.events.length > 0 || canonical(next.status) !== canonical(status)) return true;
    const desired = desiredRouting(spec, next.status);
    return !sameRouting(portTable(deployment), { ...portTable(deployment), stable: toPort(desired.stable), canary: toPort(desired.canary), canaryWeight: desired.canaryWeight });
  }

  /** The live analysis after this tick's due measurements (unchanged outside an analysis step). */
  private async measureLive(uow: UnitOfWork, rollout: Rollout, nowMs: number): Promise<LiveAnalysisState> {
    const state = rollout.liveAnalysis ?? emptyLiveAnalysisState();
    const { status, spec } = rollout;
    const step = spec.plan.steps[status.stepIndex];
    if (status.analysis === null || step === undefined || !('analysis' in step)) return state;
    const metrics = step.analysis.templates.flatMap((t) => this.templates[t] ?? []);
    if (!metrics.some((m) => isLiveMetric(m.name))) return state;
    const cumulative = async (ref: VersionRef | null): Promise<LiveCounters> => {
      if (ref === null) return emptyLiveCounters();
      const windows = await uow.shadows.listLiveWindows(spec.deployment, { model: ref.model, version: ref.version });
      return windows.reduce<LiveCounters>((sum, w) => addLiveCounters(sum, w.counters as Partial<LiveCounters>), emptyLiveCounters());
    };
    return takeLiveMeasurements({
      state,
      metrics,
      analysisStartedAtMs: status.analysis.startedAtMs,
      nowMs,
      canary: await cumulative(spec.candidate),
      stable: await cumulative(spec.stable),
    });
  }

  async tick(): Promise<TickResult> {
    let created = 0;
    let changed = 0;
    for (const promotionId of await this.db.read.rollouts.approvedWithoutRollout()) {
      if (await this.start(promotionId)) created += 1;
    }
    // A due check on unlocked reads first (one query each for rollouts and deployments): most ticks of most
    // rollouts change nothing, and a transaction with two row locks per rollout is what a tick costs. A due
    // rollout is then reconciled for real under its locks, from fresh rows.
    const active = await this.db.read.rollouts.active();
    const deployments = new Map((await this.db.read.deployments.findMany([...new Set(active.map((r) => r.spec.deployment))])).map((d) => [d.name, d]));
    const nowMs = this.clock.now().getTime();
    // Due rollouts are reconciled a few at a time: each is its own transaction on its own rows (one active
    // rollout per deployment), so they never wait for each other's locks; the database pool bounds the rest.
    const due = active.filter((rollout) => this.isDue(rollout, deployments.get(rollout.spec.deployment), nowMs));
    const slots = new Semaphore(this.options.concurrency ?? 4);
    const results = await Promise.all(due.map((rollout) => slots.run(() => this.reconcile(rollout.id))));
    changed += results.filter(Boolean).length;
    await this.syncCluster();
    return { created, reconciled: active.length, changed: changed + created };
  }

  /**
   * Creates the rollout of an Approved promotion: spec from the promotion, `stable` = the deployment's stable now.
   * Waits while another rollout of the deployment is unfinished. An approval whose oldest counted vote has expired
   * gets a rollout that is Aborted at once (`approvalExpired`): request and approve again.
   */
  private start(promotionId: string): Promise<boolean> {
    return this.db.transaction(async (uow) => {
      const promotion = await uow.promotions.lock(promotionId);
      if (!promotion || promotion.phase !== 'Approved') return false;
      if (await uow.rollouts.findByPromotion(promotionId)) return false;
      const deployment = await uow.deployments.lock(promotion.deployment);
      if (!deployment) return false;
      if (await uow.rollouts.hasActive(promotion.deployment)) return false;
      const decidedAt = promotion.decidedAt ?? uow.at;
      const counted = countingApprovals(promotion, decidedAt, this.options.approvalTtlMs);
      const binding = counted.find((a) => a.sha256 !== promotion.target.sha256 || a.planHash !== promotion.planHash) ?? { sha256: promotion.target.sha256, planHash: promotion.planHash };
      const spec: RolloutSpec = {
        deployment: promotion.deployment,
        candidate: promotion.target,
        stable: deployment.stable,
        plan: promotion.plan,
        planHash: promotion.planHash,
        approval: { sha256: binding.sha256, planHash: binding.planHash },
      };
      const nowMs = uow.at.getTime();
      let status: RolloutStatus = initialRolloutStatus(nowMs);
      const until = approvedUntil(promotion, this.options.approvalTtlMs);
      const expired = until === null || until <= uow.at;
      if (expired) {
        const message = `the approval expired at ${until?.toISOString() ?? '(no counted vote)'} before the rollout started: request and approve again`;
        status = { ...status, phase: 'Aborted', abort: { reason: 'approvalExpired', message, metric: null, atMs: nowMs } };
      }
      const rollout: Rollout = { id: randomUUID(), promotionId, spec, status, pendingCommand: null, liveAnalysis: null, createdAt: uow.at, updatedAt: uow.at, finishedAt: expired ? uow.at : null };
      if (!(await uow.rollouts.insertIfAbsent(rollout))) return false;
      await uow.audit('system', 'rollout.created', promotionSubject(promotionId), {
        rolloutId: rollout.id,
        deployment: spec.deployment,
        candidate: spec.candidate,
        stable: spec.stable,
        planHash: spec.planHash,
        approval: spec.approval,
      });
      if (expired) {
        await uow.audit('system', 'rollout.aborted', promotionSubject(promotionId), { rolloutId: rollout.id, reason: 'approvalExpired', message: status.abort?.message });
        await moveVersionStatus(uow, spec.candidate, await statusBeforePromotion(uow, promotionId), ['approved'], { rolloutId: rollout.id, reason: 'approvalExpired' });
      }
      return true;
    });
  }

  /** One tick of one rollout; true when anything changed. */
  private reconcile(id: string): Promise<boolean> {
    return this.db.transaction(async (uow) => {
      const rollout = await uow.rollouts.lock(id);
      if (!rollout || TERMINAL.has(rollout.status.phase)) return false;
      const deployment = await uow.deployments.lock(rollout.spec.deployment);
      if (!deployment) throw new Error(`rollout ${id}: deployment ${rollout.spec.deployment} vanished`);
      const nowMs = this.clock.now().getTime();
      const { spec } = rollout;

      let status: RolloutStatus;
      let events: RolloutEvent[];
      let liveAnalysis = rollout.liveAnalysis;
      if (deployment.halted || deployment.kill !== null) {
        // Never route against a kill: the kill switch wins and the rollout ends. Desired = all flow to stable.
        const message = `deployment ${deployment.name} was ${deployment.halted ? 'halted' : 'killed'}${deployment.kill ? ` by ${deployment.kill.by}: ${deployment.kill.reason}` : ''}`;
        status = { ...rollout.status, phase: 'Aborted', pause: null, canaryWeight: 0, abort: { reason: 'killed', message, metric: null, atMs: nowMs } };
        events = [{ type: 'aborted', atMs: nowMs, stepIndex: status.stepIndex, message, reason: 'killed' }];
      } else {
        const command = rollout.pendingCommand ?? undefined;
        liveAnalysis = await this.measureLive(uow, rollout, nowMs);
        for (const [metric, taken] of Object.entries(liveAnalysis.taken)) {
          const before = rollout.liveAnalysis?.taken[metric]?.length ?? 0;
          for (const m of taken.slice(before)) this.options.onMeasurement?.(metric, m.phase);
        }
        ({ status, events } = reconcileRollout({
          spec,
          status: rollout.status,
          nowMs,
          measurements: liveAnalysis.taken,
          analysisTemplates: this.templates,
          ...(command ? { command: { id: command.id, kind: command.kind, ...(command.by ? { by: command.by } : {}), ...(command.reason ? { reason: command.reason } : {}) } } : {}),
          analysisGraceMs: this.options.analysisGraceMs ?? DEFAULT_ANALYSIS_GRACE_MS,
        }));
      }
      const completed = events.some((e) => e.type === 'completed');
      const statusChanged = canonical(status) !== canonical(rollout.status) || rollout.pendingCommand !== null;
      // Canonical JSON: jsonb hands keys back in its own order, which must not read as a change.
      const measured = canonical(liveAnalysis) !== canonical(rollout.liveAnalysis);
      if (statusChanged || events.length > 0 || measured) {
        const finished = TERMINAL.has(status.phase);
        await uow.rollouts.save({ ...rollout, status, liveAnalysis, pendingCommand: null, updatedAt: uow.at, finishedAt: finished ? uow.at : null });
        for (const event of events) {
          await uow.audit('system', `rollout.${event.type}`, promotionSubject(rollout.promotionId), { rolloutId: rollout.id, ...event });
          if (event.type === 'weightSet' && (event.canaryWeight ?? 0) > 0) {
            await moveVersionStatus(uow, spec.candidate, 'canary', ['approved', 'shadow-passed'], { rolloutId: rollout.id });
          } else if (event.type === 'aborted') {
            const to = event.reason === 'analysisFailed' ? 'rejected' : await statusBeforePromotion(uow, rollout.promotionId);
            await moveVersionStatus(uow, spec.candidate, to, ['approved', 'canary'], { rolloutId: rollout.id, reason: event.reason ?? null });
          }
        }
      }

      // The routing the status implies; on completion the candidate becomes the stable and the canary goes.
      const desired = completed ? { stable: spec.candidate, canary: null, canaryWeight: 0 } : desiredRouting(spec, status);
      const routed = await this.route(uow, deployment, { stable: desired.stable, canary: desired.canary, canaryWeight: desired.canaryWeight }, rollout.id);
      if (completed) await this.crown(uow, rollout);
      return statusChanged || events.length > 0 || routed;
    });
  }

  /** Applies the desired routing through the routing-table actuator; revision +1 only when the table changes. */
  private async route(uow: UnitOfWork, before: Deployment, want: Pick<Deployment, 'stable' | 'canary' | 'canaryWeight'>, rolloutId: string): Promise<boolean> {
    const observed = portTable(before);
    const target: PortRouting = { ...observed, stable: toPort(want.stable), canary: toPort(want.canary), canaryWeight: want.canaryWeight };
    const changed = !sameRouting(observed, target);
    const actuator = createRolloutActuator({
      kind: 'routing-table',
      read: () => Promise.resolve(observed),
      record: async (state) => {
        const after: Deployment = {
          ...before,
          stable: fromPort(state.stable),
          canary: fromPort(state.canary),
          canaryWeight: state.canaryWeight,
          revision: state.revision,
          updatedAt: uow.at,
          updatedBy: 'system:rollout-controller',
        };
        await uow.deployments.update(after);
        await uow.audit('system', 'deployment.routed', deploymentSubject(before.name), { rolloutId, before: routingOf(before), after: routingOf(after) });
      },
    });
    const applied = await actuator.apply({ ...target, revision: changed ? before.revision + 1 : before.revision });
    return applied.changed;
  }

  /**
   * A completed rollout: the candidate becomes the `champion` alias of its model (set here, past the API's alias
   * protection, which exists for exactly this) and its version status `champion`; the previous stable version is
   * `retired` (it stays the rollback target in the rollout's spec).
   */
  private async crown(uow: UnitOfWork, rollout: Rollout): Promise<void> {
    const { candidate, stable } = rollout.spec;
    const model = await uow.models.findByName(candidate.model);
    const version = model ? await uow.versions.find(model, candidate.version) : null;
    if (!model || !version) throw new Error(`rollout ${rollout.id}: candidate ${candidate.model}@${candidate.version} vanished`);
    await uow.versions.setStatus(version, 'champion');
    await uow.aliases.upsert(model, { alias: 'champion', version: version.version, updatedAt: uow.at, updatedBy: 'system:rollout-controller' });
    await uow.audit('system', 'alias.set', `model:${model.name}`, { alias: 'champion', version: version.version, sha256: version.sha256, rolloutId: rollout.id });
    await uow.audit('system', 'version.status-changed', `model:${model.name}@${version.version}`, { from: version.status, to: 'champion', rolloutId: rollout.id });
    if (stable && !(stable.model === candidate.model && stable.version === candidate.version)) {
      const previousModel = await uow.models.findByName(stable.model);
      const previous = previousModel ? await uow.versions.find(previousModel, stable.version) : null;
      if (previous) {
        await uow.versions.setStatus(previous, 'retired');
        await uow.audit('system', 'version.status-changed', `model:${stable.model}@${stable.version}`, { from: previous.status, to: 'retired', rolloutId: rollout.id });
      }
    }
  }
}
