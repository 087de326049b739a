import { readFile, writeFile } from 'node:fs/promises';
import { DomainError, parseManifest, type BatchPolicy } from '@airlock/core';
import { OnnxPolicy, validateArtifact } from '@airlock/onnx';
import {
  BASELINE_NAMES,
  type BacktestResult,
  type Comparison,
  type ExecutionStrategy,
  type MarketDay,
  type QueueModelKind,
  type StrategyAggregate,
  type SyntheticRegime,
  compare,
  createBaseline,
  generateParentOrders,
  generateSyntheticDay,
  isBaselineName,
  loadMarketDay,
  parseParentOrdersCsv,
  runBacktest,
} from '@airlock/sim';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ExitCode } from '../run-cli.js';
import { integer, positiveInteger, nonNegativeInteger, positiveNumber, nonNegativeNumber } from '../cli-arguments.js';

/**
 * `airlock backtest`: the candidate model against the baselines (and a champion) on identical episodes of one
 * market day, one replay pass. Thin: parse options, load, call @airlock/sim's runBacktest and compare, print.
 *
 *   airlock backtest (--data <zip|dir> | --synthetic <regime>) [--model <file.onnx> --manifest <manifest.json>]
 *                    [--champion <file.onnx> --champion-manifest <manifest.json>] [--orders N | --orders-file F]
 *                    [--seed S] [--baselines twap,vwap,pov,ac] [--interval S] [--latency-us U] [--queue M]
 *                    [--impact M] [--json FILE|-]
 *
 * Exit codes: 0 ran; 1 ran but some episodes failed (e.g. the model returned NaN); 2 bad input.
 */
interface BacktestOptions {
  data?: string;
  synthetic?: SyntheticRegime;
  events: number;
  model?: string;
  manifest?: string;
  champion?: string;
  championManifest?: string;
  orders: number;
  ordersFile?: string;
  seed: number;
  baselines: string[];
  interval: number;
  latencyUs: number;
  queue: QueueModelKind;
  impact: 'none' | 'linear' | 'square-root';
  impactCoefficient: number;
  cacheDir?: string;
  json?: string;
}

export function registerBacktestCommand(program: Command): void {
  program
    .command('backtest')
    .description('Backtest a candidate model against the baselines on identical episodes of one market day')
    .option('--data <path>', 'LOBSTER .zip or directory (parsed once into the columnar cache)')
    .addOption(new Option('--synthetic <regime>', 'a seeded synthetic day instead of --data').choices(['calm', 'volatile', 'illiquid']))
    .option('--events <n>', 'messages in the synthetic day', positiveInteger, 150_000)
    .option('--model <file>', 'candidate ONNX model (strategy name "candidate")')
    .option('--manifest <file>', "the candidate's manifest JSON")
    .option('--champion <file>', 'champion ONNX model, compared like a baseline (strategy name "champion")')
    .option('--champion-manifest <file>', "the champion's manifest JSON")
    .option('--orders <n>', 'parent orders to generate from the seed', positiveInteger, 200)
    .option('--orders-file <csv>', 'parent orders from CSV instead (id,side,quantity,start,end[,limit_ticks][,urgency])')
    .option('--seed <n>', 'seed of the orders, the queue model and the bootstrap', integer, 1)
    .addOption(
      new Option('--baselines <list>', `comma-separated subset of ${BASELINE_NAMES.join(',')}, or "none"`)
        .argParser(baselineList)
        .default([...BASELINE_NAMES], BASELINE_NAMES.join(',')),
    )
    .option('--interval <seconds>', 'seconds between decisions', positiveNumber, 10)
    .option('--latency-us <µs>', 'order-entry latency in microseconds', nonNegativeInteger, 1000)
    .addOption(new Option('--queue <model>', 'queue-position model').choices(['auto', 'exact', 'probabilistic']).default('auto'))
    .addOption(new Option('--impact <model>', 'permanent-impact overlay').choices(['none', 'linear', 'square-root']).default('square-root'))
    .option('--impact-coefficient <x>', 'impact coefficient (see docs/simulation.md)', nonNegativeNumber, 0.5)
    .option('--cache-dir <dir>', 'columnar cache directory (default .airlock/cache)')
    .option('--json <file>', 'write the summary JSON to a file ("-" for stdout)')
    .action(async (options: BacktestOptions) => {
      await backtest(options);
    });
}

