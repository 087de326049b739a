export * from './worker-processes.js';
