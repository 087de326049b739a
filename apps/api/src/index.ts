export * from './bootstrap.js';
export * from './config/api-config.js';
