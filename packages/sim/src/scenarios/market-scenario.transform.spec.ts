import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@airlock/core';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyLobster } from '../data/book.verifier.js';
import { loadLobster } from '../data/lobster.loader.js';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from '../data/market-day.js';
import { generateSyntheticDay } from '../data/synthetic-day.generator.js';
import { at, makeDay } from '../testing/make-day.js';
import { scaleDepth } from './depth-scenario.transform.js';
import { applyMarketScenario } from './market-scenario.transform.js';
import { scaleVolatility, volatilityAnchorTicks, widenSpread } from './price-scenario.transform.js';

// ------------------------------------------------------------------------------------------------ helpers

const COLUMNS = ['timeNs', 'type', 'orderId', 'size', 'price', 'direction', 'askPrice', 'askSize', 'bidPrice', 'bidSize'] as const;

/** Byte copies of every column, to prove a transform did not write to its input. */
function fingerprint(day: MarketDay): Buffer[] {
  return COLUMNS.map((c) => Buffer.from(new Uint8Array(day[c].buffer, day[c].byteOffset, day[c].byteLength)));
}
function expectUntouched(day: MarketDay, before: Buffer[]): void {
  COLUMNS.forEach((c, i) => expect(Buffer.from(new Uint8Array(day[c].buffer, day[c].byteOffset, day[c].byteLength)).equals(before[i]!)).toBe(true));
}

/**
 * The invariants every transformed day must keep: column lengths, integer prices in [1, 2^31−2] or a sentinel,
 * sentinels with size 0 and real levels with size ≥ 1, levels strictly ordered, books uncrossed
 * (ask1 ≥ bid1 + 1), messages of types 1–6 with size ≥ 1.
 */
function checkInvariants(day: MarketDay): void {
  const L = day.levels;
  const n = day.length;
  for (const c of ['timeNs', 'type', 'orderId', 'size', 'price', 'direction'] as const) expect(day[c].length).toBe(n);
  for (const c of ['askPrice', 'askSize', 'bidPrice', 'bidSize'] as const) expect(day[c].length).toBe(n * L);
  const problems: string[] = [];
  for (let k = 0; k < n && problems.length < 5; k++) {
    const type = day.type[k]!;
    if (type >= 1 && type <= 6 && !(day.size[k]! >= 1)) problems.push(`message ${k}: size ${day.size[k]}`);
    if (type >= 1 && type <= 6 && !(day.price[k]! >= 1)) problems.push(`message ${k}: price ${day.price[k]}`);
    for (const [prices, sizes, empty, dir] of [
      [day.askPrice, day.askSize, EMPTY_ASK_TICKS, 1],
      [day.bidPrice, day.bidSize, EMPTY_BID_TICKS, -1],
    ] as const) {
      let previous = Number.NaN;
      for (let i = 0; i < L; i++) {
        const p = prices[k * L + i]!;
        const s = sizes[k * L + i]!;
        if (p === empty) {
          if (s !== 0) problems.push(`row ${k} level ${i}: sentinel with size ${s}`);
          previous = empty;
          continue;
        }
        if (!(p >= 1 && p < EMPTY_ASK_TICKS && Number.isInteger(p))) problems.push(`row ${k} level ${i}: price ${p}`);
        if (!(s >= 1)) problems.push(`row ${k} level ${i}: size ${s}`);
        if (previous === empty) problems.push(`row ${k} level ${i}: occupied below an empty level`);
        else if (!Number.isNaN(previous) && !(dir * (p - previous) > 0)) problems.push(`row ${k} level ${i}: ${p} not behind ${previous}`);
        previous = p;
      }
    }
    const ask = day.askPrice[k * L]!;
    const bid = day.bidPrice[k * L]!;
    if (L > 0 && ask !== EMPTY_ASK_TICKS && bid !== EMPTY_BID_TICKS && !(ask >= bid + 1)) problems.push(`row ${k}: crossed ${bid} / ${ask}`);
  }
  expect(problems).toEqual([]);
}

