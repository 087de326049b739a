/**
 * Registry benchmark, issue #2 (root script `bench:registry`: `npm run build && node apps/api/dist/bench/registry.bench.js`).
 * A script that prints figures, not a timed test: nothing here passes or fails on a number.
 *
 * Measures, in one run, against a real API (startApi on a free loopback port, file artifact store in a temp dir,
 * a fresh database on the machine's PostgreSQL via createTestDatabase, dropped at the end; `--embedded`: the
 * embedded PGlite default instead):
 *  1. Registration: full multipart POST /v1/models/{name}/versions, sent by a separate client process (so the
 *     client's work does not run on the API's event loop), each iteration with unique bytes (a metadata value
 *     patched in place) so nothing is deduplicated. Three artifacts: a 1 MB MLP, a 50 MB gradient-boosted
 *     tree ensemble (the realistic large execution model) and a 50 MB dense MLP (the compute-heavy extreme).
 *     Each registration is split into phases from timestamps on one clock (epoch ms, both processes):
 *     upload+spool (client start → inspector start: multipart streaming, sha256, spool file, manifest parse,
 *     dedupe lookup), inspect (the inspector; inside it the report's durationsMs: sandbox start, onnxruntime load,
 *     probe batch, latency sampling, and the inspector's own read + re-hash), store (ArtifactStore.put: copy,
 *     verify, fsync, rename), commit+respond (put end → response received: transaction, audit, JSON reply).
 *  2. GET /v1/models/{name}/versions/1 (authenticated) under autocannon (32 connections, separate process), and
 *     the same for a bare Fastify 5 route returning the same JSON body; both warmed up, same duration; ratio.
 * The machine's cores are shared: each measured window also reports the CPU (in cores) this benchmark used and
 * what other processes used meanwhile (from /proc), so a disturbed run shows itself.
 *
 * Flags: --embedded, --json (print one JSON document instead of tables), --small-runs N (default 10),
 * --large-runs N (default 5), --duration S (GET measurement, default 10), --warmup S (default 3),
 * --connections N (default 32), --no-dense (skip the 50 MB dense MLP).
 * Progress goes to stderr, results to stdout.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createArtifactStore, type ArtifactBody, type ArtifactStore, type PutOptions, type StoredArtifact } from '@airlock/artifact-store';
import { FEATURES, type Manifest } from '@airlock/core';
import { randomMlpPolicy, randomTreeEnsemblePolicy, type ArtifactReport } from '@airlock/onnx';
import { createTestDatabase, type TestDatabase } from '@airlock/persistence/testing';
import { OnnxArtifactInspector, type ArtifactInspector } from '@airlock/registry';
import Fastify from 'fastify';
import { pino } from 'pino';
import { startApi, type RunningApi } from '../bootstrap.js';
import { loadApiConfig } from '../config/api-config.js';
import { cpuSnapshot, interference, machine, type Interference } from './bench-machine.js';

const args = process.argv.slice(2);
const numberFlag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
};

/** Epoch milliseconds with sub-ms resolution, comparable between this process and the upload client. */
const nowMs = (): number => performance.timeOrigin + performance.now();

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// ------------------------------------------------------------------------------------------- upload client

interface UploadRequest {
  readonly url: string;
  readonly key: string;
  readonly path: string;
  readonly manifest: string;
}
interface UploadReply {
  readonly status: number;
  readonly body: unknown;
  /** Epoch ms just before fetch() and after the whole response body arrived. */
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The client side of a registration, in its own process: reads the artifact into memory first (disk reads are
 * not the API's cost), then times one multipart POST until the response body is in.
 */
function runUploadClient(): void {
  process.on('message', (request: UploadRequest) => {
    void (async () => {
      const bytes = await readFile(request.path);
      const form = new FormData();
      form.append('manifest', request.manifest);
      form.append('artifact', new Blob([bytes]), 'model.onnx');
      const startMs = nowMs();
      const response = await fetch(request.url, { method: 'POST', headers: { authorization: `Bearer ${request.key}` }, body: form });
      const text = await response.text();
      const endMs = nowMs();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: kept as text for the error message
      }
      process.send?.({ status: response.status, body, startMs, endMs } satisfies UploadReply);
    })().catch((error: unknown) => {
      process.send?.({ status: 0, body: String(error), startMs: 0, endMs: 0 } satisfies UploadReply);
    });
  });
  process.on('disconnect', () => process.exit(0));
}

class UploadClient {
  private constructor(private readonly child: ChildProcess) {}

