import { describe, expect, it } from '@jest/globals';
import { fnv1a32, routeParentOrder, routingBucket } from './order-routing.js';

const stable = { model: 'exec', version: 1, sha256: 'a'.repeat(64) };
const canary = { model: 'exec', version: 2, sha256: 'b'.repeat(64) };
const ids = Array.from({ length: 20_000 }, (_, i) => `order-${i}`);

describe('routeParentOrder', () => {
  it('hashes with FNV-1a (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('sends about canaryWeight percent of orders to the canary', () => {
    for (const weight of [1, 5, 25, 50]) {
      const share = ids.filter((id) => routeParentOrder(id, { stable, canary, canaryWeight: weight, halted: false }).slot === 'canary').length / ids.length;
      expect(Math.abs(share * 100 - weight)).toBeLessThan(Math.max(0.5, weight * 0.1));
    }
  });

  it('only moves orders from stable to canary as the weight rises', () => {
    const at = (w: number) => new Set(ids.filter((id) => routeParentOrder(id, { stable, canary, canaryWeight: w, halted: false }).slot === 'canary'));
    const five = at(5);
    const twentyFive = at(25);
    for (const id of five) expect(twentyFive.has(id)).toBe(true);
    expect(at(100).size).toBe(ids.length);
    expect(at(0).size).toBe(0);
  });

  it('routes nowhere when halted or when there is no version', () => {
    expect(routeParentOrder('x', { stable, canary, canaryWeight: 100, halted: true })).toEqual({ slot: 'halted', version: null });
    expect(routeParentOrder('x', { stable: null, canary: null, canaryWeight: 0, halted: false }).slot).toBe('halted');
    expect(routingBucket('order-1')).toBe(routingBucket('order-1'));
  });
});
