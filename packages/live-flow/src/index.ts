export * from './live-event.schema.js';
export * from './live-event.decoder.js';
export * from './live-flow.port.js';
export * from './live-flow.factory.js';
export { DEFAULT_LIVE_STREAM, LIVE_NAME_PATTERN, streamSubjects, subjectOf } from './live-flow-names.util.js';
export {
  FileLiveFlowConsumer,
  FileLiveFlowPublisher,
  FileLiveFlowReader,
  positionFilePath,
  streamFilePath,
  type FileConsumerOptions,
  type FilePublisherOptions,
  type FileReaderOptions,
} from './file-live-flow.adapter.js';
export {
  NatsLiveFlowConsumer,
  NatsLiveFlowPublisher,
  NatsLiveFlowReader,
  ensureLiveFlowStream,
  liveFlowStreamConfig,
  type NatsConsumerOptions,
  type NatsLocation,
  type NatsPublisherOptions,
  type NatsReaderOptions,
} from './nats-live-flow.adapter.js';
export { SequenceTracker, type SequenceCheck } from './sequence.tracker.js';
export { systemReplayClock, type ReplayClock } from './replay-clock.js';
export { OPEN_NS, syntheticMarketEvents, syntheticOrderLife, type SyntheticMarketOptions, type SyntheticOrderOptions } from './synthetic-flow.generator.js';
