/**
 * The live-flow schema, version LIVE_FLOW_SCHEMA_VERSION: what travels on the bus between a firm's execution
 * engine and Airlock (market data, parent orders, the live model's decisions, execution reports). Documented
 * for people in docs/live-flow.md; decoded and validated by decodeLiveEvent (live-event.decoder.ts).
 *
 * Units, everywhere:
 * - time: integer nanoseconds after local midnight (the venue's time zone) of the event's `session` date — the
 *   same clock as MarketDay.timeNs and ParentOrder.startNs, and exact in a float64 (a day is 8.64e13 ns < 2^53),
 *   unlike epoch ns (~1.7e18). A session that runs past midnight keeps counting (25 h = 9.0e13 ns).
 * - prices: integer ticks; price = ticks × tickSize (currency units per tick, e.g. 0.01 = one cent), stated on
 *   every event that carries a price.
 * - sizes and quantities: integer shares (or contracts).
 *
 * Versioning: `v` is a major version. Within a version producers may add optional fields, which decoders
 * ignore; removing, renaming or re-typing a field, or adding an event type, bumps `v`. A decoder refuses a
 * `v` it does not know (reason recorded), rather than guessing.
 */
export const LIVE_FLOW_SCHEMA_VERSION = 1;

/** The four producers on the bus; each is its own NATS subject family and its own `seq` counter. */
export const LIVE_CHANNELS = ['md', 'order', 'decision', 'exec'] as const;
export type LiveChannel = (typeof LIVE_CHANNELS)[number];

/** Every event type of this schema version and the channel it travels on. */
export const LIVE_EVENT_CHANNEL = {
  book: 'md',
  trade: 'md',
  'order.new': 'order',
  'order.amend': 'order',
  'order.cancel': 'order',
  'order.done': 'order',
  decision: 'decision',
  fill: 'exec',
} as const satisfies Record<string, LiveChannel>;
export type LiveEventType = keyof typeof LIVE_EVENT_CHANNEL;
export const LIVE_EVENT_TYPES = Object.keys(LIVE_EVENT_CHANNEL) as LiveEventType[];

/** Fields every event carries. */
export interface LiveEventEnvelope {
  /** Schema major version: LIVE_FLOW_SCHEMA_VERSION. */
  readonly v: typeof LIVE_FLOW_SCHEMA_VERSION;
  readonly type: LiveEventType;
  /**
   * Producer-assigned, unique within the stream: the idempotency key (NATS `Nats-Msg-Id`, the file adapter's
   * dedupe key). A re-sent event must carry the same id. 1–128 characters of [A-Za-z0-9._:@/+=~-], starting
   * alphanumeric (never needs JSON escaping).
   */
  readonly id: string;
  /** Venue symbol, 1–64 characters of [A-Za-z0-9_-] (a NATS subject token: write BRK.B as BRK-B). */
  readonly instrument: string;
  /** Trading date the times count from, YYYY-MM-DD (the venue's calendar date on which the session opens). */
  readonly session: string;
  /** Event time: ns after local midnight of `session`, integer ≥ 0. For a decision, the decision time. */
  readonly tsNs: number;
  /**
   * Producer's sequence number per (channel, instrument, session): 1, 2, 3, … with no gaps, so a consumer can
   * detect a lost or repeated event on one subject (SequenceTracker). Stream order across subjects is the bus's.
   */
  readonly seq: number;
}

/** One price level: [priceTicks, size in shares]; size > 0 (empty levels are omitted). */
export type BookLevel = readonly [priceTicks: number, size: number];

/** The visible top of book after an update (a snapshot of the first `depth` levels, not a delta). */
export interface BookUpdateEvent extends LiveEventEnvelope {
  readonly type: 'book';
  /** Currency units per tick. */
  readonly tickSize: number;
  /** Levels per side the feed publishes (N); a side may list fewer when the book is thinner. 1–100. */
  readonly depth: number;
  /** Best first: strictly descending prices. */
  readonly bids: readonly BookLevel[];
  /** Best first: strictly ascending prices. */
  readonly asks: readonly BookLevel[];
}

export type Aggressor = 'buy' | 'sell' | 'unknown';

/** A market trade (anyone's, not only ours): what the volume and trade-flow features read. */
export interface TradeEvent extends LiveEventEnvelope {
  readonly type: 'trade';
  readonly tickSize: number;
  readonly priceTicks: number;
  /** Shares, > 0. */
  readonly size: number;
  /** Initiating side: 'buy' = a buyer lifted the offer (LOBSTER: execution of a resting sell). */
  readonly aggressor: Aggressor;
  /** True for executions against hidden liquidity (LOBSTER type 5). */
  readonly hidden: boolean;
}

