export * from './api-keys.service.js';
export * from './artifact-inspector.js';
export * from './orphan-sweeper.js';
export * from './registry.service.js';
export * from './audit.service.js';
export * from './onnx-artifact-inspector.js';
