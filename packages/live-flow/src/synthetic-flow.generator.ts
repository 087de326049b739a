/**
 * Deterministic synthetic live flow (events in canonical key order) (seeded, no wall clock): market data for one instrument, and one parent
 * order worked by a model (order.new, decisions, fills, order.done). For tests, the throughput bench, and as a
 * shape reference for producers. Not a market model — @airlock/sim's generator is; this only has to be valid
 * and varied.
 */
import type { BookLevel, BookUpdateEvent, DecisionEvent, FillEvent, LiveEvent, OrderDoneEvent, OrderNewEvent, TradeEvent } from './live-event.schema.js';

export interface SyntheticMarketOptions {
  readonly instrument?: string;
  readonly session?: string;
  /** Events to produce (book updates and trades mixed, about one trade per five events). */
  readonly count: number;
  /** Event time of the first event, ns after midnight (default 09:30:00). */
  readonly startNs?: number;
  /** Mean spacing between events, ns (default 100 µs). */
  readonly spacingNs?: number;
  /** Book levels per side (default 10). */
  readonly depth?: number;
  readonly seed?: number;
  /** First seq number (default 1), so a flow can be produced in several calls. */
  readonly firstSeq?: number;
  /** Prefix of event ids (default `md-<instrument>-<session>`). */
  readonly idPrefix?: string;
}

export const OPEN_NS = 34_200_000_000_000; // 09:30:00 in ns after midnight
const TICK_SIZE = 0.01;

/** xorshift32 in [0, 1): reproducible per seed. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}

export function syntheticMarketEvents(options: SyntheticMarketOptions): LiveEvent[] {
  const instrument = options.instrument ?? 'SYNTH';
  const session = options.session ?? '2024-03-15';
  const depth = options.depth ?? 10;
  const spacing = options.spacingNs ?? 100_000;
  const random = prng(options.seed ?? 7);
  const idPrefix = options.idPrefix ?? `md-${instrument}-${session}`;
  const events: LiveEvent[] = new Array<LiveEvent>(options.count);
  let tsNs = options.startNs ?? OPEN_NS;
  let seq = options.firstSeq ?? 1;
  let bestBid = 10_000; // ticks: $100.00 at one cent
  for (let i = 0; i < options.count; i += 1) {
    tsNs += 1 + Math.floor(random() * 2 * spacing);
    const id = `${idPrefix}-${seq}`;
    if (random() < 0.2) {
      const buy = random() < 0.5;
      const trade: TradeEvent = {
        v: 1,
        type: 'trade',
        id,
        instrument,
        session,
        tsNs,
        seq,
        tickSize: TICK_SIZE,
        priceTicks: buy ? bestBid + 1 : bestBid,
        size: 1 + Math.floor(random() * 500),
        aggressor: buy ? 'buy' : 'sell',
        hidden: random() < 0.05,
      };
      events[i] = trade;
      seq += 1;
      continue;
    }
    bestBid += random() < 0.5 ? (random() < 0.5 ? -1 : 1) : 0;
    const spread = 1 + Math.floor(random() * 2);
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    for (let level = 0; level < depth; level += 1) {
      bids.push([bestBid - level, 100 + Math.floor(random() * 900)]);
      asks.push([bestBid + spread + level, 100 + Math.floor(random() * 900)]);
    }
    const book: BookUpdateEvent = { v: 1, type: 'book', id, instrument, session, tsNs, seq, tickSize: TICK_SIZE, depth, bids, asks };
    events[i] = book;
    seq += 1;
  }
  return events;
}

export interface SyntheticOrderOptions {
  readonly instrument?: string;
  readonly session?: string;
  readonly orderId?: string;
  /** Decisions (each followed by one fill) before the order is done. */
  readonly decisions: number;
  readonly startNs?: number;
  readonly seed?: number;
}

/** One parent order's life: order.new, then `decisions` × (decision, fill), then order.done. */
export function syntheticOrderLife(options: SyntheticOrderOptions): LiveEvent[] {
  const instrument = options.instrument ?? 'SYNTH';
  const session = options.session ?? '2024-03-15';
  const orderId = options.orderId ?? 'P-1';
  const random = prng(options.seed ?? 11);
  const startNs = options.startNs ?? OPEN_NS;
  const endNs = startNs + 3_600_000_000_000; // one hour
  const quantity = 1000 * (options.decisions + 1);
  const seqs = { order: 1, decision: 1, exec: 1 };
  const at = (k: number): number => startNs + k * 1_000_000_000;
  const created: OrderNewEvent = {
    v: 1, type: 'order.new', id: `order-${orderId}-1`, instrument, session, tsNs: startNs, seq: seqs.order++,
    orderId, side: 'buy', quantity, startNs, endNs, limitTicks: 10_050, urgency: 0.5, tickSize: TICK_SIZE,
  };
  const events: LiveEvent[] = [created];
  let filled = 0;
  for (let k = 1; k <= options.decisions; k += 1) {
    const participation = Math.round(random() * 1e6) / 1e6;
    const decision: DecisionEvent = {
      v: 1, type: 'decision', id: `decision-${orderId}-${k}`, instrument, session, tsNs: at(k), seq: seqs.decision++,
      orderId, deployment: 'prod-main', model: 'mlp-exec', version: '1.4.2', sha256: 'ab'.repeat(32),
      featureNames: ['spread_bps', 'imbalance_l1', 'time_remaining_frac', 'qty_remaining_frac'],
      features: [1.5 + random(), random() * 2 - 1, 1 - k / (options.decisions + 1), 1 - filled / quantity],
      actionNames: ['participation', 'aggression'],
      actions: [participation, Math.round(random() * 1e6) / 1e6],
    };
    const fillQuantity = 100 + Math.floor(random() * 900);
    filled += fillQuantity;
    const fill: FillEvent = {
      v: 1, type: 'fill', id: `fill-${orderId}-${k}`, instrument, session, tsNs: at(k) + 250_000, seq: seqs.exec++,
      orderId, childOrderId: `${orderId}-C${k}`, tickSize: TICK_SIZE, priceTicks: 10_000 + Math.floor(random() * 3),
      quantity: fillQuantity, liquidity: random() < 0.6 ? 'maker' : 'taker',
    };
    events.push(decision, fill);
  }
  const done: OrderDoneEvent = {
    v: 1, type: 'order.done', id: `order-${orderId}-2`, instrument, session, tsNs: at(options.decisions + 1), seq: seqs.order++,
    orderId, filledQuantity: filled, outcome: 'cancelled',
  };
  events.push(done);
  return events;
}
