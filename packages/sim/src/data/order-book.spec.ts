import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { EMPTY_ASK_TICKS, EMPTY_BID_TICKS } from './market-day.js';
import { ApplyOutcome, OrderBook, Side } from './order-book.js';

describe('OrderBook', () => {
  it('keeps price-time priority: FIFO per price, best price first', () => {
    const book = new OrderBook();
    book.apply({ type: 1, orderId: 1, size: 100, price: 100, direction: 1 });
    book.apply({ type: 1, orderId: 2, size: 50, price: 100, direction: 1 });
    book.applyEvent(1, 3, 70, 101, 1);
    book.applyEvent(1, 4, 20, 103, -1);
    book.applyEvent(1, 5, 30, 102, -1);
    expect(book.bestBid()).toBe(101);
    expect(book.bestAsk()).toBe(102);
    expect(book.queue(Side.Bid, 100)).toEqual([
      { orderId: 1, size: 100 },
      { orderId: 2, size: 50 },
    ]);
    expect(book.queueAhead(2)).toBe(100);
    expect(book.queueAhead(1)).toBe(0);
    const levels = book.levels(3);
    expect(Array.from(levels.bidPrice)).toEqual([101, 100, EMPTY_BID_TICKS]);
    expect(Array.from(levels.bidSize)).toEqual([70, 150, 0]);
    expect(Array.from(levels.askPrice)).toEqual([102, 103, EMPTY_ASK_TICKS]);
  });

  it('applies partial cancels, deletes and executions to known orders, and drops empty levels', () => {
    const book = new OrderBook();
    book.applyEvent(1, 1, 100, 100, 1);
    book.applyEvent(1, 2, 50, 100, 1);
    expect(book.applyEvent(2, 1, 30, 100, 1)).toBe(ApplyOutcome.Applied);
    expect(book.orderSize(1)).toBe(70);
    expect(book.applyEvent(4, 1, 70, 100, 1)).toBe(ApplyOutcome.Applied);
    expect(book.hasOrder(1)).toBe(false);
    expect(book.queueAhead(2)).toBe(0);
    expect(book.applyEvent(3, 2, 50, 100, 1)).toBe(ApplyOutcome.Applied);
    expect(book.levelCount(Side.Bid)).toBe(0);
    expect(book.bestBid()).toBe(EMPTY_BID_TICKS);
  });

  it('takes cancels of unknown orders out of anonymous volume, oldest first, and flags what it cannot explain', () => {
    const book = new OrderBook();
    book.setLevelSize(Side.Ask, 200, 300);
    book.applyEvent(1, 9, 100, 200, -1);
    expect(book.queueAhead(9)).toBe(300);
    expect(book.applyEvent(4, 77, 120, 200, -1)).toBe(ApplyOutcome.Anonymous);
    expect(book.queueAhead(9)).toBe(180);
    expect(book.sizeAt(Side.Ask, 200)).toBe(280);
    // 200 more than the anonymous 180 cannot be explained: applied as far as possible and reported.
    expect(book.applyEvent(3, 78, 200, 200, -1)).toBe(ApplyOutcome.Inconsistent);
    expect(book.applyEvent(3, 79, 10, 999, -1)).toBe(ApplyOutcome.Inconsistent);
    expect(book.applyEvent(1, 9, 10, 200, -1)).toBe(ApplyOutcome.Inconsistent);
    expect(book.applyEvent(5, 0, 10, 200, -1)).toBe(ApplyOutcome.NoBookChange);
  });

  it('reconciles a level to a size: adds anonymous volume at the back, removes anonymous first', () => {
    const book = new OrderBook();
    book.setLevelSize(Side.Bid, 100, 50);
    book.applyEvent(1, 1, 100, 100, 1);
    book.setLevelSize(Side.Bid, 100, 200);
    expect(book.queue(Side.Bid, 100)).toEqual([
      { orderId: 0, size: 50 },
      { orderId: 1, size: 100 },
      { orderId: 0, size: 50 },
    ]);
    book.setLevelSize(Side.Bid, 100, 60);
    expect(book.queue(Side.Bid, 100)).toEqual([{ orderId: 1, size: 60 }]);
    book.anonymizeLevel(Side.Bid, 100);
    expect(book.hasOrder(1)).toBe(false);
    expect(book.queue(Side.Bid, 100)).toEqual([{ orderId: 0, size: 60 }]);
    book.setLevelSize(Side.Bid, 100, 0);
    expect(book.levelCount(Side.Bid)).toBe(0);
  });

  it('keeps a known order’s queue place when LOBSTER deletes fewer shares than the book thought it had', () => {
    const book = new OrderBook();
    book.applyEvent(1, 1, 100, 100, 1);
    book.applyEvent(1, 2, 100, 100, 1);
    book.applyEvent(3, 1, 60, 100, 1);
    expect(book.queue(Side.Bid, 100)).toEqual([
      { orderId: 0, size: 40 },
      { orderId: 2, size: 100 },
    ]);
  });

  it('truncates depth and reports depth of prices', () => {
    const book = new OrderBook();
    for (let p = 100; p < 110; p++) book.applyEvent(1, p, 10, p, -1);
    expect(book.depthOf(Side.Ask, 104)).toBe(4);
    book.truncate(Side.Ask, 3);
    expect(book.levelCount(Side.Ask)).toBe(3);
    expect(book.hasOrder(105)).toBe(false);
    expect(book.front(Side.Ask)).toEqual({ orderId: 100, size: 10 });
  });

  it('property: level totals always equal the sum of their queues, and the book never crosses its own sides', () => {
    const op = fc.record({
      kind: fc.integer({ min: 0, max: 9 }),
      side: fc.constantFrom(1, -1),
      offset: fc.integer({ min: 0, max: 6 }),
      size: fc.integer({ min: 1, max: 300 }),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const book = new OrderBook();
        const ids: number[] = [];
        let next = 1;
        for (const o of ops) {
          if (o.kind < 5 || ids.length === 0) {
            // Bids at 90..96, asks at 100..106: never crossing.
            const price = o.side === 1 ? 96 - o.offset : 100 + o.offset;
            book.applyEvent(1, next, o.size, price, o.side);
            ids.push(next++);
          } else {
            const id = ids[o.pick % ids.length]!;
            const size = book.orderSize(id);
            const price = book.orderPrice(id);
            const side = book.orderSide(id);
            if (price === undefined || side === undefined) continue;
            const type = o.kind === 9 ? 3 : o.kind % 2 === 0 ? 2 : 4;
            const amount = type === 3 ? size : Math.min(size, o.size);
            expect(book.applyEvent(type, id, amount, price, side)).toBe(ApplyOutcome.Applied);
          }
        }
        for (const side of [Side.Bid, Side.Ask]) {
          for (let d = 0; d < book.levelCount(side); d++) {
            const price = book.levelPrice(side, d);
            const queued = book.queue(side, price).reduce((sum, e) => sum + e.size, 0);
            expect(queued).toBe(book.levelSize(side, d));
            expect(queued).toBeGreaterThan(0);
            if (d > 0) expect(side === Side.Bid ? price < book.levelPrice(side, d - 1) : price > book.levelPrice(side, d - 1)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
