import { randomUUID } from 'node:crypto';
import type { ArtifactStore } from '@airlock/artifact-store';
import { DomainError, isDomainError, type Clock, type ErrorCode, type Principal, type VersionStatus } from '@airlock/core';
import { TERMINAL_PHASES, type Database, type RunPhase, type UnitOfWork, type ValidationRun } from '@airlock/persistence';
import { inTransaction, type PgBoss } from '@airlock/queue';
import { aggregateRun, type ValidationReport } from './aggregate.js';
import type { RunInputs } from './run-inputs.js';
import { planShards, type ShardSpec } from './shard-plan.js';
import { runShard, type ShardResult } from './shard-runner.js';
import { loadSuite, parseSuite, suiteCoversTier, type Suite } from './suite.js';

export const SHARD_QUEUE = 'validation-shard';
export const AGGREGATE_QUEUE = 'validation-aggregate';
/** Where pg-boss moves a shard job whose retries are exhausted (including a worker that died on its last attempt). */
export const DEAD_SHARD_QUEUE = 'validation-shard-dead';
/** Where an aggregation whose retries are exhausted goes; its processor fails the run with the reason. */
export const DEAD_AGGREGATE_QUEUE = 'validation-aggregate-dead';

export interface ShardJob {
  readonly runId: string;
  readonly index: number;
}

/** The queue policy every process applies unless configured otherwise. */
export const DEFAULT_QUEUE_POLICY: QueuePolicy = { shardRetryLimit: 2, heartbeatSeconds: 10 };

export interface QueuePolicy {
  /** Attempts after the first for a shard that fails with a transient error. */
  readonly shardRetryLimit: number;
  /** A worker must heartbeat a running shard this often (s, ≥ 10); one that stops (killed) loses the shard. */
  readonly heartbeatSeconds: number;
}

/** Errors that no retry can fix: the run fails at once with the reason. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'NOT_FOUND',
  'ARTIFACT_INTEGRITY',
  'VALIDATION_FAILED',
  'DATA_INVALID',
  'MANIFEST_INVALID',
  'MANIFEST_UNKNOWN_FEATURE',
  'MANIFEST_UNKNOWN_ACTION',
  'ARTIFACT_NOT_ONNX',
]);

/** Statuses a validation may move a version from: past review (shadow, approval, rollout) belongs to later stages. */
const STATUSES_VALIDATION_MAY_SET: ReadonlySet<VersionStatus> = new Set(['registered', 'validating', 'validated', 'rejected', 'needs-review']);

/** The verdict → the version's status (set by this pipeline). */
const STATUS_BY_PHASE: Partial<Record<RunPhase, VersionStatus>> = {
  Successful: 'validated',
  Failed: 'rejected',
  Inconclusive: 'needs-review',
  Error: 'needs-review',
};

export interface RunView {
  readonly id: string;
  readonly model: string;
  readonly version: number;
  readonly suite: { readonly name: string; readonly version: number };
  readonly phase: RunPhase;
  readonly progress: { readonly done: number; readonly total: number };
  /** Seconds to completion at the pace so far (null when not running or unknown). */
  readonly etaSeconds: number | null;
  readonly champion: ValidationRun['champion'];
  /** Whether this run's verdict sets the version's status (a shipped suite covering the model's tier). */
  readonly affectsStatus: boolean;
  readonly gates: unknown[];
  readonly report: Record<string, unknown> | null;
  readonly evidenceSha256: string | null;
  readonly error: string | null;
  readonly requestedBy: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

/**
 * The validation pipeline's use-cases. The API requests runs; workers process shards and aggregate. Shards and
 * the aggregation are jobs on PostgreSQL (pg-boss), enqueued in the same transaction as the rows they concern.
 */
export class ValidationService {
  constructor(
    private readonly db: Database,
    private readonly store: ArtifactStore,
    private readonly boss: PgBoss,
    private readonly clock: Clock,
    private readonly policy: QueuePolicy,
  ) {}

