export * from './scenario-spec.validator.js';
export * from './price-scenario.transform.js';
export * from './depth-scenario.transform.js';
export * from './market-scenario.transform.js';
export * from './feature-noise.policy.js';
export * from './scenario.factory.js';
