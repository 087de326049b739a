import { commonConfig, commonEnvFields, parseEnv, type CommonConfig } from '@airlock/runtime';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvFields,
  /** Port of the shadow runner's /healthz, /readyz and /metrics. */
  SHADOW_RUNNER_PORT: z.coerce.number().int().min(0).max(65535).default(8082),
});

export interface ShadowRunnerConfig extends CommonConfig {
  readonly port: number;
}

export function loadShadowRunnerConfig(env: Readonly<Record<string, string | undefined>>): ShadowRunnerConfig {
  const c = parseEnv(schema, env);
  return { ...commonConfig(c), port: c.SHADOW_RUNNER_PORT };
}
