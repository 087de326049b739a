/**
 * The behaviour every live-flow transport owes its callers, as one Jest suite each adapter's spec runs against
 * its real backend (a temp directory; the machine's NATS server). Publishers and consumers are made through the
 * factory from the harness's URI, exactly as the apps make them. An adapter that passes is interchangeable.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isDomainError } from '@airlock/core';
import type { DecodeResult } from './live-event.decoder.js';
import type { LiveEvent, TradeEvent } from './live-event.schema.js';
import { createLiveFlowConsumer, createLiveFlowPublisher, type CreateConsumerOptions } from './live-flow.factory.js';
import type { ConsumeSummary, LiveDelivery, LiveFlowConsumer, LiveFlowPublisher } from './live-flow.port.js';
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
