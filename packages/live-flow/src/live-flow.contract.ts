/**
 * The behaviour every live-flow transport owes its callers, as one Jest suite each adapter's spec runs against
 * its real backend (a temp directory; the machine's NATS server). Publishers and consumers are made through the
 * factory from the harness's URI, exactly as the apps make them. An adapter that passes is interchangeable.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isDomainError } from '@airlock/core';
import { decodeLiveEvent, type DecodeResult } from './live-event.decoder.js';
import type { LiveEvent, TradeEvent } from './live-event.schema.js';
import { createLiveFlowConsumer, createLiveFlowPublisher, createLiveFlowReader, type CreateConsumerOptions } from './live-flow.factory.js';
import type { ConsumeSummary, LiveDelivery, LiveFlowConsumer, LiveFlowPublisher, LiveFlowReader, LiveFlowReadSummary } from './live-flow.port.js';
import { syntheticMarketEvents, syntheticOrderLife } from './synthetic-flow.generator.js';

/** A fresh, empty stream plus back-door access to its backend. */
export interface LiveFlowHarness {
  readonly uri: string;
  /** Adapter-specific consumer options (durable is set by the tests). */
  readonly consumerOptions?: Omit<CreateConsumerOptions, 'durable'>;
  /**
   * Stores raw messages behind the publishers' backs (a broken or foreign producer). Call it with no publisher
   * open on the stream: a file publisher counts lines only when it opens.
   */
  appendRaw(messages: readonly (string | Uint8Array)[]): Promise<void>;
  /** Messages the stream holds. */
  storedCount(): Promise<number>;
  dispose(): Promise<void>;
}

interface Received {
  readonly position: number;
  readonly decoded: DecodeResult;
}

/** Two instruments' market data with two parent orders' lives woven in: every event type of the schema. */
export function mixedFlow(marketPerInstrument = 60): LiveEvent[] {
  const a = syntheticMarketEvents({ instrument: 'AAA', count: marketPerInstrument, seed: 3, depth: 5 });
  const b = syntheticMarketEvents({ instrument: 'BBB', count: marketPerInstrument, seed: 5, depth: 3 });
  const orders = [...syntheticOrderLife({ instrument: 'AAA', orderId: 'P-A', decisions: 4 }), ...syntheticOrderLife({ instrument: 'BBB', orderId: 'P-B', decisions: 3, seed: 13 })];
  const amend: LiveEvent = { v: 1, type: 'order.amend', id: 'amend-P-A', instrument: 'AAA', session: '2024-03-15', tsNs: 34_201_000_000_000, seq: 99, orderId: 'P-A', limitTicks: null, urgency: 0.9 };
  const cancel: LiveEvent = { v: 1, type: 'order.cancel', id: 'cancel-P-B', instrument: 'BBB', session: '2024-03-15', tsNs: 34_202_000_000_000, seq: 98, orderId: 'P-B', reason: 'client request' };
  const flow: LiveEvent[] = [];
  const others = [...orders, amend, cancel];
  for (let i = 0; i < marketPerInstrument; i += 1) {
    flow.push(a[i]!, b[i]!);
    if (i % 4 === 0 && others.length > 0) flow.push(others.shift()!);
  }
  flow.push(...others);
  return flow;
}

/** Per-type counts and quantity sums: what a double count or a gap would change. */
function totals(events: readonly LiveEvent[]): Record<string, number> {
  const sums: Record<string, number> = { count: events.length, tradedShares: 0, filledShares: 0 };
  for (const event of events) {
    sums[event.type] = (sums[event.type] ?? 0) + 1;
    if (event.type === 'trade') sums.tradedShares! += event.size;
    if (event.type === 'fill') sums.filledShares! += event.quantity;
  }
  return sums;
}

const eventsOf = (received: readonly Received[]): LiveEvent[] =>
  received.map((r) => {
    if (!r.decoded.ok) throw new Error(`position ${r.position} did not decode: ${r.decoded.reason}`);
    return r.decoded.event;
  });

