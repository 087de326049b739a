import { ConfigError, booleanFromEnv, commonConfig, commonEnvFields, parseEnv, type CommonConfig } from '@airlock/runtime';
import { z } from 'zod';

const MIB = 1024 * 1024;

/** The API's configuration, read once from the environment at start (every variable documented in docs/configuration.md). */
const schema = z.object({
  ...commonEnvFields,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  AIRLOCK_BOOTSTRAP_ADMIN_KEY: z.string().min(16, 'at least 16 characters').optional(),
  /** Largest accepted artifact upload, bytes (default 256 MiB). */
  AIRLOCK_MAX_ARTIFACT_BYTES: z.coerce.number().int().min(1024).default(256 * MIB),
  /** Bounds on loading an untrusted model in its sandbox process. */
  AIRLOCK_INSPECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  AIRLOCK_INSPECT_MAX_MEMORY_MB: z.coerce.number().int().min(256).default(2048),
  AIRLOCK_MIGRATE_ON_START: booleanFromEnv.default(true),
  /** Hours a promotion request stays open for votes and a vote counts (docs/promotion.md). */
  AIRLOCK_APPROVAL_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
});

export interface ApiConfig extends CommonConfig {
  readonly port: number;
  readonly bootstrapAdminKey?: string;
  readonly maxArtifactBytes: number;
  readonly inspectTimeoutMs: number;
  readonly inspectMaxMemoryMb: number;
  readonly migrateOnStart: boolean;
  readonly approvalTtlMs: number;
}

export { ConfigError };

export function loadApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  const c = parseEnv(schema, env);
  return {
    ...commonConfig(c),
    port: c.PORT,
    bootstrapAdminKey: c.AIRLOCK_BOOTSTRAP_ADMIN_KEY,
    maxArtifactBytes: c.AIRLOCK_MAX_ARTIFACT_BYTES,
    inspectTimeoutMs: c.AIRLOCK_INSPECT_TIMEOUT_MS,
    inspectMaxMemoryMb: c.AIRLOCK_INSPECT_MAX_MEMORY_MB,
    migrateOnStart: c.AIRLOCK_MIGRATE_ON_START,
    approvalTtlMs: Math.round(c.AIRLOCK_APPROVAL_TTL_HOURS * 3600_000),
  };
}
