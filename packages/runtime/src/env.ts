import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment against an app's schema as a whole: a bad value stops the process with every problem
 * listed, not the first one. Empty variables count as unset (the shell's `VAR=` idiom).
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Readonly<Record<string, string | undefined>>): z.infer<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return parsed.data;
}

export const booleanFromEnv = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Settings every app reads the same way: where its data lives and how it logs. */
export const commonEnvFields = {
  /** Absent: an embedded PostgreSQL (PGlite) under AIRLOCK_DATA_DIR/db. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  AIRLOCK_DATA_DIR: z.string().min(1).default('.airlock'),
  /** file:///abs/path, file:relative/path, or s3://bucket/prefix (AWS SDK standard variables for the rest). */
  AIRLOCK_ARTIFACT_STORE: z.string().regex(/^(file:|s3:\/\/)/, 'must start with file: or s3://').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
};

export interface CommonConfig {
  readonly databaseUrl?: string;
  readonly databasePoolSize: number;
  /** Absolute path. */
  readonly dataDir: string;
  readonly artifactStoreUri: string;
  readonly logLevel: string;
  readonly host: string;
}

export function commonConfig(c: {
  DATABASE_URL?: string;
  DATABASE_POOL_SIZE: number;
  AIRLOCK_DATA_DIR: string;
  AIRLOCK_ARTIFACT_STORE?: string;
  LOG_LEVEL: string;
  HOST: string;
}): CommonConfig {
  const dataDir = resolve(c.AIRLOCK_DATA_DIR);
  return {
    databaseUrl: c.DATABASE_URL,
    databasePoolSize: c.DATABASE_POOL_SIZE,
    dataDir,
    artifactStoreUri: c.AIRLOCK_ARTIFACT_STORE ?? pathToFileURL(resolve(dataDir, 'artifacts')).href,
    logLevel: c.LOG_LEVEL,
    host: c.HOST,
  };
}
