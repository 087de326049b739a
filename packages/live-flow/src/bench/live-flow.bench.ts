/**
 * Live-flow throughput check (`npm run build && npm run bench -w @airlock/live-flow`, or
 * `node packages/live-flow/dist/bench/live-flow.bench.js`).
 *
 * For each transport, through the factory exactly as the apps use it, with 200,000 synthetic market events
 * (book updates with 10 levels per side, ~1 in 5 a trade; ~370 bytes each):
 *  1. publish: batches of --batch events, each awaited (acked: JetStream acks / fdatasync);
 *  2. consume: a fresh durable reads them all (decode + validation included), acking every --batch events
 *     without waiting and awaiting the last ack;
 *  3. end to end: a publisher (in a worker thread, as a producer would be another process) and the consumer
 *     running at once on a fresh stream, until the consumer has acked the last event.
 * Prints events/s per phase. The shadow runner's target is ≥ 100k events/s end to end. NATS runs twice: with
 * the durable's default explicit ack policy (one ack per message) and with ackPolicy 'all' (one per batch).
 *
 * Flags: --events N (200000) · --batch N (1000) · --transport nats|file|both (both) · --nats URL (NATS_URL or
 * nats://127.0.0.1:4222) · --no-fsync (file: skip fdatasync) · --json (also print one JSON line).
 * Timing uses performance.now() here only. Streams and directories it creates are removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createLiveFlowConsumer, createLiveFlowPublisher, type CreateConsumerOptions, type CreatePublisherOptions } from '../live-flow.factory.js';
import type { LiveEvent } from '../live-event.schema.js';
import { syntheticMarketEvents } from '../synthetic-flow.generator.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const EVENTS = Number(option('--events') ?? 200_000);
const BATCH = Number(option('--batch') ?? 1000);
const TRANSPORT = option('--transport') ?? 'both';
const NATS_URL = (option('--nats') ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222').replace(/\/+$/, '');
const FSYNC = !args.includes('--no-fsync');
const JSON_OUT = args.includes('--json');

interface PhaseResult {
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

interface TransportResult {
  readonly transport: string;
  readonly events: number;
  readonly bytesPerEvent: number;
  readonly publish: PhaseResult;
  readonly consume: PhaseResult;
  readonly endToEnd: PhaseResult;
}

const phase = (events: number, startMs: number): PhaseResult => {
  const seconds = (performance.now() - startMs) / 1000;
  return { seconds, eventsPerSecond: events / seconds };
};

async function publishAll(uri: string, events: readonly LiveEvent[], options: CreatePublisherOptions, ready?: () => Promise<void>): Promise<void> {
  const publisher = await createLiveFlowPublisher(uri, options);
  try {
    await ready?.();
    for (let i = 0; i < events.length; i += BATCH) {
      const receipt = await publisher.publish(events.slice(i, i + BATCH));
      if (receipt.stored !== Math.min(BATCH, events.length - i)) throw new Error(`batch at ${i}: stored ${receipt.stored}`);
    }
  } finally {
    await publisher.close();
  }
}

/** Reads `expected` events (following the stream), acking every BATCH; returns how many decoded. */
async function consumeAll(uri: string, expected: number, options: CreateConsumerOptions, ready?: () => void): Promise<number> {
  const consumer = await createLiveFlowConsumer(uri, options);
  ready?.();
  const stop = new AbortController();
  let received = 0;
  let decoded = 0;
  let lastAck: Promise<void> = Promise.resolve();
  try {
    await consumer.consume(
      (delivery) => {
        received += 1;
        if (delivery.decoded.ok) decoded += 1;
        if (received % BATCH === 0 || received === expected) {
          lastAck = delivery.ack();
          lastAck.catch(() => undefined); // awaited below; a failure surfaces there
        }
        if (received === expected) stop.abort();
      },
      { follow: true, signal: stop.signal },
    );
    await lastAck;
  } finally {
    await consumer.close();
  }
  if (received !== expected) throw new Error(`consumed ${received} of ${expected}`);
  return decoded;
}

