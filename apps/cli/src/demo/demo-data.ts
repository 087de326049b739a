import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSyntheticDay, loadMarketDay, writeLobsterZip, type MarketDay } from '@airlock/sim';

/** The shared real day the demo prefers: NASDAQ GOOG, 2012-06-21, 10 levels (LOBSTER sample; ../shared/data/README.md). */
export const SHARED_DAY = '../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip';

export interface DemoData {
  readonly day: MarketDay;
  /** The LOBSTER zip registered as the `desk-day` dataset (the shared file itself, or the synthetic day written out). */
  readonly archive: string;
  /** For the narration and the models' lineage. */
  readonly label: string;
  readonly real: boolean;
}

/**
 * The demo's market: the given LOBSTER zip, else the shared GOOG day when it is beside the project, else a seeded
 * synthetic calm day (written as a LOBSTER zip under `scratchDir` so that it registers like real data).
 */
export async function loadDemoData(input: { readonly data?: string; readonly scratchDir: string; readonly cacheDir: string; readonly sharedDay?: string }): Promise<DemoData> {
  const shared = resolve(input.sharedDay ?? SHARED_DAY);
  const path = input.data ?? (existsSync(shared) ? shared : undefined);
  if (path !== undefined) {
    const day = await loadMarketDay(path, { cacheDir: input.cacheDir });
    return { day, archive: path, label: `${day.instrument} ${day.date}, ${day.levels} levels, ${day.length.toLocaleString('en-US')} messages (real NASDAQ data)`, real: true };
  }
  const day = generateSyntheticDay({ regime: 'calm', seed: 101, events: 200_000, levels: 10 });
  const archive = await writeLobsterZip(day, input.scratchDir, 'synthetic-day.zip');
  return { day, archive, label: `synthetic calm day (seed 101), ${day.length.toLocaleString('en-US')} messages — ${shared} is absent`, real: false };
}

/**
 * The day relabelled as another session date. The live-flow simulator's sequence numbers restart with each
 * session, and the shadow runner tells sessions apart by date: each live run of the demo replays the day as the
 * next business day.
 */
export function asSession(day: MarketDay, offsetDays: number): MarketDay {
  const date = new Date(`${day.date}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + offsetDays);
  return { ...day, date: date.toISOString().slice(0, 10) };
}
