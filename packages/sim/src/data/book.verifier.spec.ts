import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyLobster } from './book.verifier.js';
import { loadLobster } from './lobster.loader.js';
import type { MarketDay } from './market-day.js';
import { generateSyntheticDay } from './synthetic-day.generator.js';

/** A copy of a day whose book columns are copies, for corrupting without touching the original. */
function withColumns(day: MarketDay, change: (copy: MarketDay) => void): MarketDay {
  const copy = {
    ...day,
    askPrice: day.askPrice.slice(),
    askSize: day.askSize.slice(),
    bidPrice: day.bidPrice.slice(),
    bidSize: day.bidSize.slice(),
  };
  change(copy);
  return copy;
}

function cut<T extends Float64Array | Uint8Array | Int32Array | Int8Array>(column: T, k: number, per: number): T {
  const out = column.slice(0, column.length - per) as T;
  for (let i = k * per; i < out.length; i++) out[i] = column[i + per]!;
  return out;
}

/** Removes message k and its book row. */
function withoutMessage(day: MarketDay, k: number): MarketDay {
  const L = day.levels;
  return {
    ...day,
    length: day.length - 1,
    timeNs: cut(day.timeNs, k, 1),
    type: cut(day.type, k, 1),
    orderId: cut(day.orderId, k, 1),
    size: cut(day.size, k, 1),
    price: cut(day.price, k, 1),
    direction: cut(day.direction, k, 1),
    askPrice: cut(day.askPrice, k, L),
    askSize: cut(day.askSize, k, L),
    bidPrice: cut(day.bidPrice, k, L),
    bidSize: cut(day.bidSize, k, L),
  };
}

describe('verifyLobster on generated days', () => {
  for (const [regime, levels] of [
    ['calm', 10],
    ['volatile', 5],
    ['illiquid', 1],
  ] as const) {
    it(`finds 0 mismatches on a generated ${regime}-regime day with ${levels} level(s) (same reconstruction path as real data)`, () => {
      const day = generateSyntheticDay({ seed: 11, regime, events: 30_000, levels });
      const report = verifyLobster(day);
      expect(report.firstMismatches).toEqual([]);
      expect(report.mismatches).toBe(0);
      expect(report.inconsistentMessages).toBe(0);
      expect(report.checkedRows).toBe(29_999);
      // The generated day exercises the hard parts: seeded anonymous volume and depth entering the view.
      expect(report.anonymousRefs).toBeGreaterThan(0);
      expect(report.learnedLevels).toBeGreaterThan(0);
    });
  }

  const day = generateSyntheticDay({ seed: 3, regime: 'calm', events: 5_000, levels: 5 });

  it('detects a corrupted book size, at the corrupted row, and only there', () => {
    const k = 2_500;
    const corrupted = withColumns(day, (c) => {
      c.bidSize[k * 5 + 2] = c.bidSize[k * 5 + 2]! + 1;
    });
    const report = verifyLobster(corrupted);
    expect(report.mismatches).toBe(1);
    expect(report.firstMismatches[0]).toMatchObject({ index: k, side: 'bid', level: 3 });
    expect(report.firstMismatches[0]!.expectedSize).toBe(report.firstMismatches[0]!.actualSize + 1);
  });

  it('detects a corrupted price at the deepest level', () => {
    // A submission: the one kind of message after which the rebuilt book reads nothing from the row.
    const k = Array.from(day.type).findIndex((t, i) => i > 1_234 && t === 1);
    const corrupted = withColumns(day, (c) => {
      c.askPrice[k * 5 + 4] = c.askPrice[k * 5 + 4]! + 1;
    });
    const report = verifyLobster(corrupted);
    expect(report.mismatches).toBeGreaterThan(0);
    expect(report.firstMismatches[0]).toMatchObject({ index: k, side: 'ask', level: 5 });
  });

  it('detects a missing message that changed the book (and does not resynchronise)', () => {
    const k = Array.from(day.type).findIndex((t, i) => i > 1000 && t === 1);
    const report = verifyLobster(withoutMessage(day, k));
    expect(report.mismatches).toBeGreaterThan(1);
    expect(report.firstMismatches[0]!.index).toBe(k);
  });

  it('reports nothing to check for a day without book columns', () => {
    const report = verifyLobster({ ...day, levels: 0, askPrice: new Int32Array(0), askSize: new Int32Array(0), bidPrice: new Int32Array(0), bidSize: new Int32Array(0) });
    expect(report.checkedRows).toBe(0);
    expect(report.messages).toBe(5_000);
  });
});

// Real LOBSTER data lives beside the repository, never in it: ../shared/data from the repo root.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const sharedDir = join(repoRoot, '../shared/data/lobster-2012-06-21');
const haveShared = existsSync(sharedDir);
if (!haveShared) console.warn(`skipping real-data reconstruction checks: ${sharedDir} not found`);
const realIt = haveShared ? it : it.skip;

// Each archive is parsed once for all the tests that use it. tickSize 50 keeps the sub-penny midpoint hidden
// executions, so every message of the file is in the day.
const loaded = new Map<string, ReturnType<typeof loadLobster>>();
const loadShared = (zip: string): ReturnType<typeof loadLobster> => {
  if (!loaded.has(zip)) loaded.set(zip, loadLobster(join(sharedDir, zip), { tickSize: 50 }));
  return loaded.get(zip)!;
};

/** Message counts from the data's README. */
const README_MESSAGES: Record<string, number> = {
  'LOBSTER_SampleFile_AMZN_2012-06-21_1.zip': 57_515,
  'LOBSTER_SampleFile_AMZN_2012-06-21_5.zip': 155_935,
  'LOBSTER_SampleFile_GOOG_2012-06-21_1.zip': 49_482,
  'LOBSTER_SampleFile_GOOG_2012-06-21_5.zip': 112_673,
  'LOBSTER_SampleFile_GOOG_2012-06-21_10.zip': 147_916,
};

describe('verifyLobster on the real LOBSTER samples (../shared/data)', () => {
  const zips = haveShared ? readdirSync(sharedDir).filter((name) => name.endsWith('.zip')).sort() : ['(absent)'];
  for (const zip of zips) {
    realIt(`rebuilds ${zip} with 0 mismatches`, async () => {
      const { day, problems } = await loadShared(zip);
      expect(problems.filter((p) => p.field !== 'time')).toEqual([]);
      if (zip in README_MESSAGES) expect(day.length).toBe(README_MESSAGES[zip]);
      const report = verifyLobster(day);
      expect(report.firstMismatches).toEqual([]);
      expect(report.mismatches).toBe(0);
      expect(report.inconsistentMessages).toBe(0);
      expect(report.checkedRows).toBe(day.length - 1);
    });
  }

  realIt('catches a single changed size in the real GOOG 10-level book', async () => {
    const { day } = await loadShared('LOBSTER_SampleFile_GOOG_2012-06-21_10.zip');
    const k = 100_000;
    const corrupted = withColumns(day, (c) => {
      c.askSize[k * 10] = c.askSize[k * 10]! - 1;
    });
    const report = verifyLobster(corrupted);
    expect(report.mismatches).toBeGreaterThanOrEqual(1);
    expect(report.firstMismatches[0]).toMatchObject({ index: k, side: 'ask', level: 1 });
  });
});
