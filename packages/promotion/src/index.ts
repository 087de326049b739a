export * from './deployment.service.js';
export * from './promotion.service.js';
export * from './rollout-controller.js';
export * from './rollout-leader.loop.js';
export * from './rollout.service.js';