/** The verifier rebuilds the transformed book from the transformed messages with no mismatch. */
function expectConsistent(day: MarketDay): void {
  const report = verifyLobster(day, { maxExamples: 3 });
  expect(report.firstMismatches).toEqual([]);
  expect(report.mismatches).toBe(0);
  expect(report.inconsistentMessages).toBe(0);
}

/** Top-of-book mids (ticks) sampled at each whole second of the day (the book in force then), two-sided rows only. */
function midPerSecond(day: MarketDay): number[] {
  const L = day.levels;
  const out: number[] = [];
  let second = -1;
  let mid = Number.NaN;
  for (let k = 0; k < day.length; k++) {
    const s = Math.floor(day.timeNs[k]! / 1e9);
    if (s !== second && !Number.isNaN(mid)) out.push(mid);
    second = s;
    const ask = day.askPrice[k * L]!;
    const bid = day.bidPrice[k * L]!;
    if (ask !== EMPTY_ASK_TICKS && bid !== EMPTY_BID_TICKS) mid = (ask + bid) / 2;
  }
  return out;
}

/** Standard deviation of one-sample log returns of the mid: its realised volatility at that sampling. */
function realisedVol(day: MarketDay): number {
  const mids = midPerSecond(day);
  const r: number[] = [];
  for (let i = 1; i < mids.length; i++) r.push(Math.log(mids[i]! / mids[i - 1]!));
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  return Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (r.length - 1));
}

function meanSpread(day: MarketDay): number {
  const L = day.levels;
  let sum = 0;
  let rows = 0;
  for (let k = 0; k < day.length; k++) {
    const ask = day.askPrice[k * L]!;
    const bid = day.bidPrice[k * L]!;
    if (ask === EMPTY_ASK_TICKS || bid === EMPTY_BID_TICKS) continue;
    sum += ask - bid;
    rows++;
  }
  return sum / rows;
}

const sum = (column: ArrayLike<number>, pick: (i: number) => boolean = () => true): number => {
  let total = 0;
  for (let i = 0; i < column.length; i++) if (pick(i)) total += column[i]!;
  return total;
};

// One generated day per regime, shared by the tests (the generator's own tests prove 0 mismatches on them).
const calm = generateSyntheticDay({ seed: 21, regime: 'calm', events: 20_000, levels: 10 });
const volatile = generateSyntheticDay({ seed: 22, regime: 'volatile', events: 20_000, levels: 5 });
const illiquid = generateSyntheticDay({ seed: 23, regime: 'illiquid', events: 10_000, levels: 1 });

// ------------------------------------------------------------------------------------------------ volatility