export function describeLiveFlowContract(name: string, makeHarness: () => Promise<LiveFlowHarness>): void {
  describe(`${name} — live-flow transport contract`, () => {
    let harness: LiveFlowHarness;
    const open: { close(): Promise<void> }[] = [];

    const publisher = async (): Promise<LiveFlowPublisher> => {
      const made = await createLiveFlowPublisher(harness.uri);
      open.push(made);
      return made;
    };
    const consumer = async (durable: string, options: Partial<CreateConsumerOptions> = {}): Promise<LiveFlowConsumer> => {
      const made = await createLiveFlowConsumer(harness.uri, { ...harness.consumerOptions, ...options, durable });
      open.push(made);
      return made;
    };
    /** Everything from the durable's position to the current end, acking the last delivery. */
    const drain = async (durable: string): Promise<{ received: Received[]; summary: ConsumeSummary }> => {
      const c = await consumer(durable);
      const received: Received[] = [];
      let last: LiveDelivery | undefined;
      const summary = await c.consume(
        (delivery) => {
          received.push({ position: delivery.position, decoded: delivery.decoded });
          last = delivery;
        },
        { follow: false },
      );
      await last?.ack();
      await c.close();
      return { received, summary };
    };
    const reader = async (): Promise<LiveFlowReader> => {
      const made = await createLiveFlowReader(harness.uri);
      open.push(made);
      return made;
    };
    /** One read() of a range, collecting what it delivered (raw bytes copied). */
    const readRange = async (r: LiveFlowReader, from: number, to: number): Promise<{ received: (Received & { raw: Buffer })[]; summary: LiveFlowReadSummary }> => {
      const received: (Received & { raw: Buffer })[] = [];
      const summary = await r.read(from, to, (delivery) => {
        received.push({ position: delivery.position, decoded: delivery.decoded, raw: Buffer.from(delivery.raw) });
      });
      return { received, summary };
    };
    const publishAll = async (events: readonly LiveEvent[], batch = 50): Promise<number[]> => {
      const p = await publisher();
      const positions: number[] = [];
      for (let i = 0; i < events.length; i += batch) {
        const receipt = await p.publish(events.slice(i, i + batch));
        expect(receipt.duplicates).toBe(0);
        positions.push(...receipt.acks.map((ack) => ack.position));
      }
      await p.close();
      return positions;
    };

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      for (const closable of open.splice(0)) await closable.close();
      await harness.dispose();
    });

    it('delivers every published event once, in publish order, decoded to exactly what was published', async () => {
      const flow = mixedFlow();
      const positions = await publishAll(flow, 37);
      expect(new Set(flow.map((e) => e.type))).toEqual(new Set(['book', 'trade', 'order.new', 'order.amend', 'order.cancel', 'order.done', 'decision', 'fill']));
      // Receipts: one strictly increasing position per event.
      expect(positions).toHaveLength(flow.length);
      for (let i = 1; i < positions.length; i += 1) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
      expect(await harness.storedCount()).toBe(flow.length);

      const { received, summary } = await drain('reader');
      expect(summary).toEqual({ delivered: flow.length, decodeFailures: 0, lastPosition: positions.at(-1) });
      expect(received.map((r) => r.position)).toEqual(positions);
      expect(eventsOf(received)).toEqual(flow);
    });

    it('stores a re-sent event once: duplicates are acknowledged with the first copy’s position', async () => {
      const flow = syntheticMarketEvents({ instrument: 'DUP', count: 10 });
      const first = await publisher();
      const original = await first.publish(flow);
      expect(original).toMatchObject({ stored: 10, duplicates: 0 });

      // The same batch again (a producer retrying after a lost ack), through the same publisher …
      const again = await first.publish(flow);
      expect(again).toMatchObject({ stored: 0, duplicates: 10 });
      expect(again.acks).toEqual(original.acks.map((ack) => ({ ...ack, duplicate: true })));
      await first.close();

      // … and through a new one (the producer restarted), mixed with new events and a repeat inside the batch.
      const extra = syntheticMarketEvents({ instrument: 'DUP', count: 2, firstSeq: 11, startNs: 40_000_000_000_000 });
      const second = await publisher();
      const mixed = await second.publish([extra[0]!, flow[3]!, extra[1]!, extra[0]!]);
      expect(mixed).toMatchObject({ stored: 2, duplicates: 2 });
      expect(mixed.acks.map((ack) => ack.duplicate)).toEqual([false, true, false, true]);
      expect(mixed.acks[1]!.position).toBe(original.acks[3]!.position);
      expect(mixed.acks[3]!.position).toBe(mixed.acks[0]!.position);
      await second.close();

      expect(await harness.storedCount()).toBe(12);
      const { received } = await drain('reader');
      expect(eventsOf(received).map((e) => e.id)).toEqual([...flow, ...extra].map((e) => e.id));
    });

    it('resumes a stopped consumer right after its last ack: no gap, no double count, same totals as one read', async () => {
      const flow = mixedFlow(150);
      const positions = await publishAll(flow, 100);
      const reference = eventsOf((await drain('reference')).received);
      expect(reference).toEqual(flow);

      // Three lives of one durable consumer. Each acks every 25th delivery and stops — by its AbortSignal, or by
      // close() inside the handler like a process shutting down — with deliveries after its last ack: those
      // must come again, and nothing acked may.
      const processed: LiveEvent[] = [];
      const stopAfter = [140, 73, undefined];
      for (const stopAt of stopAfter) {
        const c = await consumer('worker');
        const before = processed.length;
        const remaining = flow.length - before;
        expect(await c.ackedPosition()).toBe(before === 0 ? 0 : positions[before - 1]);
        const stop = new AbortController();
        const pending: LiveEvent[] = [];
        let count = 0;
        let firstPosition: number | undefined;
        const summary = await c.consume(
          async (delivery) => {
            firstPosition ??= delivery.position;
            count += 1;
            if (!delivery.decoded.ok) throw new Error(delivery.decoded.reason);
            pending.push(delivery.decoded.event);
            if (count % 25 === 0 || count === remaining) {
              await delivery.ack();
              processed.push(...pending.splice(0)); // counted only once acked
            }
            if (count === stopAt) {
              if (stopAt === stopAfter[0]) stop.abort();
              else await c.close();
            }
          },
          { follow: false, signal: stop.signal },
        );
        expect(firstPosition).toBe(positions[before]);
        expect(summary.delivered).toBe(stopAt ?? remaining);
        expect(pending.length).toBe(stopAt === undefined ? 0 : stopAt % 25); // delivered, unacked, to come again
        await c.close();
      }
      expect(processed.map((e) => e.id)).toEqual(reference.map((e) => e.id));
      expect(totals(processed)).toEqual(totals(reference));
      const restarted = await consumer('worker');
      expect(await restarted.ackedPosition()).toBe(positions.at(-1));
      expect(await restarted.lag()).toEqual({ events: 0, ns: 0 });
    });

    it('redelivers from the last ack after the handler throws, on the same consumer object, and refuses stale acks', async () => {
      const flow = syntheticMarketEvents({ instrument: 'ERR', count: 12 });
      const positions = await publishAll(flow);
      const c = await consumer('fragile');
      const failure = new Error('handler failed');
      const seen: number[] = [];
      let failed: LiveDelivery | undefined;
      await expect(
        c.consume(async (delivery) => {
          seen.push(delivery.position);
          if (seen.length === 5) await delivery.ack();
          if (seen.length === 7) {
            failed = delivery;
            throw failure;
          }
        }),
      ).rejects.toBe(failure);
      expect(await c.ackedPosition()).toBe(positions[4]);

      const again: number[] = [];
      const summary = await c.consume(
        async (delivery) => {
          // Acking the failed delivery now would skip it: it is being delivered again in this pass.
          if (again.length === 0) await expect(failed!.ack()).rejects.toMatchObject({ code: 'CONFLICT' });
          again.push(delivery.position);
        },
        { follow: false },
      );
      expect(again).toEqual(positions.slice(5));
      expect(summary.delivered).toBe(7);
      expect(await c.ackedPosition()).toBe(positions[4]);
    });

    it('delivers malformed messages as decode failures with reasons, in place, and goes on', async () => {
      const good = syntheticMarketEvents({ instrument: 'MAL', count: 4 });
      await publishAll(good.slice(0, 2));
      const trade = good.find((e): e is TradeEvent => e.type === 'trade') ?? { ...good[0]!, type: 'trade' };
      const raw: (string | Uint8Array)[] = [
        'not json at all',
        '{"v":1,"type":"book","id":"x-1"',
        JSON.stringify({ v: 1, type: 'trade', id: 'x-2', instrument: 'MAL', session: '2024-03-15', tsNs: 1, seq: 1 }),
        JSON.stringify({ ...trade, id: 'x-3', size: '100', priceTicks: 10.5 }),
        JSON.stringify({ ...trade, id: 'x-4', type: 'quote' }),
        JSON.stringify({ ...trade, id: 'x-5', v: 2 }),
        Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]),
        '[1,2,3]',
      ];
      await harness.appendRaw(raw);
      await publishAll(good.slice(2));

      const { received, summary } = await drain('tolerant');
      expect(summary).toMatchObject({ delivered: 4 + raw.length, decodeFailures: raw.length });
      expect(received.map((r) => r.decoded.ok)).toEqual([true, true, ...raw.map(() => false), true, true]);
      expect(eventsOf([...received.slice(0, 2), ...received.slice(-2)])).toEqual(good);
      const reasons = received.slice(2, 2 + raw.length).map((r) => (r.decoded.ok ? '' : r.decoded.reason));
      expect(reasons[0]).toMatch(/^not JSON/);
      expect(reasons[1]).toMatch(/^not JSON/);
      expect(reasons[2]).toMatch(/tickSize: missing.*priceTicks: missing.*size: missing.*aggressor: missing.*hidden: missing/);
      expect(reasons[3]).toMatch(/priceTicks: must be an integer of ticks.*10\.5.*size: must be an integer.*"100"/);
      expect(reasons[4]).toMatch(/type: unknown event type "quote"/);
      expect(reasons[5]).toMatch(/schema version 2 is not supported/);
      expect(reasons[6]).toBe('not valid UTF-8');
      expect(reasons[7]).toMatch(/must be a JSON object/);
      // The failures carry what could be read of the event, to identify it in the record.
      expect(received[4]!.decoded).toMatchObject({ ok: false, id: 'x-2', type: 'trade' });

      // Acked past the failures: a restart does not see them again.
      const after = await consumer('tolerant');
      expect(await after.ackedPosition()).toBe(received.at(-1)!.position);
      expect(await after.lag()).toEqual({ events: 0, ns: 0 });
    });

    it('follows the stream: events published while consuming arrive, and close() inside the handler ends consume()', async () => {
      const flow = syntheticMarketEvents({ instrument: 'LIVE', count: 30 });
      const c = await consumer('follower');
      const p = await publisher();
      const got: string[] = [];
      const consuming = c.consume(async (delivery) => {
        if (delivery.decoded.ok) got.push(delivery.decoded.event.id);
        if (got.length === 10) void p.publish(flow.slice(10, 20));
        if (got.length === 20) {
          await delivery.ack();
          await c.close(); // returns at once inside the handler; the loop ends after this delivery
        }
      });
      await p.publish(flow.slice(0, 10));
      const summary = await consuming;
      expect(summary.delivered).toBe(20);
      expect(got).toEqual(flow.slice(0, 20).map((e) => e.id));

      // Events published after the consumer closed are there for its successor.
      await p.publish(flow.slice(20));
      const { received } = await drain('follower');
      expect(eventsOf(received).map((e) => e.id)).toEqual(flow.slice(20).map((e) => e.id));
    });

    it('stops on its AbortSignal while waiting at the end of the stream', async () => {
      const c = await consumer('idle');
      const stop = new AbortController();
      const consuming = c.consume(() => undefined, { signal: stop.signal });
      setTimeout(() => stop.abort(), 200);
      await expect(consuming).resolves.toEqual({ delivered: 0, decodeFailures: 0, lastPosition: 0 });
    });

    it('acks cumulatively: acking one delivery acks every earlier one, and un-awaited acks coalesce', async () => {
      const flow = syntheticMarketEvents({ instrument: 'ACK', count: 60 });
      const positions = await publishAll(flow, 60);
      const c = await consumer('batched');
      const acks: Promise<void>[] = [];
      await c.consume(
        (delivery) => {
          acks.push(delivery.ack()); // every delivery, never awaited in the handler
        },
        { follow: false },
      );
      await Promise.all(acks);
      expect(await c.ackedPosition()).toBe(positions.at(-1));

      // Acking only the 20th of the next 40 deliveries still acks the 19 before it.
      const more = syntheticMarketEvents({ instrument: 'ACK', count: 40, firstSeq: 61, startNs: 40_000_000_000_000 });
      const morePositions = await publishAll(more, 40);
      let n = 0;
      const stop = new AbortController();
      await c.consume(
        async (delivery) => {
          n += 1;
          if (n === 20) await delivery.ack();
          if (n === 30) stop.abort();
        },
        { signal: stop.signal },
      );
      expect(await c.ackedPosition()).toBe(morePositions[19]);
    });

    it('reports lag in events and event-time nanoseconds behind the newest event', async () => {
      const flow = syntheticMarketEvents({ instrument: 'LAG', count: 100, spacingNs: 1_000_000 });
      const c = await consumer('lagging');
      expect(await c.lag()).toEqual({ events: 0, ns: 0 });
      await publishAll(flow);
      expect(await c.lag()).toEqual({ events: 100, ns: flow[99]!.tsNs - flow[0]!.tsNs });

      const stop = new AbortController();
      let n = 0;
      await c.consume(
        async (delivery) => {
          n += 1;
          if (n === 40) {
            await delivery.ack();
            stop.abort();
          }
        },
        { signal: stop.signal },
      );
      expect(await c.lag()).toEqual({ events: 60, ns: flow[99]!.tsNs - flow[39]!.tsNs });
      await c.close();
      await drain('lagging');
      const caughtUp = await consumer('lagging');
      expect(await caughtUp.lag()).toEqual({ events: 0, ns: 0 });
    });

    it('range reader: delivers exactly the stored events of a closed range, in order, one at a time, decoded as published', async () => {
      const flow = mixedFlow(20);
      const r = await reader();
      // Before any publisher created the stream: nothing to read, and the reader creates nothing.
      expect(await readRange(r, 1, 100)).toEqual({ received: [], summary: { delivered: 0, lastPosition: 0 } });
      expect(await harness.storedCount()).toBe(0);

      const positions = await publishAll(flow, 16);
      expect(positions.length).toBeGreaterThan(30);
      // A middle range, read by the same reader object that found the stream empty.
      const middle = await readRange(r, positions[10]!, positions[24]!);
      expect(middle.summary).toEqual({ delivered: 15, lastPosition: positions[24] });
      expect(middle.received.map((d) => d.position)).toEqual(positions.slice(10, 25));
      expect(eventsOf(middle.received)).toEqual(flow.slice(10, 25));
      // raw is the stored message itself: it decodes to the same event.
      expect(middle.received.map((d) => decodeLiveEvent(d.raw))).toEqual(flow.slice(10, 25).map((event) => ({ ok: true, event })));

      // One position; the whole stream.
      const one = await readRange(r, positions[7]!, positions[7]!);
      expect(one.summary).toEqual({ delivered: 1, lastPosition: positions[7] });
      expect(eventsOf(one.received)).toEqual([flow[7]]);
      const all = await readRange(r, 1, Number.MAX_SAFE_INTEGER);
      expect(all.received.map((d) => d.position)).toEqual(positions);
      expect(eventsOf(all.received)).toEqual(flow);

      // The handler is awaited: never two at once, each finished before the next starts.
      const order: string[] = [];
      let busy = false;
      const awaited = await r.read(positions[0]!, positions[3]!, async (delivery) => {
        expect(busy).toBe(false);
        busy = true;
        order.push(`start ${delivery.position}`);
        await new Promise((resolve) => setTimeout(resolve, 15));
        order.push(`end ${delivery.position}`);
        busy = false;
      });
      expect(awaited).toEqual({ delivered: 4, lastPosition: positions[3] });
      expect(order).toEqual(positions.slice(0, 4).flatMap((p) => [`start ${p}`, `end ${p}`]));

      // A handler error rejects read() with it, after the deliveries up to it.
      const failure = new Error('rebuild failed');
      const seen: number[] = [];
      await expect(
        r.read(positions[2]!, positions[9]!, (delivery) => {
          seen.push(delivery.position);
          if (seen.length === 3) throw failure;
        }),
      ).rejects.toBe(failure);
      expect(seen).toEqual(positions.slice(2, 5));
    });

    it('range reader: delivers decode failures in place, with their bytes', async () => {
      const good = syntheticMarketEvents({ instrument: 'RMAL', count: 4 });
      const before = await publishAll(good.slice(0, 2));
      await harness.appendRaw(['not json at all', '[1,2,3]']);
      const after = await publishAll(good.slice(2));
      const { received, summary } = await readRange(await reader(), before[1]!, after[0]!);
      expect(summary).toEqual({ delivered: 4, lastPosition: after[0] });
      expect(received.map((d) => d.decoded.ok)).toEqual([true, false, false, true]);
      expect(received.slice(1, 3).map((d) => d.raw.toString('utf8'))).toEqual(['not json at all', '[1,2,3]']);
      expect(received[1]!.decoded).toMatchObject({ ok: false, reason: expect.stringMatching(/^not JSON/) });
      expect(received[1]!.position).toBeGreaterThan(before[1]!);
      expect(received[2]!.position).toBeGreaterThan(received[1]!.position);
      expect(after[0]).toBeGreaterThan(received[2]!.position);
      expect(eventsOf([received[0]!, received[3]!])).toEqual([good[1], good[2]]);
    });

    it('range reader: stops at the stored end, and delivers nothing past it or for from > to', async () => {
      const flow = syntheticMarketEvents({ instrument: 'REND', count: 20 });
      const positions = await publishAll(flow);
      const last = positions.at(-1)!;
      const r = await reader();
      // Overlapping the end: up to the last stored event, then resolves.
      const tail = await readRange(r, positions[15]!, last + 1000);
      expect(tail.summary).toEqual({ delivered: 5, lastPosition: last });
      expect(eventsOf(tail.received)).toEqual(flow.slice(15));
      // Wholly past the end.
      expect(await readRange(r, last + 1, last + 50)).toEqual({ received: [], summary: { delivered: 0, lastPosition: 0 } });
      // from > to, inside the stored range.
      let called = 0;
      expect(await r.read(positions[10]!, positions[5]!, () => void (called += 1))).toEqual({ delivered: 0, lastPosition: 0 });
      expect(called).toBe(0);

      // Events stored after a read finished are there for the next read.
      const more = syntheticMarketEvents({ instrument: 'REND', count: 3, firstSeq: 21, startNs: 40_000_000_000_000 });
      const morePositions = await publishAll(more);
      const next = await readRange(r, last + 1, last + 50);
      expect(next.received.map((d) => d.position)).toEqual(morePositions);
      expect(eventsOf(next.received)).toEqual(more);
    });

    it('range reader: leaves a durable consumer’s acked position, lag and next delivery unchanged', async () => {
      const flow = syntheticMarketEvents({ instrument: 'RDUR', count: 30, spacingNs: 1_000_000 });
      const positions = await publishAll(flow);
      const c = await consumer('stateful');
      // Delivered up to the 15th, acked up to the 12th: 13–15 are delivered-but-unacked.
      const stop = new AbortController();
      let n = 0;
      await c.consume(
        async (delivery) => {
          n += 1;
          if (n === 12) await delivery.ack();
          if (n === 15) stop.abort();
        },
        { signal: stop.signal },
      );
      expect(await c.ackedPosition()).toBe(positions[11]);
      const lagBefore = await c.lag();
      expect(lagBefore).toEqual({ events: 18, ns: flow[29]!.tsNs - flow[11]!.tsNs });

      // Rebuild reads: from an earlier rewind position to the acked one, across the unacked ones, and everything.
      const r = await reader();
      const rebuild = await readRange(r, positions[4]!, positions[11]!);
      expect(eventsOf(rebuild.received)).toEqual(flow.slice(4, 12));
      expect((await readRange(r, positions[9]!, positions[20]!)).summary).toEqual({ delivered: 12, lastPosition: positions[20] });
      expect((await readRange(r, 1, Number.MAX_SAFE_INTEGER)).summary.delivered).toBe(30);
      await r.close();

      expect(await c.ackedPosition()).toBe(positions[11]);
      expect(await c.lag()).toEqual(lagBefore);
      // The durable goes on right after its ack — the read neither advanced nor rewound it.
      const next: number[] = [];
      const summary = await c.consume(
        (delivery) => {
          next.push(delivery.position);
        },
        { follow: false },
      );
      expect(next).toEqual(positions.slice(12));
      expect(summary.delivered).toBe(18);
      await c.close();
      // A fresh consumer object under the same name sees the same durable position.
      expect(await (await consumer('stateful')).ackedPosition()).toBe(positions[11]);
    });

    it('range reader: refuses bounds that are not integers >= 1 with VALIDATION_FAILED, delivering nothing', async () => {
      await publishAll(syntheticMarketEvents({ instrument: 'RBAD', count: 5 }));
      const r = await reader();
      let called = 0;
      const handler = (): void => void (called += 1);
      const cases: [number, number, string[]][] = [
        [0, 3, ['fromPosition']],
        [-1, 3, ['fromPosition']],
        [1.5, 3, ['fromPosition']],
        [Number.NaN, 3, ['fromPosition']],
        [1, 0, ['toPosition']],
        [1, 2.5, ['toPosition']],
        [1, Number.POSITIVE_INFINITY, ['toPosition']],
        [0, -4, ['fromPosition', 'toPosition']],
      ];
      for (const [from, to, fields] of cases) {
        const error = await r.read(from, to, handler).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isDomainError(error) && error.code).toBe('VALIDATION_FAILED');
        expect(isDomainError(error) && error.details.errors?.map((e) => e.field)).toEqual(fields);
      }
      expect(called).toBe(0);
      // Still usable, and closed readers refuse.
      expect((await readRange(r, 1, 5)).summary).toEqual({ delivered: 5, lastPosition: 5 });
      await r.close();
      await expect(r.read(1, 5, handler)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('refuses a batch holding an invalid event and stores none of it', async () => {
      const [valid, other] = syntheticMarketEvents({ instrument: 'BAD', count: 2 });
      const p = await publisher();
      const invalid = { ...other!, tsNs: -5, instrument: 'BAD.X' } as LiveEvent;
      const error = await p.publish([valid!, invalid]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDomainError(error) && error.code).toBe('VALIDATION_FAILED');
      expect(isDomainError(error) && error.details.errors).toEqual([{ field: 'events[1]', message: expect.stringMatching(/instrument: must be .*tsNs: must be/) }]);
      expect(await harness.storedCount()).toBe(0);
      // The publisher stays usable.
      expect(await p.publish([valid!])).toMatchObject({ stored: 1 });
    });
  });
}
