/**
 * The live-flow transport port (DESIGN.md "Live flow", "Ports with one factory switch"): a publisher, a consumer
 * and a read-only range reader, two adapters (`nats` — JetStream in production; `file` — JSON lines, the embedded
 * default) chosen by a URI in live-flow.factory.ts. Both pass the same behavioural suite (live-flow.contract.ts)
 * against real backends. Callers never branch on `kind` except for diagnostics.
 *
 * A stream is a totally ordered log of encoded events. A position is an event's 1-based place in it (the
 * JetStream stream sequence; the line number in a file): strictly increasing in delivery order. Positions are
 * not dense on NATS when messages were removed by the stream's limits.
 */
import type { DecodeResult } from './live-event.decoder.js';
import type { LiveEvent } from './live-event.schema.js';

export type LiveFlowKind = 'nats' | 'file';

export interface PublishAck {
  readonly id: string;
  /** Where the event is stored; for a duplicate, where the first copy was stored. */
  readonly position: number;
  /** True when an event with this id was stored already (within the dedupe window): nothing was written. */
  readonly duplicate: boolean;
}

export interface PublishReceipt {
  /** One per published event, in order. */
  readonly acks: readonly PublishAck[];
  /** Events newly stored by this call. */
  readonly stored: number;
  /** Events refused as re-sends of an id already stored. */
  readonly duplicates: number;
}

export interface LiveFlowPublisher {
  readonly kind: LiveFlowKind;
  readonly stream: string;
  /**
   * Validates every event first (nothing is sent if one is invalid: DomainError VALIDATION_FAILED listing
   * `events[i].field` problems), then stores them in order and resolves when the transport has acknowledged
   * each one as durably stored. An event whose id was stored before (within the dedupe window) is not stored
   * again (`duplicate: true`), so re-sending a batch after a failure or a crash is safe: on any rejection,
   * re-send the whole batch.
   */
  publish(events: readonly LiveEvent[]): Promise<PublishReceipt>;
  /** Waits for publishes in flight and releases the connection / file. */
  close(): Promise<void>;
}

/** One stored message as read back: what the range reader hands its handler (a consume delivery adds ack()). */
export interface LiveReadDelivery {
  readonly position: number;
  /** The decoded event, or why it could not be decoded (the consumer goes on either way). */
  readonly decoded: DecodeResult;
  /** The stored bytes, e.g. to record a failure verbatim. A view: copy it to keep it past the handler. */
  readonly raw: Uint8Array;
}

/** One stored message, handed to the consume handler. */
export interface LiveDelivery extends LiveReadDelivery {
  /**
   * Acknowledges this delivery and every earlier one (cumulative: acking the last of a batch acks the batch).
   * Resolves when the position is durable — a consumer restarted afterwards starts right after it. Concurrent
   * acks are coalesced into one durable write. Acking once per batch (e.g. every 1,000 events) is what keeps
   * throughput high; a delivery must be acked before `maxUnacked` more arrive (NATS: max_ack_pending) and within
   * the ack wait, or delivery stalls / repeats. Rejects with CONFLICT once a newer consume() pass has started
   * (that pass delivers this event again).
   */
  ack(): Promise<void>;
}

export type LiveFlowHandler = (delivery: LiveDelivery) => void | Promise<void>;

export interface ConsumeOptions {
  /**
   * true (default): at the end of the stream, wait for more events until close() or the signal.
   * false: resolve once every event stored when the end was reached has been delivered (drain, replay, tests).
   */
  readonly follow?: boolean;
  /** Stops delivery after the current handler returns; consume() then resolves normally. */
  readonly signal?: AbortSignal;
}

export interface ConsumeSummary {
  /** Deliveries handed to the handler by this call, decode failures included. */
  readonly delivered: number;
  readonly decodeFailures: number;
  /** Position of the last delivery (0 if none). */
  readonly lastPosition: number;
}

export interface LiveFlowLag {
  /** Events stored after the last acked one: what a restart would still have to process. */
  readonly events: number;
  /**
   * Event time of the newest stored event minus that of the last acked one (or of the oldest stored event when
   * nothing is acked yet), ns; 0 when caught up; null when unknown (empty stream, undecodable events).
   */
  readonly ns: number | null;
}

export interface LiveFlowConsumer {
  readonly kind: LiveFlowKind;
  readonly stream: string;
  /** The durable name: its position survives restarts (a JetStream durable consumer; a position file). */
  readonly durable: string;
  /**
   * Delivers events in stream order, one at a time (the handler is awaited), starting right after the last
   * acked position — so a restart after a crash, a stop, or an error neither skips nor repeats an acked
   * event; delivered-but-unacked events are delivered again. One consume() at a time per consumer, and one
   * active consumer per durable name. If the handler throws, consume() rejects with that error.
   */
  consume(handler: LiveFlowHandler, options?: ConsumeOptions): Promise<ConsumeSummary>;
  /** Position of the last durably acked event (0 = none). */
  ackedPosition(): Promise<number>;
  lag(): Promise<LiveFlowLag>;
  /**
   * Stops a running consume() after its current handler (pending acks are still written) and releases the
   * connection / file. Safe to call from inside the handler (it then returns without waiting for the loop).
   */
  close(): Promise<void>;
}

export type LiveFlowReadHandler = (delivery: LiveReadDelivery) => void | Promise<void>;

export interface LiveFlowReadSummary {
  /** Deliveries handed to the handler by this call, decode failures included. */
  readonly delivered: number;
  /** Position of the last delivery (0 if none). */
  readonly lastPosition: number;
}

/**
 * Reads a range of already-stored events again, read-only: no durable state, no acks, no effect on any durable
 * consumer's position or next delivery. It exists so a stateful consumer (the shadow runner) that checkpoints
 * its counters with its acked position can rebuild what it held in memory (books, orders in flight) after a
 * restart by re-reading from an earlier "rewind" position up to its acked one, then resume consuming.
 */
export interface LiveFlowReader {
  readonly kind: LiveFlowKind;
  readonly stream: string;
  /**
   * Delivers every stored event with fromPosition <= position <= toPosition, in stream order, one at a time
   * (the handler is awaited), then resolves. Positions are those of LiveDelivery.position. Positions past the
   * stored end (as it was when the read started) are simply not delivered; fromPosition > toPosition delivers
   * nothing; a stream that does not exist yet holds nothing. Both bounds must be integers >= 1 (else
   * VALIDATION_FAILED; Number.MAX_SAFE_INTEGER reads to the end). Decode failures are delivered in place. If the
   * handler throws, read() rejects with that error. close() ends a running read after its current handler.
   */
  read(fromPosition: number, toPosition: number, handler: LiveFlowReadHandler): Promise<LiveFlowReadSummary>;
  /** Ends running reads after their current handler and releases the connection. */
  close(): Promise<void>;
}
