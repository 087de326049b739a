import { ConfigError } from './env.js';

/**
 * The entry point every app process shares: load the configuration (a ConfigError prints every problem), start,
 * and stop cleanly on SIGTERM/SIGINT (Kubernetes sends SIGTERM; running work finishes first).
 */
export async function runMain<C>(loadConfig: (env: NodeJS.ProcessEnv) => C, start: (config: C) => Promise<{ close(): Promise<void> }>): Promise<void> {
  try {
    const running = await start(loadConfig(process.env));
    const shutdown = async () => {
      await running.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void shutdown());
    process.once('SIGINT', () => void shutdown());
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
