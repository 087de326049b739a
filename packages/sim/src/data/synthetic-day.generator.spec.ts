import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { verifyLobster } from './book.verifier.js';
import { dataQuality } from './data-quality.report.js';
import { loadLobster } from './lobster.loader.js';
import { writeLobster } from './lobster.writer.js';
import type { MarketDay } from './market-day.js';
import { saveMarketDay } from './market-day.cache.js';
import { type SyntheticRegime, generateSyntheticDay } from './synthetic-day.generator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-synth-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS = ['timeNs', 'type', 'orderId', 'size', 'price', 'direction', 'askPrice', 'askSize', 'bidPrice', 'bidSize'] as const;

/** sha256 over every column's bytes. */
function digest(day: MarketDay): string {
  const hash = createHash('sha256');
  for (const name of COLUMNS) {
    const column = day[name];
    hash.update(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
  }
  return hash.digest('hex');
}

/** Mean spread (ticks), mean visible depth over the top 5 levels (shares), and sd of mid changes over 100 rows (ticks). */
function stats(day: MarketDay): { spread: number; depth: number; vol: number } {
  const L = day.levels;
  let spread = 0;
  let depth = 0;
  let samples = 0;
  let squares = 0;
  let previousMid = Number.NaN;
  for (let k = 0; k < day.length; k += 100) {
    const ask = day.askPrice[k * L]!;
    const bid = day.bidPrice[k * L]!;
    spread += ask - bid;
    for (let i = 0; i < Math.min(5, L); i++) depth += day.askSize[k * L + i]! + day.bidSize[k * L + i]!;
    const mid = (ask + bid) / 2;
    if (!Number.isNaN(previousMid)) squares += (mid - previousMid) ** 2;
    previousMid = mid;
    samples++;
  }
  return { spread: spread / samples, depth: depth / samples, vol: Math.sqrt(squares / samples) };
}

describe('generateSyntheticDay', () => {
  it('is deterministic: the same options give byte-identical columns and cache files', async () => {
    const options = { seed: 2024, regime: 'volatile', events: 20_000, levels: 10 } as const;
    const a = generateSyntheticDay(options);
    const b = generateSyntheticDay(options);
    expect(digest(a)).toBe(digest(b));
    await saveMarketDay(a, join(dir, 'a.mday'));
    await saveMarketDay(b, join(dir, 'b.mday'));
    expect(Buffer.compare(await readFile(join(dir, 'a.mday')), await readFile(join(dir, 'b.mday')))).toBe(0);
    expect(digest(generateSyntheticDay({ ...options, seed: 2025 }))).not.toBe(digest(a));
  });

  it('makes exactly the requested number of messages, in time order, inside the session, with a sane book', () => {
    const day = generateSyntheticDay({ seed: 5, regime: 'calm', events: 12_345, levels: 3, startNs: 34_200e9 });
    expect(day.length).toBe(12_345);
    expect(day.timeNs[0]).toBe(34_200e9);
    for (let k = 1; k < day.length; k++) expect(day.timeNs[k]! >= day.timeNs[k - 1]!).toBe(true);
    expect(day.timeNs[day.length - 1]!).toBeLessThan(57_600e9);
    expect(Number.isInteger(day.timeNs[day.length - 1])).toBe(true);
    const quality = dataQuality(day);
    expect(quality.crossedBooks.count).toBe(0);
    expect(quality.lockedBooks.count).toBe(0);
    expect(quality.emptySides.count).toBe(0);
    expect(quality.unorderedLevels.count).toBe(0);
    expect(quality.nonPositiveSizes.count).toBe(0);
    for (const type of [1, 2, 3, 4, 5] as const) expect(quality.eventsByType[type]).toBeGreaterThan(0);
    // Hidden executions are a real share of traded volume, as in the LOBSTER samples (24–35%).
    expect(quality.volume.hiddenShare!).toBeGreaterThan(0.15);
    expect(quality.volume.hiddenShare!).toBeLessThan(0.45);
  });

  it('regimes differ as named: volatile moves most, illiquid has the widest spread and thinnest book', () => {
    const of = (regime: SyntheticRegime) => stats(generateSyntheticDay({ seed: 8, regime, events: 60_000, levels: 5 }));
    const calm = of('calm');
    const volatile = of('volatile');
    const illiquid = of('illiquid');
    expect(volatile.vol).toBeGreaterThan(2 * calm.vol);
    expect(illiquid.spread).toBeGreaterThan(3 * calm.spread);
    expect(illiquid.spread).toBeGreaterThan(volatile.spread);
    expect(calm.spread).toBeLessThan(1.5);
    expect(illiquid.depth).toBeLessThan(volatile.depth);
    expect(volatile.depth).toBeLessThan(calm.depth);
  });

  it('names its problems', () => {
    expect(() => generateSyntheticDay({ seed: 1, regime: 'calm', events: 0 })).toThrow('events');
    expect(() => generateSyntheticDay({ seed: 1, regime: 'wild' as SyntheticRegime, events: 10 })).toThrow('regime');
    expect(() => generateSyntheticDay({ seed: 1, regime: 'calm', events: 10, levels: 0 })).toThrow('levels');
  });

  it('property: writeLobster then loadLobster gives the same day back, which verifies with 0 mismatches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom<SyntheticRegime>('calm', 'volatile', 'illiquid'),
        fc.integer({ min: 1, max: 2_000 }),
        fc.integer({ min: 1, max: 12 }),
        async (seed, regime, events, levels) => {
          const day = generateSyntheticDay({ seed, regime, events, levels, instrument: 'PROP', date: '2023-03-04' });
          const out = join(dir, `p-${seed}-${regime}-${events}-${levels}`);
          const files = await writeLobster(day, out);
          expect(basename(files.messageFile)).toBe(`PROP_2023-03-04_34200000_57600000_message_${levels}.csv`);
          const { day: back, problems } = await loadLobster(out);
          expect(problems).toEqual([]);
          expect(back.instrument).toBe('PROP');
          expect(back.levels).toBe(levels);
          expect(digest(back)).toBe(digest(day));
          expect(verifyLobster(back).mismatches).toBe(0);
          await rm(out, { recursive: true });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('scales to a million events', () => {
    const day = generateSyntheticDay({ seed: 1, regime: 'calm', events: 1_000_000, levels: 10 });
    expect(day.length).toBe(1_000_000);
    expect(day.askPrice.length).toBe(10_000_000);
  });
});
