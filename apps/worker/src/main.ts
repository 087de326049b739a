import { ConfigError } from '@airlock/runtime';
import { startWorker } from './bootstrap.js';
import { loadWorkerConfig } from './worker-config.js';

try {
  const worker = await startWorker(loadWorkerConfig(process.env));
  const shutdown = async () => {
    await worker.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
