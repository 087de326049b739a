import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS, type LobsterEventType, type MarketDay } from './market-day.js';
import { ApplyOutcome, OrderBook, Side } from './order-book.js';

/**
 * Rebuilds the order-level book of a MarketDay from its messages, and checks it against the day's book columns.
 *
 * Method (documented in docs/market-data.md):
 * 1. Seed. Row 0 is the book after message 0; the book before it is not given. The book is seeded with row 0's
 *    levels as anonymous volume (no order IDs), and if message 0 is a submission its order is put at the back of
 *    its level, the rest of the level staying anonymous ahead of it. Row 0 is therefore not checked.
 * 2. Replay. Messages 1…n-1 are applied to the order-level book (FIFO per price, order IDs tracked); cancels and
 *    executions of orders the book never saw come out of the anonymous volume at their price.
 * 3. Depth entering the view. LOBSTER's message file only holds events that touch the top L levels, so when a
 *    message removes a visible level, the level that moves up into position L was never described: it may have
 *    changed any number of times while it was out of view. Only then, and only for that one slot, the rebuilt
 *    book takes the level at position L of the same row from the file (levels the book still holds between
 *    position L-1 and that price vanished unseen and are removed; the level's size is reconciled with anonymous
 *    volume). Positions 1…L-1 are never taken from the file, and every other row is compared in full, so the
 *    check can fail. `learnedLevels` counts these reads; with L = 1 every removal of the touch is such a read.
 * 4. Compare. After every message k ≥ 1, the top L levels of the rebuilt book are compared with row k.
 * The rebuilt book is not resynchronised after a mismatch: one wrong step shows in every row after it, and the
 * first mismatches point at its origin.
 */
export interface BookMismatch {
  /** Message index (0-based row of the MarketDay). */
  readonly index: number;
  readonly timeNs: number;
  readonly side: 'ask' | 'bid';
  /** 1-based level. */
  readonly level: number;
  /** From the file (ticks, shares). */
  readonly expectedPrice: number;
  readonly expectedSize: number;
  /** Rebuilt from the messages. */
  readonly actualPrice: number;
  readonly actualSize: number;
  readonly detail: string;
}

export interface VerifyReport {
  readonly instrument: string;
  readonly date: string;
  readonly messages: number;
  readonly levels: number;
  /** Rows compared: every row but the seed row 0 (0 when the day has no book columns). */
  readonly checkedRows: number;
  /** Rows whose rebuilt top L levels differ from the file. */
  readonly mismatches: number;
  /** The first mismatching rows (one entry per row: its first differing level). */
  readonly firstMismatches: readonly BookMismatch[];
  /** Messages by LOBSTER event type 1..7. */
  readonly eventCounts: Readonly<Record<LobsterEventType, number>>;
  /** Times a level entering the view at position L was read from the file (see method, step 3). */
  readonly learnedLevels: number;
  /** Cancels/executions of orders the book never saw, taken out of seeded or learned anonymous volume. */
  readonly anonymousRefs: number;
  /** Messages the rebuilt book could not apply cleanly (e.g. unknown order with no volume at its price). */
  readonly inconsistentMessages: number;
  /** Known orders resting in the rebuilt book at the end. */
  readonly ordersTracked: number;
}

const isEmptyPrice = (price: number): boolean => price === EMPTY_ASK_TICKS || price === EMPTY_BID_TICKS;

/**
 * Steps an order-level book through a MarketDay, learning depth only as the method above allows. The execution
 * engine can drive it too: after `step(k)`, `book` is the market before the engine's own orders at message k.
 */
export class BookReconstructor {
  readonly book = new OrderBook();
  learnedLevels = 0;
  anonymousRefs = 0;
  inconsistent = 0;
  private readonly levels: number;

  constructor(private readonly day: MarketDay) {
    this.levels = day.levels;
  }

  /** Seeds the book from row 0 and message 0 (see method, step 1). */
  seed(): void {
    const { day, book, levels } = this;
    book.clear();
    if (day.length === 0 || levels === 0) return;
    for (let i = 0; i < levels; i++) {
      if (day.askPrice[i] !== EMPTY_ASK_TICKS) book.setLevelSize(Side.Ask, day.askPrice[i]!, day.askSize[i]!);
      if (day.bidPrice[i] !== EMPTY_BID_TICKS) book.setLevelSize(Side.Bid, day.bidPrice[i]!, day.bidSize[i]!);
    }
    const direction = day.direction[0]!;
    if (day.type[0] === 1 && (direction === 1 || direction === -1)) {
      const side = direction as Side;
      const price = day.price[0]!;
      const total = book.sizeAt(side, price);
      const size = day.size[0]!;
      if (total >= size) {
        book.setLevelSize(side, price, total - size);
        book.add(side, day.orderId[0]!, size, price);
      } else {
        this.inconsistent++;
      }
    }
  }

