export * from './env.js';
export * from './logger.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './run-main.js';
