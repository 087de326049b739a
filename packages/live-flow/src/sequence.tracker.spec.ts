import { describe, expect, it } from '@jest/globals';
import { SequenceTracker } from './sequence.tracker.js';

const event = (type: 'book' | 'trade' | 'fill', seq: number, instrument = 'AAA', session = '2024-03-15') => ({ type, seq, instrument, session });

describe('SequenceTracker', () => {
  it('follows each (channel, instrument, session) on its own: market data shares one counter, fills another', () => {
    const tracker = new SequenceTracker();
    expect(tracker.observe(event('book', 1))).toEqual({ kind: 'start' });
    expect(tracker.observe(event('trade', 2))).toEqual({ kind: 'ok' }); // book and trade are both channel md
    expect(tracker.observe(event('fill', 1))).toEqual({ kind: 'start' });
    expect(tracker.observe(event('book', 1, 'BBB'))).toEqual({ kind: 'start' });
    expect(tracker.observe(event('book', 3))).toEqual({ kind: 'ok' });
    expect(tracker.observe(event('book', 1, 'AAA', '2024-03-18'))).toEqual({ kind: 'start' });
  });

  it('reports gaps and repeats, and picks up after a gap', () => {
    const tracker = new SequenceTracker();
    tracker.observe(event('book', 10));
    expect(tracker.observe(event('book', 14))).toEqual({ kind: 'gap', expected: 11, got: 14, missing: 3 });
    expect(tracker.observe(event('book', 15))).toEqual({ kind: 'ok' });
    expect(tracker.observe(event('book', 12))).toEqual({ kind: 'repeat', expected: 16, got: 12 });
    expect(tracker.observe(event('book', 16))).toEqual({ kind: 'ok' });
  });
});
