import { runMain } from '@airlock/runtime';
import { startShadowRunner } from './bootstrap.js';
import { loadShadowRunnerConfig } from './shadow-runner-config.js';

await runMain(loadShadowRunnerConfig, (config) => startShadowRunner(config));
