/**
 * The rollout controller's decision core (DESIGN.md principles 5–7): a pure, level-triggered function from the
 * persisted spec and status (plus the clock, the measurements and an optional human command) to the next status,
 * the routing the actuator must make true and the events to record. No I/O and no clock of its own: the caller
 * passes `nowMs`. See rollout-controller.md next to this file.
 */
import { assessMetric, assessRun, type AnalysisPhase, type Measurement, type MetricAssessment, type MetricSpec } from '../analysis/analysis.js';
import type { VersionRef } from '../promotion.js';
import { planHash, type RolloutPlan } from '../rollout-plan.js';

export type RolloutPhase = 'Progressing' | 'Paused' | 'Healthy' | 'Degraded' | 'Aborted';

/** Why a rollout waits. `analysisError` is only used with phase Degraded. */
export type PauseReason =
  /** A plan `pause` step: `untilMs` null waits for `resume`. */
  | { readonly kind: 'step'; readonly untilMs: number | null }
  /** An analysis step came back Inconclusive: a human resumes (next step) or aborts. */
  | { readonly kind: 'inconclusive'; readonly message: string }
  /** A human paused; `resume` continues the current step where it stands. */
  | { readonly kind: 'manual'; readonly by: string | null }
  /** An analysis step errored (Degraded): `resume` restarts the step with a fresh measurement window. */
  | { readonly kind: 'analysisError'; readonly message: string };

/** `approvalExpired` and `killed` are set by the controller around this function (the rollout never started / the kill switch). */
export type AbortReason = 'analysisFailed' | 'artifactMismatch' | 'planChanged' | 'manual' | 'approvalExpired' | 'killed';

export interface AbortInfo {
  readonly reason: AbortReason;
  readonly message: string;
  /** The metric that failed, for `analysisFailed`. */
  readonly metric: string | null;
  readonly atMs: number;
}

export interface MetricState {
  readonly template: string;
  readonly metric: string;
  readonly dryRun: boolean;
  readonly phase: AnalysisPhase;
  readonly message: string;
}

/** The analysis run of the current analysis step, recomputed from the measurements on every tick. */
export interface AnalysisRunState {
  readonly stepIndex: number;
  readonly startedAtMs: number;
  readonly phase: AnalysisPhase;
  readonly metrics: readonly MetricState[];
}

/** Persisted by the caller after every tick; the only memory the controller has. */
export interface RolloutStatus {
  readonly phase: RolloutPhase;
  /** The step being executed; `plan.steps.length` once all steps are done. */
  readonly stepIndex: number;
  readonly stepStartedAtMs: number;
  readonly pause: PauseReason | null;
  readonly analysis: AnalysisRunState | null;
  /** The canary weight last desired (what the actuator was told), percent. */
  readonly canaryWeight: number;
  readonly abort: AbortInfo | null;
  /** The spec's planHash as first seen; a different one later aborts. null before the first tick. */
  readonly observedPlanHash: string | null;
  /** The id of the last command handled: a command is applied at most once. */
  readonly lastCommandId: string | null;
}

export interface RolloutSpec {
  readonly deployment: string;
  readonly candidate: VersionRef;
  /** The previous champion: where flow goes back on abort. null: no model trades (engines' non-ML fallback). */
  readonly stable: VersionRef | null;
  readonly plan: RolloutPlan;
  /** The plan hash as approved. */
  readonly planHash: string;
  /** What the risk approvals bound. */
  readonly approval: { readonly sha256: string; readonly planHash: string };
}

/** Routing the actuator must make true for the deployment. The kill switch (not the controller) sets `halted`. */
export interface DesiredRouting {
  readonly stable: VersionRef | null;
  readonly canary: VersionRef | null;
  readonly canaryWeight: number;
  readonly halted: false;
}

/** A measurement with the time it was taken; only those taken after the analysis step started count. */
export interface RolloutMeasurement extends Measurement {
  readonly takenAtMs: number;
}

/** Manual controls. `id` makes a command idempotent: one already handled (`status.lastCommandId`) is ignored. */
export interface RolloutCommand {
  readonly id: string;
  readonly kind: 'pause' | 'resume' | 'abort' | 'promoteFull';
  readonly by?: string;
  readonly reason?: string;
}

export type RolloutEventType =
  | 'weightSet'
  | 'paused'
  | 'resumed'
  | 'analysisSuccessful'
  | 'analysisInconclusive'
  | 'analysisError'
  | 'aborted'
  | 'promotedFull'
  | 'completed'
  | 'commandIgnored';

