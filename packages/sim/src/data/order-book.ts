import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type MarketDay } from './market-day.js';

/**
 * An order-level limit order book: per price a FIFO queue of (orderId, size), so a simulated resting order gets
 * its exact queue position from the order IDs in the data. Used to rebuild and verify LOBSTER books, by the
 * synthetic generator as its ground truth, and by the execution engine for queue positions.
 *
 * Units: prices in integer ticks, sizes in shares. Sides use LOBSTER's direction of the resting order:
 * +1 buy (bid), -1 sell (ask).
 *
 * Volume whose order IDs are unknown (the book a replay is seeded with, depth learned when a level comes into
 * view) is kept as *anonymous* queue entries: they hold their place in the FIFO, and an execution or cancel of an
 * order ID the book has never seen is taken out of the anonymous volume at that price, oldest first.
 */
export const Side = { Bid: 1, Ask: -1 } as const;
export type Side = (typeof Side)[keyof typeof Side];

/** What `apply` did with a message; the book never throws on data, it reports. */
export const ApplyOutcome = {
  /** Applied to a known order (or a new order added). */
  Applied: 0,
  /** The message does not change the visible book (types 5, 6, 7). */
  NoBookChange: 1,
  /** Order ID unknown to the book: the size was taken out of the anonymous volume at its price. */
  Anonymous: 2,
  /** The message disagrees with the book (unknown order and not enough anonymous volume, missing level,
   *  duplicate order ID, bad side): applied as far as possible, the book may now differ from the data. */
  Inconsistent: 3,
} as const;
export type ApplyOutcome = (typeof ApplyOutcome)[keyof typeof ApplyOutcome];

/** One LOBSTER message, as the book needs it: prices in ticks, sizes in shares, direction +1 bid / -1 ask. */
export interface BookMessage {
  readonly type: number;
  readonly orderId: number;
  readonly size: number;
  readonly price: number;
  readonly direction: number;
}

/** One entry of a price level's queue, front (oldest) first. orderId 0 = anonymous volume. */
export interface QueueEntry {
  readonly orderId: number;
  readonly size: number;
}

/** The top n levels of a book, laid out like a MarketDay row; empty levels hold the sentinels with size 0. */
export interface BookLevels {
  readonly askPrice: Int32Array;
  readonly askSize: Int32Array;
  readonly bidPrice: Int32Array;
  readonly bidSize: Int32Array;
}

class Entry {
  constructor(
    /** 0 for anonymous volume. */
    readonly orderId: number,
    /** Shares still resting; 0 once removed. */
    public size: number,
    public level: Level | null,
  ) {}
}

class Level {
  total = 0;
  /** FIFO; entries before `head` and entries with size 0 are dead (lazy removal keeps cancels O(1)). */
  queue: Entry[] = [];
  head = 0;
  dead = 0;
  constructor(
    readonly side: Side,
    readonly price: number,
  ) {}

  push(entry: Entry): void {
    this.queue.push(entry);
    this.total += entry.size;
  }

  /** Marks an entry removed; compacts once dead entries dominate. */
  kill(entry: Entry): void {
    this.total -= entry.size;
    entry.size = 0;
    entry.level = null;
    this.dead++;
    while (this.head < this.queue.length && this.queue[this.head]!.size === 0) {
      this.head++;
      this.dead--;
    }
    if (this.dead > 16 && this.dead * 2 > this.queue.length - this.head) this.compact();
    else if (this.head > 64 && this.head * 2 > this.queue.length) this.compact();
  }

  compact(): void {
    const live: Entry[] = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const entry = this.queue[i]!;
      if (entry.size > 0) live.push(entry);
    }
    this.queue = live;
    this.head = 0;
    this.dead = 0;
  }
}

/** One side's price levels, stored worst → best so that changes at the touch are at the end of the array. */
class BookSide {
  readonly levels: Level[] = [];
  readonly byPrice = new Map<number, Level>();
  constructor(readonly side: Side) {}

  /** Sort key ascending from worst to best: bids by price, asks by -price. */
  private key(price: number): number {
    return this.side === Side.Bid ? price : -price;
  }