  /**
   * Creates the queues that are missing; with `owner` (the workers, which carry the queue policy's configuration)
   * also brings existing ones up to this policy. The API only creates: it must not overwrite the workers' policy.
   * Shards retry, heartbeat, and end in a dead-letter queue when their retries are exhausted; so do aggregations.
   */
  async createQueues(options: { owner: boolean }): Promise<void> {
    const ensure = async (name: string, queueOptions: Parameters<PgBoss['createQueue']>[1] = {}) => {
      if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name, queueOptions);
      else if (options.owner && queueOptions && Object.keys(queueOptions).length > 0) await this.boss.updateQueue(name, queueOptions);
    };
    await ensure(DEAD_SHARD_QUEUE);
    await ensure(DEAD_AGGREGATE_QUEUE);
    await ensure(SHARD_QUEUE, {
      retryLimit: this.policy.shardRetryLimit,
      retryDelay: 1,
      heartbeatSeconds: this.policy.heartbeatSeconds,
      expireInSeconds: 3600,
      deadLetter: DEAD_SHARD_QUEUE,
    });
    await ensure(AGGREGATE_QUEUE, { retryLimit: this.policy.shardRetryLimit, retryDelay: 1, expireInSeconds: 3600, deadLetter: DEAD_AGGREGATE_QUEUE });
  }

  /**
   * Requests a run for a version: a shipped suite by name (default: the model tier's), or a suite definition sent
   * with the request (checked, every problem listed). Its shards are queued in the same transaction.
   */
  async request(actor: Principal, modelName: string, versionNumber: number, suiteChoice?: string | { definition: unknown }): Promise<RunView> {
    const model = await this.db.read.models.findByName(modelName);
    if (!model) throw new DomainError('NOT_FOUND', `model "${modelName}" not found`);
    const version = await this.db.read.versions.find(model, versionNumber);
    if (!version) throw new DomainError('NOT_FOUND', `version ${versionNumber} of model "${modelName}" not found`);
    const inline = typeof suiteChoice === 'object';
    const suite = inline ? parseSuite(suiteChoice.definition, 'suiteDefinition') : loadSuite(suiteChoice, model.tier);
    const shards = planShards(suite);
    const runId = randomUUID();
    // Only a shipped suite strong enough for the model's tier, on a version not yet past review, sets its status.
    const affectsStatus = !inline && suiteCoversTier(suite, model.tier) && STATUSES_VALIDATION_MAY_SET.has(version.status);
    return this.db.transaction(async (uow) => {
      if (affectsStatus && (await uow.validation.activeStatusRun(version.id))) {
        throw new DomainError('CONFLICT', `a validation that sets the status of ${model.name}@${version.version} is already running`);
      }
      const championAlias = (await uow.aliases.list(model)).find((a) => a.alias === 'champion');
      const championVersion = championAlias && championAlias.version !== version.version ? await uow.versions.find(model, championAlias.version) : null;
      const run: ValidationRun = {
        id: runId,
        versionId: version.id,
        suite: suite as unknown as Record<string, unknown>,
        champion: championVersion ? { version: championVersion.version, sha256: championVersion.sha256 } : null,
        affectsStatus,
        phase: 'Pending',
        shardsTotal: shards.length,
        shardsDone: 0,
        gates: null,
        report: null,
        evidenceSha256: null,
        error: null,
        requestedBy: `key:${actor.keyId}`,
        createdAt: uow.at,
        startedAt: null,
        finishedAt: null,
      };
      await uow.validation.insertRun(
        run,
        shards.map((spec, index) => ({ id: randomUUID(), runId, index, spec: { ...spec }, status: 'pending', result: null })),
      );
      const subject = `model:${model.name}@${version.version}`;
      await uow.audit(actor, 'validation.requested', subject, {
        runId,
        suite: `${suite.name}@${suite.version}`,
        inline,
        affectsStatus,
        shards: shards.length,
        champion: run.champion,
      });
      if (affectsStatus) await this.setStatus(uow, version.id, 'validating', subject, runId);
      for (let index = 0; index < shards.length; index++) {
        await this.boss.send(SHARD_QUEUE, { runId, index } satisfies ShardJob, { singletonKey: `${runId}:${index}`, db: inTransaction(uow) });
      }
      return this.view(run, model.name, version.version);
    });
  }

