import { CATALOG_VERSION, DomainError, FEATURES, findFeature, type FieldProblem } from '@airlock/core';
import type { MarketTracker } from './market-tracker.js';

/**
 * THE implementation of the catalog's features (@airlock/core FEATURES, catalog CATALOG_VERSION). The
 * backtest, the shadow runner and the live-flow simulator all compute features here, so a model sees the same
 * numbers in validation and in production (DESIGN.md principle 1).
 *
 * Market-level features come from the MarketTracker's snapshot at the decision time (the book in force and the
 * trailing trade tape); episode-level ones from the parent order's state. Units and formulas: catalog.ts.
 * Where the book at t is one-sided or empty, book features read the last two-sided book (documented in
 * docs/simulation.md); prices are already integer ticks, so `spread_ticks` is ask1 − bid1.
 */
export const FEATURE_ENGINE_CATALOG_VERSION = CATALOG_VERSION;

const CODES = {
  spread_bps: 0,
  spread_ticks: 1,
  microprice_offset_bps: 2,
  imbalance_l1: 3,
  imbalance_l5: 4,
  realized_vol_5m_bps: 5,
  trade_flow_imbalance_1m: 6,
  market_volume_1m_frac: 7,
  time_remaining_frac: 8,
  qty_remaining_frac: 9,
  schedule_deviation: 10,
  side: 11,
} as const;

/** Feature names this engine computes. */
export const ENGINE_FEATURES: readonly string[] = Object.keys(CODES);

export const canComputeFeature = (name: string): boolean => Object.hasOwn(CODES, name);

/**
 * Checks a model's feature list: every name must be in the catalog and computable here. Throws
 * MANIFEST_UNKNOWN_FEATURE listing every offending name (`${field}[i]`).
 */
export function resolveFeatureCodes(names: readonly string[], field = 'manifest.features'): Uint8Array {
  const problems: FieldProblem[] = [];
  const codes = new Uint8Array(names.length);
  names.forEach((name, i) => {
    if (!findFeature(name)) {
      problems.push({ field: `${field}[${i}]`, message: `unknown feature "${name}": catalog ${CATALOG_VERSION} does not define it` });
    } else if (!canComputeFeature(name)) {
      problems.push({ field: `${field}[${i}]`, message: `feature "${name}" is in the catalog but the simulator's feature engine cannot compute it` });
    } else {
      codes[i] = CODES[name as keyof typeof CODES];
    }
  });
  if (problems.length > 0) {
    throw new DomainError('MANIFEST_UNKNOWN_FEATURE', `cannot compute ${problems.length} of the model's features`, { errors: problems });
  }
  return codes;
}

/** Sanity link to the catalog: names the catalog defines that this engine does not compute (should be empty). */
export const uncomputableCatalogFeatures = (): string[] => FEATURES.map((f) => f.name).filter((n) => !canComputeFeature(n));

/** Per-row parent-order state the episode-level features read (row r of each array). */
export interface FeatureRows {
  /** +1 buy, −1 sell. */
  readonly side: ArrayLike<number>;
  /** Parent quantity, shares. */
  readonly quantity: ArrayLike<number>;
  /** Shares filled so far. */
  readonly filled: ArrayLike<number>;
  /** ns after midnight. */
  readonly startNs: ArrayLike<number>;
  readonly endNs: ArrayLike<number>;
}

export class FeatureEngine {
  private readonly codes: Uint8Array;

  constructor(
    private readonly tracker: MarketTracker,
    /** Feature names in the model's input column order. */
    readonly names: readonly string[],
  ) {
    this.codes = resolveFeatureCodes(names);
  }

  get width(): number {
    return this.codes.length;
  }

  /**
   * Writes `rows` feature rows (row-major, rows × width) for decision time `timeNs` into `out`. The tracker must
   * have consumed every message with time ≤ timeNs and none after it.
   */
  compute(timeNs: number, rows: number, state: FeatureRows, out: Float32Array): void {
    const m = this.tracker.snapshot(timeNs);
    const codes = this.codes;
    const width = codes.length;
    for (let r = 0; r < rows; r++) {
      const side = state.side[r] as number;
      const quantity = state.quantity[r] as number;
      const filled = state.filled[r] as number;
      const start = state.startNs[r] as number;
      const end = state.endNs[r] as number;
      const base = r * width;
      for (let c = 0; c < width; c++) {
        let v: number;
        switch (codes[c]) {
          case 0: v = m.spreadBps; break;
          case 1: v = m.spreadTicks; break;
          case 2: v = side * m.micropriceOffsetBps; break;
          case 3: v = m.imbalanceL1; break;
          case 4: v = m.imbalanceL5; break;
          case 5: v = m.realizedVol5mBps; break;
          case 6: v = m.tradeFlowImbalance1m; break;
          case 7: v = m.volume1m / quantity; break;
          case 8: v = Math.min(1, Math.max(0, (end - timeNs) / (end - start))); break;
          case 9: v = (quantity - filled) / quantity; break;
          case 10: v = filled / quantity - (timeNs - start) / (end - start); break;
          default: v = side; break;
        }
        out[base + c] = v;
      }
    }
  }
}
