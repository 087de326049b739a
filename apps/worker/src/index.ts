export * from './bootstrap.js';
export * from './worker-config.js';
