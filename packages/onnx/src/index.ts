export * from './model-contract.js';
export * from './seeded-random.js';
export * from './onnx-builder.js';
export * from './onnx-header.js';
export * from './probe-batch.js';
export type { ValueInfo } from './probe-protocol.js';
export { PROBE_WORKER_PATH, findPrlimit, classifyChildExit, classifyRuntimeError, type ProbeStage } from './probe-child.js';
export * from './validate-artifact.js';
export * from './onnx-policy.js';
