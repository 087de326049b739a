import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeLiveEvent, encodeLiveEvent, validateLiveEvent, MAX_EVENT_BYTES, type DecodeResult } from './live-event.decoder.js';
import type { LiveEvent } from './live-event.schema.js';
import { mixedFlow } from './live-flow.contract.js';

const envelope = { v: 1, id: 'e-1', instrument: 'GOOG', session: '2012-06-21', tsNs: 34_200_017_459_000, seq: 7 } as const;

/** One valid event of each type. */
const samples: Record<LiveEvent['type'], LiveEvent> = {
  book: { ...envelope, type: 'book', tickSize: 0.01, depth: 3, bids: [[58_570, 100], [58_560, 20]], asks: [[58_590, 300], [58_600, 10], [58_610, 5]] },
  trade: { ...envelope, type: 'trade', tickSize: 0.01, priceTicks: 58_580, size: 100, aggressor: 'sell', hidden: false },
  'order.new': { ...envelope, type: 'order.new', orderId: 'P-1', side: 'buy', quantity: 5000, startNs: 34_200_000_000_000, endNs: 37_800_000_000_000, limitTicks: 58_700, urgency: 0.5, tickSize: 0.01 },
  'order.amend': { ...envelope, type: 'order.amend', orderId: 'P-1', quantity: 6000, limitTicks: null },
  'order.cancel': { ...envelope, type: 'order.cancel', orderId: 'P-1' },
  'order.done': { ...envelope, type: 'order.done', orderId: 'P-1', filledQuantity: 4200, outcome: 'cancelled' },
  decision: {
    ...envelope, type: 'decision', orderId: 'P-1', deployment: 'prod-main', model: 'mlp-exec', version: '1.4.2', sha256: 'ab'.repeat(32),
    featureNames: ['spread_bps', 'side'], features: [1.7, 1], actionNames: ['participation', 'aggression'], actions: [0.12, 0],
  },
  fill: { ...envelope, type: 'fill', orderId: 'P-1', childOrderId: 'P-1-C9', tickSize: 0.01, priceTicks: 58_580, quantity: 100, liquidity: 'maker' },
};

const reasonOf = (result: DecodeResult): string => (result.ok ? '(decoded)' : result.reason);
const withField = (type: LiveEvent['type'], field: string, value: unknown): unknown => ({ ...samples[type], [field]: value });
const without = (type: LiveEvent['type'], field: string): unknown => {
  const copy: Record<string, unknown> = { ...samples[type] };
  delete copy[field];
  return copy;
};