  /** Index into `levels` where a level with this price is or would be inserted. */
  private position(price: number): number {
    const key = this.key(price);
    let lo = 0;
    let hi = this.levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.key(this.levels[mid]!.price) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  getOrCreate(price: number): Level {
    let level = this.byPrice.get(price);
    if (level === undefined) {
      level = new Level(this.side, price);
      this.levels.splice(this.position(price), 0, level);
      this.byPrice.set(price, level);
    }
    return level;
  }

  remove(level: Level): void {
    const at = this.position(level.price);
    if (this.levels[at] === level) this.levels.splice(at, 1);
    this.byPrice.delete(level.price);
  }

  /** Depth index of a price (0 = best), or -1 when no level has it. */
  depthOf(price: number): number {
    const level = this.byPrice.get(price);
    if (level === undefined) return -1;
    return this.levels.length - 1 - this.position(price);
  }

  at(depth: number): Level | undefined {
    return this.levels[this.levels.length - 1 - depth];
  }
}

export class OrderBook {
  private readonly bids = new BookSide(Side.Bid);
  private readonly asks = new BookSide(Side.Ask);
  private readonly orders = new Map<number, Entry>();

  private sideOf(side: Side): BookSide {
    return side === Side.Bid ? this.bids : this.asks;
  }

  /** Number of orders with a known ID resting in the book. */
  get orderCount(): number {
    return this.orders.size;
  }

  /** Number of occupied price levels on a side (all depth the book knows, not only the top n). */
  levelCount(side: Side): number {
    return this.sideOf(side).levels.length;
  }

  /** Price (ticks) of the level at depth (0 = best), or the side's empty sentinel. */
  levelPrice(side: Side, depth: number): number {
    const level = this.sideOf(side).at(depth);
    if (level !== undefined) return level.price;
    return side === Side.Bid ? EMPTY_BID_TICKS : EMPTY_ASK_TICKS;
  }

  /** Total visible shares of the level at depth (0 = best); 0 when absent. */
  levelSize(side: Side, depth: number): number {
    return this.sideOf(side).at(depth)?.total ?? 0;
  }

  /** Depth (0 = best) of the level at a price, or -1. */
  depthOf(side: Side, price: number): number {
    return this.sideOf(side).depthOf(price);
  }

  /** Visible shares at a price (0 if no level). */
  sizeAt(side: Side, price: number): number {
    return this.sideOf(side).byPrice.get(price)?.total ?? 0;
  }

  bestBid(): number {
    return this.levelPrice(Side.Bid, 0);
  }

  bestAsk(): number {
    return this.levelPrice(Side.Ask, 0);
  }

  hasOrder(orderId: number): boolean {
    return this.orders.has(orderId);
  }

  /** Shares still resting for an order, 0 if unknown or gone. */
  orderSize(orderId: number): number {
    return this.orders.get(orderId)?.size ?? 0;
  }

  /** Price (ticks) of a resting order, or undefined. */
  orderPrice(orderId: number): number | undefined {
    return this.orders.get(orderId)?.level?.price;
  }

  /** Side of a resting order, or undefined. */
  orderSide(orderId: number): Side | undefined {
    return this.orders.get(orderId)?.level?.side;
  }

  /**
   * Shares queued ahead of an order at its price (known and anonymous), i.e. what must trade or cancel before
   * it fills. Undefined if the order is not resting. O(queue length).
   */
  queueAhead(orderId: number): number | undefined {
    const entry = this.orders.get(orderId);
    const level = entry?.level;
    if (entry === undefined || level === null || level === undefined) return undefined;
    let ahead = 0;
    for (let i = level.head; i < level.queue.length; i++) {
      const other = level.queue[i]!;
      if (other === entry) return ahead;
      ahead += other.size;
    }
    return undefined;
  }

  /** The first live entry of the level at depth (0 = best): the next to trade there. */
  front(side: Side, depth = 0): QueueEntry | undefined {
    const level = this.sideOf(side).at(depth);
    if (level === undefined) return undefined;
    for (let i = level.head; i < level.queue.length; i++) {
      const entry = level.queue[i]!;
      if (entry.size > 0) return { orderId: entry.orderId, size: entry.size };
    }
    return undefined;
  }

  /** The live queue at a price, front first (a copy, for inspection and tests). */
  queue(side: Side, price: number): QueueEntry[] {
    const level = this.sideOf(side).byPrice.get(price);
    if (level === undefined) return [];
    const out: QueueEntry[] = [];
    for (let i = level.head; i < level.queue.length; i++) {
      const entry = level.queue[i]!;
      if (entry.size > 0) out.push({ orderId: entry.orderId, size: entry.size });
    }
    return out;
  }