  static start(): UploadClient {
    const child = fork(fileURLToPath(import.meta.url), ['--upload-client'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new UploadClient(child);
  }

  post(request: UploadRequest): Promise<UploadReply> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the upload client exited (${code})`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: UploadReply) => {
        this.child.off('exit', onExit);
        resolve(reply);
      });
      this.child.send(request);
    });
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

// ------------------------------------------------------------------------------ server-side instrumentation

interface Span {
  startMs: number;
  endMs: number;
}

/** The real inspector, with the wall time of its last call recorded. */
class TimedInspector implements ArtifactInspector {
  private last: (Span & { report: Record<string, unknown> }) | undefined;

  /** The last call's span and report, cleared so the next registration starts fresh. */
  take(): (Span & { report: Record<string, unknown> }) | undefined {
    const last = this.last;
    this.last = undefined;
    return last;
  }

  constructor(private readonly inner: ArtifactInspector) {}

  async inspect(artifactPath: string, manifest: Manifest): Promise<Record<string, unknown>> {
    const startMs = nowMs();
    const report = await this.inner.inspect(artifactPath, manifest);
    this.last = { startMs, endMs: nowMs(), report };
    return report;
  }
}

/** The real artifact store, with the wall time of each put since the last reset recorded. */
class TimedStore implements ArtifactStore {
  private puts: Span[] = [];

  /** The puts since the last call. */
  take(): Span[] {
    const puts = this.puts;
    this.puts = [];
    return puts;
  }

  constructor(private readonly inner: ArtifactStore) {}

  get kind(): 'file' | 's3' {
    return this.inner.kind;
  }

  async put(body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact> {
    const startMs = nowMs();
    try {
      return await this.inner.put(body, options);
    } finally {
      this.puts.push({ startMs, endMs: nowMs() });
    }
  }
  get(sha256: string) {
    return this.inner.get(sha256);
  }
  stream(sha256: string) {
    return this.inner.stream(sha256);
  }
  has(sha256: string) {
    return this.inner.has(sha256);
  }
  delete(sha256: string) {
    return this.inner.delete(sha256);
  }
  list() {
    return this.inner.list();
  }
  purgeTemporary(olderThan: Date) {
    return this.inner.purgeTemporary(olderThan);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

// ------------------------------------------------------------------------------------------------ models

interface Artifact {
  readonly id: string;
  readonly label: string;
  /** Architecture and per-row cost, for the reader. */
  readonly shape: string;
  readonly bytes: Uint8Array;
  /** Byte offset of the VARIANT_DIGITS placeholder inside a metadata_props value. */
  readonly variantOffset: number;
  readonly buildMs: number;
}

const BENCH_FEATURES = FEATURES.map((f) => f.name);
const BENCH_ACTIONS = ['participation', 'aggression'];
const MANIFEST = JSON.stringify({ features: BENCH_FEATURES, actions: BENCH_ACTIONS, tags: ['bench'] });
/**
 * Each iteration's bytes differ in a metadata_props value (`bench.variant`, 12 digits patched in place), so
 * every upload has a new sha256 and nothing is deduplicated, while the model is built once (seconds at 50 MB).
 */
const VARIANT_KEY = 'bench.variant';
const VARIANT_PREFIX = 'airlock-bench-variant-';
const VARIANT_DIGITS = 12;
const variantMetadata = { [VARIANT_KEY]: `${VARIANT_PREFIX}${'0'.repeat(VARIANT_DIGITS)}` };

function variantOffset(bytes: Uint8Array): number {
  const offset = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(VARIANT_PREFIX);
  if (offset < 0) throw new Error('variant marker missing from the built artifact');
  return offset + VARIANT_PREFIX.length;
}

function denseMlp(id: string, label: string, hidden: number): Artifact {
  const t0 = performance.now();
  const { bytes } = randomMlpPolicy({ seed: 7, features: BENCH_FEATURES, actions: BENCH_ACTIONS, hidden: [hidden, hidden], metadata: variantMetadata });
  const f = BENCH_FEATURES.length;
  const macs = f * hidden + hidden * hidden + hidden * BENCH_ACTIONS.length;
  return {
    id,
    label,
    shape: `dense MLP ${f} → ${hidden} → ${hidden} → ${BENCH_ACTIONS.length} (tanh, sigmoid): ${(macs / 1e6).toFixed(2)} M multiply-adds per row`,
    bytes,
    variantOffset: variantOffset(bytes),
    buildMs: performance.now() - t0,
  };
}

function treeEnsemble(id: string, label: string, trees: number, depth: number): Artifact {
  const t0 = performance.now();
  const { bytes } = randomTreeEnsemblePolicy({ seed: 7, features: BENCH_FEATURES, actions: BENCH_ACTIONS, trees, depth, metadata: variantMetadata });
  return {
    id,
    label,
    shape:
      `gradient-boosted trees, ONNX-ML TreeEnsembleRegressor: ${trees.toLocaleString('en-US')} trees of depth ${depth} ` +
      `(${2 ** depth} leaves each, 2 targets), sigmoid: ${(trees * depth).toLocaleString('en-US')} comparisons per row`,
    bytes,
    variantOffset: variantOffset(bytes),
    buildMs: performance.now() - t0,
  };
}

/** The artifact with its variant digits set to `iteration` (unique bytes, same model). */
function variant(artifact: Artifact, iteration: number): Uint8Array {
  const copy = artifact.bytes.slice();
  copy.set(new TextEncoder().encode(String(iteration).padStart(VARIANT_DIGITS, '0')), artifact.variantOffset);
  return copy;
}

// ------------------------------------------------------------------------------------------------ statistics

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const summary = (xs: readonly number[]) => ({ p50: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

// ---------------------------------------------------------------------------------------------- registration

interface RegistrationSample {
  readonly totalMs: number;
  readonly uploadMs: number;
  readonly inspectMs: number;
  readonly inspectorReadHashMs: number;
  readonly sandboxMs: number;
  readonly loadMs: number;
  readonly probeMs: number;
  readonly latencyMs: number;
  readonly storeMs: number;
  readonly commitMs: number;
  readonly latency: ArtifactReport['latency'];
}

const PHASES = ['totalMs', 'uploadMs', 'inspectMs', 'inspectorReadHashMs', 'sandboxMs', 'loadMs', 'probeMs', 'latencyMs', 'storeMs', 'commitMs'] as const;

interface RegistrationResult {
  readonly id: string;
  readonly label: string;
  readonly shape: string;
  readonly sizeBytes: number;
  readonly buildMs: number;
  readonly phases: Record<(typeof PHASES)[number], ReturnType<typeof summary>>;
  /** The model's own latency as the check measured it (last iteration), and how many samples it took. */
  readonly modelLatency: ArtifactReport['latency'];
  /** Other processes' CPU during the measured iterations (null off Linux). */
  readonly interference: Interference | null;
}

interface Context {
  readonly api: RunningApi;
  readonly key: string;
  readonly inspector: TimedInspector;
  readonly store: TimedStore;
  readonly client: UploadClient;
  readonly workDir: string;
  /** Our database's name (its PostgreSQL backends count as ours), undefined when embedded. */
  readonly databaseName: string | undefined;
}

let iterationCounter = 0;

async function registerOnce(ctx: Context, model: string, artifact: Artifact): Promise<RegistrationSample> {
  iterationCounter += 1;
  const path = join(ctx.workDir, `${artifact.id}.onnx`);
  await writeFile(path, variant(artifact, iterationCounter));
  ctx.inspector.take();
  ctx.store.take();
  const reply = await ctx.client.post({ url: `${ctx.api.url}/v1/models/${model}/versions`, key: ctx.key, path, manifest: MANIFEST });
  if (reply.status !== 201) throw new Error(`registration of ${artifact.id} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 2000)}`);
  const inspected = ctx.inspector.take();
  const put = ctx.store.take()[0];
  if (!inspected || !put) throw new Error('the registration ran no inspection or no store put');
  const report = inspected.report as unknown as ArtifactReport;
  const inspectMs = inspected.endMs - inspected.startMs;
  return {
    totalMs: reply.endMs - reply.startMs,
    uploadMs: inspected.startMs - reply.startMs,
    inspectMs,
    inspectorReadHashMs: inspectMs - report.durationsMs.total,
    sandboxMs: report.durationsMs.prepare + report.durationsMs.sandbox,
    loadMs: report.durationsMs.load,
    probeMs: report.durationsMs.probe,
    latencyMs: report.durationsMs.latency,
    storeMs: put.endMs - put.startMs,
    commitMs: reply.endMs - put.endMs,
    latency: report.latency,
  };
}

async function benchRegistration(ctx: Context, artifact: Artifact, runs: number): Promise<RegistrationResult> {
  const model = `bench-${artifact.id}`;
  const created = await fetch(`${ctx.api.url}/v1/models`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: model, owner: 'bench', assetClass: 'equities', tier: 'medium' }),
  });
  if (created.status !== 201) throw new Error(`model creation answered ${created.status}: ${await created.text()}`);
  log(`  ${artifact.label}: warm-up registration…`);
  await registerOnce(ctx, model, artifact); // version 1; first sandbox start, first onnxruntime load of this kind
  const samples: RegistrationSample[] = [];
  const before = cpuSnapshot(ctx.databaseName);
  for (let i = 0; i < runs; i += 1) {
    samples.push(await registerOnce(ctx, model, artifact));
    log(`  ${artifact.label}: ${i + 1}/${runs} ${fmt(samples[i]?.totalMs ?? NaN)} ms`);
  }
  const after = cpuSnapshot(ctx.databaseName);
  const phases = Object.fromEntries(PHASES.map((p) => [p, summary(samples.map((s) => s[p]))])) as RegistrationResult['phases'];
  return {
    id: artifact.id,
    label: artifact.label,
    shape: artifact.shape,
    sizeBytes: artifact.bytes.byteLength,
    buildMs: artifact.buildMs,
    phases,
    modelLatency: (samples[samples.length - 1] as RegistrationSample).latency,
    interference: interference(before, after),
  };
}

// ---------------------------------------------------------------------------------------------------- GET

interface LoadResult {
  readonly target: string;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly bodyBytes: number;
  /** Other processes' CPU during the measured run (null off Linux). */
  readonly interference: Interference | null;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

const autocannonBin = join(dirname(createRequire(import.meta.url).resolve('autocannon/package.json')), 'autocannon.js');

/** One autocannon run in its own process (the load generator must not share the servers' event loop). */
function autocannon(url: string, headers: Record<string, string>, seconds: number, connections: number): Promise<AutocannonJson> {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const child = spawn(process.execPath, [autocannonBin, '-c', String(connections), '-d', String(seconds), '-j', ...headerArgs, url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out) as AutocannonJson);
      } catch (error) {
        reject(new Error(`autocannon failed (${(error as Error).message}): ${err.slice(-2000)}`));
      }
    });
  });
}

async function measureGet(
  target: string,
  url: string,
  headers: Record<string, string>,
  opts: { warmup: number; duration: number; connections: number; databaseName: string | undefined },
  bodyBytes: number,
): Promise<LoadResult> {
  log(`  ${target}: warm-up ${opts.warmup} s…`);
  await autocannon(url, headers, opts.warmup, opts.connections);
  log(`  ${target}: measuring ${opts.duration} s…`);
  const before = cpuSnapshot(opts.databaseName);
  const r = await autocannon(url, headers, opts.duration, opts.connections);
  const after = cpuSnapshot(opts.databaseName);
  return {
    target,
    // Total over the measured duration (autocannon's `average` is the mean of per-second counts; same thing here).
    requestsPerSec: r.requests.total / opts.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    bodyBytes,
    interference: interference(before, after),
  };
}

// ------------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const embedded = args.includes('--embedded');
  const jsonOut = args.includes('--json');
  const smallRuns = numberFlag('--small-runs', 10);
  const largeRuns = numberFlag('--large-runs', 5);
  const load = { duration: numberFlag('--duration', 10), warmup: numberFlag('--warmup', 3), connections: numberFlag('--connections', 32) };
  const host = machine();
  log(`machine: ${host.cores} cores, ${host.cpuModel}, ${host.memoryGiB} GiB, Node ${host.node}, load average ${host.loadAvgAtStart.join(' ')}`);

  log('building artifacts…');
  const artifacts: { artifact: Artifact; runs: number }[] = [
    { artifact: denseMlp('mlp-1mb', '1 MB MLP', 500), runs: smallRuns },
    // ~15 kB per depth-8 tree with two targets: 3,325 trees ≈ 50 MB.
    { artifact: treeEnsemble('gbdt-50mb', '50 MB GBDT', 3325, 8), runs: largeRuns },
  ];
  if (!args.includes('--no-dense')) artifacts.push({ artifact: denseMlp('mlp-50mb', '50 MB dense MLP', 3530), runs: largeRuns });
  for (const { artifact } of artifacts) log(`  ${artifact.label}: ${artifact.bytes.byteLength.toLocaleString('en-US')} bytes, built in ${fmt(artifact.buildMs)} ms`);

  const workDir = mkdtempSync(join(tmpdir(), 'airlock-bench-'));
  let database: TestDatabase | undefined;
  let api: RunningApi | undefined;
  let client: UploadClient | undefined;
  let bare: ReturnType<typeof Fastify> | undefined;
  try {
    database = embedded ? undefined : await createTestDatabase('airlock_bench');
    const key = `ak_bench_${randomBytes(16).toString('hex')}`;
    const config = loadApiConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ...(database ? { DATABASE_URL: database.url } : {}),
      AIRLOCK_DATA_DIR: join(workDir, 'data'),
      AIRLOCK_ARTIFACT_STORE: pathToFileURL(join(workDir, 'artifacts')).href,
      AIRLOCK_BOOTSTRAP_ADMIN_KEY: key,
      LOG_LEVEL: 'silent',
    });
    const inspector = new TimedInspector(new OnnxArtifactInspector({ timeoutMs: config.inspectTimeoutMs, maxMemoryMb: config.inspectMaxMemoryMb }));
    const store = new TimedStore(createArtifactStore(config.artifactStoreUri));
    api = await startApi(config, { logger: pino({ level: 'silent' }), inspector, store });
    client = UploadClient.start();
    const ctx: Context = { api, key, inspector, store, client, workDir, databaseName: database?.name };
    log(`API at ${api.url} on ${embedded ? 'embedded PGlite' : `PostgreSQL (${database?.name})`}, file store in ${workDir}`);

    log('registration:');
    const registrations: RegistrationResult[] = [];
    for (const { artifact, runs } of artifacts) registrations.push(await benchRegistration(ctx, artifact, runs));

    log('GET version:');
    const getUrl = `${api.url}/v1/models/bench-mlp-1mb/versions/1`;
    const auth = { authorization: `Bearer ${key}` };
    const sample = await fetch(getUrl, { headers: auth });
    const bodyText = await sample.text();
    if (sample.status !== 200) throw new Error(`GET version answered ${sample.status}: ${bodyText}`);
    const body = JSON.parse(bodyText) as unknown;
    bare = Fastify({ logger: false });
    bare.get('/v1/models/:name/versions/:version', async () => body);
    const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/v1/models/bench-mlp-1mb/versions/1`;
    const bytes = Buffer.byteLength(bodyText);
    const loadOptions = { ...load, databaseName: database?.name };
    const apiGet = await measureGet(`API (Nest + auth + ${embedded ? 'PGlite' : 'PostgreSQL'})`, getUrl, auth, loadOptions, bytes);
    const bareGet = await measureGet('bare Fastify 5 (same JSON body)', bareUrl, auth, loadOptions, bytes);
    const loadAvgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);