describe('decodeLiveEvent', () => {
  it.each(Object.values(samples).map((e) => [e.type, e] as const))('round-trips a %s event through the canonical encoding', (_type, event) => {
    const bytes = encodeLiveEvent(event);
    expect(decodeLiveEvent(bytes)).toEqual({ ok: true, event });
    expect(decodeLiveEvent(Buffer.from(bytes).toString('utf8'))).toEqual({ ok: true, event });
    expect(decodeLiveEvent(JSON.parse(Buffer.from(bytes).toString('utf8')))).toEqual({ ok: true, event });
  });

  it('decodes what the synthetic producers make (every type, several instruments)', () => {
    for (const event of mixedFlow(20)) expect(decodeLiveEvent(encodeLiveEvent(event))).toEqual({ ok: true, event });
  });

  it('drops unknown fields (allowed within a version) and puts keys in canonical order', () => {
    const shuffled = { hidden: false, extra: { nested: true }, aggressor: 'sell', size: 100, priceTicks: 58_580, tickSize: 0.01, seq: 7, tsNs: envelope.tsNs, session: envelope.session, instrument: 'GOOG', id: 'e-1', type: 'trade', v: 1 };
    const result = decodeLiveEvent(JSON.stringify(shuffled));
    expect(result).toEqual({ ok: true, event: samples.trade });
    expect(Object.keys(result.ok ? result.event : {})).toEqual(['v', 'type', 'id', 'instrument', 'session', 'tsNs', 'seq', 'tickSize', 'priceTicks', 'size', 'aggressor', 'hidden']);
  });

  it('normalises an upper-case sha256 to lower case', () => {
    const result = decodeLiveEvent(withField('decision', 'sha256', 'AB'.repeat(32)));
    expect(result.ok && result.event.type === 'decision' && result.event.sha256).toBe('ab'.repeat(32));
  });

  it.each([
    ['bytes that are not UTF-8', Uint8Array.from([0x7b, 0xc3, 0x28, 0x7d]), /^not valid UTF-8$/],
    ['text that is not JSON', '{"v":1,', /^not JSON: /],
    ['an empty message', '', /^not JSON: /],
    ['JSON that is not an object', '"book"', /^must be a JSON object \(got "book"\)$/],
    ['null', null, /^must be a JSON object \(got null\)$/],
    ['an array', [1, 2], /^must be a JSON object \(got an array of 2\)$/],
    ['no schema version', without('trade', 'v'), /^v: missing/],
    ['a newer schema version', withField('trade', 'v', 2), /^v: schema version 2 is not supported \(this decoder reads 1\)$/],
    ['a non-integer version', withField('trade', 'v', '1'), /^v: must be a positive integer/],
    ['an unknown type', withField('trade', 'type', 'quote'), /^type: unknown event type "quote" \(known: book, trade, order\.new/],
    ['no type', without('trade', 'type'), /^type: missing/],
    ['a missing envelope field', without('fill', 'seq'), /^fill: seq: missing$/],
    ['a negative time', withField('book', 'tsNs', -1), /tsNs: must be an integer of ns in \[0, 2\^53-1\] \(got -1\)/],
    ['a fractional time', withField('book', 'tsNs', 1.5), /tsNs: must be an integer of ns/],
    ['a time beyond 2^53', withField('book', 'tsNs', 2 ** 60), /tsNs: must be an integer of ns/],
    ['a seq of 0', withField('book', 'seq', 0), /seq: must be an integer in \[1, /],
    ['an impossible date', withField('trade', 'session', '2024-02-30'), /session: must be a calendar date YYYY-MM-DD \(got "2024-02-30"\)/],
    ['an instrument that is no subject token', withField('trade', 'instrument', 'BRK.B'), /instrument: must be 1–64 characters of \[A-Za-z0-9_-\]/],
    ['an id with spaces', withField('trade', 'id', 'a b'), /id: must be 1–128 characters/],
    ['a zero tick size', withField('trade', 'tickSize', 0), /tickSize: must be a number in \(0, 1000000\]/],
    ['a price as a string', withField('trade', 'priceTicks', '58580'), /priceTicks: must be an integer of ticks in .* \(got "58580"\)/],
    ['an unknown aggressor', withField('trade', 'aggressor', 'both'), /aggressor: must be one of "buy", "sell", "unknown" \(got "both"\)/],
    ['a hidden flag as a number', withField('trade', 'hidden', 0), /hidden: must be true or false \(got 0\)/],
    ['bids ascending', withField('book', 'bids', [[58_560, 1], [58_570, 1]]), /bids\[1\]\[0\]: prices must be strictly descending from the best \(58560 then 58570\)/],
    ['asks with a repeated price', withField('book', 'asks', [[58_590, 1], [58_590, 2]]), /asks\[1\]\[0\]: prices must be strictly ascending/],
    ['an empty level', withField('book', 'bids', [[58_570, 0]]), /bids\[0\]\[1\]: must be a positive integer size \(got 0\)/],
    ['a level that is not a pair', withField('book', 'asks', [[58_590, 1, 2]]), /asks\[0\]: must be \[priceTicks, size\]/],
    ['more levels than the depth', withField('book', 'depth', 1), /asks: lists 3 levels, more than depth 1/],
    ['a depth of 101', withField('book', 'depth', 101), /depth: must be an integer in \[1, 100\]/],
    ['an order window that ends before it starts', withField('order.new', 'endNs', 34_100_000_000_000), /endNs: must be after startNs/],
    ['an urgency above 1', withField('order.new', 'urgency', 1.5), /urgency: must be a number in \[0, 1\]/],
    ['a zero limit', withField('order.new', 'limitTicks', 0), /limitTicks: must be an integer of ticks in \[1, /],
    ['an amend that changes nothing', { ...envelope, type: 'order.amend', orderId: 'P-1' }, /an amend changes at least one of quantity, endNs, limitTicks, urgency/],
    ['an unknown outcome', withField('order.done', 'outcome', 'done'), /outcome: must be one of "filled", "cancelled", "expired", "rejected"/],
    ['a short sha256', withField('decision', 'sha256', 'abc'), /sha256: must be 64 hexadecimal characters/],
    ['features not aligned with their names', withField('decision', 'features', [1.7]), /features: has 1 values but featureNames has 2 names/],
    ['a NaN feature (JSON null)', JSON.stringify({ ...samples.decision, features: [Number.NaN, 1] }), /features\[0\]: must be a finite number \(got null\)/],
    ['a repeated feature name', withField('decision', 'featureNames', ['side', 'side']), /featureNames\[1\]: duplicates the name "side"/],
    ['no action names', withField('decision', 'actionNames', []), /actionNames: must be an array of 1–1024 names/],
    ['a fill of no shares', withField('fill', 'quantity', 0), /quantity: must be an integer in \[1, /],
    ['an unknown liquidity flag', withField('fill', 'liquidity', 'mid'), /liquidity: must be one of "maker", "taker"/],
    ['a control character in a name', withField('decision', 'model', 'mlp\u0000'), /model: must be 1–256 characters, no control characters/],
  ])('refuses %s with a reason', (_label, input, reason) => {
    expect(reasonOf(decodeLiveEvent(input))).toMatch(reason);
  });

  it('lists every problem of an event, prefixed by its type, and identifies it', () => {
    const result = decodeLiveEvent({ ...samples.fill, quantity: -1, liquidity: 'x', childOrderId: '' });
    expect(result).toEqual({
      ok: false,
      id: 'e-1',
      type: 'fill',
      reason: expect.stringMatching(/^fill: childOrderId: must be .*; quantity: must be .*; liquidity: must be one of/),
    });
  });

  it('caps the reason at eight problems', () => {
    const reason = reasonOf(decodeLiveEvent({ v: 1, type: 'decision' }));
    expect(reason.split('; ')).toHaveLength(8);
    expect(reason).toMatch(/\(\+\d+ more\)$/);
  });

  it('refuses an oversized message without parsing it', () => {
    const big = new Uint8Array(MAX_EVENT_BYTES + 1).fill(0x20);
    expect(reasonOf(decodeLiveEvent(big))).toBe(`too large: ${MAX_EVENT_BYTES + 1} bytes (limit ${MAX_EVENT_BYTES})`);
  });

  it('never throws, whatever it is given (property)', () => {
    const anyEvent = fc.constantFrom(...Object.values(samples));
    const fieldMutation = fc.tuple(anyEvent, fc.string(), fc.anything()).map(([event, key, value]) => ({ ...event, [key]: value }));
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.string(), fc.uint8Array(), fc.json(), fieldMutation), (input) => {
        const result = decodeLiveEvent(input);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes a byte-level mutation of a valid event or says why not (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(samples)), fc.nat(), fc.integer({ min: 0, max: 255 }), (event, at, byte) => {
        const bytes = Uint8Array.from(encodeLiveEvent(event));
        bytes[at % bytes.length] = byte;
        const result = decodeLiveEvent(bytes);
        // Whatever decodes must be valid again when re-encoded: the decoder never lets a bad event through.
        if (result.ok) expect(validateLiveEvent(JSON.parse(Buffer.from(encodeLiveEvent(result.event)).toString('utf8')))).toEqual(result);
        else expect(result.reason).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});