  /** Removes everything. */
  clear(): void {
    for (const side of [this.bids, this.asks]) {
      side.levels.length = 0;
      side.byPrice.clear();
    }
    this.orders.clear();
  }

  /**
   * Applies one LOBSTER message: 1 submit, 2 partial cancel, 3 delete, 4 visible execution change the book;
   * 5 hidden execution, 6 cross and 7 halt do not. `direction` is the resting order's side (+1 bid, -1 ask).
   * Cancels and executions of a known order act on that order wherever it rests; of an unknown order, on the
   * anonymous volume at (direction, price).
   */
  apply(message: BookMessage): ApplyOutcome {
    return this.applyEvent(message.type, message.orderId, message.size, message.price, message.direction);
  }

  /** Applies message k of a MarketDay (no allocation). */
  applyRow(day: MarketDay, k: number): ApplyOutcome {
    return this.applyEvent(day.type[k]!, day.orderId[k]!, day.size[k]!, day.price[k]!, day.direction[k]!);
  }

  /** `apply` with the message's fields as arguments (no allocation, for hot loops). */
  applyEvent(type: number, orderId: number, size: number, price: number, direction: number): ApplyOutcome {
    if (type === 5 || type === 6 || type === 7) return ApplyOutcome.NoBookChange;
    if (direction !== 1 && direction !== -1) return ApplyOutcome.Inconsistent;
    if (size <= 0) return ApplyOutcome.Inconsistent;
    const side = direction as Side;
    if (type === 1) return this.add(side, orderId, size, price);
    if (type !== 2 && type !== 3 && type !== 4) return ApplyOutcome.Inconsistent;

    const entry = this.orders.get(orderId);
    if (entry !== undefined && entry.level !== null) {
      const level = entry.level;
      if (type === 3 || size >= entry.size) {
        // The order leaves the book. LOBSTER gives the shares removed; if our record of the order is larger (it
        // lost shares while out of the file's view), the difference stays in the queue as anonymous volume, and
        // if smaller, the excess comes out of the anonymous volume.
        const excess = entry.size - size;
        this.orders.delete(orderId);
        let outcome: ApplyOutcome = ApplyOutcome.Applied;
        if (excess > 0) {
          // Replace the entry in place: same queue position.
          const anon = new Entry(0, excess, level);
          const index = level.queue.indexOf(entry, level.head);
          level.queue[index] = anon;
          level.total -= size;
          entry.size = 0;
          entry.level = null;
        } else {
          level.kill(entry);
          if (excess < 0 && this.takeAnonymous(level, -excess) < -excess) outcome = ApplyOutcome.Inconsistent;
        }
        if (level.total <= 0) this.dropLevel(level);
        return outcome;
      }
      entry.size -= size;
      level.total -= size;
      return ApplyOutcome.Applied;
    }

    // Unknown order: it was part of the volume the book was seeded with or learned.
    const level = this.sideOf(side).byPrice.get(price);
    if (level === undefined) return ApplyOutcome.Inconsistent;
    const taken = this.takeAnonymous(level, size);
    if (level.total <= 0) this.dropLevel(level);
    return taken === size ? ApplyOutcome.Anonymous : ApplyOutcome.Inconsistent;
  }

  /** Adds a new order at the back of its price's queue. */
  add(side: Side, orderId: number, size: number, price: number): ApplyOutcome {
    if (this.orders.has(orderId) || orderId === 0) return ApplyOutcome.Inconsistent;
    const level = this.sideOf(side).getOrCreate(price);
    const entry = new Entry(orderId, size, level);
    level.push(entry);
    this.orders.set(orderId, entry);
    return ApplyOutcome.Applied;
  }

