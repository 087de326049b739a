import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { syntheticMarketEvents, syntheticOrderLife } from './synthetic-flow.generator.js';
import { createLiveFlowConsumer, createLiveFlowPublisher, createLiveFlowReader } from './live-flow.factory.js';
import { describeLiveFlowContract, type LiveFlowHarness } from './live-flow.contract.js';
import { ensureLiveFlowStream } from './nats-live-flow.adapter.js';
import type { LiveFlowConsumer } from './live-flow.port.js';

// The machine's NATS server (scripts/ensure-services.sh starts it), or the one NATS_URL names.
const NATS_URL = (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').replace(/\/+$/, '');

let nc: NatsConnection;
let jsm: JetStreamManager;
let js: JetStreamClient;
const created = new Set<string>();

beforeAll(async () => {
  nc = await connect({ servers: NATS_URL.replace(/^nats:\/\//, '') });
  jsm = await jetstreamManager(nc);
  js = jetstream(nc);
});

afterAll(async () => {
  // Streams of tests that failed before their own cleanup.
  for (const stream of created) await jsm.streams.delete(stream).catch(() => undefined);
  await nc?.close();
});

/** A uniquely named stream on the shared server, deleted by dispose(). */
function uniqueStream(): string {
  const stream = `test-${randomUUID().slice(0, 12)}`;
  created.add(stream);
  return stream;
}

async function deleteStream(stream: string): Promise<void> {
  await jsm.streams.delete(stream).catch(() => undefined);
  created.delete(stream);
}

async function makeHarness(ackPolicy: 'explicit' | 'all'): Promise<LiveFlowHarness> {
  const stream = uniqueStream();
  return {
    uri: `${NATS_URL}/${stream}`,
    consumerOptions: { nats: { ackPolicy } },
    appendRaw: async (messages) => {
      await ensureLiveFlowStream(jsm, stream);
      for (const message of messages) await js.publish(`airlock.${stream}.md.RAW`, message);
    },
    storedCount: async () => {
      try {
        return (await jsm.streams.info(stream)).state.messages;
      } catch {
        return 0; // not created yet
      }
    },
    dispose: () => deleteStream(stream),
  };
}

describeLiveFlowContract('nats (explicit acks)', () => makeHarness('explicit'));
describeLiveFlowContract('nats (ack all)', () => makeHarness('all'));

describe('nats — stream, subjects and durable consumer', () => {
  it('creates the documented stream and a durable pull consumer with explicit acks', async () => {
    const stream = uniqueStream();
    const publisher = await createLiveFlowPublisher(`${NATS_URL}/${stream}`);
    const consumer = await createLiveFlowConsumer(`${NATS_URL}/${stream}`, { durable: 'shadow-runner' });
    try {
      const info = await jsm.streams.info(stream);
      expect(info.config).toMatchObject({ name: stream, subjects: [`airlock.${stream}.>`], retention: 'limits', storage: 'file', discard: 'old', duplicate_window: 120_000_000_000 });
      const durable = await jsm.consumers.info(stream, 'shadow-runner');
      expect(durable.config).toMatchObject({ durable_name: 'shadow-runner', ack_policy: AckPolicy.Explicit, deliver_policy: 'all', filter_subject: `airlock.${stream}.>`, ack_wait: 60_000_000_000, max_ack_pending: 50_000 });
      expect(durable.config.deliver_subject).toBeUndefined(); // pull, not push
    } finally {
      await publisher.close();
      await consumer.close();
      await deleteStream(stream);
    }
  });

  it('routes each event to airlock.<stream>.<channel>.<instrument> with its id as Nats-Msg-Id', async () => {
    const stream = uniqueStream();
    const events = [...syntheticMarketEvents({ instrument: 'GOOG', count: 6, seed: 9 }), ...syntheticOrderLife({ instrument: 'MSFT', decisions: 1 })];
    const publisher = await createLiveFlowPublisher(`${NATS_URL}/${stream}`);
    try {
      const receipt = await publisher.publish(events);
      const stored = await Promise.all(receipt.acks.map((ack) => jsm.streams.getMessage(stream, { seq: ack.position })));
      const expectedChannel = { book: 'md', trade: 'md', 'order.new': 'order', 'order.done': 'order', decision: 'decision', fill: 'exec' } as Record<string, string>;
      expect(stored.map((m) => m?.subject)).toEqual(events.map((e) => `airlock.${stream}.${expectedChannel[e.type]}.${e.instrument}`));
      expect(stored.map((m) => m?.header.get('Nats-Msg-Id'))).toEqual(events.map((e) => e.id));
      expect(stored.map((m) => m?.json())).toEqual(events);
    } finally {
      await publisher.close();
      await deleteStream(stream);
    }
  });

  it('resumes at the ack floor at once after a crash, without waiting for ack_wait, and keeps it across a second crash', async () => {
    const stream = uniqueStream();
    const uri = `${NATS_URL}/${stream}`;
    const events = syntheticMarketEvents({ instrument: 'CRSH', count: 50 });
    const publisher = await createLiveFlowPublisher(uri);
    const positions = (await publisher.publish(events)).acks.map((a) => a.position);
    await publisher.close();
    // ack_wait 10 minutes: a resume that waited for JetStream's redelivery would time this test out.
    const opened: LiveFlowConsumer[] = [];
    const open = async (): Promise<LiveFlowConsumer> => {
      const consumer = await createLiveFlowConsumer(uri, { durable: 'crashy', nats: { ackWaitMs: 600_000 } });
      opened.push(consumer);
      return consumer;
    };
    const readSome = async (consumer: LiveFlowConsumer, take: number, ackAt: number): Promise<number[]> => {
      const seen: number[] = [];
      const stop = new AbortController();
      await consumer.consume(
        async (delivery) => {
          seen.push(delivery.position);
          if (seen.length === ackAt) await delivery.ack();
          if (seen.length === take) stop.abort();
        },
        { signal: stop.signal },
      );
      return seen;
    };
    try {
      const first = await open();
      expect(await readSome(first, 20, 8)).toEqual(positions.slice(0, 20));
      await first.close(); // 12 delivered, unacked: JetStream holds them for ack_wait

      const second = await open();
      expect(await second.ackedPosition()).toBe(positions[7]);
      // The durable was recreated at floor + 1 and has acked nothing yet: a second crash keeps the floor.
      expect(await readSome(second, 5, 0)).toEqual(positions.slice(8, 13));
      await second.close();

      const third = await open();
      expect(await third.ackedPosition()).toBe(positions[7]);
      expect(await readSome(third, 42, 42)).toEqual(positions.slice(8));
      expect(await third.lag()).toEqual({ events: 0, ns: 0 });
    } finally {
      for (const consumer of opened) await consumer.close();
      await deleteStream(stream);
    }
  });

  it('switches a durable between ack policies without losing its position', async () => {
    const stream = uniqueStream();
    const uri = `${NATS_URL}/${stream}`;
    const events = syntheticMarketEvents({ instrument: 'SWCH', count: 20 });
    const publisher = await createLiveFlowPublisher(uri);
    const positions = (await publisher.publish(events)).acks.map((a) => a.position);
    await publisher.close();
    const opened: LiveFlowConsumer[] = [];
    try {
      const explicit = await createLiveFlowConsumer(uri, { durable: 'switch' });
      opened.push(explicit);
      const stop = new AbortController();
      let n = 0;
      await explicit.consume(
        async (delivery) => {
          n += 1;
          if (n === 6) {
            await delivery.ack();
            stop.abort();
          }
        },
        { signal: stop.signal },
      );
      await explicit.close();

      const all = await createLiveFlowConsumer(uri, { durable: 'switch', nats: { ackPolicy: 'all' } });
      opened.push(all);
      const rest: number[] = [];
      await all.consume((delivery) => void rest.push(delivery.position), { follow: false });
      expect(rest).toEqual(positions.slice(6));
      expect((await jsm.consumers.info(stream, 'switch')).config.ack_policy).toBe(AckPolicy.All);
    } finally {
      for (const consumer of opened) await consumer.close();
      await deleteStream(stream);
    }
  });

  it('range reader: reads through ephemeral ordered consumers it deletes, never touching the durable or creating the stream', async () => {
    const stream = uniqueStream();
    const uri = `${NATS_URL}/${stream}`;
    const reader = await createLiveFlowReader(uri, { nats: { pullBatch: 7 } });
    const opened: { close(): Promise<void> }[] = [reader];
    try {
      // A missing stream reads as empty and is not created by the read.
      expect(await reader.read(1, 10, () => undefined)).toEqual({ delivered: 0, lastPosition: 0 });
      await expect(jsm.streams.info(stream)).rejects.toThrow(/stream not found/i);

      const events = syntheticMarketEvents({ instrument: 'RDR', count: 40 });
      const publisher = await createLiveFlowPublisher(uri);
      const positions = (await publisher.publish(events)).acks.map((a) => a.position);
      await publisher.close();
      const consumer = await createLiveFlowConsumer(uri, { durable: 'shadow-runner' });
      opened.push(consumer);
      const stop = new AbortController();
      let n = 0;
      await consumer.consume(
        async (delivery) => {
          n += 1;
          if (n === 10) await delivery.ack();
          if (n === 14) stop.abort();
        },
        { signal: stop.signal },
      );
      const durableOf = async (): Promise<unknown> => {
        const info = await jsm.consumers.info(stream, 'shadow-runner');
        return { config: info.config, delivered: info.delivered.stream_seq, floor: info.ack_floor.stream_seq, ackPending: info.num_ack_pending, pending: info.num_pending };
      };
      const before = await durableOf();
      expect(before).toMatchObject({ floor: positions[9] });

      // A range longer than one pull (7), past the durable's floor and into what it delivered but not acked.
      const seen: number[] = [];
      const names = new Set<string>();
      expect(
        await reader.read(positions[2]!, positions[31]!, async (delivery) => {
          seen.push(delivery.position);
          if (seen.length === 1) for await (const info of jsm.consumers.list(stream)) names.add(info.name);
        }),
      ).toEqual({ delivered: 30, lastPosition: positions[31] });
      expect(seen).toEqual(positions.slice(2, 32));
      // During the read: the durable and one ephemeral consumer without a durable name, acking nothing.
      expect(names.size).toBe(2);
      expect(names.has('shadow-runner')).toBe(true);
      const ephemeral = [...names].find((name) => name !== 'shadow-runner')!;
      expect(ephemeral).not.toBe('shadow-runner');

      // After it: only the durable is left, exactly as it was.
      const after: string[] = [];
      for await (const info of jsm.consumers.list(stream)) after.push(info.name);
      expect(after).toEqual(['shadow-runner']);
      expect(await durableOf()).toEqual(before);
      expect(await consumer.ackedPosition()).toBe(positions[9]);
    } finally {
      for (const closable of opened) await closable.close();
      await deleteStream(stream);
    }
  });

  it('refuses a same-named stream that does not capture the live-flow subjects', async () => {
    const stream = uniqueStream();
    await jsm.streams.add({ name: stream, subjects: [`other.${stream}.>`] });
    try {
      await expect(createLiveFlowPublisher(`${NATS_URL}/${stream}`)).rejects.toMatchObject({ code: 'CONFLICT' });
    } finally {
      await deleteStream(stream);
    }
  });
});
