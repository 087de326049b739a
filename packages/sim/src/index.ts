export * from "./data/market-day.js";
export { createRng, type Rng } from './data/prng.js';
export {
  ApplyOutcome,
  OrderBook,
  Side,
  type BookLevels,
  type BookMessage,
  type QueueEntry,
} from './data/order-book.js';
export { formatTimeNs, parseTimeNs, type DataProblem } from './data/lobster-csv.parser.js';
export {
  loadLobster,
  parseLobster,
  parseLobsterName,
  readLobsterSource,
  type LoadOptions,
  type LoadResult,
  type LobsterFiles,
} from './data/lobster.loader.js';
export {
  CACHE_FORMAT_VERSION,
  loadMarketDay,
  readMarketDay,
  saveMarketDay,
  type MarketDayCacheOptions,
} from './data/market-day.cache.js';
export { BookReconstructor, verifyLobster, type BookMismatch, type VerifyReport } from './data/book.verifier.js';
export {
  dataQuality,
  type DataQualityOptions,
  type DataQualityReport,
  type QualityCount,
  type QualityExample,
} from './data/data-quality.report.js';
export {
  REGIMES,
  generateSyntheticDay,
  type RegimeParameters,
  type SyntheticDayOptions,
  type SyntheticRegime,
} from './data/synthetic-day.generator.js';
export { writeLobster, writeLobsterZip } from './data/lobster.writer.js';
export { FlowDayBuilder, forEachFlowMarketEvent, visibleLevels, type FlowLevel, type TradeAggressor } from './data/flow-day.builder.js';
// --- execution engine (orders, features, execution models, strategies, metrics, statistics, backtest) ---
export * from './orders/parent-order.js';
export * from './orders/order-csv.js';
export * from './orders/order-generator.js';
export * from './features/volume-curve.js';
export * from './features/market-tracker.js';
export * from './features/feature-engine.js';
export * from './execution/fees.js';
export * from './execution/impact.js';
export * from './execution/execution-config.js';
export * from './strategies/execution-strategy.js';
export * from './strategies/schedule-strategies.js';
export * from './strategies/policy-strategy.js';
export * from './metrics/episode-metrics.js';
export * from './stats/descriptive.js';
export * from './stats/bootstrap.js';
export * from './stats/wilcoxon.js';
export * from './stats/normal.js';
export { hashString, mixSeed, nextUniform, seed32 } from './stats/random.js';
export * from './backtest/backtest-result.js';
export * from './backtest/run-backtest.js';
export * from './backtest/compare.js';
export { ReplayEngine, type EngineInput, type EngineStrategy } from './backtest/replay-engine.js';
export * from './scenarios/index.js';