async function runTransport(name: string, uriOf: (stream: string) => string, publisherOptions: CreatePublisherOptions, consumerOptions: Partial<CreateConsumerOptions>, events: readonly LiveEvent[], bytesPerEvent: number): Promise<TransportResult> {
  const stream = `bench-${randomUUID().slice(0, 8)}`;
  let start = performance.now();
  await publishAll(uriOf(stream), events, publisherOptions);
  const publish = phase(events.length, start);

  start = performance.now();
  const decoded = await consumeAll(uriOf(stream), events.length, { ...consumerOptions, durable: 'bench' });
  const consume = phase(events.length, start);
  if (decoded !== events.length) throw new Error(`${events.length - decoded} events failed to decode`);

  // The clock starts once the worker has its events and its connection, and the consumer is connected.
  const liveStream = `${stream}-e2e`;
  const worker = await startPublisherWorker(uriOf(liveStream), publisherOptions);
  let consuming!: Promise<number>;
  await new Promise<void>((connected) => {
    consuming = consumeAll(uriOf(liveStream), events.length, { ...consumerOptions, durable: 'bench' }, connected);
  });
  start = performance.now();
  await Promise.all([consuming, worker.go()]);
  const endToEnd = phase(events.length, start);
  return { transport: name, events: events.length, bytesPerEvent, publish, consume, endToEnd };
}

const benchEvents = (): LiveEvent[] => syntheticMarketEvents({ instrument: 'BENCH', count: EVENTS, depth: 10, seed: 42 });

interface WorkerJob {
  readonly uri: string;
  readonly options: CreatePublisherOptions;
}

/**
 * A worker thread (this file, run with workerData) that builds the same events and connects its publisher,
 * then publishes them all on go(); go() resolves when every event is acked.
 */
async function startPublisherWorker(uri: string, options: CreatePublisherOptions): Promise<{ go(): Promise<void> }> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { uri, options } satisfies WorkerJob, argv: process.argv.slice(2) });
  const messages: string[] = [];
  let notify: (() => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (message: string) => {
    messages.push(message);
    notify?.();
  });
  worker.once('error', (error) => {
    failure = error;
    notify?.();
  });
  const next = async (expected: string): Promise<void> => {
    while (!messages.includes(expected)) {
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve) => {
        notify = resolve;
      });
    }
  };
  await next('ready');
  return {
    go: async () => {
      worker.postMessage('go');
      await next('done');
      await worker.terminate();
    },
  };
}

async function main(): Promise<void> {
  const events = benchEvents();
  const bytesPerEvent = events.reduce((sum, event) => sum + JSON.stringify(event).length + 1, 0) / events.length;
  const results: TransportResult[] = [];

  if (TRANSPORT === 'file' || TRANSPORT === 'both') {
    const dir = await mkdtemp(join(tmpdir(), 'airlock-live-bench-'));
    try {
      results.push(await runTransport(FSYNC ? 'file' : 'file (no fsync)', (stream) => `file://${dir}?stream=${stream}`, { file: { fsync: FSYNC } }, { file: { fsync: FSYNC } }, events, bytesPerEvent));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  if (TRANSPORT === 'nats' || TRANSPORT === 'both') {
    const created: string[] = [];
    try {
      const uriOf = (stream: string): string => {
        created.push(stream);
        return `${NATS_URL}/${stream}`;
      };
      results.push(await runTransport('nats', uriOf, {}, {}, events, bytesPerEvent));
      results.push(await runTransport('nats (ack all)', uriOf, {}, { nats: { ackPolicy: 'all' } }, events, bytesPerEvent));
    } finally {
      const nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
      const jsm = await jetstreamManager(nc);
      for (const stream of new Set(created)) await jsm.streams.delete(stream).catch(() => undefined);
      await nc.close();
    }
  }

  const rate = (p: PhaseResult): string => `${Math.round(p.eventsPerSecond).toLocaleString('en-US').padStart(9)} ev/s (${p.seconds.toFixed(2)} s)`;
  console.log(`live-flow throughput: ${EVENTS.toLocaleString('en-US')} market events, ~${Math.round(bytesPerEvent)} bytes each, batches of ${BATCH}`);
  for (const r of results) {
    console.log(`  ${r.transport.padEnd(16)} publish ${rate(r.publish)}   consume ${rate(r.consume)}   end-to-end ${rate(r.endToEnd)}`);
  }
  if (JSON_OUT) console.log(JSON.stringify({ events: EVENTS, batch: BATCH, results }));
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  const job = workerData as WorkerJob;
  const ready = (): Promise<void> =>
    new Promise((go) => {
      parentPort?.once('message', () => go());
      parentPort?.postMessage('ready');
    });
  publishAll(job.uri, benchEvents(), job.options, ready).then(
    () => parentPort?.postMessage('done'),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