async function backtest(options: BacktestOptions): Promise<void> {
  const usage = (field: string, message: string): DomainError => new DomainError('VALIDATION_FAILED', 'invalid options', { errors: [{ field, message }] });
  if ((options.data === undefined) === (options.synthetic === undefined)) throw usage('--data', 'give exactly one of --data or --synthetic');
  if ((options.model === undefined) !== (options.manifest === undefined)) throw usage('--model', '--model and --manifest go together');
  if ((options.champion === undefined) !== (options.championManifest === undefined)) throw usage('--champion', '--champion and --champion-manifest go together');
  if (options.model === undefined && options.baselines.length === 0) throw usage('--baselines', 'nothing to run: no model and no baselines');

  const policies: OnnxPolicy[] = [];
  try {
    const strategies: Record<string, BatchPolicy | ExecutionStrategy> = {};
    if (options.model !== undefined) {
      const policy = await loadPolicy(options.model, options.manifest as string, 'candidate', options.seed);
      policies.push(policy);
      strategies.candidate = policy;
    }
    if (options.champion !== undefined) {
      const policy = await loadPolicy(options.champion, options.championManifest as string, 'champion', options.seed);
      policies.push(policy);
      strategies.champion = policy;
    }
    for (const name of options.baselines) if (isBaselineName(name)) strategies[name] = createBaseline(name);

    const day: MarketDay =
      options.data !== undefined
        ? await loadMarketDay(options.data, options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir })
        : generateSyntheticDay({ seed: options.seed, regime: options.synthetic as SyntheticRegime, events: options.events });
    const intervalNs = Math.round(options.interval * 1e9);
    const orders =
      options.ordersFile !== undefined
        ? parseParentOrdersCsv(await readFile(options.ordersFile, 'utf8'), options.ordersFile)
        : generateParentOrders(day, { count: options.orders, seed: options.seed, gridNs: intervalNs });

    const bar = process.stdout.isTTY && options.json !== '-' ? new SingleBar({ format: 'backtest [{bar}] {percentage}% | {value}/{total} events | {eta}s left', hideCursor: true }) : null;
    bar?.start(day.length, 0);
    let result: BacktestResult;
    try {
      result = await runBacktest({
        day,
        orders,
        strategies,
        seed: options.seed,
        config: {
          decisionIntervalNs: intervalNs,
          latencyNs: options.latencyUs * 1000,
          queueModel: options.queue,
          impact: options.impact === 'none' ? { model: 'none' } : { model: options.impact, coefficient: options.impactCoefficient },
        },
        ...(bar ? { onProgress: (p: { eventsDone: number }) => bar.update(p.eventsDone) } : {}),
      });
    } finally {
      bar?.stop();
    }

    const candidate = strategies.candidate !== undefined ? 'candidate' : undefined;
    const against = [...(strategies.champion !== undefined ? ['champion'] : []), ...options.baselines];
    const comparisons = candidate !== undefined && against.length > 0 ? compare(result, candidate, against, options.seed) : [];
    const summary = summaryJson(result, comparisons, options.data ?? `synthetic:${options.synthetic}`);
    if (options.json === '-') console.log(JSON.stringify(summary, null, 2));
    else {
      console.log(formatSummary(result, comparisons));
      if (options.json !== undefined) {
        await writeFile(options.json, `${JSON.stringify(summary, null, 2)}\n`);
        console.log(`\nwrote ${options.json}`);
      }
    }
    if (result.failures.length > 0) process.exitCode = ExitCode.Finding;
  } finally {
    for (const policy of policies) await policy.dispose();
  }
}

/** Parses the manifest, validates the artifact against it (shapes, finite and bounded outputs), loads it. */
async function loadPolicy(modelPath: string, manifestPath: string, name: string, seed: number): Promise<OnnxPolicy> {
  const manifest = parseManifest(await readFile(manifestPath, 'utf8'));
  const bytes = new Uint8Array(await readFile(modelPath));
  await validateArtifact(bytes, manifest, { seed });
  return OnnxPolicy.load(bytes, manifest, name);
}

