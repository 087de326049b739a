import { describe, expect, it } from '@jest/globals';
import { DomainError, FEATURES } from '@airlock/core';
import { buildProbeBatch, FEATURE_PROBE_RANGES, probeRanges } from './probe-batch.js';

const ALL = FEATURES.map((f) => f.name);

describe('probe batch', () => {
  it('has a finite range for every catalog feature, and no range for a name outside the catalog', () => {
    for (const name of ALL) {
      const range = FEATURE_PROBE_RANGES[name];
      expect(range).toBeDefined();
      expect(Number.isFinite(range?.min) && Number.isFinite(range?.max) && (range?.min ?? 0) < (range?.max ?? 0)).toBe(true);
    }
    expect(Object.keys(FEATURE_PROBE_RANGES).sort()).toEqual([...ALL].sort());
  });

  it('ranges follow the catalog units: ratios in [-1, 1] or [0, 1], side exactly ±1', () => {
    for (const feature of FEATURES) {
      const range = FEATURE_PROBE_RANGES[feature.name];
      if (feature.unit.startsWith('ratio in [-1, 1]')) expect(range).toEqual({ min: -1, max: 1, kind: 'uniform' });
      if (feature.unit.startsWith('ratio in [0, 1]')) expect(range).toEqual({ min: 0, max: 1, kind: 'uniform' });
    }
    expect(FEATURE_PROBE_RANGES.side).toEqual({ min: -1, max: 1, kind: 'sign' });
  });

  it('puts the minimum corner in row 0, the maximum in row 1, and seeded draws inside the ranges after', () => {
    const rows = 500;
    const batch = buildProbeBatch(ALL, rows, 123);
    const ranges = probeRanges(ALL);
    const f = ALL.length;
    expect(Array.from(batch.subarray(0, f))).toEqual(ranges.map((r) => Math.fround(r.min)));
    expect(Array.from(batch.subarray(f, 2 * f))).toEqual(ranges.map((r) => Math.fround(r.max)));
    ranges.forEach((range, c) => {
      const column = Array.from({ length: rows - 2 }, (_, r) => batch[(r + 2) * f + c] ?? NaN);
      expect(column.every((v) => v >= Math.fround(range.min) && v <= Math.fround(range.max))).toBe(true);
      if (range.kind === 'sign') expect(new Set(column)).toEqual(new Set([-1, 1]));
      if (range.kind === 'integer') expect(column.every(Number.isInteger)).toBe(true);
      // 498 draws cover most of the range (not a constant column).
      if (range.kind === 'uniform') expect(Math.max(...column) - Math.min(...column)).toBeGreaterThan(0.9 * (range.max - range.min));
    });
  });

  it('is deterministic in its seed', () => {
    expect(buildProbeBatch(ALL, 64, 5)).toEqual(buildProbeBatch(ALL, 64, 5));
    expect(buildProbeBatch(ALL, 64, 5)).not.toEqual(buildProbeBatch(ALL, 64, 6));
  });

  it('rejects unknown features and bad row counts', () => {
    expect(() => buildProbeBatch(['side', 'moon_phase'], 4, 1)).toThrow(DomainError);
    expect(() => buildProbeBatch(['side', 'moon_phase'], 4, 1)).toThrow('unknown feature "moon_phase"');
    expect(() => buildProbeBatch(['toString'], 4, 1)).toThrow('unknown feature "toString"');
    expect(() => buildProbeBatch(['side'], 0, 1)).toThrow(RangeError);
  });
});
