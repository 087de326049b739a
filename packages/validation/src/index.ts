export * from './aggregate.js';
export * from './run-inputs.js';
export * from './shard-plan.js';
export * from './shard-runner.js';
export * from './suite.js';
export * from './validation.service.js';
export * from './dataset.service.js';
export * from './validation-html.js';
