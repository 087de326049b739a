import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatTimeNs, parseTimeNs } from './lobster-csv.parser.js';

describe('LOBSTER time text ⇄ integer ns', () => {
  it('parses without going through float seconds', () => {
    expect(parseTimeNs('34200.015105074')).toBe(34_200_015_105_074);
    expect(parseTimeNs('34200.05990197')).toBe(34_200_059_901_970);
    expect(parseTimeNs('57599.999999999')).toBe(57_599_999_999_999);
    expect(parseTimeNs('34200')).toBe(34_200_000_000_000);
    expect(parseTimeNs('34200.')).toBe(34_200_000_000_000);
    // 0.1 + 0.2-style float error would show here: 34200.3 * 1e9 = 34200300000000.004 in floats.
    expect(parseTimeNs('34200.3')).toBe(34_200_300_000_000);
  });

  it('rounds digits past the 9th to the nearest ns', () => {
    expect(parseTimeNs('43002.632812672004')).toBe(43_002_632_812_672);
    expect(parseTimeNs('43002.632812672500')).toBe(43_002_632_812_673);
    expect(parseTimeNs('1.9999999995')).toBe(2_000_000_000);
  });

  it('rejects malformed text', () => {
    for (const bad of ['', '.5', '-1', '34200.1.2', '34x', '3e4', ' 34200']) expect(parseTimeNs(bad)).toBeNaN();
  });

  it('formats like LOBSTER: trailing zeros dropped', () => {
    expect(formatTimeNs(34_200_059_901_970)).toBe('34200.05990197');
    expect(formatTimeNs(34_200_000_000_000)).toBe('34200');
    expect(formatTimeNs(1)).toBe('0.000000001');
  });

  it('property: format then parse is the identity on every ns of a day', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400e9 }), (ns) => {
        expect(parseTimeNs(formatTimeNs(ns))).toBe(ns);
      }),
      { numRuns: 5_000 },
    );
  });
});
