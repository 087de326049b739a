import { ConfigError } from '@airlock/runtime';
import { startShadowRunner } from './bootstrap.js';
import { loadShadowRunnerConfig } from './shadow-runner-config.js';

try {
  const runner = await startShadowRunner(loadShadowRunnerConfig(process.env));
  const shutdown = async () => {
    await runner.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
