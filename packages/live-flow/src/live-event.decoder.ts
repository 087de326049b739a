/**
 * Decoding and validation of live-flow events (schema in live-event.schema.ts, docs/live-flow.md).
 *
 * decodeLiveEvent never throws: whatever arrives on the bus — bytes that are not UTF-8, text that is not JSON,
 * an object with missing or mistyped fields, an unknown event type, a newer schema version — comes back as
 * `{ ok: false, reason }` for the consumer to record and move past. A valid event comes back as a fresh object
 * holding only the schema's fields, in canonical key order (unknown fields, allowed within a version, are
 * dropped), so `encodeLiveEvent(decoded)` is the canonical encoding.
 *
 * Hand-written checks rather than a schema library: this runs once per event on the ≥ 100k events/s path.
 */
import {
  LIVE_EVENT_CHANNEL,
  LIVE_EVENT_TYPES,
  LIVE_FLOW_SCHEMA_VERSION,
  type BookLevel,
  type LiveEvent,
  type LiveEventEnvelope,
  type LiveEventType,
} from './live-event.schema.js';

export type DecodeResult =
  | { readonly ok: true; readonly event: LiveEvent }
  | {
      readonly ok: false;
      /** Every problem found (up to MAX_REPORTED_PROBLEMS), `field: message`, joined by "; ". */
      readonly reason: string;
      /** The event's id and type when they could be read, to identify what was rejected. */
      readonly id?: string;
      readonly type?: string;
    };

/** Bytes; a single event larger than this is refused unread (a book of 100 levels per side is ~3 KB). */
export const MAX_EVENT_BYTES = 1_048_576;
const MAX_REPORTED_PROBLEMS = 8;
/** Levels per side a book update may state as its depth. */
export const MAX_BOOK_DEPTH = 100;
/** Longest feature / action vector a decision may carry. */
export const MAX_DECISION_VECTOR = 1024;