export type OrderSide = 'buy' | 'sell';

/** A parent order arrives (mirrors @airlock/sim's ParentOrder). */
export interface OrderNewEvent extends LiveEventEnvelope {
  readonly type: 'order.new';
  readonly orderId: string;
  readonly side: OrderSide;
  /** Shares, > 0. */
  readonly quantity: number;
  /** The window [startNs, endNs), same clock as tsNs; endNs > startNs. */
  readonly startNs: number;
  readonly endNs: number;
  /** Optional limit in ticks (> 0): a buy never pays more, a sell never receives less. */
  readonly limitTicks?: number;
  /** 0 = patient … 1 = urgent. */
  readonly urgency: number;
  readonly tickSize: number;
}

/** The client changes a live parent order; at least one field is present, absent ones are unchanged. */
export interface OrderAmendEvent extends LiveEventEnvelope {
  readonly type: 'order.amend';
  readonly orderId: string;
  /** New total quantity in shares (> 0), including what is already filled. */
  readonly quantity?: number;
  readonly endNs?: number;
  /** New limit in ticks, or null to remove the limit. */
  readonly limitTicks?: number | null;
  readonly urgency?: number;
}

/** The client asks to cancel; the order ends with a later `order.done`. */
export interface OrderCancelEvent extends LiveEventEnvelope {
  readonly type: 'order.cancel';
  readonly orderId: string;
  readonly reason?: string;
}

export type OrderOutcome = 'filled' | 'cancelled' | 'expired' | 'rejected';

/** The parent order is finished: no more decisions or fills for it. */
export interface OrderDoneEvent extends LiveEventEnvelope {
  readonly type: 'order.done';
  readonly orderId: string;
  /** Shares filled over the order's life, ≥ 0. */
  readonly filledQuantity: number;
  readonly outcome: OrderOutcome;
}

/** One inference of the live model for one parent order: exactly what it saw and what it answered. */
export interface DecisionEvent extends LiveEventEnvelope {
  readonly type: 'decision';
  readonly orderId: string;
  /** The deployment (routing slot) that served this order. */
  readonly deployment: string;
  readonly model: string;
  readonly version: string;
  /** Lowercase hex sha256 of the artifact that ran: binds the decision to the exact registered bytes. */
  readonly sha256: string;
  /** Feature names in the model's input column order (the catalog's names, e.g. spread_bps); unique. */
  readonly featureNames: readonly string[];
  /** The float inputs it used, aligned with featureNames; finite. */
  readonly features: readonly number[];
  /** Action names in output column order (e.g. participation, aggression); unique. */
  readonly actionNames: readonly string[];
  /** The outputs, aligned with actionNames; finite. */
  readonly actions: readonly number[];
}

export type Liquidity = 'maker' | 'taker';

/** An execution report: one fill of one child order of a parent order. */
export interface FillEvent extends LiveEventEnvelope {
  readonly type: 'fill';
  readonly orderId: string;
  readonly childOrderId: string;
  readonly tickSize: number;
  readonly priceTicks: number;
  /** Shares, > 0. */
  readonly quantity: number;
  /** maker = our resting child order was hit; taker = it crossed the spread. */
  readonly liquidity: Liquidity;
}

export type LiveEvent =
  | BookUpdateEvent
  | TradeEvent
  | OrderNewEvent
  | OrderAmendEvent
  | OrderCancelEvent
  | OrderDoneEvent
  | DecisionEvent
  | FillEvent;

export const channelOf = (type: LiveEventType): LiveChannel => LIVE_EVENT_CHANNEL[type];

/** Nanoseconds in one calendar day. */
export const NS_PER_DAY = 86_400_000_000_000;

/**
 * b − a in event time, ns, across sessions by whole calendar days (a DST day's 23 or 25 hours are not
 * corrected for: good enough for a lag gauge, not for accounting).
 */
export function eventTimeDeltaNs(a: Pick<LiveEvent, 'session' | 'tsNs'>, b: Pick<LiveEvent, 'session' | 'tsNs'>): number {
  if (a.session === b.session) return b.tsNs - a.tsNs;
  const days = (Date.parse(`${b.session}T00:00:00Z`) - Date.parse(`${a.session}T00:00:00Z`)) / 86_400_000;
  return days * NS_PER_DAY + (b.tsNs - a.tsNs);
}
