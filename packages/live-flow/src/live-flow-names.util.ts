/**
 * Names shared by both transports. A stream name is a JetStream stream name and a file name; a durable name
 * is a JetStream durable consumer name and part of a file name; the NATS subject of an event is derived from
 * the stream, the event's channel and its instrument.
 */
import { DomainError } from '@airlock/core';
import { channelOf, type LiveEvent } from './live-event.schema.js';

/** The stream the apps use when the URI names none: subjects `airlock.live.<channel>.<instrument>`. */
export const DEFAULT_LIVE_STREAM = 'live';

/** Stream and durable names: safe as JetStream names, NATS subject tokens and file names on every OS. */
export const LIVE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function assertLiveName(what: 'stream' | 'durable', name: string): void {
  if (typeof name !== 'string' || !LIVE_NAME_PATTERN.test(name)) {
    const message = `must be 1–64 characters of [A-Za-z0-9_-] starting alphanumeric (got ${JSON.stringify(name)})`;
    throw new DomainError('VALIDATION_FAILED', `invalid live-flow ${what} name: ${message}`, { errors: [{ field: what, message }] });
  }
}

/** Every subject of a stream: `airlock.<stream>.>`. Distinct stream names never overlap. */
export const streamSubjects = (stream: string): string => `airlock.${stream}.>`;

/** `airlock.<stream>.<channel>.<instrument>`, e.g. airlock.live.md.GOOG. */
export const subjectOf = (stream: string, event: Pick<LiveEvent, 'type' | 'instrument'>): string =>
  `airlock.${stream}.${channelOf(event.type)}.${event.instrument}`;

/** An ack made after a newer consume() pass started: refused, since that delivery is being delivered again. */
export const staleAck = (position: number): DomainError =>
  new DomainError('CONFLICT', `ack of position ${position} from an earlier consume() pass: that delivery is being delivered again`);
