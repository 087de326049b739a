export * from './bootstrap.js';
export * from './shadow-runner-config.js';
