import { createLogger, createMetricsRegistry, startOpsServer, type Logger } from '@airlock/runtime';
import type { ShadowRunnerConfig } from './shadow-runner-config.js';

export interface RunningShadowRunner {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The shadow runner process. It starts, reports health and metrics; consuming live flow and scoring candidates
 * arrive with issue #5 (docs/roadmap.md).
 */
export async function startShadowRunner(config: ShadowRunnerConfig, overrides: { logger?: Logger } = {}): Promise<RunningShadowRunner> {
  const logger = overrides.logger ?? createLogger('shadow-runner', config.logLevel);
  const ops = await startOpsServer({ host: config.host, port: config.port, logger, metrics: createMetricsRegistry('shadow-runner'), checks: [] });
  logger.info({ url: ops.url }, 'shadow runner started');
  return { url: ops.url, close: () => ops.close() };
}
