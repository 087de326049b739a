export * from './deployment.service.js';
export * from './promotion.service.js';
