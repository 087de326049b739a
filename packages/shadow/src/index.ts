export * from './shadow.types.js';
export * from './live-execution.js';
export * from './runner/shadow-scorer.js';
export * from './runner/instrument-day.js';
export * from './runner/shadow-verdict.js';
export * from './live-sim/live-sim.types.js';
export {
  DEFAULT_LIVE_SIM_BATCH,
  DEFAULT_LIVE_SIM_LEVELS,
  DEFAULT_LIVE_SIM_ORDERS,
  DEFAULT_LIVE_SIM_WAVE_NS,
  buildLiveSimFlowDay,
  flowInstrument,
  marketEventAt,
  runLiveSim,
  type LiveSimFlowDay,
} from './live-sim/live-sim.js';
export { recordingStrategy, type RecordedDecision, type RecordingStrategy } from './live-sim/recording-strategy.js';
export * from './runner/shadow-runner.js';
export * from './runner/version-resolver.js';
export * from './shadow.service.js';