export interface RolloutEvent {
  readonly type: RolloutEventType;
  readonly atMs: number;
  readonly stepIndex: number;
  readonly message: string;
  readonly canaryWeight?: number;
  readonly reason?: AbortReason;
  readonly metric?: string;
}

export interface ReconcileInput {
  readonly spec: RolloutSpec;
  readonly status: RolloutStatus;
  readonly nowMs: number;
  /** By metric name. */
  readonly measurements: Readonly<Record<string, readonly RolloutMeasurement[]>>;
  /** By template name. */
  readonly analysisTemplates: Readonly<Record<string, readonly MetricSpec[]>>;
  readonly command?: RolloutCommand;
  /** Added to a metric's expected window (count × interval) before missing data turns Inconclusive. */
  readonly analysisGraceMs?: number;
}

export interface ReconcileResult {
  readonly status: RolloutStatus;
  readonly desired: DesiredRouting;
  readonly events: RolloutEvent[];
}

export const DEFAULT_ANALYSIS_GRACE_MS = 5 * 60_000;

/** The status of a rollout that has not had its first tick yet. */
export function initialRolloutStatus(nowMs: number): RolloutStatus {
  return {
    phase: 'Progressing',
    stepIndex: 0,
    stepStartedAtMs: nowMs,
    pause: null,
    analysis: null,
    canaryWeight: 0,
    abort: null,
    observedPlanHash: null,
    lastCommandId: null,
  };
}

/** The canary weight in effect at `stepIndex`: the last setWeight before it, capped below 100 by the plan's share cap. */
export function effectiveWeight(plan: RolloutPlan, stepIndex: number): number {
  let weight = 0;
  for (const step of plan.steps.slice(0, stepIndex)) if ('setWeight' in step) weight = step.setWeight;
  return capWeight(plan, weight);
}

const capWeight = (plan: RolloutPlan, weight: number): number =>
  weight >= 100 ? 100 : Math.max(0, Math.min(weight, plan.caps.maxShareOfParentOrders));

/** The routing a status implies. */
export function desiredRouting(spec: RolloutSpec, status: RolloutStatus): DesiredRouting {
  const { stable, candidate } = spec;
  switch (status.phase) {
    case 'Aborted':
      return { stable, canary: null, canaryWeight: 0, halted: false };
    case 'Degraded':
      return { stable, canary: candidate, canaryWeight: 0, halted: false };
    case 'Healthy':
      return { stable, canary: candidate, canaryWeight: 100, halted: false };
    default:
      return { stable, canary: candidate, canaryWeight: effectiveWeight(spec.plan, status.stepIndex), halted: false };
  }
}

/** Why the spec may not be acted on, or null. */
function integrityBreach(spec: RolloutSpec, status: RolloutStatus): { reason: AbortReason; message: string } | null {
  if (spec.candidate.sha256 !== spec.approval.sha256) {
    return { reason: 'artifactMismatch', message: `candidate sha256 ${spec.candidate.sha256} is not the approved ${spec.approval.sha256}` };
  }
  if (spec.planHash !== spec.approval.planHash) {
    return { reason: 'planChanged', message: `plan hash ${spec.planHash} is not the approved ${spec.approval.planHash}` };
  }
  const actual = planHash(spec.plan);
  if (actual !== spec.planHash) {
    return { reason: 'planChanged', message: `the plan's content hashes to ${actual}, not the approved ${spec.planHash}` };
  }
  if (status.observedPlanHash !== null && status.observedPlanHash !== spec.planHash) {
    return { reason: 'planChanged', message: `plan hash changed during the rollout from ${status.observedPlanHash} to ${spec.planHash}` };
  }
  return null;
}

interface Assessed {
  readonly run: AnalysisRunState;
  /** The first gating metric in the run's phase, for messages. */
  readonly culprit: MetricState | null;
}

