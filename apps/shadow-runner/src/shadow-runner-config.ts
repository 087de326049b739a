import { DEFAULT_LIVE_FLOW_URI } from '@airlock/live-flow';
import { commonConfig, commonEnvFields, parseEnv, type CommonConfig } from '@airlock/runtime';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvFields,
  /** Port of the shadow runner's /healthz, /readyz and /metrics. */
  SHADOW_RUNNER_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
  /** The live flow: nats://host:port[/stream] or a file: directory (the embedded default). */
  AIRLOCK_LIVE_FLOW: z.string().min(1).default(DEFAULT_LIVE_FLOW_URI),
  /** Durable consumer name: its position (and the database checkpoint) survive restarts. One runner per name. */
  AIRLOCK_SHADOW_DURABLE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of [A-Za-z0-9_-]').default('shadow-runner'),
  /** Events between checkpoints (a database transaction, then the flow's ack); ≤ NATS's max_ack_pending. */
  AIRLOCK_SHADOW_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(50_000).default(20_000),
  /** ms of processing between checkpoints, at most (whichever of the two comes first). */
  AIRLOCK_SHADOW_CHECKPOINT_MS: z.coerce.number().int().min(1).default(1000),
  /** ms between checkpoints while the flow is idle (picks up new and stopped sessions). */
  AIRLOCK_SHADOW_TICK_MS: z.coerce.number().int().min(10).default(1000),
  /** Done orders' hypothetical episodes are scored in batches at most this often, ms (each replays the day). */
  AIRLOCK_SHADOW_SCORE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Metric window length, seconds of event time. */
  AIRLOCK_SHADOW_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
});

export interface ShadowRunnerConfig extends CommonConfig {
  readonly port: number;
  readonly liveFlowUri: string;
  readonly durable: string;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly tickMs: number;
  readonly scoreIntervalMs: number;
  readonly windowNs: number;
}

export function loadShadowRunnerConfig(env: Readonly<Record<string, string | undefined>>): ShadowRunnerConfig {
  const c = parseEnv(schema, env);
  return {
    ...commonConfig(c),
    port: c.SHADOW_RUNNER_PORT,
    liveFlowUri: c.AIRLOCK_LIVE_FLOW,
    durable: c.AIRLOCK_SHADOW_DURABLE,
    checkpointEvery: c.AIRLOCK_SHADOW_CHECKPOINT_EVERY,
    checkpointIntervalMs: c.AIRLOCK_SHADOW_CHECKPOINT_MS,
    tickMs: c.AIRLOCK_SHADOW_TICK_MS,
    scoreIntervalMs: c.AIRLOCK_SHADOW_SCORE_MS,
    windowNs: c.AIRLOCK_SHADOW_WINDOW_SECONDS * 1_000_000_000,
  };
}