  async get(runId: string): Promise<RunView> {
    const run = /^[0-9a-f-]{36}$/.test(runId) ? await this.db.read.validation.findRun(runId) : null;
    if (!run) throw new DomainError('NOT_FOUND', `validation ${runId} not found`);
    const version = await this.db.read.versions.findById(run.versionId);
    return this.view(run, version?.modelName ?? '?', version?.version ?? 0);
  }

  /**
   * Runs one shard and stores its result once. Transient failures are thrown for pg-boss to retry; permanent ones
   * (and the last retry) fail the run with the reason, so a run never hangs.
   */
  async processShard(job: ShardJob, attempt: { retryCount: number }, inputs: RunInputs): Promise<'done' | 'skipped' | 'failed-run'> {
    const run = await this.db.read.validation.findRun(job.runId);
    if (!run || TERMINAL_PHASES.includes(run.phase)) return 'skipped';
    const shard = await this.db.read.validation.findShard(job.runId, job.index);
    if (!shard || shard.status === 'done') return 'skipped'; // a duplicate delivery: the result is stored already
    await this.markStarted(run);
    let result: ShardResult;
    try {
      const version = await this.db.read.versions.findById(run.versionId);
      if (!version) throw new DomainError('NOT_FOUND', `version ${run.versionId} not found`);
      const suite = run.suite as unknown as Suite;
      const spec = shard.spec as unknown as ShardSpec;
      const dataset = suite.datasets[spec.datasetIndex];
      if (!dataset) throw new DomainError('VALIDATION_FAILED', `shard ${job.index} names dataset #${spec.datasetIndex}, not in the suite`);
      const champion = run.champion ? await this.championVersion(version.modelName, run.champion.version) : null;
      result = await runShard({
        suite,
        shard: spec,
        day: await inputs.day(dataset),
        candidate: await inputs.policy(version),
        champion: champion ? await inputs.policy(champion) : undefined,
      });
    } catch (error) {
      const problems = isDomainError(error) ? (error.details.errors ?? []).map((p) => `${p.field}: ${p.message}`) : [];
      const reason = `shard ${job.index}: ${(error as Error).message}${problems.length > 0 ? ` (${problems.join('; ')})` : ''}`;
      if ((isDomainError(error) && PERMANENT.has(error.code)) || attempt.retryCount >= this.policy.shardRetryLimit) {
        await this.failRun(job.runId, reason);
        return 'failed-run';
      }
      throw error;
    }
    await this.db.transaction(async (uow) => {
      const progress = await uow.validation.completeShard(job.runId, job.index, result, uow.at);
      if (progress && progress.done === progress.total) {
        await this.boss.send(AGGREGATE_QUEUE, { runId: job.runId }, { singletonKey: job.runId, db: inTransaction(uow) });
      }
    });
    return 'done';
  }

