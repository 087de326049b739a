import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLobster } from './lobster.writer.js';
import { loadLobster } from './lobster.loader.js';
import type { MarketDay } from './market-day.js';
import { CACHE_FORMAT_VERSION, loadMarketDay, readMarketDay, saveMarketDay } from './market-day.cache.js';
import { generateSyntheticDay } from './synthetic-day.generator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS = ['timeNs', 'type', 'orderId', 'size', 'price', 'direction', 'askPrice', 'askSize', 'bidPrice', 'bidSize'] as const;

function expectSameDay(actual: MarketDay, expected: MarketDay): void {
  expect({ ...meta(actual) }).toEqual(meta(expected));
  for (const name of COLUMNS) {
    expect(actual[name].constructor).toBe(expected[name].constructor);
    expect(Buffer.from(actual[name].buffer, actual[name].byteOffset, actual[name].byteLength).equals(
      Buffer.from(expected[name].buffer, expected[name].byteOffset, expected[name].byteLength),
    )).toBe(true);
  }
  expect(actual.participants).toEqual(expected.participants);
  expect(actual.participant === undefined ? undefined : Array.from(actual.participant)).toEqual(
    expected.participant === undefined ? undefined : Array.from(expected.participant),
  );
}
const meta = (d: MarketDay) => ({ instrument: d.instrument, date: d.date, levels: d.levels, tickSize: d.tickSize, length: d.length });

describe('saveMarketDay / readMarketDay', () => {
  const day = generateSyntheticDay({ seed: 99, regime: 'illiquid', events: 3_001, levels: 7, instrument: 'CACHE' });

  it('round-trips every column byte for byte, as views on the file (no per-row work)', async () => {
    const file = join(dir, 'day.mday');
    await saveMarketDay(day, file, { note: 'test' });
    const back = await readMarketDay(file);
    expectSameDay(back, day);
    // All columns are views over one buffer: loading copied nothing row by row.
    expect(back.askPrice.buffer).toBe(back.timeNs.buffer);
    expect(back.timeNs.byteOffset % 8).toBe(0);
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('AIRLMDAY');
    expect(bytes.readUInt32LE(8)).toBe(CACHE_FORMAT_VERSION);
  });

  it('keeps the participant column of 7-column data', async () => {
    const participant = new Uint16Array(day.length).map((_, k) => k % 3);
    const withParticipants: MarketDay = { ...day, participant, participants: ['', 'UBSS', 'GSCO'] };
    const file = join(dir, 'seven.mday');
    await saveMarketDay(withParticipants, file);
    expectSameDay(await readMarketDay(file), withParticipants);
  });

  it('refuses files that are not a cache, of another version, or truncated', async () => {
    const file = join(dir, 'day.mday');
    const bytes = await readFile(file);
    await writeFile(join(dir, 'junk.mday'), 'hello');
    await expect(readMarketDay(join(dir, 'junk.mday'))).rejects.toThrow('not an Airlock MarketDay cache file');
    const old = Buffer.from(bytes);
    old.writeUInt32LE(CACHE_FORMAT_VERSION + 1, 8);
    await writeFile(join(dir, 'old.mday'), old);
    await expect(readMarketDay(join(dir, 'old.mday'))).rejects.toThrow(`cache format version ${CACHE_FORMAT_VERSION + 1}`);
    await writeFile(join(dir, 'short.mday'), bytes.subarray(0, bytes.length - 100));
    await expect(readMarketDay(join(dir, 'short.mday'))).rejects.toThrow('outside the file');
  });
});

describe('loadMarketDay', () => {
  it('parses once, then serves the cache keyed by the source bytes', async () => {
    const source = join(dir, 'lobster');
    const day = generateSyntheticDay({ seed: 4, regime: 'calm', events: 2_000, levels: 3, instrument: 'CCH' });
    await writeLobster(day, source);
    const cacheDir = join(dir, 'cache');
    const first = await loadMarketDay(source, { cacheDir });
    expectSameDay(first, (await loadLobster(source)).day);
    const entries = await readdir(cacheDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{64}\.mday$/);

    // Prove the second load reads the cache, not the CSVs: tamper with the cached instrument name.
    const cached = join(cacheDir, entries[0]!);
    const bytes = await readFile(cached);
    const tampered = Buffer.from(bytes.toString('latin1').replace('"instrument":"CCH"', '"instrument":"XXX"'), 'latin1');
    await writeFile(cached, tampered);
    expect((await loadMarketDay(source, { cacheDir })).instrument).toBe('XXX');

    // Options are part of the key.
    expect((await loadMarketDay(source, { cacheDir, instrument: 'OTHER' })).instrument).toBe('OTHER');
    expect(await readdir(cacheDir)).toHaveLength(2);
  });

  it('a changed source gets a new cache entry; a corrupt entry is replaced', async () => {
    const source = join(dir, 'lobster2');
    const files = await writeLobster(generateSyntheticDay({ seed: 5, regime: 'calm', events: 500, levels: 2 }), source);
    const cacheDir = join(dir, 'cache2');
    await loadMarketDay(source, { cacheDir });
    const [entry] = await readdir(cacheDir);
    await writeFile(join(cacheDir, entry!), 'garbage');
    const again = await loadMarketDay(source, { cacheDir });
    expect(again.length).toBe(500);
    expect((await stat(join(cacheDir, entry!))).size).toBeGreaterThan(1000);

    const other = generateSyntheticDay({ seed: 6, regime: 'calm', events: 700, levels: 2 });
    await rm(files.messageFile);
    await rm(files.orderbookFile);
    await writeLobster(other, source);
    expect((await loadMarketDay(source, { cacheDir })).length).toBe(700);
    expect(await readdir(cacheDir)).toHaveLength(2);
  });
});