  /** Applies message k ≥ 1, then learns the level entering the view if the message removed a visible one. */
  step(k: number): void {
    const { day, book, levels } = this;
    const type = day.type[k]!;
    if (type !== 2 && type !== 3 && type !== 4) {
      if (book.applyRow(day, k) === ApplyOutcome.Inconsistent) this.inconsistent++;
      return;
    }
    const direction = day.direction[k]!;
    const orderId = day.orderId[k]!;
    const side = (direction === 1 ? Side.Bid : Side.Ask) as Side;
    // A known order acts on the level it rests at; an unknown one on the level named by the message.
    const price = book.orderPrice(orderId) ?? day.price[k]!;
    const depthBefore = book.depthOf(side, price);
    const outcome = book.applyRow(day, k);
    if (outcome === ApplyOutcome.Inconsistent) this.inconsistent++;
    else if (outcome === ApplyOutcome.Anonymous) this.anonymousRefs++;
    if (depthBefore >= 0 && depthBefore < levels && book.depthOf(side, price) < 0) this.learn(side, k);
  }

  /** Step 3 of the method: read the level now at position L on `side` from row k. */
  private learn(side: Side, k: number): void {
    const { day, book, levels } = this;
    const offset = k * levels + levels - 1;
    const price = side === Side.Bid ? day.bidPrice[offset]! : day.askPrice[offset]!;
    const size = side === Side.Bid ? day.bidSize[offset]! : day.askSize[offset]!;
    // Learning may only fill position L: the rebuilt positions 1…L-1 must all be there, and the new level
    // must sit strictly behind position L-1. Otherwise leave the book alone and let the comparison speak.
    if (book.levelCount(side) < levels - 1) return;
    if (isEmptyPrice(price)) {
      book.truncate(side, levels - 1);
      this.learnedLevels++;
      return;
    }
    const better = (a: number, b: number): boolean => (side === Side.Bid ? a > b : a < b);
    if (levels >= 2 && !better(book.levelPrice(side, levels - 2), price)) return;
    while (book.levelCount(side) >= levels && better(book.levelPrice(side, levels - 1), price)) {
      book.removeLevel(side, book.levelPrice(side, levels - 1));
    }
    // Orders the book remembers at this price from before it left the view may be gone or joined by others.
    book.anonymizeLevel(side, price);
    book.setLevelSize(side, price, size);
    this.learnedLevels++;
  }
}

/** Rebuilds the book from the messages and compares it with the book columns after every message. */
export function verifyLobster(day: MarketDay, options: { maxExamples?: number } = {}): VerifyReport {
  const maxExamples = options.maxExamples ?? 10;
  const L = day.levels;
  const eventCounts: Record<LobsterEventType, number> = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 0 };
  for (let k = 0; k < day.length; k++) {
    const type = day.type[k]! as LobsterEventType;
    if (type >= 1 && type <= 7) eventCounts[type]++;
  }
  const rebuilt = new BookReconstructor(day);
  const firstMismatches: BookMismatch[] = [];
  let mismatches = 0;
  let checkedRows = 0;

  if (L > 0 && day.length > 0) {
    rebuilt.seed();
    const askPrice = new Int32Array(L);
    const askSize = new Int32Array(L);
    const bidPrice = new Int32Array(L);
    const bidSize = new Int32Array(L);
    for (let k = 1; k < day.length; k++) {
      rebuilt.step(k);
      rebuilt.book.writeLevels(L, askPrice, askSize, bidPrice, bidSize, 0);
      checkedRows++;
      const base = k * L;
      for (let i = 0; i < L; i++) {
        const askDiffers = askPrice[i] !== day.askPrice[base + i] || askSize[i] !== day.askSize[base + i];
        const bidDiffers = bidPrice[i] !== day.bidPrice[base + i] || bidSize[i] !== day.bidSize[base + i];
        if (!askDiffers && !bidDiffers) continue;
        mismatches++;
        if (firstMismatches.length < maxExamples) {
          const side = askDiffers ? 'ask' : 'bid';
          const expectedPrice = askDiffers ? day.askPrice[base + i]! : day.bidPrice[base + i]!;
          const expectedSize = askDiffers ? day.askSize[base + i]! : day.bidSize[base + i]!;
          const actualPrice = askDiffers ? askPrice[i]! : bidPrice[i]!;
          const actualSize = askDiffers ? askSize[i]! : bidSize[i]!;
          firstMismatches.push({
            index: k,
            timeNs: day.timeNs[k]!,
            side,
            level: i + 1,
            expectedPrice,
            expectedSize,
            actualPrice,
            actualSize,
            detail:
              `after message ${k} (type ${day.type[k]}, order ${day.orderId[k]}, ${day.size[k]} @ ${day.price[k]}): ` +
              `${side} level ${i + 1} file ${describe(expectedPrice, expectedSize)}, rebuilt ${describe(actualPrice, actualSize)}`,
          });
        }
        break;
      }
    }
  }
  return {
    instrument: day.instrument,
    date: day.date,
    messages: day.length,
    levels: L,
    checkedRows,
    mismatches,
    firstMismatches,
    eventCounts,
    learnedLevels: rebuilt.learnedLevels,
    anonymousRefs: rebuilt.anonymousRefs,
    inconsistentMessages: rebuilt.inconsistent,
    ordersTracked: rebuilt.book.orderCount,
  };
}

function describe(price: number, size: number): string {
  return isEmptyPrice(price) ? 'empty' : `${size} @ ${price}`;
}
