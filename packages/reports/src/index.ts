export * from './inventory.js';
export * from './lifecycle-report.js';