  /**
   * Judges a run whose shards are all stored, exactly once: the run's row lock and its phase decide whether this
   * call is the one that finishes it. The full result is stored as an evidence artifact (sha256) first.
   */
  async aggregate(runId: string): Promise<ValidationReport | null> {
    const run = await this.db.read.validation.findRun(runId);
    if (!run || TERMINAL_PHASES.includes(run.phase)) return null;
    const version = await this.db.read.versions.findById(run.versionId);
    if (!version) throw new DomainError('NOT_FOUND', `version ${run.versionId} not found`);
    const shards = (await this.db.read.validation.shardResults(runId)).map((s) => s.result as unknown as ShardResult);
    if (shards.some((s) => s === null)) throw new Error(`run ${runId} has shards without results`);
    const suite = run.suite as unknown as Suite;
    const latency = (version.inspection.latency ?? {}) as { singleRowP99Us?: number };
    const report = aggregateRun(suite, shards, { hasChampion: run.champion !== null, inferenceP99Us: latency.singleRowP99Us ?? null });
    const evidence = new TextEncoder().encode(
      JSON.stringify({ schema: 'airlock.validation-evidence/1', runId, model: version.modelName, version: version.version, sha256: version.sha256, champion: run.champion, suite, report, shards }),
    );
    const stored = await this.store.put(evidence);
    const finished = await this.db.transaction(async (uow) => {
      const locked = await uow.validation.lockRun(runId);
      if (!locked || TERMINAL_PHASES.includes(locked.phase)) return false;
      await uow.lockArtifactDigest(stored.sha256);
      if (!(await this.store.has(stored.sha256))) await this.store.put(evidence); // swept meanwhile
      const phase = report.phase as RunPhase;
      const { isDiffSample: _sample, ...summary } = report;
      await uow.validation.finishRun(runId, { phase, gates: [...report.gates], report: summary, evidenceSha256: stored.sha256, error: null, at: uow.at });
      const subject = `model:${version.modelName}@${version.version}`;
      await uow.audit('system', 'validation.completed', subject, {
        runId,
        phase,
        evidenceSha256: stored.sha256,
        gates: report.gates.map((g) => ({ name: g.name, phase: g.phase, value: g.value })),
      });
      if (locked.affectsStatus) await this.setStatus(uow, version.id, STATUS_BY_PHASE[phase] ?? 'needs-review', subject, runId);
      return true;
    });
    return finished ? report : null;
  }

  /** Ends a run in Error with its reason (once; a run already finished is left as it is). */
  async failRun(runId: string, reason: string): Promise<void> {
    await this.db.transaction(async (uow) => {
      const run = await uow.validation.lockRun(runId);
      if (!run || TERMINAL_PHASES.includes(run.phase)) return;
      const version = await uow.versions.findById(run.versionId);
      await uow.validation.finishRun(runId, { phase: 'Error', gates: null, report: null, evidenceSha256: null, error: reason, at: uow.at });
      const subject = version ? `model:${version.modelName}@${version.version}` : `validation:${runId}`;
      await uow.audit('system', 'validation.errored', subject, { runId, reason });
      if (version && run.affectsStatus) await this.setStatus(uow, version.id, 'needs-review', subject, runId);
    });
  }

  private async markStarted(run: ValidationRun): Promise<void> {
    if (run.phase !== 'Pending') return;
    await this.db.transaction(async (uow) => {
      if (await uow.validation.markStarted(run.id, uow.at)) {
        await uow.audit('system', 'validation.started', `validation:${run.id}`, { runId: run.id });
      }
    });
  }

  private async championVersion(modelName: string, version: number) {
    const model = await this.db.read.models.findByName(modelName);
    return model ? this.db.read.versions.find(model, version) : null;
  }

  private async setStatus(uow: UnitOfWork, versionId: string, status: VersionStatus, subject: string, runId: string): Promise<void> {
    const version = await uow.versions.findById(versionId);
    if (!version || version.status === status) return;
    await uow.versions.setStatus(version, status);
    await uow.audit('system', 'version.status-changed', subject, { from: version.status, to: status, runId });
  }

  private view(run: ValidationRun, model: string, version: number): RunView {
    const suite = run.suite as { name?: string; version?: number };
    const elapsedMs = run.startedAt ? this.clock.now().getTime() - run.startedAt.getTime() : 0;
    const etaSeconds =
      run.phase === 'Running' && run.shardsDone > 0 ? Math.round(((elapsedMs / run.shardsDone) * (run.shardsTotal - run.shardsDone)) / 1000) : null;
    return {
      id: run.id,
      model,
      version,
      suite: { name: suite.name ?? '?', version: suite.version ?? 0 },
      phase: run.phase,
      progress: { done: run.shardsDone, total: run.shardsTotal },
      etaSeconds,
      champion: run.champion,
      affectsStatus: run.affectsStatus,
      gates: run.gates ?? [],
      report: run.report,
      evidenceSha256: run.evidenceSha256,
      error: run.error,
      requestedBy: run.requestedBy,
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
    };
  }
}