  /**
   * Sets the total visible size at a price without order IDs: adds anonymous volume at the back of the queue
   * (orders that arrived unseen), or removes it from the anonymous volume first, then from the newest known
   * orders. Size 0 removes the level. Used to seed a book from a snapshot and to learn depth that comes into view.
   */
  setLevelSize(side: Side, price: number, size: number): void {
    const bookSide = this.sideOf(side);
    if (size <= 0) {
      const level = bookSide.byPrice.get(price);
      if (level !== undefined) this.dropLevel(level);
      return;
    }
    const level = bookSide.getOrCreate(price);
    if (size > level.total) {
      level.push(new Entry(0, size - level.total, level));
      return;
    }
    let excess = level.total - size;
    excess -= this.takeAnonymous(level, excess);
    while (excess > 0) {
      // The newest live entry; re-found each time because kill() may compact the queue.
      let i = level.queue.length - 1;
      while (i >= level.head && level.queue[i]!.size === 0) i--;
      if (i < level.head) break;
      const entry = level.queue[i]!;
      if (entry.size <= excess) {
        excess -= entry.size;
        this.orders.delete(entry.orderId);
        level.kill(entry);
      } else {
        entry.size -= excess;
        level.total -= excess;
        excess = 0;
      }
    }
  }

  /**
   * Forgets the order IDs at a price: each known order becomes anonymous volume of the same size in the same
   * queue place. For a level that was out of view, whose orders may have changed unseen.
   */
  anonymizeLevel(side: Side, price: number): void {
    const level = this.sideOf(side).byPrice.get(price);
    if (level === undefined) return;
    for (let i = level.head; i < level.queue.length; i++) {
      const entry = level.queue[i]!;
      if (entry.orderId === 0 || entry.size === 0) continue;
      this.orders.delete(entry.orderId);
      level.queue[i] = new Entry(0, entry.size, level);
      entry.size = 0;
      entry.level = null;
    }
  }

  /** Removes the level at a price with all its orders. */
  removeLevel(side: Side, price: number): void {
    const level = this.sideOf(side).byPrice.get(price);
    if (level !== undefined) this.dropLevel(level);
  }

  /** Keeps the best `keep` levels of a side and removes the rest. */
  truncate(side: Side, keep: number): void {
    const bookSide = this.sideOf(side);
    while (bookSide.levels.length > keep) this.dropLevel(bookSide.levels[0]!);
  }

  /** The top n levels per side (allocates; see writeLevels for the allocation-free form). */
  levels(n: number): BookLevels {
    const out = {
      askPrice: new Int32Array(n),
      askSize: new Int32Array(n),
      bidPrice: new Int32Array(n),
      bidSize: new Int32Array(n),
    };
    this.writeLevels(n, out.askPrice, out.askSize, out.bidPrice, out.bidSize, 0);
    return out;
  }

  /** Writes the top n levels per side at `offset` of MarketDay-style columns. */
  writeLevels(
    n: number,
    askPrice: Int32Array,
    askSize: Int32Array,
    bidPrice: Int32Array,
    bidSize: Int32Array,
    offset: number,
  ): void {
    const asks = this.asks.levels;
    const bids = this.bids.levels;
    for (let i = 0; i < n; i++) {
      const ask = asks[asks.length - 1 - i];
      askPrice[offset + i] = ask === undefined ? EMPTY_ASK_TICKS : ask.price;
      askSize[offset + i] = ask === undefined ? 0 : ask.total;
      const bid = bids[bids.length - 1 - i];
      bidPrice[offset + i] = bid === undefined ? EMPTY_BID_TICKS : bid.price;
      bidSize[offset + i] = bid === undefined ? 0 : bid.total;
    }
  }

  /** Takes up to `amount` shares from the anonymous entries of a level, oldest first; returns shares taken. */
  private takeAnonymous(level: Level, amount: number): number {
    let taken = 0;
    for (let i = level.head; taken < amount && i < level.queue.length; i++) {
      const entry = level.queue[i]!;
      if (entry.orderId !== 0 || entry.size === 0) continue;
      const take = Math.min(entry.size, amount - taken);
      taken += take;
      if (take === entry.size) {
        level.kill(entry);
        // kill may have compacted the queue: restart the scan (anonymous entries are few).
        i = level.head - 1;
      } else {
        entry.size -= take;
        level.total -= take;
      }
    }
    return taken;
  }

  private dropLevel(level: Level): void {
    for (let i = level.head; i < level.queue.length; i++) {
      const entry = level.queue[i]!;
      if (entry.orderId !== 0 && entry.size > 0) this.orders.delete(entry.orderId);
      entry.size = 0;
      entry.level = null;
    }
    level.total = 0;
    this.sideOf(level.side).remove(level);
  }
}
