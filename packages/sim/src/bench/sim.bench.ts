/**
 * Simulation benchmark (root script `bench:sim`: `npm run build && node packages/sim/dist/bench/sim.bench.js`).
 *
 * Measures, in one process and one run:
 *  1. loading the day from the columnar cache (the LOBSTER zip is parsed once into .airlock/cache);
 *  2. replay-only: one pass over every message through the engine with no episodes (market tracker only);
 *  3. a full backtest: 1,000 parent orders × (candidate + twap, vwap, pov, ac) = 5,000 episodes in one pass;
 *  4. the ratio full / replay-only.
 * Data: the shared GOOG 10-level sample (`../shared/data` beside the repository); a seeded synthetic day of the
 * same size when it is absent. Candidate: a small MLP (12 → 16 → 16 → 2, tanh, sigmoid) built with
 * @airlock/onnx's builder and run by onnxruntime through OnnxPolicy; a plain-JS forward pass of the same MLP if
 * @airlock/onnx cannot be loaded (loaded dynamically: @airlock/sim itself does not depend on onnxruntime).
 *
 * Timing uses performance.now() here only; nothing in the engine reads a clock.
 * Flags: --orders N (default 1000), --repeat N (default 3), --js-candidate (skip ONNX), --json (also print one JSON line).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURES, type BatchPolicy } from '@airlock/core';
import { ReplayEngine } from '../backtest/replay-engine.js';
import { runBacktest } from '../backtest/run-backtest.js';
import { loadMarketDay } from '../data/market-day.cache.js';
import type { MarketDay } from '../data/market-day.js';
import { generateSyntheticDay } from '../data/synthetic-day.generator.js';
import { resolveBacktestConfig } from '../execution/execution-config.js';
import { VolumeCurve } from '../features/volume-curve.js';
import { generateParentOrders } from '../orders/order-generator.js';
import { createBaseline } from '../strategies/schedule-strategies.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ORDERS = flag('--orders', 1000);
const REPEAT = Math.max(1, flag('--repeat', 3));
const JSON_OUT = args.includes('--json');
const FORCE_JS = args.includes('--js-candidate');

const here = dirname(fileURLToPath(import.meta.url)); // packages/sim/dist/bench
const repoRoot = resolve(here, '../../../..');
const GOOG = resolve(repoRoot, '../shared/data/lobster-2012-06-21/LOBSTER_SampleFile_GOOG_2012-06-21_10.zip');

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const rate = (events: number, millis: number): string => `${((events / millis) * 1000 / 1e6).toFixed(2)} M events/s`;

async function loadDay(): Promise<{ day: MarketDay; source: string; cacheLoadMs: number | null }> {
  if (!existsSync(GOOG)) {
    console.log(`! ${GOOG} is absent: benchmarking a synthetic day (volatile regime, 150,000 events) instead.`);
    return { day: generateSyntheticDay({ seed: 1, regime: 'volatile', events: 150_000 }), source: 'synthetic volatile 150k', cacheLoadMs: null };
  }
  const cacheDir = join(repoRoot, '.airlock', 'cache');
  await loadMarketDay(GOOG, { cacheDir }); // parses and caches on the first run ever
  const t0 = performance.now();
  const day = await loadMarketDay(GOOG, { cacheDir });
  return { day, source: 'GOOG 2012-06-21, 10 levels (LOBSTER sample)', cacheLoadMs: performance.now() - t0 };
}

interface MlpLike {
  readonly spec: { readonly layers: readonly { readonly weights: readonly (readonly number[])[]; readonly bias: readonly number[] }[] };
  readonly bytes: Uint8Array;
}
interface MlpSpecLike {
  readonly features: readonly string[];
  readonly actions: readonly string[];
  readonly layers: readonly { readonly weights: readonly (readonly number[])[]; readonly bias: readonly number[] }[];
}
interface OnnxModule {
  randomMlpPolicy(options: { features: readonly string[]; actions: readonly string[]; seed: number; hidden: readonly number[] }): MlpLike & { spec: MlpSpecLike };
  buildMlpPolicy(spec: MlpSpecLike): Uint8Array;
  OnnxPolicy: { load(bytes: Uint8Array, manifest: { features: readonly string[]; actions: readonly string[] }, name: string): Promise<BatchPolicy & { dispose(): Promise<void> }> };
}

/** The same MLP in plain JS (tanh hidden layers, sigmoid outputs), batched, float64 inside. */
function jsMlp(mlp: MlpLike, features: readonly string[], actions: readonly string[]): BatchPolicy {
  const layers = mlp.spec.layers.map((l) => ({ w: l.weights.map((row) => Float64Array.from(row)), b: Float64Array.from(l.bias) }));
  const width = Math.max(...layers.map((l) => l.b.length), features.length);
  const x = new Float64Array(width);
  const y = new Float64Array(width);
  return {
    name: 'candidate-js',
    features,
    actions,
    decide(input, rows) {
      const out = new Float32Array(rows * actions.length);
      for (let r = 0; r < rows; r++) {
        let n = features.length;
        for (let k = 0; k < n; k++) x[k] = input[r * n + k] as number;
        layers.forEach((layer, li) => {
          for (let j = 0; j < layer.b.length; j++) {
            let s = layer.b[j] as number;
            const w = layer.w[j] as Float64Array;
            for (let k = 0; k < n; k++) s += (w[k] as number) * (x[k] as number);
            y[j] = li === layers.length - 1 ? 1 / (1 + Math.exp(-s)) : Math.tanh(s);
          }
          n = layer.b.length;
          x.set(y.subarray(0, n));
        });
        for (let k = 0; k < actions.length; k++) out[r * actions.length + k] = x[k] as number;
      }
      return Promise.resolve(out);
    },
  };
}

