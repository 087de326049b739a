import { afterAll, describe, expect, it } from '@jest/globals';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLiveEvent, MAX_EVENT_BYTES } from './live-event.decoder.js';
import type { LiveEvent } from './live-event.schema.js';
import { FileLiveFlowConsumer, FileLiveFlowPublisher, FileLiveFlowReader, positionFilePath, streamFilePath } from './file-live-flow.adapter.js';
import { createLiveFlowConsumer, createLiveFlowPublisher, createLiveFlowReader } from './live-flow.factory.js';
import { describeLiveFlowContract, type LiveFlowHarness } from './live-flow.contract.js';
import type { ReplayClock } from './replay-clock.js';
import { syntheticMarketEvents } from './synthetic-flow.generator.js';

const roots: string[] = [];

async function tempDir(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'airlock-live-flow-'));
  roots.push(root);
  return root;
}

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function makeHarness(): Promise<LiveFlowHarness> {
  // A subfolder that does not exist yet: publishers and consumers create what they need.
  const dir = join(await tempDir(), 'live');
  const path = streamFilePath(dir, 'contract');
  return {
    uri: `file://${dir}?stream=contract`,
    consumerOptions: { file: { pollMs: 10 } },
    appendRaw: async (messages) => {
      for (const message of messages) await appendFile(path, Buffer.concat([Buffer.from(message), Buffer.from('\n')]));
    },
    storedCount: async () => {
      const text = await readFile(path, 'utf8').catch(() => '');
      return text === '' ? 0 : text.split('\n').length - 1;
    },
    dispose: async () => {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describeLiveFlowContract('file', makeHarness);

/** A clock that only moves when slept on: records the replay schedule without waiting for it. */
function virtualClock(): ReplayClock & { sleeps: number[] } {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    nowMs: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

async function readAll(consumer: FileLiveFlowConsumer): Promise<number[]> {
  const positions: number[] = [];
  let last: Promise<void> | undefined;
  await consumer.consume(
    (delivery) => {
      positions.push(delivery.position);
      last = delivery.ack();
    },
    { follow: false },
  );
  await last;
  return positions;
}

describe('file — layout and durability', () => {
  it('writes one canonical JSON line per event and the consumer position atomically', async () => {
    const dir = await tempDir();
    const events = syntheticMarketEvents({ instrument: 'LAY', count: 5 });
    const publisher = await createLiveFlowPublisher(dir);
    await publisher.publish(events);
    await publisher.close();
    const text = await readFile(streamFilePath(dir, 'live'), 'utf8');
    expect(text).toBe(events.map((e) => `${Buffer.from(encodeLiveEvent(e)).toString('utf8')}\n`).join(''));

    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'reader');
    expect(await readAll(consumer)).toEqual([1, 2, 3, 4, 5]);
    const position = JSON.parse(await readFile(positionFilePath(dir, 'live', 'reader'), 'utf8')) as Record<string, unknown>;
    expect(position).toEqual({ v: 1, stream: 'live', durable: 'reader', position: 5, offset: Buffer.byteLength(text), session: events[4]!.session, tsNs: events[4]!.tsNs });
    // Temporary files are renamed over the position file, never left behind; the lock went with the publisher.
    expect((await readdir(dir)).sort()).toEqual(['live.jsonl', 'live.reader.position.json']);
  });

  it('holds back a torn last line until it is complete, and the next publisher cuts it off', async () => {
    const dir = await tempDir();
    const events = syntheticMarketEvents({ instrument: 'TORN', count: 4 });
    const path = streamFilePath(dir, 'live');
    const torn = Buffer.from(encodeLiveEvent(events[2]!)).subarray(0, 40);
    await writeFile(path, Buffer.concat([Buffer.from(encodeLiveEvent(events[0]!)), Buffer.from('\n'), Buffer.from(encodeLiveEvent(events[1]!)), Buffer.from('\n'), torn]));

    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'reader');
    expect(await readAll(consumer)).toEqual([1, 2]); // the partial line is not an event (yet)

    const publisher = await FileLiveFlowPublisher.open(dir, 'live');
    expect(publisher.repairedBytes).toBe(torn.length);
    const receipt = await publisher.publish(events.slice(2));
    expect(receipt.acks.map((a) => a.position)).toEqual([3, 4]);
    await publisher.close();

    const seen: LiveEvent[] = [];
    await consumer.consume((d) => void (d.decoded.ok && seen.push(d.decoded.event)), { follow: false });
    expect(seen).toEqual(events.slice(2));
  });

  it('refuses a position that no longer matches the stream file (replaced or truncated)', async () => {
    const dir = await tempDir();
    const publisher = await FileLiveFlowPublisher.open(dir, 'live');
    await publisher.publish(syntheticMarketEvents({ instrument: 'REPL', count: 6 }));
    await publisher.close();
    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'reader');
    await readAll(consumer);
    await writeFile(streamFilePath(dir, 'live'), `${Buffer.from(encodeLiveEvent(syntheticMarketEvents({ instrument: 'NEW', count: 1 })[0]!)).toString()}\n`);
    const reopened = await FileLiveFlowConsumer.open(dir, 'live', 'reader');
    await expect(reopened.consume(() => undefined, { follow: false })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('allows one publisher per stream file, and takes over a lock left by a dead process', async () => {
    const dir = await tempDir();
    const first = await FileLiveFlowPublisher.open(dir, 'live');
    await expect(FileLiveFlowPublisher.open(dir, 'live')).rejects.toMatchObject({ code: 'CONFLICT' });
    await first.close();
    // A pid that cannot be alive (beyond Linux's pid_max).
    await writeFile(`${streamFilePath(dir, 'live')}.lock`, '99999999\n');
    const second = await FileLiveFlowPublisher.open(dir, 'live');
    expect(await second.publish(syntheticMarketEvents({ instrument: 'LOCK', count: 1 }))).toMatchObject({ stored: 1 });
    await second.close();
  });

  it('waits for the stream file to appear when following', async () => {
    const dir = await tempDir();
    const consumer = await createLiveFlowConsumer(dir, { durable: 'early', file: { pollMs: 10 } });
    const events = syntheticMarketEvents({ instrument: 'LATE', count: 3 });
    const got: string[] = [];
    const consuming = consumer.consume(async (d) => {
      if (d.decoded.ok) got.push(d.decoded.event.id);
      if (got.length === 3) await consumer.close();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(stat(streamFilePath(dir, 'live'))).rejects.toMatchObject({ code: 'ENOENT' });
    const publisher = await createLiveFlowPublisher(dir);
    await publisher.publish(events);
    await publisher.close();
    await consuming;
    expect(got).toEqual(events.map((e) => e.id));
  });

  it('forgets ids beyond its dedupe window (count-based)', async () => {
    const dir = await tempDir();
    const events = syntheticMarketEvents({ instrument: 'WIN', count: 5 });
    const publisher = await FileLiveFlowPublisher.open(dir, 'live', { dedupeWindow: 3 });
    await publisher.publish(events);
    // The last three ids are remembered; the first two have left the window.
    expect((await publisher.publish(events.slice(2))).duplicates).toBe(3);
    expect((await publisher.publish(events.slice(0, 1))).stored).toBe(1);
    await publisher.close();
  });
});

describe('file — range reader', () => {
  it('creates nothing: a missing directory reads as an empty stream and stays missing', async () => {
    const dir = join(await tempDir(), 'absent');
    const reader = await createLiveFlowReader(`file://${dir}?stream=nothing`);
    expect(await reader.read(1, 100, () => undefined)).toEqual({ delivered: 0, lastPosition: 0 });
    await reader.close();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('counts lines across small read chunks, skips an over-long line as a decode failure, and never delivers a torn last line', async () => {
    const dir = await tempDir();
    const path = streamFilePath(dir, 'live');
    const events = syntheticMarketEvents({ instrument: 'RCH', count: 6 });
    const line = (event: LiveEvent): Buffer => Buffer.concat([Buffer.from(encodeLiveEvent(event)), Buffer.from('\n')]);
    const huge = Buffer.alloc(MAX_EVENT_BYTES + 10_000, 0x61); // longer than the limit by more than a chunk: skipped unread
    const torn = Buffer.from(encodeLiveEvent(events[5]!)).subarray(0, 30);
    await writeFile(path, Buffer.concat([line(events[0]!), line(events[1]!), huge, Buffer.from('\n'), line(events[2]!), line(events[3]!), line(events[4]!), torn]));
    const before = await readdir(dir);
    // 4 KiB reads: lines straddle chunk boundaries, the over-long one spans hundreds of chunks.
    const reader = await FileLiveFlowReader.open(dir, 'live', { readChunkBytes: 4096 });
    const got: { position: number; ok: boolean; id?: string; reason?: string }[] = [];
    const summary = await reader.read(2, 1000, (d) => {
      got.push({ position: d.position, ok: d.decoded.ok, ...(d.decoded.ok ? { id: d.decoded.event.id } : { reason: d.decoded.reason }) });
    });
    expect(summary).toEqual({ delivered: 5, lastPosition: 6 });
    expect(got).toEqual([
      { position: 2, ok: true, id: events[1]!.id },
      { position: 3, ok: false, reason: `too large: a line of ${huge.length} bytes (limit ${MAX_EVENT_BYTES})` },
      { position: 4, ok: true, id: events[2]!.id },
      { position: 5, ok: true, id: events[3]!.id },
      { position: 6, ok: true, id: events[4]!.id },
    ]);
    // Positions agree with what a consumer reports for the same lines.
    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'check');
    expect(await readAll(consumer)).toEqual([1, 2, 3, 4, 5, 6]);
    await consumer.close();
    // The reader wrote nothing (the consumer added only its own position file).
    expect((await readdir(dir)).sort()).toEqual([...before, 'live.check.position.json'].sort());
    expect(await readFile(path)).toEqual(Buffer.concat([line(events[0]!), line(events[1]!), huge, Buffer.from('\n'), line(events[2]!), line(events[3]!), line(events[4]!), torn]));
    await reader.close();
  });

  it('close() from inside the handler ends the read after that delivery', async () => {
    const dir = await tempDir();
    const publisher = await FileLiveFlowPublisher.open(dir, 'live', { fsync: false });
    await publisher.publish(syntheticMarketEvents({ instrument: 'RCL', count: 10 }));
    await publisher.close();
    const reader = await createLiveFlowReader(dir);
    const seen: number[] = [];
    const summary = await reader.read(1, 10, async (d) => {
      seen.push(d.position);
      if (d.position === 4) await reader.close();
    });
    expect(summary).toEqual({ delivered: 4, lastPosition: 4 });
    expect(seen).toEqual([1, 2, 3, 4]);
  });
});

describe('file — replay speed', () => {
  const session = '2024-03-15';
  const at = (tsNs: number, seq: number, day = session): LiveEvent => ({
    v: 1, type: 'trade', id: `t-${day}-${seq}`, instrument: 'PACE', session: day, tsNs, seq, tickSize: 0.01, priceTicks: 100, size: 1, aggressor: 'buy', hidden: false,
  });
  // Event times in ms after the first: 0, 100, 100, 400, 50 (backwards), then a new session.
  const events = [at(1e9, 1), at(1.1e9, 2), at(1.1e9, 3), at(1.4e9, 4), at(1.05e9, 5), at(5e9, 1, '2024-03-18'), at(5.2e9, 2, '2024-03-18')];

  async function schedule(speed: number | 'max'): Promise<{ sleeps: number[]; deliveredAt: number[] }> {
    const dir = await tempDir();
    const publisher = await FileLiveFlowPublisher.open(dir, 'live');
    await publisher.publish(events);
    await publisher.close();
    const clock = virtualClock();
    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'pace', { speed, clock });
    const deliveredAt: number[] = [];
    await consumer.consume(() => void deliveredAt.push(clock.nowMs()), { follow: false });
    return { sleeps: clock.sleeps, deliveredAt };
  }

  it('delivers at N× real time by event time, never waits for time going backwards, restarts the pace per session', async () => {
    const { deliveredAt } = await schedule(2);
    // Offsets from the session's first event, halved: 0, 50, 50, 200, (no wait) 200; new session: 0, 100.
    expect(deliveredAt.map((t) => t - deliveredAt[0]!)).toEqual([0, 50, 50, 200, 200, 200, 300]);
  });

  it('plays as recorded at speed 1 and as fast as possible at "max"', async () => {
    expect((await schedule(1)).sleeps).toEqual([100, 300, 200]);
    expect((await schedule('max')).sleeps).toEqual([]);
  });

  it('paces with the real clock by default', async () => {
    const dir = await tempDir();
    const publisher = await FileLiveFlowPublisher.open(dir, 'live');
    await publisher.publish([at(1e9, 1), at(1.15e9, 2)]); // 150 ms apart
    await publisher.close();
    const consumer = await FileLiveFlowConsumer.open(dir, 'live', 'real', { speed: 1 });
    const start = performance.now();
    await consumer.consume(() => undefined, { follow: false });
    expect(performance.now() - start).toBeGreaterThanOrEqual(140);
  });

  it('rejects a speed that is not positive', async () => {
    const dir = await tempDir();
    await expect(FileLiveFlowConsumer.open(dir, 'live', 'x', { speed: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
