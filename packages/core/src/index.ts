export * from './errors.js';
export * from './catalog.js';
export * from './manifest.js';
