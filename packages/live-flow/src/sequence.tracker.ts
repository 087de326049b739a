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
  /** Next expected seq per channel → instrument → session (nested maps: no key string built per event). */
  private readonly next = new Map<string, Map<string, Map<string, number>>>();

  observe(event: Pick<LiveEvent, 'type' | 'instrument' | 'session' | 'seq'>): SequenceCheck {
    const channel = channelOf(event.type);
    let byInstrument = this.next.get(channel);
    if (byInstrument === undefined) this.next.set(channel, (byInstrument = new Map()));
    let bySession = byInstrument.get(event.instrument);
    if (bySession === undefined) byInstrument.set(event.instrument, (bySession = new Map()));
    const expected = bySession.get(event.session);
    if (expected === undefined) {
      bySession.set(event.session, event.seq + 1);
      return START;
    }
    if (event.seq === expected) {
      bySession.set(event.session, expected + 1);
      return OK;
    }
    if (event.seq > expected) {
      bySession.set(event.session, event.seq + 1);
      return { kind: 'gap', expected, got: event.seq, missing: event.seq - expected };
    }
    return { kind: 'repeat', expected, got: event.seq };
  }
}

const OK: SequenceCheck = { kind: 'ok' };
const START: SequenceCheck = { kind: 'start' };