/** Runs an analysis step's templates over the measurements taken since `startedAtMs` (Argo semantics). */
function assessAnalysis(
  templates: readonly string[],
  input: ReconcileInput,
  stepIndex: number,
  startedAtMs: number,
): Assessed {
  const grace = input.analysisGraceMs ?? DEFAULT_ANALYSIS_GRACE_MS;
  const rows: { spec: MetricSpec; assessment: MetricAssessment; template: string }[] = [];
  for (const template of templates) {
    const metrics = input.analysisTemplates[template];
    if (metrics === undefined || metrics.length === 0) {
      // A template the caller could not resolve: missing data, never a pass.
      const spec: MetricSpec = { name: `template:${template}`, condition: { op: '>=', threshold: 0 } };
      const message = `analysis template "${template}" is ${metrics === undefined ? 'unknown' : 'empty'}: missing data never passes`;
      rows.push({ spec, template, assessment: { phase: 'Inconclusive', failed: 0, inconclusive: 1, errors: 0, consecutiveErrors: 0, successful: 0, message } });
      continue;
    }
    for (const spec of metrics) {
      const taken = (input.measurements[spec.name] ?? [])
        .filter((m) => m.takenAtMs > startedAtMs && m.takenAtMs <= input.nowMs)
        .sort((a, b) => a.takenAtMs - b.takenAtMs);
      let assessment = assessMetric(spec, taken);
      const count = spec.count ?? 1;
      const deadline = startedAtMs + count * (spec.intervalMs ?? 0) + grace;
      if ((assessment.phase === 'Pending' || assessment.phase === 'Running') && input.nowMs >= deadline) {
        assessment = {
          ...assessment,
          phase: 'Inconclusive',
          message: `${assessment.message} by the end of the expected window (${deadline - startedAtMs} ms): missing data never passes`,
        };
      }
      rows.push({ spec, assessment, template });
    }
  }
  const phase = assessRun(rows);
  const metrics: MetricState[] = rows.map((r) => ({
    template: r.template,
    metric: r.spec.name,
    dryRun: r.spec.dryRun === true,
    phase: r.assessment.phase,
    message: r.assessment.message,
  }));
  const culprit = metrics.find((m) => !m.dryRun && m.phase === phase) ?? null;
  return { run: { stepIndex, startedAtMs, phase, metrics }, culprit };
}

/**
 * One tick. Recomputes everything from spec + status; calling it again with the returned status and the same
 * input returns the same status and no events.
 */