describe('scaleVolatility', () => {
  it('doubles the realised volatility of the mid at k = 2, keeps the book valid and the messages consistent, and leaves the input alone', () => {
    const before = fingerprint(calm);
    const out = scaleVolatility(calm, 2);
    expectUntouched(calm, before);
    checkInvariants(out);
    expectConsistent(out);
    const ratio = realisedVol(out) / realisedVol(calm);
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
    // Integer anchor, integer k: every price is exactly A + 2(p − A).
    const A = volatilityAnchorTicks(calm);
    expect(out.price[100]).toBe(A + 2 * (calm.price[100]! - A));
    expect(out.askPrice[500]).toBe(A + 2 * (calm.askPrice[500]! - A));
    // Only the price columns are new; the rest are the input's own arrays.
    expect(out).not.toBe(calm);
    expect(out.askPrice).not.toBe(calm.askPrice);
    expect(out.price).not.toBe(calm.price);
    expect(out.size).toBe(calm.size);
    expect(out.askSize).toBe(calm.askSize);
    expect(out.timeNs).toBe(calm.timeNs);
  });

  it('scales by a non-integer k up to rounding (k = 1.5) and the mean spread about k-fold', () => {
    const out = scaleVolatility(volatile, 1.5);
    checkInvariants(out);
    expectConsistent(out);
    const ratio = realisedVol(out) / realisedVol(volatile);
    expect(ratio).toBeGreaterThan(1.4);
    expect(ratio).toBeLessThan(1.6);
    expect(meanSpread(out) / meanSpread(volatile)).toBeCloseTo(1.5, 0);
  });

  it('anchors at the median mid, rounded to a tick', () => {
    const day = makeDay({
      levels: 1,
      messages: [
        { t: at(10, 0), type: 1, id: 1, size: 100, price: 1000, dir: 1, book: { bids: [[1000, 100]], asks: [[1001, 100]] } },
        { t: at(10, 1), type: 1, id: 2, size: 100, price: 1010, dir: 1, book: { bids: [[1010, 100]], asks: [[1012, 100]] } },
        { t: at(10, 2), type: 1, id: 3, size: 100, price: 1020, dir: 1, book: { bids: [[1020, 100]], asks: [[1023, 100]] } },
      ],
    });
    expect(volatilityAnchorTicks(day)).toBe(1011); // median mid 1011
  });

  it('keeps every generated book uncrossed and consistent for any k in [1, 4] (property)', () => {
    const small = generateSyntheticDay({ seed: 5, regime: 'volatile', events: 1_500, levels: 3 });
    fc.assert(
      fc.property(fc.double({ min: 1, max: 4, noNaN: true }), (k) => {
        const out = scaleVolatility(small, k);
        checkInvariants(out);
        expectConsistent(out);
      }),
      { numRuns: 25, seed: 11 },
    );
  });

  it('refuses k < 1 and a k that pushes prices out of range, naming the field', () => {
    for (const k of [0.5, 0, Number.NaN]) {
      expect(() => scaleVolatility(calm, k)).toThrow(DomainError);
    }
    try {
      scaleVolatility(calm, 1e7);
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details.errors?.[0]?.field).toBe('scenario.volatility');
    }
  });
});

// ------------------------------------------------------------------------------------------------ spread

describe('widenSpread', () => {
  for (const w of [3, 4]) {
    it(`widens every two-sided spread by exactly ${w} ticks and moves each side's messages with it`, () => {
      const before = fingerprint(volatile);
      const out = widenSpread(volatile, w);
      expectUntouched(volatile, before);
      checkInvariants(out);
      expectConsistent(out);
      expect(meanSpread(out) - meanSpread(volatile)).toBeCloseTo(w, 9);
      const up = Math.ceil(w / 2);
      const down = Math.floor(w / 2);
      for (let k = 0; k < volatile.length; k++) {
        const expected = volatile.direction[k] === -1 ? volatile.price[k]! + up : volatile.price[k]! - down;
        if (out.price[k] !== expected) throw new Error(`message ${k}: ${out.price[k]} ≠ ${expected}`);
      }
      expect(out.size).toBe(volatile.size);
      expect(out.bidSize).toBe(volatile.bidSize);
    });
  }

  it('w = 0 is a shallow copy sharing every column', () => {
    const out = widenSpread(calm, 0);
    expect(out).not.toBe(calm);
    expect(out.askPrice).toBe(calm.askPrice);
    expect(out.price).toBe(calm.price);
  });
});

// ------------------------------------------------------------------------------------------------ depth