    const result = {
      machine: { ...host, loadAvgAtEnd },
      database: embedded ? 'embedded PGlite' : 'PostgreSQL (createTestDatabase)',
      registrations,
      get: { connections: load.connections, durationSec: load.duration, warmupSec: load.warmup, api: apiGet, bare: bareGet, throughputRatio: apiGet.requestsPerSec / bareGet.requestsPerSec },
    };
    if (jsonOut) console.log(JSON.stringify(result, null, 2));
    else printTables(result);
  } finally {
    client?.stop();
    await bare?.close();
    await api?.close();
    await database?.drop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface Result {
  machine: ReturnType<typeof machine> & { loadAvgAtEnd: number[] };
  database: string;
  registrations: RegistrationResult[];
  get: { connections: number; durationSec: number; warmupSec: number; api: LoadResult; bare: LoadResult; throughputRatio: number };
}

function printTables(r: Result): void {
  const m = r.machine;
  const out: string[] = [];
  out.push(`machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, Node ${m.node} (${m.platform})`);
  out.push(`load average (1/5/15 min) at start ${m.loadAvgAtStart.join(' ')}, at end ${m.loadAvgAtEnd.join(' ')}; database: ${r.database}`);
  out.push('');
  out.push('Registration: multipart POST /v1/models/{name}/versions, unique bytes each time; ms, p50 [min–max] over n');
  for (const reg of r.registrations) {
    const p = reg.phases;
    const cell = (s: ReturnType<typeof summary>) => `${fmt(s.p50)} [${fmt(s.min)}–${fmt(s.max)}]`;
    out.push('');
    out.push(`${reg.label}: ${reg.sizeBytes.toLocaleString('en-US')} bytes, n = ${p.totalMs.n}`);
    out.push(`  model: ${reg.shape}`);
    const rows: [string, ReturnType<typeof summary>][] = [
      ['total (client: request start → response body)', p.totalMs],
      ['  upload + spool (stream, sha256, spool file, manifest, dedupe lookup)', p.uploadMs],
      ['  inspect (sandboxed ONNX check)', p.inspectMs],
      ['    inspector: read file + sha256 for the probe seed', p.inspectorReadHashMs],
      ['    header, temp copy, sandbox process start', p.sandboxMs],
      ['    onnxruntime load (request round trip)', p.loadMs],
      ['    probe batch (256 rows) + output checks', p.probeMs],
      ['    latency sampling (warm-up, single rows, batches)', p.latencyMs],
      ['  store (put: copy, verify sha256, fsync, rename)', p.storeMs],
      ['  commit + respond (transaction, audit, JSON)', p.commitMs],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, s] of rows) out.push(`  ${label.padEnd(width)}  ${cell(s)}`);
    const l = reg.modelLatency;
    if (reg.interference) {
      out.push(`  CPU during the measured runs: this benchmark ${reg.interference.oursCores} cores, other processes ${reg.interference.otherCores} cores (of ${m.cores})`);
    }
    out.push(
      `  model latency as checked: single row p50 ${l.singleRowP50Us} µs / p99 ${l.singleRowP99Us} µs (${l.singleRowSamples} runs), ` +
        `batch 256 p50 ${l.batch256P50Us} µs (${l.batch256Samples} runs, ${l.batch256RowsPerSec.toLocaleString('en-US')} rows/s); budget ${l.budgetMsPerKind} ms per kind`,
    );
  }
  out.push('');
  const g = r.get;
  out.push(`GET /v1/models/{name}/versions/1: ${g.connections} connections, ${g.warmupSec} s warm-up then ${g.durationSec} s, autocannon in its own process`);
  const header = ['target', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors', 'body bytes', 'CPU ours/others'];
  const cpu = (x: LoadResult) => (x.interference ? `${x.interference.oursCores}/${x.interference.otherCores}` : 'n/a');
  const rows = [g.api, g.bare].map((x) => [
    x.target,
    x.requestsPerSec.toFixed(0),
    String(x.p50Ms),
    String(x.p99Ms),
    String(x.requests),
    String(x.non2xx),
    String(x.errors),
    String(x.bodyBytes),
    cpu(x),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  out.push(`  ${line(header)}`);
  for (const row of rows) out.push(`  ${line(row)}`);
  out.push(`  throughput ratio API ÷ bare: ${(g.throughputRatio * 100).toFixed(1)} %`);
  out.push(`  (CPU ours/others: average cores used by this benchmark (servers, autocannon, our PostgreSQL backends) / by other processes)`);
  console.log(out.join('\n'));
}

if (args.includes('--upload-client')) runUploadClient();
else await main();