async function candidate(): Promise<{ policy: BatchPolicy; kind: string; dispose: () => Promise<void> }> {
  const features = FEATURES.map((f) => f.name);
  const actions = ['participation', 'aggression'];
  const specifier = '@airlock/onnx'; // a variable: keeps @airlock/sim free of an onnxruntime dependency
  try {
    if (FORCE_JS) throw new Error('--js-candidate');
    const onnx = (await import(specifier)) as OnnxModule;
    const random = onnx.randomMlpPolicy({ features, actions, seed: 42, hidden: [16, 16] });
    // Bias the participation output to sigmoid(−3) ≈ 5% so the candidate works its orders over their whole
    // window like the baselines (an unbiased random MLP asks for ~50% and finishes in a decision or two).
    const layers = random.spec.layers.map((l, i) => (i === random.spec.layers.length - 1 ? { ...l, bias: l.bias.map((b, j) => (j === 0 ? b - 3 : b)) } : l));
    const spec = { ...random.spec, layers };
    const policy = await onnx.OnnxPolicy.load(onnx.buildMlpPolicy(spec), { features, actions }, 'candidate');
    return { policy, kind: 'ONNX MLP 12→16→16→2 (onnxruntime-node via @airlock/onnx OnnxPolicy)', dispose: () => policy.dispose() };
  } catch (error) {
    console.log(`! @airlock/onnx unavailable (${(error as Error).message}); using a plain-JS MLP candidate.`);
    // Same architecture, weights uniform in ±1/sqrt(fan_in) from a fixed sequence.
    let s = 42;
    const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const widths = [features.length, 16, 16, actions.length];
    const layers = widths.slice(1).map((out, i) => {
      const k = 1 / Math.sqrt(widths[i] as number);
      return { weights: Array.from({ length: out }, () => Array.from({ length: widths[i] as number }, () => next() * k)), bias: Array.from({ length: out }, (_, j) => next() * k - (i === 2 && j === 0 ? 3 : 0)) };
    });
    return { policy: jsMlp({ spec: { layers }, bytes: new Uint8Array() }, features, actions), kind: 'plain-JS MLP 12→16→16→2', dispose: () => Promise.resolve() };
  }
}

async function main(): Promise<void> {
  const { day, source, cacheLoadMs } = await loadDay();
  const n = day.length;
  const config = resolveBacktestConfig({});
  const curve = VolumeCurve.fromDay(day, config.volumeCurveBucketNs);
  console.log(`data: ${source}: ${n.toLocaleString('en-US')} messages, ${day.levels} levels`);
  if (cacheLoadMs !== null) console.log(`columnar cache load: ${ms(cacheLoadMs)}`);

  // 1. Replay only: the engine with no episodes (3 warm-up passes for the JIT, then 10 measured).
  const replayTimes: number[] = [];
  for (let k = 0; k < 13; k++) {
    const engine = new ReplayEngine({ day, orders: [], strategies: [], config, seed: 1, curve });
    const t0 = performance.now();
    await engine.run();
    if (k >= 3) replayTimes.push(performance.now() - t0);
  }
  const replayMs = median(replayTimes);
  console.log(`replay-only:   ${ms(replayMs)} median of ${replayTimes.length} (best ${ms(Math.min(...replayTimes))}) → ${rate(n, replayMs)} (best ${rate(n, Math.min(...replayTimes))})`);

  // 2. Full backtest.
  const orders = generateParentOrders(day, { count: ORDERS, seed: 1 });
  const cand = await candidate();
  let decideCalls = 0;
  let decideRows = 0;
  let decideMs = 0;
  const timed: BatchPolicy = {
    name: cand.policy.name,
    features: cand.policy.features,
    actions: cand.policy.actions,
    async decide(input, rows) {
      const t0 = performance.now();
      const out = await cand.policy.decide(input, rows);
      decideMs += performance.now() - t0;
      decideCalls++;
      decideRows += rows;
      return out;
    },
  };
  const strategies = {
    candidate: timed,
    twap: createBaseline('twap'),
    vwap: createBaseline('vwap'),
    pov: createBaseline('pov'),
    ac: createBaseline('ac'),
  };
  const fullTimes: number[] = [];
  let episodes = 0;
  let failures = 0;
  for (let k = 0; k < REPEAT; k++) {
    decideCalls = decideRows = decideMs = 0;
    const t0 = performance.now();
    const result = await runBacktest({ day, orders, strategies, seed: 1, curve });
    fullTimes.push(performance.now() - t0);
    episodes = result.episodes.length;
    failures = result.failures.length;
  }
  await cand.dispose();
  const fullMs = median(fullTimes);
  console.log(`candidate:     ${cand.kind}, participation output biased to ≈5%`);
  console.log(
    `full backtest: ${ORDERS} orders × 5 strategies = ${episodes} episodes (${failures} failed): ${ms(fullMs)} median of ${REPEAT} ` +
      `(first ${ms(fullTimes[0] as number)}) → ${rate(n, fullMs)}`,
  );
  console.log(`  inference:   ${decideCalls} batched calls, ${decideRows.toLocaleString('en-US')} rows, ${ms(decideMs)} (last run)`);
  console.log(`ratio full / replay-only: ${(fullMs / replayMs).toFixed(1)}×`);
  if (JSON_OUT) {
    console.log(
      JSON.stringify({
        source, events: n, cacheLoadMs, replayOnlyMs: replayMs, replayEventsPerSec: (n / replayMs) * 1000, orders: ORDERS, episodes,
        fullMs, fullEventsPerSec: (n / fullMs) * 1000, ratio: fullMs / replayMs, candidate: cand.kind, inferenceMs: decideMs, inferenceCalls: decideCalls,
      }),
    );
  }
}

await main();