describe('scaleDepth', () => {
  for (const [name, day, f] of [
    ['calm, 10 levels', calm, 0.25],
    ['volatile, 5 levels', volatile, 0.5],
    ['illiquid, 1 level', illiquid, 0.3],
  ] as const) {
    it(`scales every order by ${f} and the messages rebuild the thinner book exactly (${name})`, () => {
      const before = fingerprint(day);
      const result = scaleDepth(day, f);
      const out = result.day;
      expectUntouched(day, before);
      checkInvariants(out);
      expectConsistent(out);
      expect(result.approximatedLevels).toBe(0);
      expect(result.approximatedMessages).toBe(0);
      expect(out.length).toBe(day.length - result.droppedMessages);
      // Visible depth at the touch and traded volume both fall about f-fold (per-order rounding, ≥ 1 share).
      const L = day.levels;
      const touch = (d: MarketDay) => sum(d.askSize, (i) => i % L === 0) / d.length + sum(d.bidSize, (i) => i % L === 0) / d.length;
      expect(touch(out) / touch(day)).toBeGreaterThan(f * 0.95);
      expect(touch(out) / touch(day)).toBeLessThan(f * 1.15);
      const traded = (d: MarketDay) => sum(d.size, (i) => d.type[i] === 4 || d.type[i] === 5);
      expect(traded(out) / traded(day)).toBeGreaterThan(f * 0.95);
      expect(traded(out) / traded(day)).toBeLessThan(f * 1.2);
      // Prices untouched, so they are shared when no message had to go.
      if (result.droppedMessages === 0) expect(out.askPrice).toBe(day.askPrice);
    });
  }

  it('is exact where scaling each level on its own is not (the verifier catches the naive way)', () => {
    const g = (x: number) => (x > 0 ? Math.max(1, Math.round(0.25 * x)) : 0);
    const naive: MarketDay = {
      ...calm,
      size: Int32Array.from(calm.size, g),
      askSize: Int32Array.from(calm.askSize, g),
      bidSize: Int32Array.from(calm.bidSize, g),
    };
    expect(verifyLobster(naive).mismatches).toBeGreaterThan(100);
    expect(verifyLobster(scaleDepth(calm, 0.25).day).mismatches).toBe(0);
  });

  it('drops a partial cancel that moves no scaled order by a whole share, and keeps every size ≥ 1', () => {
    // f = 0.5: order 1 (101 shares → 51); cancel 1 share → 100 → 50 (a 1-share message); cancel 1 more → 99 → 50
    // (no scaled change: dropped); delete the rest → 50 shares.
    const book = (bid: number) => ({ bids: [[1000, bid]] as [number, number][], asks: [[1001, 10]] as [number, number][] });
    const day = makeDay({
      levels: 1,
      messages: [
        { t: at(10, 0), type: 1, id: 1, size: 101, price: 1000, dir: 1, book: book(101) },
        { t: at(10, 1), type: 2, id: 1, size: 1, price: 1000, dir: 1, book: book(100) },
        { t: at(10, 2), type: 2, id: 1, size: 1, price: 1000, dir: 1, book: book(99) },
        { t: at(10, 3), type: 5, id: 0, size: 3, price: 1001, dir: -1 },
        { t: at(10, 4), type: 3, id: 1, size: 99, price: 1000, dir: 1, book: { bids: [], asks: [[1001, 10]] } },
      ],
    });
    const result = scaleDepth(day, 0.5);
    expect(result.droppedMessages).toBe(1);
    expect(Array.from(result.day.size)).toEqual([51, 1, 2, 50]);
    expect(Array.from(result.day.bidSize)).toEqual([51, 50, 50, 0]);
    expect(Array.from(result.day.bidPrice)).toEqual([1000, 1000, 1000, EMPTY_BID_TICKS]);
    expect(Array.from(result.day.askSize)).toEqual([5, 5, 5, 5]);
    expect(Array.from(result.day.type)).toEqual([1, 2, 5, 3]);
    expectConsistent(result.day);
  });
});

// ------------------------------------------------------------------------------------------------ together

