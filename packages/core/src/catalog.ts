/**
 * The execution-model contract's catalog, version CATALOG_VERSION. A model's manifest names the features it
 * reads (in its input column order) and the actions it writes (in its output column order); both must come
 * from here. The formulas are implemented once, in @airlock/sim's feature engine, and used by the backtest,
 * the shadow runner and the live-flow simulator alike. Documented for people in docs/model-contract.md.
 *
 * Notation: bid1/ask1 best prices, bidSize_k/askSize_k visible sizes at level k, mid = (bid1+ask1)/2,
 * side = +1 buy / -1 sell, t decision time, [start,end] the parent order's window.
 */
export const CATALOG_VERSION = '1.0.0';

export interface FeatureDefinition {
  readonly name: string;
  readonly unit: string;
  readonly description: string;
  readonly formula: string;
}

export interface ActionDefinition {
  readonly name: string;
  /** Inclusive bounds every output of this action must respect. */
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

export const FEATURES: readonly FeatureDefinition[] = [
  {
    name: 'spread_bps',
    unit: 'bps',
    description: 'Quoted spread relative to the mid price.',
    formula: '(ask1 - bid1) / mid * 1e4',
  },
  {
    name: 'spread_ticks',
    unit: 'ticks',
    description: 'Quoted spread in price ticks (1 = locked at one tick).',
    formula: '(ask1 - bid1) / tickSize',
  },
  {
    name: 'microprice_offset_bps',
    unit: 'bps, signed: positive = microprice moved against our side',
    description: 'Size-weighted microprice relative to mid, from our side’s point of view.',
    formula: 'side * ((ask1*bidSize1 + bid1*askSize1) / (bidSize1 + askSize1) - mid) / mid * 1e4',
  },
  {
    name: 'imbalance_l1',
    unit: 'ratio in [-1, 1]',
    description: 'Top-of-book size imbalance; positive = more resting bids.',
    formula: '(bidSize1 - askSize1) / (bidSize1 + askSize1)',
  },
  {
    name: 'imbalance_l5',
    unit: 'ratio in [-1, 1]',
    description: 'Size imbalance over the first five levels (or all levels the data has, if fewer).',
    formula: '(Σk≤5 bidSize_k - Σk≤5 askSize_k) / (Σk≤5 bidSize_k + Σk≤5 askSize_k)',
  },
  {
    name: 'realized_vol_5m_bps',
    unit: 'bps over 5 minutes',
    description: 'Realised volatility of the mid over the trailing five minutes, from one-second samples.',
    formula: 'sqrt(Σ r_i²) * 1e4, r_i = ln(mid_i / mid_{i-1}), mid sampled each second over (t-300s, t]',
  },
  {
    name: 'trade_flow_imbalance_1m',
    unit: 'ratio in [-1, 1]',
    description: 'Signed market trade volume over the trailing minute; positive = buyer-initiated.',
    formula: '(buyInitiatedVolume - sellInitiatedVolume) / (buyInitiatedVolume + sellInitiatedVolume) over (t-60s, t]; 0 if none',
  },
  {
    name: 'market_volume_1m_frac',
    unit: 'ratio ≥ 0',
    description: 'Market volume traded (visible and hidden) in the trailing minute, relative to the parent quantity.',
    formula: 'volume over (t-60s, t] / parentQuantity',
  },
  {
    name: 'time_remaining_frac',
    unit: 'ratio in [0, 1]',
    description: 'Share of the parent order’s window still ahead.',
    formula: 'clamp((end - t) / (end - start), 0, 1)',
  },
  {
    name: 'qty_remaining_frac',
    unit: 'ratio in [0, 1]',
    description: 'Share of the parent quantity not yet filled.',
    formula: '(parentQuantity - filled) / parentQuantity',
  },
  {
    name: 'schedule_deviation',
    unit: 'ratio in [-1, 1]; positive = ahead of a linear schedule',
    description: 'Filled share minus elapsed-time share.',
    formula: 'filled / parentQuantity - (t - start) / (end - start)',
  },
  {
    name: 'side',
    unit: '+1 buy, -1 sell',
    description: 'Direction of the parent order.',
    formula: 'side',
  },
];

export const ACTIONS: readonly ActionDefinition[] = [
  {
    name: 'participation',
    min: 0,
    max: 1,
    description: 'Share of the expected market volume in the next decision interval to work (0 = pause, 1 = match the market).',
  },
  {
    name: 'aggression',
    min: 0,
    max: 1,
    description: 'How to work it: 0 = rest passively at our touch, 1 = cross the spread and take liquidity; in between splits the child quantity.',
  },
];

const FEATURE_BY_NAME = new Map(FEATURES.map((f) => [f.name, f]));
const ACTION_BY_NAME = new Map(ACTIONS.map((a) => [a.name, a]));

export const findFeature = (name: string): FeatureDefinition | undefined => FEATURE_BY_NAME.get(name);
export const findAction = (name: string): ActionDefinition | undefined => ACTION_BY_NAME.get(name);
