import { ConfigError, commonConfig, commonEnvFields, parseEnv, type CommonConfig } from '@airlock/runtime';
import { resolve } from 'node:path';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvFields,
  /** Port of the worker's /healthz, /readyz and /metrics. */
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** How often unreferenced artifacts are swept, ms (default 10 minutes; 0 disables). */
  AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  /** Unreferenced artifacts younger than this are left alone: an upload may still be committing (ms, default 1 h). */
  AIRLOCK_ORPHAN_GRACE_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** Validation shards this worker runs at once (CPU-bound: one per core it may use). */
  AIRLOCK_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Attempts after the first for a shard that fails with a transient error. */
  AIRLOCK_SHARD_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(2),
  /** A running shard's heartbeat interval, s (≥ 10, pg-boss's minimum): a killed worker's shard is retried after it. */
  AIRLOCK_SHARD_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).default(10),
  /** How often pg-boss looks for jobs whose heartbeat stopped, s. */
  AIRLOCK_QUEUE_SUPERVISE_SECONDS: z.coerce.number().int().min(1).default(30),
  /** How often the rollout controller ticks while this worker leads, ms (default 1 s; 0 disables the controller). */
  AIRLOCK_ROLLOUT_TICK_MS: z.coerce.number().int().min(0).default(1000),
  /** Interval of the built-in `execution-quality` analysis metrics, ms (three measurements per analysis step). */
  AIRLOCK_ANALYSIS_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  /** How long an approval vote counts (as the API's): a rollout must start before the oldest counted vote expires. */
  AIRLOCK_APPROVAL_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  /** `kubernetes`: the rollout controller also runs the execution engines (docs/kubernetes-actuator.md); default: the routing table only. */
  AIRLOCK_ACTUATOR: z.enum(['routing-table', 'kubernetes']).default('routing-table'),
  /** Kubernetes actuator: namespace of the engine Deployments and routing ConfigMaps. */
  AIRLOCK_K8S_NAMESPACE: z.string().min(1).default('airlock'),
  /** Kubernetes actuator: execution-engine image. */
  AIRLOCK_K8S_ENGINE_IMAGE: z.string().min(1).optional(),
  /** Kubernetes actuator: engine pods per deployment, split stable/canary by weight. */
  AIRLOCK_K8S_ENGINE_REPLICAS: z.coerce.number().int().min(1).max(1000).default(10),
  /** Kubernetes actuator: `in-cluster`, a kubeconfig path, or absent (KUBECONFIG, ~/.kube/config, then in-cluster). */
  AIRLOCK_KUBECONFIG: z.string().min(1).optional(),
  /** Dataset archives and columnar caches (default <data dir>/cache). */
  AIRLOCK_CACHE_DIR: z.string().min(1).optional(),
});

export interface WorkerConfig extends CommonConfig {
  readonly port: number;
  readonly orphanSweepIntervalMs: number;
  readonly orphanGraceMs: number;
  readonly concurrency: number;
  readonly shardRetryLimit: number;
  readonly shardHeartbeatSeconds: number;
  readonly queueSuperviseSeconds: number;
  readonly cacheDir: string;
  readonly rolloutTickMs: number;
  readonly approvalTtlMs: number;
  readonly analysisIntervalMs: number;
  /** null: the routing table only. */
  readonly kubernetes: { readonly namespace: string; readonly image: string; readonly totalReplicas: number; readonly kubeconfig?: string } | null;
}

function missing(field: string, message: string): never {
  throw new ConfigError([`${field}: ${message}`]);
}

export function loadWorkerConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  const c = parseEnv(schema, env);
  const common = commonConfig(c);
  return {
    ...common,
    port: c.WORKER_PORT,
    orphanSweepIntervalMs: c.AIRLOCK_ORPHAN_SWEEP_INTERVAL_MS,
    orphanGraceMs: c.AIRLOCK_ORPHAN_GRACE_MS,
    concurrency: c.AIRLOCK_WORKER_CONCURRENCY,
    shardRetryLimit: c.AIRLOCK_SHARD_RETRY_LIMIT,
    shardHeartbeatSeconds: c.AIRLOCK_SHARD_HEARTBEAT_SECONDS,
    queueSuperviseSeconds: c.AIRLOCK_QUEUE_SUPERVISE_SECONDS,
    rolloutTickMs: c.AIRLOCK_ROLLOUT_TICK_MS,
    approvalTtlMs: Math.round(c.AIRLOCK_APPROVAL_TTL_HOURS * 3600_000),
    analysisIntervalMs: c.AIRLOCK_ANALYSIS_INTERVAL_MS,
    kubernetes:
      c.AIRLOCK_ACTUATOR === 'kubernetes'
        ? {
            namespace: c.AIRLOCK_K8S_NAMESPACE,
            image: c.AIRLOCK_K8S_ENGINE_IMAGE ?? missing('AIRLOCK_K8S_ENGINE_IMAGE', 'is required with AIRLOCK_ACTUATOR=kubernetes'),
            totalReplicas: c.AIRLOCK_K8S_ENGINE_REPLICAS,
            ...(c.AIRLOCK_KUBECONFIG ? { kubeconfig: c.AIRLOCK_KUBECONFIG } : {}),
          }
        : null,
    cacheDir: resolve(c.AIRLOCK_CACHE_DIR ?? `${common.dataDir}/cache`),
  };
}