describe('applyMarketScenario', () => {
  it('composes depth, volatility and spread into one consistent, valid day without touching the input', () => {
    const before = fingerprint(volatile);
    const out = applyMarketScenario(volatile, { name: 'all', depthFactor: 0.5, volatility: 2, spreadWidenTicks: 2 });
    expectUntouched(volatile, before);
    checkInvariants(out);
    expectConsistent(out);
    // Spread: k·s + w in the final prices (the widening comes last).
    const thin = scaleDepth(volatile, 0.5).day;
    expect(meanSpread(out)).toBeCloseTo(meanSpread(scaleVolatility(thin, 2, volatilityAnchorTicks(volatile))) + 2, 9);
  });

  it('leaves sentinels, halt codes and (for the spread) crosses alone, and maps cross prices with the volatility', () => {
    const book = { bids: [[1000, 100]] as [number, number][], asks: [[1002, 100]] as [number, number][] };
    const day = makeDay({
      levels: 3, // levels 2 and 3 stay empty sentinels
      messages: [
        { t: at(10, 0), type: 1, id: 1, size: 100, price: 1000, dir: 1, book },
        { t: at(10, 1), type: 7, id: 0, size: 0, price: -1, dir: -1 },
        { t: at(10, 2), type: 7, id: 0, size: 0, price: 1, dir: -1 },
        { t: at(10, 3), type: 6, id: 0, size: 500, price: 1001, dir: -1 },
      ],
    });
    const out = applyMarketScenario(day, { name: 'all', volatility: 3, spreadWidenTicks: 2, depthFactor: 0.5 });
    // Anchor: the median mid 1001. Bid side: 1001 + 3·(1000 − 1001) − ⌊2/2⌋ = 997; ask side: 1001 + 3·1 + ⌈2/2⌉ = 1005.
    // The cross at 1001 maps to 1001 (at the anchor) and does not move with the spread; halt codes −1 / 1 stay.
    expect(Array.from(out.price)).toEqual([997, -1, 1, 1001]);
    expect(Array.from(out.size)).toEqual([50, 0, 0, 250]);
    for (let k = 0; k < 4; k++) {
      expect([out.askPrice[k * 3 + 1], out.askPrice[k * 3 + 2], out.askSize[k * 3 + 1], out.askSize[k * 3 + 2]]).toEqual([EMPTY_ASK_TICKS, EMPTY_ASK_TICKS, 0, 0]);
      expect([out.bidPrice[k * 3 + 1], out.bidPrice[k * 3 + 2], out.bidSize[k * 3 + 1], out.bidSize[k * 3 + 2]]).toEqual([EMPTY_BID_TICKS, EMPTY_BID_TICKS, 0, 0]);
      expect([out.bidPrice[k * 3], out.bidSize[k * 3], out.askPrice[k * 3], out.askSize[k * 3]]).toEqual([997, 50, 1005, 50]);
    }
  });

  it('gives a shallow copy for a spec without market fields, and refuses an invalid spec', () => {
    const out = applyMarketScenario(calm, { name: 'base', extraLatencyNs: 1000 });
    expect(out).not.toBe(calm);
    expect(out.askPrice).toBe(calm.askPrice);
    expect(() => applyMarketScenario(calm, { name: 'x', depthFactor: 2 })).toThrow(DomainError);
  });
});

// ------------------------------------------------------------------------------------------------ real data

// Real LOBSTER data lives beside the repository, never in it: ../shared/data from the repo root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const sample = join(repoRoot, '../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_5.zip');
const haveSample = existsSync(sample);
if (!haveSample) console.warn(`skipping the real-data scenario check: ${sample} not found`);

describe('on real LOBSTER data (../shared/data)', () => {
  (haveSample ? it : it.skip)('keeps GOOG 2012-06-21 (5 levels) exactly consistent under every market transform at once', async () => {
    const { day } = await loadLobster(sample, { tickSize: 50 });
    expect(verifyLobster(day).mismatches).toBe(0);
    const depth = scaleDepth(day, 0.3);
    expect(depth.approximatedLevels).toBe(0);
    expect(depth.approximatedMessages).toBe(0);
    const out = applyMarketScenario(day, { name: 'real', depthFactor: 0.3, volatility: 2, spreadWidenTicks: 3 });
    checkInvariants(out);
    expectConsistent(out);
  });
});
