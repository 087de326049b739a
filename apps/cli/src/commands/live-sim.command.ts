import { createHash } from 'node:crypto';
import { isDomainError, type BatchPolicy, type VersionRef } from '@airlock/core';
import { DEFAULT_LIVE_FLOW_URI, createLiveFlowPublisher, type LiveEventType, type LiveFlowPublisher } from '@airlock/live-flow';
import { OnnxPolicy } from '@airlock/onnx';
import { DEFAULT_LIVE_SIM_WAVE_NS, runLiveSim, type LiveSimRoutingTable, type LiveSimSkew, type LiveSimSummary } from '@airlock/shadow';
import { formatTimeNs, generateSyntheticDay, loadMarketDay, type MarketDay, type SyntheticRegime } from '@airlock/sim';
import { InvalidArgumentError, type Command } from 'commander';
import { connect, segment } from '../api-command.js';
import type { ApiClient } from '../api-client.js';
import { integer, positiveInteger, positiveNumber } from '../cli-arguments.js';
import type { ConfigFlags } from '../cli-config.js';
import { CliError, handleCliErrors } from '../cli-error.js';
import { fields, printJson, table } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock live-sim`: the live-flow simulator, the stand-in for a firm's execution engine in demos and tests.
 * Replays a day (LOBSTER or synthetic) at N× speed, routes generated parent orders by the deployment's routing
 * table (GET /v1/deployments/{name}/routing, polled with If-None-Match at every wave), works them with the
 * routed versions' ONNX policies (downloaded from the API, sha256 verified) on the backtest engine, and
 * publishes the whole flow on a live-flow transport. Thin: options, ports, @airlock/shadow's runLiveSim, print.
 *
 * Exit codes: 0 published; 1 published, but some orders were rejected because their policy failed (could not be
 * loaded, threw or answered NaN); 2 bad input or an API 4xx; 3 the API or the live-flow transport unreachable.
 */
interface LiveSimCliOptions extends ConfigFlags {
  data?: string;
  synthetic?: { regime: SyntheticRegime; seed?: number };
  events: number;
  orders: number;
  seed: number;
  deployment: string;
  flow: string;
  speed: 'max' | number;
  waveMinutes: number;
  levels: number;
  skew?: LiveSimSkew;
  cacheDir?: string;
  json?: boolean;
}

const REGIMES: readonly SyntheticRegime[] = ['calm', 'volatile', 'illiquid'];
const EVENT_TYPES: readonly LiveEventType[] = ['book', 'trade', 'order.new', 'decision', 'fill', 'order.done'];

export function registerLiveSimCommand(program: Command): void {
  program
    .command('live-sim')
    .description('Live-flow simulator: replay a day, route parent orders by a deployment, publish the whole flow')
    .requiredOption('--deployment <name>', 'deployment whose routing table routes the orders')
    .option('--data <path>', 'LOBSTER .zip, directory or message CSV (default: a synthetic day)')
    .option('--synthetic <regime[:seed]>', `a seeded synthetic day: ${REGIMES.join('|')}[:seed] (the default, calm)`, syntheticSpec)
    .option('--events <n>', 'messages in the synthetic day', positiveInteger, 100_000)
    .option('--orders <n>', 'parent orders to generate', positiveInteger, 200)
    .option('--seed <n>', 'seed of the orders (and of the synthetic day unless given with --synthetic)', integer, 1)
    .option('--flow <uri>', `live-flow URI to publish to (nats://… or a directory)`, DEFAULT_LIVE_FLOW_URI)
    .option('--speed <N|max>', 'N× event time, or max', speedSpec, 'max' as const)
    .option('--wave-minutes <m>', 'event-time minutes per wave of orders (routing is re-read at each)', positiveNumber, DEFAULT_LIVE_SIM_WAVE_NS / 60e9)
    .option('--levels <n>', 'book levels per side published', positiveInteger, 10)
    .option('--skew <feature:delta>', 'add delta to this feature before the live policy sees it (a deliberate skew)', skewSpec)
    .option('--cache-dir <dir>', 'columnar cache directory for --data (default .airlock/cache)')
    .option('--url <url>', 'API base URL (else AIRLOCK_URL, the profile, http://127.0.0.1:8080)')
    .option('--key <key>', 'API key (else AIRLOCK_API_KEY, the profile)')
    .option('--profile <name>', 'profile of the config file (else AIRLOCK_PROFILE, "default")')
    .option('--json', 'print the summary as JSON instead of a table')
    .action(handleCliErrors(async (options: LiveSimCliOptions) => liveSim(options)));
}

