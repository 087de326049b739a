import 'reflect-metadata';
import { runMain } from '@airlock/runtime';
import { startApi } from './bootstrap.js';
import { loadApiConfig } from './config/api-config.js';

await runMain(loadApiConfig, (config) => startApi(config));
