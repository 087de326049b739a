export * from './errors.js';
export * from './catalog.js';
export * from './manifest.js';
export * from './policy.js';
export * from './audit-chain.js';
export * from './registry.js';
export * from './analysis/analysis.js';