async function liveSim(options: LiveSimCliOptions): Promise<void> {
  if (options.data !== undefined && options.synthetic !== undefined) {
    throw new CliError(ExitCode.BadInput, 'invalid options', { code: 'VALIDATION_FAILED', errors: [{ field: '--data', message: 'give --data or --synthetic, not both' }] });
  }
  const api = await connect(options);
  const day: MarketDay =
    options.data !== undefined
      ? await loadMarketDay(options.data, options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir })
      : generateSyntheticDay({ regime: options.synthetic?.regime ?? 'calm', seed: options.synthetic?.seed ?? options.seed, events: options.events });

  const routing = httpRouting(api, options.deployment);
  await routing(); // fail fast (unknown deployment, bad key, API down) before any event is published
  const policies = apiPolicies(api);
  let publisher: LiveFlowPublisher;
  try {
    publisher = await createLiveFlowPublisher(options.flow);
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw new CliError(ExitCode.Unavailable, `cannot open the live flow ${options.flow.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}`, { code: 'UNREACHABLE' });
  }
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  let lastWave = -1;
  let summary: LiveSimSummary;
  try {
    console.error(`live-sim: ${day.instrument} ${day.date}, ${options.orders} orders, deployment ${options.deployment}, publishing to ${publisher.kind} stream "${publisher.stream}" at ${options.speed === 'max' ? 'max speed' : `${options.speed}×`}`);
    summary = await runLiveSim({
      day,
      orderCount: options.orders,
      seed: options.seed,
      routing,
      policyFor: policies.load,
      publisher,
      deployment: options.deployment,
      speed: options.speed,
      waveNs: Math.round(options.waveMinutes * 60e9),
      levels: options.levels,
      ...(options.skew ? { skew: options.skew } : {}),
      signal: abort.signal,
      onProgress: (p) => {
        if (p.wave === lastWave) return;
        lastWave = p.wave;
        console.error(`  ${formatTimeNs(Math.max(0, p.eventTimeNs))}  wave ${p.wave}/${p.waves}  orders ${p.ordersRouted}/${p.ordersTotal}  events ${p.published.toLocaleString('en-US')} (${p.duplicates.toLocaleString('en-US')} duplicates)`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    await publisher.close();
    await policies.dispose();
  }

  if (options.json) printJson(summary);
  else console.log(formatSummary(summary));
  if (summary.orders.bySlot.halted > 0) console.error(`warning: ${summary.orders.bySlot.halted} order(s) rejected: the deployment was halted or routed to no version`);
  const policyFailures = summary.failures.filter((f) => f.version !== null);
  if (policyFailures.length > 0) {
    const first = policyFailures[0];
    console.error(`${policyFailures.length} order(s) rejected because their policy failed; first: ${first?.orderId} (${first?.version}): ${first?.reason}`);
    process.exitCode = ExitCode.Finding;
  }
  if (summary.aborted) console.error('interrupted: the flow published so far is complete up to the last event time shown');
}

/** GET /v1/deployments/{name}/routing with ETag caching: a 304 reuses the last table. */
export function httpRouting(api: ApiClient, deployment: string): () => Promise<LiveSimRoutingTable> {
  let cached: { etag: string; table: LiveSimRoutingTable } | null = null;
  return async () => {
    const answer = await api.getConditional<LiveSimRoutingTable>(`/v1/deployments/${segment(deployment)}/routing`, cached?.etag);
    if (answer.notModified && cached) return cached.table;
    if (answer.notModified) throw new Error('304 without a cached routing table');
    const { stable, canary, canaryWeight, halted, revision } = answer.body;
    const table: LiveSimRoutingTable = { stable, canary, canaryWeight, halted, revision };
    if (answer.etag !== null) cached = { etag: answer.etag, table };
    return table;
  };
}

interface VersionRecord {
  readonly sha256: string;
  readonly features: readonly string[];
  readonly actions: readonly string[];
}

/** Policies from the API: the version record (manifest) and the artifact, whose sha256 must be the routed one. */
export function apiPolicies(api: ApiClient): { load: (ref: VersionRef) => Promise<BatchPolicy>; dispose: () => Promise<void> } {
  const loaded: OnnxPolicy[] = [];
  return {
    async load(ref) {
      const base = `/v1/models/${segment(ref.model)}/versions/${segment(ref.version)}`;
      const record = await api.get<VersionRecord>(base);
      const bytes = await api.getBytes(`${base}/artifact`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== ref.sha256.toLowerCase() || record.sha256.toLowerCase() !== sha256) {
        throw new Error(`artifact of ${ref.model}@${ref.version} has sha256 ${sha256}, the routing table names ${ref.sha256}`);
      }
      const policy = await OnnxPolicy.load(bytes, { features: record.features, actions: record.actions }, `${ref.model}@${ref.version}`);
      loaded.push(policy);
      return policy;
    },
    async dispose() {
      for (const policy of loaded.splice(0)) await policy.dispose();
    },
  };
}

function formatSummary(s: LiveSimSummary): string {
  const count = (n: number | undefined): string => (n ?? 0).toLocaleString('en-US');
  const versions = Object.entries(s.orders.byVersion);
  return [
    fields([
      ['data', `${s.instrument} ${s.session}, ${formatTimeNs(s.eventTimeNs.from)}–${formatTimeNs(s.eventTimeNs.to)}`],
      ['deployment', s.deployment],
      ['stream', s.stream],
      ['events', `${count(s.events.published)} published, ${count(s.events.stored)} stored, ${count(s.events.duplicates)} duplicates`],
      ['waves', `${s.waves} (routing revisions ${[...new Set(s.routingRevisions)].join(', ') || '—'})`],
      ['duration', `${(s.durationMs / 1000).toFixed(1)} s${s.aborted ? ' (interrupted)' : ''}`],
    ]),
    '',
    table(['event', 'count'], EVENT_TYPES.map((t) => [t, count(s.events.byType[t])]), [1]),
    '',
    table(
      ['route', 'orders'],
      [
        ['stable', count(s.orders.bySlot.stable)],
        ['canary', count(s.orders.bySlot.canary)],
        ['halted', count(s.orders.bySlot.halted)],
        ...versions.map(([version, n]) => [`  ${version}`, count(n)]),
      ],
      [1],
    ),
    '',
    `outcomes: ${(['filled', 'expired', 'rejected'] as const).map((o) => `${o} ${count(s.orders.byOutcome[o])}`).join(', ')}${s.skippedDecisions > 0 ? `; ${s.skippedDecisions} non-finite decision(s) not published` : ''}`,
  ].join('\n');
}

function syntheticSpec(value: string): { regime: SyntheticRegime; seed?: number } {
  const [regime, seed, ...rest] = value.split(':');
  if (!REGIMES.includes(regime as SyntheticRegime) || rest.length > 0) throw new InvalidArgumentError(`expected ${REGIMES.join('|')}[:seed]`);
  if (seed === undefined) return { regime: regime as SyntheticRegime };
  return { regime: regime as SyntheticRegime, seed: integer(seed) };
}

function speedSpec(value: string): 'max' | number {
  if (value.trim().toLowerCase() === 'max') return 'max';
  return positiveNumber(value);
}

function skewSpec(value: string): LiveSimSkew {
  const at = value.lastIndexOf(':');
  const feature = value.slice(0, at).trim();
  const add = Number(value.slice(at + 1));
  if (at <= 0 || feature === '' || value.slice(at + 1).trim() === '' || !Number.isFinite(add)) throw new InvalidArgumentError('expected feature:delta, e.g. spread_bps:0.5');
  return { feature, add };
}
