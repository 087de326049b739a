import { DomainError, type FieldProblem } from '@airlock/core';
import { DEFAULT_VOLUME_CURVE_BUCKET_NS } from '../features/volume-curve.js';
import { DEFAULT_FEES, type FeeSchedule } from './fees.js';
import { DEFAULT_IMPACT, type ImpactConfig } from './impact.js';

/**
 * How resting orders find their place in the queue:
 *  - exact: order IDs tell which resting orders were ahead of ours (needs LOBSTER-style IDs);
 *  - probabilistic: executions consume the queue ahead first; a cancel at our price comes from ahead of us
 *    with probability a^n / (a^n + b^n) (a = shares ahead, b = shares behind, n = queuePower), drawn from the
 *    episode's seeded stream;
 *  - auto: exact when every type 1–4 message carries an order ID, probabilistic otherwise.
 */
export type QueueModelKind = 'auto' | 'exact' | 'probabilistic';

/** Everything that shapes a backtest besides the data, orders, strategies and seed. JSON-serialisable. */
export interface BacktestConfig {
  /** ns between decisions; decisions happen on multiples of it (a grid shared by every episode). */
  readonly decisionIntervalNs: number;
  /** ns from a decision to our orders (and cancels) reaching the exchange; must be < decisionIntervalNs. */
  readonly latencyNs: number;
  readonly queueModel: QueueModelKind;
  /** Exponent n of the probabilistic queue model (1 = proportional to size). */
  readonly queuePower: number;
  readonly fees: FeeSchedule;
  readonly impact: ImpactConfig;
  /** ns per bucket of the expected-volume curve built from the day. */
  readonly volumeCurveBucketNs: number;
  /** Keep every fill in the result (for audits and tests); off by default. */
  readonly recordFills: boolean;
}

export const DEFAULT_BACKTEST_CONFIG: BacktestConfig = {
  decisionIntervalNs: 10_000_000_000,
  latencyNs: 1_000_000,
  queueModel: 'auto',
  queuePower: 1,
  fees: DEFAULT_FEES,
  impact: DEFAULT_IMPACT,
  volumeCurveBucketNs: DEFAULT_VOLUME_CURVE_BUCKET_NS,
  recordFills: false,
};

/** Fills in defaults and checks every field; throws VALIDATION_FAILED listing every problem. */
export function resolveBacktestConfig(partial: Partial<BacktestConfig> = {}): BacktestConfig {
  const config: BacktestConfig = { ...DEFAULT_BACKTEST_CONFIG, ...stripUndefined(partial) };
  const problems: FieldProblem[] = [];
  const bad = (field: string, message: string): void => {
    problems.push({ field: `config.${field}`, message });
  };
  if (!Number.isSafeInteger(config.decisionIntervalNs) || config.decisionIntervalNs <= 0) bad('decisionIntervalNs', 'must be a positive integer of ns');
  if (!Number.isSafeInteger(config.latencyNs) || config.latencyNs < 0) bad('latencyNs', 'must be a non-negative integer of ns');
  else if (config.latencyNs >= config.decisionIntervalNs) bad('latencyNs', 'must be shorter than decisionIntervalNs (one order instruction in flight per episode)');
  if (!['auto', 'exact', 'probabilistic'].includes(config.queueModel)) bad('queueModel', 'must be auto, exact or probabilistic');
  if (!(config.queuePower > 0) || !Number.isFinite(config.queuePower)) bad('queuePower', 'must be a positive number');
  const fees = config.fees;
  if (fees.unit !== 'per-share' && fees.unit !== 'bps') bad('fees.unit', 'must be per-share or bps');
  if (!Number.isFinite(fees.taker)) bad('fees.taker', 'must be a finite number');
  if (!Number.isFinite(fees.makerRebate)) bad('fees.makerRebate', 'must be a finite number');
  const impact = config.impact;
  if (impact.model !== 'none') {
    if (impact.model !== 'linear' && impact.model !== 'square-root') bad('impact.model', 'must be none, linear or square-root');
    if (!(impact.coefficient >= 0) || !Number.isFinite(impact.coefficient)) bad('impact.coefficient', 'must be a finite number ≥ 0');
    if (impact.dailyVolBps !== undefined && !(impact.dailyVolBps >= 0)) bad('impact.dailyVolBps', 'must be ≥ 0 when given');
    if (impact.dailyVolume !== undefined && !(impact.dailyVolume > 0)) bad('impact.dailyVolume', 'must be > 0 when given');
  }
  if (!Number.isSafeInteger(config.volumeCurveBucketNs) || config.volumeCurveBucketNs <= 0) bad('volumeCurveBucketNs', 'must be a positive integer of ns');
  if (typeof config.recordFills !== 'boolean') bad('recordFills', 'must be a boolean');
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', `${problems.length} problem(s) in the backtest configuration`, { errors: problems });
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