export const EVENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/+=~-]{0,127}$/;
export const INSTRUMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const SESSION_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const SHA256_PATTERN = /^[0-9a-fA-F]{64}$/;
/** Free-text fields (names, versions, reasons): no control characters. */
const TEXT_PATTERN = /^\P{Cc}{1,256}$/u;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** The canonical wire form: compact JSON, UTF-8, one event per message (per line in files). */
export function encodeLiveEvent(event: LiveEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * Decodes one event from bytes (UTF-8 JSON), a JSON string, or an already-parsed value. Never throws.
 */
export function decodeLiveEvent(input: unknown): DecodeResult {
  try {
    if (typeof input === 'string') return validateLiveEvent(parseJson(input));
    if (ArrayBuffer.isView(input)) {
      if (input.byteLength > MAX_EVENT_BYTES) return failure(`too large: ${input.byteLength} bytes (limit ${MAX_EVENT_BYTES})`);
      let text: string;
      try {
        text = utf8.decode(new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      } catch {
        return failure('not valid UTF-8');
      }
      return validateLiveEvent(parseJson(text));
    }
    return validateLiveEvent(input);
  } catch (error) {
    // Unreachable by design; kept so that a decoder bug degrades to a recorded failure, never a crashed runner.
    return failure(`decoder error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Sentinel for text that did not parse (JSON.parse can return any value, including null). */
class NotJson {
  constructor(readonly message: string) {}
}

function parseJson(text: string): unknown {
  if (text.length > MAX_EVENT_BYTES) return new NotJson(`too large: ${text.length} characters (limit ${MAX_EVENT_BYTES})`);
  try {
    return JSON.parse(text);
  } catch (error) {
    return new NotJson(`not JSON: ${clip(error instanceof Error ? error.message : String(error), 120)}`);
  }
}

const failure = (reason: string, id?: unknown, type?: unknown): DecodeResult => ({
  ok: false,
  reason,
  ...(typeof id === 'string' && id !== '' && { id: clip(id, 128) }),
  ...(typeof type === 'string' && type !== '' && { type: clip(type, 64) }),
});

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max)}…`);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(clip(value, 40));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

/** The last session string that passed the calendar check. */
let lastGoodSession = '';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Collects `field: message` problems while reading typed fields out of an untrusted object. */
class FieldReader {
  readonly problems: string[] = [];

  constructor(private readonly source: Record<string, unknown>) {}

  problem(field: string, message: string): void {
    this.problems.push(`${field}: ${message}`);
  }

  present(key: string): boolean {
    return this.source[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.source[key];
  }

  text(key: string, pattern: RegExp = TEXT_PATTERN, rule = '1–256 characters, no control characters'): string {
    const value = this.source[key];
    if (typeof value !== 'string') this.problem(key, value === undefined ? 'missing' : `must be a string (got ${describe(value)})`);
    else if (!pattern.test(value)) this.problem(key, `must be ${rule} (got ${describe(value)})`);
    else return value;
    return '';
  }

  /** A safe integer within [min, max]. */
  int(key: string, min: number, max: number = Number.MAX_SAFE_INTEGER, unit = 'integer'): number {
    const value = this.source[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return value;
    const bound = (x: number): string => (x === Number.MAX_SAFE_INTEGER ? '2^53-1' : x === Number.MIN_SAFE_INTEGER ? '-(2^53-1)' : String(x));
    this.problem(key, value === undefined ? 'missing' : `must be an ${unit} in [${bound(min)}, ${bound(max)}] (got ${describe(value)})`);
    return 0;
  }

  /** A finite number within [min, max] (exclusive of min when minExclusive). */
  number(key: string, min: number, max: number, minExclusive = false): number {
    const value = this.source[key];
    if (typeof value === 'number' && Number.isFinite(value) && (minExclusive ? value > min : value >= min) && value <= max) return value;
    this.problem(key, value === undefined ? 'missing' : `must be a number in ${minExclusive ? '(' : '['}${min}, ${max}] (got ${describe(value)})`);
    return 0;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.source[key];
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    this.problem(key, value === undefined ? 'missing' : `must be one of ${values.map((v) => `"${v}"`).join(', ')} (got ${describe(value)})`);
    return values[0]!;
  }

  bool(key: string): boolean {
    const value = this.source[key];
    if (typeof value === 'boolean') return value;
    this.problem(key, value === undefined ? 'missing' : `must be true or false (got ${describe(value)})`);
    return false;
  }

  session(key: string): string {
    const value = this.source[key];
    if (value === lastGoodSession) return value; // consecutive events share their session: skip the calendar check
    const match = typeof value === 'string' ? SESSION_PATTERN.exec(value) : null;
    if (match) {
      const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const date = new Date(Date.UTC(year, month - 1, day));
      if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
        lastGoodSession = value as string;
        return lastGoodSession;
      }
    }
    this.problem(key, value === undefined ? 'missing' : `must be a calendar date YYYY-MM-DD (got ${describe(value)})`);
    return '';
  }

  /** Unique names, 1..maxLength of them. */
  names(key: string, maxLength: number): string[] {
    const value = this.source[key];
    if (!Array.isArray(value) || value.length === 0 || value.length > maxLength) {
      this.problem(key, value === undefined ? 'missing' : `must be an array of 1–${maxLength} names (got ${describe(value)})`);
      return [];
    }
    const seen = new Set<string>();
    for (let i = 0; i < value.length; i += 1) {
      const name: unknown = value[i];
      if (typeof name !== 'string' || !TEXT_PATTERN.test(name)) this.problem(`${key}[${i}]`, `must be a name of 1–256 characters (got ${describe(name)})`);
      else if (seen.has(name)) this.problem(`${key}[${i}]`, `duplicates the name "${clip(name, 40)}"`);
      else seen.add(name);
    }
    return value as string[];
  }

  /** Finite numbers, exactly `length` of them (aligned with a names array). */
  vector(key: string, length: number, alignedWith: string): number[] {
    const value = this.source[key];
    if (!Array.isArray(value)) {
      this.problem(key, value === undefined ? 'missing' : `must be an array of numbers (got ${describe(value)})`);
      return [];
    }
    if (value.length !== length) this.problem(key, `has ${value.length} values but ${alignedWith} has ${length} names`);
    for (let i = 0; i < value.length; i += 1) {
      const x: unknown = value[i];
      // JSON has no NaN or Infinity: JSON.stringify writes a non-finite float as null, which lands here.
      if (typeof x !== 'number' || !Number.isFinite(x)) this.problem(`${key}[${i}]`, `must be a finite number (got ${describe(x)})`);
    }
    return value as number[];
  }

  /** Book side: [[ticks, size], …] best first, prices strictly monotonic in `direction`, sizes > 0. */
  levels(key: string, depth: number, direction: 1 | -1): BookLevel[] {
    const value = this.source[key];
    if (!Array.isArray(value)) {
      this.problem(key, value === undefined ? 'missing' : `must be an array of [priceTicks, size] levels (got ${describe(value)})`);
      return [];
    }
    if (value.length > depth) this.problem(key, `lists ${value.length} levels, more than depth ${depth}`);
    let previous: number | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const level: unknown = value[i];
      if (!Array.isArray(level) || level.length !== 2) {
        this.problem(`${key}[${i}]`, `must be [priceTicks, size] (got ${describe(level)})`);
        return [];
      }
      const price: unknown = level[0];
      const size: unknown = level[1];
      if (typeof price !== 'number' || !Number.isSafeInteger(price)) {
        this.problem(`${key}[${i}][0]`, `must be an integer number of ticks (got ${describe(price)})`);
        return [];
      }
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
        this.problem(`${key}[${i}][1]`, `must be a positive integer size (got ${describe(size)})`);
        return [];
      }
      if (previous !== undefined && (price - previous) * direction <= 0) {
        this.problem(`${key}[${i}][0]`, `prices must be strictly ${direction > 0 ? 'ascending' : 'descending'} from the best (${previous} then ${price})`);
        return [];
      }
      previous = price;
    }
    return value as BookLevel[];
  }
}

/** Largest tick size accepted, in currency units (guards against a price sent where the tick size belongs). */
const MAX_TICK_SIZE = 1_000_000;

/** Validates an already-parsed value (what decodeLiveEvent does after parsing). Never throws. */
export function validateLiveEvent(value: unknown): DecodeResult {
  if (value instanceof NotJson) return failure(value.message);
  if (!isRecord(value)) return failure(`must be a JSON object (got ${describe(value)})`);
  const { id, type, v } = value;

  if (v === undefined) return failure('v: missing (the schema version)', id, type);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) return failure(`v: must be a positive integer schema version (got ${describe(v)})`, id, type);
  if (v !== LIVE_FLOW_SCHEMA_VERSION) {
    // A newer producer: its fields may mean something else, so nothing past `v` is trusted.
    return failure(`v: schema version ${v} is not supported (this decoder reads ${LIVE_FLOW_SCHEMA_VERSION})`, id, type);
  }
  if (typeof type !== 'string' || !Object.hasOwn(LIVE_EVENT_CHANNEL, type)) {
    return failure(`type: ${type === undefined ? 'missing' : `unknown event type ${describe(type)}`} (known: ${LIVE_EVENT_TYPES.join(', ')})`, id, type);
  }

  const r = new FieldReader(value);
  const envelope: LiveEventEnvelope = {
    v: LIVE_FLOW_SCHEMA_VERSION,
    type: type as LiveEventType,
    id: r.text('id', EVENT_ID_PATTERN, ID_RULE),
    instrument: r.text('instrument', INSTRUMENT_PATTERN, '1–64 characters of [A-Za-z0-9_-] starting alphanumeric'),
    session: r.session('session'),
    tsNs: r.int('tsNs', 0, Number.MAX_SAFE_INTEGER, 'integer of ns'),
    seq: r.int('seq', 1),
  };
  const event = readBody(r, envelope);
  if (r.problems.length > 0) {
    const shown = r.problems.slice(0, MAX_REPORTED_PROBLEMS).join('; ');
    const more = r.problems.length > MAX_REPORTED_PROBLEMS ? ` (+${r.problems.length - MAX_REPORTED_PROBLEMS} more)` : '';
    return failure(`${type}: ${shown}${more}`, id, type);
  }
  return { ok: true, event };
}

const ID_RULE = '1–128 characters of [A-Za-z0-9._:@/+=~-] starting alphanumeric';
const MAX_INT = Number.MAX_SAFE_INTEGER;
const MIN_INT = Number.MIN_SAFE_INTEGER;

/**
 * The type-specific fields, as a fresh object with the envelope first. Written out per type (no spreads):
 * object literals of one fixed shape are what keeps this fast.
 */
function readBody(r: FieldReader, e: LiveEventEnvelope): LiveEvent {
  const { v, id, instrument, session, tsNs, seq } = e;
  switch (e.type) {
    case 'book': {
      const tickSize = r.number('tickSize', 0, MAX_TICK_SIZE, true);
      const depth = r.int('depth', 1, MAX_BOOK_DEPTH);
      const bids = r.levels('bids', depth || MAX_BOOK_DEPTH, -1);
      const asks = r.levels('asks', depth || MAX_BOOK_DEPTH, 1);
      return { v, type: 'book', id, instrument, session, tsNs, seq, tickSize, depth, bids, asks };
    }
    case 'trade': {
      const tickSize = r.number('tickSize', 0, MAX_TICK_SIZE, true);
      const priceTicks = r.int('priceTicks', MIN_INT, MAX_INT, 'integer of ticks');
      const size = r.int('size', 1);
      const aggressor = r.oneOf('aggressor', AGGRESSORS);
      const hidden = r.bool('hidden');
      return { v, type: 'trade', id, instrument, session, tsNs, seq, tickSize, priceTicks, size, aggressor, hidden };
    }
    case 'order.new': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const side = r.oneOf('side', SIDES);
      const quantity = r.int('quantity', 1);
      const startNs = r.int('startNs', 0, MAX_INT, 'integer of ns');
      const endNs = r.int('endNs', 0, MAX_INT, 'integer of ns');
      if (r.present('startNs') && r.present('endNs') && r.problems.length === 0 && endNs <= startNs) r.problem('endNs', `must be after startNs (${endNs} ≤ ${startNs})`);
      const limitTicks = r.present('limitTicks') ? r.int('limitTicks', 1, MAX_INT, 'integer of ticks') : undefined;
      const urgency = r.number('urgency', 0, 1);
      const tickSize = r.number('tickSize', 0, MAX_TICK_SIZE, true);
      return limitTicks === undefined
        ? { v, type: 'order.new', id, instrument, session, tsNs, seq, orderId, side, quantity, startNs, endNs, urgency, tickSize }
        : { v, type: 'order.new', id, instrument, session, tsNs, seq, orderId, side, quantity, startNs, endNs, limitTicks, urgency, tickSize };
    }
    case 'order.amend': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const quantity = r.present('quantity') ? r.int('quantity', 1) : undefined;
      const endNs = r.present('endNs') ? r.int('endNs', 0, MAX_INT, 'integer of ns') : undefined;
      const limitTicks = !r.present('limitTicks') ? undefined : r.raw('limitTicks') === null ? null : r.int('limitTicks', 1, MAX_INT, 'integer of ticks');
      const urgency = r.present('urgency') ? r.number('urgency', 0, 1) : undefined;
      if (quantity === undefined && endNs === undefined && limitTicks === undefined && urgency === undefined) {
        r.problem('quantity', 'an amend changes at least one of quantity, endNs, limitTicks, urgency');
      }
      return {
        v, type: 'order.amend', id, instrument, session, tsNs, seq, orderId,
        ...(quantity !== undefined && { quantity }),
        ...(endNs !== undefined && { endNs }),
        ...(limitTicks !== undefined && { limitTicks }),
        ...(urgency !== undefined && { urgency }),
      };
    }
    case 'order.cancel': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const reason = r.present('reason') ? r.text('reason') : undefined;
      return reason === undefined
        ? { v, type: 'order.cancel', id, instrument, session, tsNs, seq, orderId }
        : { v, type: 'order.cancel', id, instrument, session, tsNs, seq, orderId, reason };
    }
    case 'order.done': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const filledQuantity = r.int('filledQuantity', 0);
      const outcome = r.oneOf('outcome', OUTCOMES);
      return { v, type: 'order.done', id, instrument, session, tsNs, seq, orderId, filledQuantity, outcome };
    }
    case 'decision': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const deployment = r.text('deployment');
      const model = r.text('model');
      const version = r.text('version');
      const sha256 = r.text('sha256', SHA256_PATTERN, '64 hexadecimal characters').toLowerCase();
      const featureNames = r.names('featureNames', MAX_DECISION_VECTOR);
      const features = r.vector('features', featureNames.length, 'featureNames');
      const actionNames = r.names('actionNames', MAX_DECISION_VECTOR);
      const actions = r.vector('actions', actionNames.length, 'actionNames');
      return { v, type: 'decision', id, instrument, session, tsNs, seq, orderId, deployment, model, version, sha256, featureNames, features, actionNames, actions };
    }
    case 'fill': {
      const orderId = r.text('orderId', EVENT_ID_PATTERN, ID_RULE);
      const childOrderId = r.text('childOrderId', EVENT_ID_PATTERN, ID_RULE);
      const tickSize = r.number('tickSize', 0, MAX_TICK_SIZE, true);
      const priceTicks = r.int('priceTicks', MIN_INT, MAX_INT, 'integer of ticks');
      const quantity = r.int('quantity', 1);
      const liquidity = r.oneOf('liquidity', LIQUIDITY);
      return { v, type: 'fill', id, instrument, session, tsNs, seq, orderId, childOrderId, tickSize, priceTicks, quantity, liquidity };
    }
  }
}

const AGGRESSORS = ['buy', 'sell', 'unknown'] as const;
const SIDES = ['buy', 'sell'] as const;
const OUTCOMES = ['filled', 'cancelled', 'expired', 'rejected'] as const;
const LIQUIDITY = ['maker', 'taker'] as const;
