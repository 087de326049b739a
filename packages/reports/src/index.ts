export * from './inventory.js';
export * from './lifecycle-report.js';
export * from './pdf.js';
export * from './evidence-pack.js';
