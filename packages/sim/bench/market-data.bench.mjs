// Market-data benchmarks: LOBSTER parse, columnar-cache save/load, replay-only pass, book verification, synthetic
// generation. Runs on the built package: `npm run build && node packages/sim/bench/market-data.bench.mjs [source]`.
// Source: a LOBSTER zip/dir/message CSV; default the GOOG 10-level sample in ../shared/data when present, else a
// generated 150k-message day written as LOBSTER files to a temporary folder.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  generateSyntheticDay,
  loadLobster,
  loadMarketDay,
  readMarketDay,
  saveMarketDay,
  verifyLobster,
  writeLobster,
} from '@airlock/sim';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../../../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip');
const work = await mkdtemp(join(tmpdir(), 'airlock-bench-'));

/** Median wall time (ms) of `runs` calls, after one warm-up. */
async function time(runs, fn) {
  await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

try {
  let source = process.argv[2];
  if (source === undefined && existsSync(shared)) source = shared;
  if (source === undefined) {
    const synthetic = generateSyntheticDay({ seed: 1, regime: 'calm', events: 150_000, levels: 10 });
    source = join(work, 'lobster');
    await writeLobster(synthetic, source);
  }
  const results = { source };

  let day;
  results.parseMs = await time(3, async () => {
    day = (await loadLobster(source)).day;
  });
  results.messages = day.length;
  results.levels = day.levels;

  const file = join(work, 'day.mday');
  results.cacheSaveMs = await time(3, () => saveMarketDay(day, file));
  results.cacheReadMs = await time(5, () => readMarketDay(file));
  const cacheDir = join(work, 'cache');
  await loadMarketDay(source, { cacheDir });
  results.loadMarketDayHitMs = await time(5, () => loadMarketDay(source, { cacheDir }));

  // Replay-only: one pass over the message and top-of-book columns from the cache (what every episode shares).
  const cached = await readMarketDay(file);
  const L = cached.levels;
  let checksum = 0;
  const replayMs = await time(5, () => {
    const { type, size, askPrice, bidPrice } = cached;
    let volume = 0;
    let midSum = 0;
    for (let k = 0; k < cached.length; k++) {
      if (type[k] === 4 || type[k] === 5) volume += size[k];
      midSum += askPrice[k * L] + bidPrice[k * L];
    }
    checksum = volume + midSum;
  });
  results.replayEventsPerSecond = Math.round(cached.length / (replayMs / 1000));
  results.replayChecksum = checksum;

  let report;
  results.verifyMs = await time(3, () => {
    report = verifyLobster(day);
  });
  results.mismatches = report.mismatches;

  results.synth1MEventsMs = await time(1, () => generateSyntheticDay({ seed: 7, regime: 'volatile', events: 1_000_000, levels: 10 }));

  for (const [key, value] of Object.entries(results)) {
    console.log(`${key.padEnd(24)} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : value}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
