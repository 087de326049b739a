import { runMain } from '@airlock/runtime';
import { startWorker } from './bootstrap.js';
import { loadWorkerConfig } from './worker-config.js';

await runMain(loadWorkerConfig, (config) => startWorker(config));
