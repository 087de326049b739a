import 'reflect-metadata';
import { ConfigError, loadApiConfig } from './config/api-config.js';
import { startApi } from './bootstrap.js';

try {
  const api = await startApi(loadApiConfig(process.env));
  const shutdown = async (signal: string) => {
    api.logger.info({ signal }, 'shutting down');
    await api.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
