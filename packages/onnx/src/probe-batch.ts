/**
 * The probe batch: seeded, plausible feature rows that registration feeds a candidate model to check that its
 * outputs are finite and inside the action bounds. Ranges follow each catalog feature's unit
 * (@airlock/core catalog.ts) and cover what live markets produce, tails included: a model must stay in bounds
 * on anything it can meet in production, not only on its training distribution.
 */
import { DomainError, FEATURES } from '@airlock/core';
import { mulberry32, uniform } from './seeded-random.js';

export interface ProbeRange {
  readonly min: number;
  readonly max: number;
  /** `uniform` real in [min, max]; `integer` whole numbers in [min, max]; `sign` exactly min or max. */
  readonly kind: 'uniform' | 'integer' | 'sign';
}

/** One range per catalog feature (a spec checks the catalog is covered). Units as in the catalog. */
export const FEATURE_PROBE_RANGES: Readonly<Record<string, ProbeRange>> = {
  // bps: 0.1 (mega-cap, one tick) to 100 (illiquid small cap or a stressed open).
  spread_bps: { min: 0.1, max: 100, kind: 'uniform' },
  // ticks: locked at one tick to a 20-tick gap.
  spread_ticks: { min: 1, max: 20, kind: 'integer' },
  // bps, signed: |microprice - mid| ≤ half the spread, so ±50 matches the widest spread above.
  microprice_offset_bps: { min: -50, max: 50, kind: 'uniform' },
  imbalance_l1: { min: -1, max: 1, kind: 'uniform' },
  imbalance_l5: { min: -1, max: 1, kind: 'uniform' },
  // bps over 5 minutes: quiet (0) to a violent 2 % move.
  realized_vol_5m_bps: { min: 0, max: 200, kind: 'uniform' },
  trade_flow_imbalance_1m: { min: -1, max: 1, kind: 'uniform' },
  // ratio ≥ 0: a minute's market volume against the parent size; 5 = a small parent in a busy market.
  market_volume_1m_frac: { min: 0, max: 5, kind: 'uniform' },
  time_remaining_frac: { min: 0, max: 1, kind: 'uniform' },
  qty_remaining_frac: { min: 0, max: 1, kind: 'uniform' },
  schedule_deviation: { min: -1, max: 1, kind: 'uniform' },
  side: { min: -1, max: 1, kind: 'sign' },
};

/** Probe ranges for a manifest's features, in column order; unknown names → MANIFEST_UNKNOWN_FEATURE. */
export function probeRanges(features: readonly string[]): ProbeRange[] {
  return features.map((name, i) => {
    const range = Object.hasOwn(FEATURE_PROBE_RANGES, name) ? FEATURE_PROBE_RANGES[name] : undefined;
    if (!range) {
      const known = FEATURES.some((f) => f.name === name);
      throw new DomainError(
        'MANIFEST_UNKNOWN_FEATURE',
        known ? `feature "${name}" has no probe range (add it to FEATURE_PROBE_RANGES)` : `unknown feature "${name}"`,
        { errors: [{ field: `manifest.features[${i}]`, message: `no probe range for "${name}"` }] },
      );
    }
    return range;
  });
}

/**
 * Row-major float32, rows × features.length. Row 0 puts every feature at its minimum and row 1 at its maximum
 * (the corners where saturating models break first); the other rows draw each feature independently from its
 * range with mulberry32(seed). The same (features, rows, seed) always gives the same batch.
 */
export function buildProbeBatch(features: readonly string[], rows: number, seed: number): Float32Array {
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`probe rows must be a positive integer, got ${rows}`);
  const ranges = probeRanges(features);
  const rng = mulberry32(seed);
  const f = ranges.length;
  const batch = new Float32Array(rows * f);
  for (let r = 0; r < rows; r += 1) {
    ranges.forEach((range, c) => {
      let value: number;
      if (r === 0) value = range.min;
      else if (r === 1) value = range.max;
      else if (range.kind === 'sign') value = rng() < 0.5 ? range.min : range.max;
      else if (range.kind === 'integer') value = range.min + Math.floor(rng() * (range.max - range.min + 1));
      else value = uniform(rng, range.min, range.max);
      batch[r * f + c] = value;
    });
  }
  return batch;
}