export function reconcileRollout(input: ReconcileInput): ReconcileResult {
  const { spec, nowMs, command } = input;
  const steps = spec.plan.steps;
  const events: RolloutEvent[] = [];
  let s: RolloutStatus = input.status;
  const emit = (type: RolloutEventType, message: string, extra: Partial<RolloutEvent> = {}) =>
    events.push({ type, atMs: nowMs, stepIndex: s.stepIndex, message, ...extra });
  const abort = (reason: AbortReason, message: string, metric: string | null = null) => {
    s = { ...s, phase: 'Aborted', pause: null, canaryWeight: 0, abort: { reason, message, metric, atMs: nowMs } };
    emit('aborted', message, { reason, ...(metric === null ? {} : { metric }) });
  };
  const nextStep = () => {
    s = { ...s, phase: 'Progressing', pause: null, analysis: null, stepIndex: s.stepIndex + 1, stepStartedAtMs: nowMs };
  };
  const finish = (result: RolloutStatus): ReconcileResult => {
    const desired = desiredRouting(spec, result);
    const status = result.canaryWeight === desired.canaryWeight ? result : { ...result, canaryWeight: desired.canaryWeight };
    return { status, desired, events };
  };

  const pendingCommand = command !== undefined && command.id !== s.lastCommandId ? command : undefined;
  if (pendingCommand) s = { ...s, lastCommandId: pendingCommand.id };

  // Terminal phases: only a new rollout continues.
  if (s.phase === 'Aborted' || s.phase === 'Healthy') {
    if (pendingCommand) emit('commandIgnored', `${pendingCommand.kind} ignored: the rollout is ${s.phase}`);
    return finish(s);
  }

  const breach = integrityBreach(spec, s);
  if (breach) {
    abort(breach.reason, breach.message);
    return finish(s);
  }
  if (s.observedPlanHash === null) s = { ...s, observedPlanHash: spec.planHash };

  if (pendingCommand) {
    const by = pendingCommand.by ?? null;
    const why = pendingCommand.reason ? `: ${pendingCommand.reason}` : '';
    const who = by === null ? '' : ` by ${by}`;
    switch (pendingCommand.kind) {
      case 'abort':
        abort('manual', `aborted${who}${why}`);
        return finish(s);
      case 'promoteFull':
        s = { ...s, phase: 'Healthy', pause: null, stepIndex: steps.length, stepStartedAtMs: nowMs };
        emit('promotedFull', `promoted to 100% skipping the remaining steps${who}${why}`);
        emit('completed', 'rollout complete: make the candidate the stable champion', { canaryWeight: 100 });
        return finish(s);
      case 'pause': {
        const canPause = s.phase === 'Progressing' || (s.phase === 'Paused' && s.pause?.kind === 'step' && s.pause.untilMs !== null);
        if (canPause) {
          s = { ...s, phase: 'Paused', pause: { kind: 'manual', by } };
          emit('paused', `paused manually${who}${why}`);
        } else {
          emit('commandIgnored', `pause ignored: the rollout is ${s.phase}${s.pause ? ` (${s.pause.kind})` : ''}`);
        }
        break;
      }
      case 'resume': {
        const pause = s.pause;
        if (s.phase === 'Degraded') {
          s = { ...s, phase: 'Progressing', pause: null, analysis: null, stepStartedAtMs: nowMs };
          emit('resumed', `resumed${who}: the analysis step restarts with a fresh window`);
        } else if (s.phase === 'Paused' && pause?.kind === 'manual') {
          s = { ...s, phase: 'Progressing', pause: null };
          emit('resumed', `resumed${who}: the current step continues`);
        } else if (s.phase === 'Paused' && pause !== null) {
          emit('resumed', `resumed${who}: ${pause.kind === 'inconclusive' ? 'inconclusive analysis accepted' : 'pause step ended'}`);
          nextStep();
        } else {
          emit('commandIgnored', `resume ignored: the rollout is ${s.phase}`);
        }
        break;
      }
    }
  }

  // Drive the plan forward as far as the inputs allow (bounded: each pass completes a step or stops).
  for (let guard = 0; guard <= steps.length + 1; guard += 1) {
    if (s.phase === 'Degraded') break;
    if (s.phase === 'Paused') {
      const pause = s.pause;
      if (pause?.kind === 'step' && pause.untilMs !== null && nowMs >= pause.untilMs) {
        emit('resumed', 'pause step ended');
        nextStep();
        continue;
      }
      // While a human holds the rollout at an analysis step, a failure still aborts; nothing else advances.
      const held = steps[s.stepIndex];
      if (pause?.kind === 'manual' && held !== undefined && 'analysis' in held) {
        const { run, culprit } = assessAnalysis(held.analysis.templates, input, s.stepIndex, s.stepStartedAtMs);
        s = { ...s, analysis: run };
        if (run.phase === 'Failed') abort('analysisFailed', `metric ${culprit?.metric ?? '?'} failed: ${culprit?.message ?? ''}`, culprit?.metric ?? null);
      }
      break;
    }
    // Progressing
    if (s.stepIndex >= steps.length) {
      s = { ...s, phase: 'Healthy', pause: null, analysis: null };
      emit('completed', 'rollout complete: make the candidate the stable champion', { canaryWeight: 100 });
      break;
    }
    const step = steps[s.stepIndex]!;
    if ('setWeight' in step) {
      const weight = capWeight(spec.plan, step.setWeight);
      emit('weightSet', `canary weight ${weight}%${weight !== step.setWeight ? ` (plan asked ${step.setWeight}%, capped)` : ''}`, { canaryWeight: weight });
      nextStep();
      continue;
    }
    if ('pause' in step) {
      const seconds = step.pause.durationSeconds;
      const untilMs = seconds === undefined ? null : s.stepStartedAtMs + seconds * 1000;
      if (untilMs !== null && nowMs >= untilMs) {
        nextStep();
        continue;
      }
      s = { ...s, phase: 'Paused', pause: { kind: 'step', untilMs } };
      emit('paused', untilMs === null ? 'paused until a human resumes' : `paused until ${untilMs}`);
      break;
    }
    // analysis
    const { run, culprit } = assessAnalysis(step.analysis.templates, input, s.stepIndex, s.stepStartedAtMs);
    s = { ...s, analysis: run };
    const metric = culprit?.metric ?? null;
    const detail = `metric ${metric ?? '?'}: ${culprit?.message ?? ''}`;
    if (run.phase === 'Successful') {
      emit('analysisSuccessful', `analysis of ${step.analysis.templates.join(', ')} successful`);
      nextStep();
      continue;
    }
    if (run.phase === 'Failed') {
      abort('analysisFailed', `analysis failed, ${detail}`, metric);
      break;
    }
    if (run.phase === 'Inconclusive') {
      s = { ...s, phase: 'Paused', pause: { kind: 'inconclusive', message: detail } };
      emit('analysisInconclusive', `analysis inconclusive, a human decides (resume or abort); ${detail}`, metric === null ? {} : { metric });
      break;
    }
    if (run.phase === 'Error') {
      s = { ...s, phase: 'Degraded', pause: { kind: 'analysisError', message: detail } };
      emit('analysisError', `analysis errored, flow back to stable until a human resumes or aborts; ${detail}`, metric === null ? {} : { metric });
      break;
    }
    break; // Pending / Running: wait for more measurements
  }
  return finish(s);
}
