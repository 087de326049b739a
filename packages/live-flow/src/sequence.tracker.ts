/**
 * Checks producers' sequence numbers: each (channel, instrument, session) counts 1, 2, 3, … (schema, `seq`), so
 * a consumer can tell a lost event (gap) or a repeated one from a healthy stream. Pure and in memory; the
 * shadow runner records what it reports.
 */
import { channelOf, type LiveEvent } from './live-event.schema.js';

export type SequenceCheck =
  /** The expected next number. */
  | { readonly kind: 'ok' }
  /** The first event seen on this (channel, instrument, session): a consumer that resumed cannot know earlier ones. */
  | { readonly kind: 'start' }
  /** `missing` events between the last one seen and this one never arrived. */
  | { readonly kind: 'gap'; readonly expected: number; readonly got: number; readonly missing: number }
  /** A number at or below one already seen: a repeat or a reordering. */
  | { readonly kind: 'repeat'; readonly expected: number; readonly got: number };

export class SequenceTracker {
  /** Next expected seq per `channel|instrument|session`. */
  private readonly next = new Map<string, number>();

  observe(event: Pick<LiveEvent, 'type' | 'instrument' | 'session' | 'seq'>): SequenceCheck {
    const key = `${channelOf(event.type)}|${event.instrument}|${event.session}`;
    const expected = this.next.get(key);
    if (expected === undefined) {
      this.next.set(key, event.seq + 1);
      return { kind: 'start' };
    }
    if (event.seq === expected) {
      this.next.set(key, expected + 1);
      return { kind: 'ok' };
    }
    if (event.seq > expected) {
      this.next.set(key, event.seq + 1);
      return { kind: 'gap', expected, got: event.seq, missing: event.seq - expected };
    }
    return { kind: 'repeat', expected, got: event.seq };
  }
}