/** The documented JSON: `strategies` and `comparisons` as specified, plus the run's context. */
function summaryJson(result: BacktestResult, comparisons: readonly Comparison[], source: string) {
  const strategies: Record<string, unknown> = {};
  for (const name of result.strategies) {
    const a = result.aggregates[name] as StrategyAggregate;
    strategies[name] = {
      episodes: a.episodes,
      failed: a.failed,
      isBps: a.isBps,
      isExecutionBps: a.isExecutionBps,
      isOpportunityBps: a.isOpportunityBps,
      vwapSlippageBps: a.vwapSlippageBps,
      completion: a.completion,
      participation: a.participation,
      passiveFillRatio: a.passiveFillRatio,
      childOrders: a.childOrders,
      invalidActions: a.invalidActions,
    };
  }
  return {
    data: { source, instrument: result.instrument, date: result.date, events: result.events, queueModel: result.queueModel },
    seed: result.seed,
    orders: result.orders,
    config: result.config,
    strategies,
    comparisons: comparisons.map((c) => ({
      candidate: c.candidate,
      baseline: c.baseline,
      meanDiffBps: c.meanDiffBps,
      ci95: c.ci95,
      pValue: c.pValue,
      pairs: c.pairs,
      excluded: c.excluded,
      medianDiffBps: c.medianDiffBps,
      p95DiffBps: c.p95DiffBps,
      test: c.test,
    })),
    failures: result.failures.slice(0, 50),
  };
}

const num = (v: number | null, digits = 2): string => (v === null ? 'n/a' : v.toFixed(digits));

function formatSummary(result: BacktestResult, comparisons: readonly Comparison[]): string {
  const header = ['strategy', 'episodes', 'failed', 'IS mean', 'IS median', 'IS p95', 'VWAP slip', 'complete', 'particip.', 'passive'];
  const rows = result.strategies.map((name) => {
    const a = result.aggregates[name] as StrategyAggregate;
    return [
      name, String(a.episodes), String(a.failed), num(a.isBps.mean), num(a.isBps.median), num(a.isBps.p95), num(a.vwapSlippageBps.mean),
      a.completion === null ? 'n/a' : `${(a.completion * 100).toFixed(1)}%`,
      a.participation === null ? 'n/a' : `${(a.participation * 100).toFixed(2)}%`,
      a.passiveFillRatio === null ? 'n/a' : `${(a.passiveFillRatio * 100).toFixed(1)}%`,
    ];
  });
  const lines = [
    `${result.instrument} ${result.date}: ${result.events.toLocaleString('en-US')} events, ${result.orders} parent orders, queue model ${result.queueModel}, seed ${result.seed}`,
    'IS and VWAP slippage in bps, positive = cost',
    '',
    ...grid([header, ...rows]),
  ];
  if (comparisons.length > 0) {
    lines.push('', 'candidate − baseline, IS bps (negative = candidate cheaper)', '');
    lines.push(
      ...grid([
        ['baseline', 'pairs', 'mean diff', '95% CI', 'p (Wilcoxon)', 'p95 diff'],
        ...comparisons.map((c) => [
          c.baseline, String(c.pairs), num(c.meanDiffBps), c.ci95 ? `[${num(c.ci95[0])}, ${num(c.ci95[1])}]` : 'n/a',
          c.pValue === null ? 'n/a' : c.pValue < 1e-4 ? c.pValue.toExponential(1) : c.pValue.toFixed(4), num(c.p95DiffBps),
        ]),
      ]),
    );
  }
  if (result.failures.length > 0) {
    lines.push('', `${result.failures.length} episode(s) failed, first: ${result.failures[0]?.strategy}/${result.failures[0]?.orderId}: ${result.failures[0]?.reason}`);
  }
  return lines.join('\n');
}

function grid(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')}`);
}






function baselineList(value: string): string[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  const names = value.split(',').map((s) => s.trim().toLowerCase());
  const unknown = names.filter((n) => !isBaselineName(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown baseline(s) ${unknown.join(', ')}; expected ${BASELINE_NAMES.join(', ')}`);
  return [...new Set(names)];
}
