import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@airlock/core';
import { generateSyntheticDay } from '../data/synthetic-day.generator.js';
import { VolumeCurve } from '../features/volume-curve.js';
import { formatParentOrdersCsv, formatTimeOfDayNs, parseParentOrdersCsv, parseTimeOfDayNs } from './order-csv.js';
import { generateParentOrders } from './order-generator.js';
import { validateParentOrders } from './parent-order.js';

const problemsOf = (fn: () => unknown): { field: string; message: string }[] => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return [...((error as DomainError).details.errors ?? [])];
  }
  throw new Error('expected a DomainError');
};

describe('parent orders from CSV', () => {
  it('parses sides, clock times with nanoseconds, optional limit and urgency', () => {
    const csv = [
      '# a comment',
      'id,side,quantity,start,end,limit_ticks,urgency',
      'a,buy,2700,10:00:00,10:30:00,,',
      'b,S,100,10:00:00.000000001,36060000000000,58000,0.9',
      '',
    ].join('\r\n');
    expect(parseParentOrdersCsv(csv)).toEqual([
      { id: 'a', side: 'buy', quantity: 2700, startNs: 36_000e9, endNs: 37_800e9, urgency: 0.5 },
      { id: 'b', side: 'sell', quantity: 100, startNs: 36_000e9 + 1, endNs: 36_060e9, limitTicks: 58000, urgency: 0.9 },
    ]);
  });

  it('round-trips through formatParentOrdersCsv', () => {
    const orders = parseParentOrdersCsv('id,side,quantity,start,end,limit_ticks,urgency\nx,sell,5,09:30:00.25,16:00:00,,0.25\n');
    expect(parseParentOrdersCsv(formatParentOrdersCsv(orders))).toEqual(orders);
    expect(formatTimeOfDayNs(34_200_250_000_000)).toBe('09:30:00.25');
    expect(parseTimeOfDayNs('9:30:00')).toBe(34_200e9);
  });

  it('reports every bad field of every row by line and column', () => {
    const csv = [
      'id,side,quantity,start,end,urgency',
      'ok,buy,100,10:00:00,10:10:00,0.5',
      'bad1,hold,-5,10:00:00,09:00:00,2',
      ',buy,1.5,25:00:00,nope,0.5',
      'ok,sell,100,10:00:00,10:10:00,0.5',
      'short,buy,100',
    ].join('\n');
    expect(problemsOf(() => parseParentOrdersCsv(csv, 'orders.csv'))).toEqual([
      { field: 'orders.csv:3.side', message: '"hold" is not buy or sell' },
      { field: 'orders.csv:3.quantity', message: '"-5" is not a positive integer of shares' },
      { field: 'orders.csv:3.end', message: 'is not after start' },
      { field: 'orders.csv:3.urgency', message: '"2" is not a number in [0, 1]' },
      { field: 'orders.csv:4.id', message: 'is empty' },
      { field: 'orders.csv:4.quantity', message: '"1.5" is not a positive integer of shares' },
      { field: 'orders.csv:4.start', message: '"25:00:00" is not a time of day' },
      { field: 'orders.csv:4.end', message: '"nope" is neither HH:MM:SS[.fraction] nor an integer of ns' },
      { field: 'orders.csv:5.id', message: '"ok" was already used on line 2' },
      { field: 'orders.csv:6', message: 'has 3 fields, the header has 6' },
    ]);
  });

  it('rejects a header with unknown or missing columns, and an empty file', () => {
    expect(problemsOf(() => parseParentOrdersCsv('id,side,qty,start,end\n'))).toEqual([
      { field: 'orders.csv:1.qty', message: expect.stringContaining('unknown column') },
      { field: 'orders.csv:1', message: 'header lacks the required column "quantity"' },
    ]);
    expect(problemsOf(() => parseParentOrdersCsv('\n# nothing\n'))).toEqual([{ field: 'orders.csv', message: expect.stringContaining('no header line') }]);
    expect(problemsOf(() => parseParentOrdersCsv('id,side,quantity,start,end\n'))).toEqual([{ field: 'orders.csv', message: 'no orders after the header' }]);
  });

  it('validates programmatic orders, naming each field', () => {
    const problems = problemsOf(() =>
      validateParentOrders([
        { id: 'a', side: 'buy', quantity: 0, startNs: 10, endNs: 5, urgency: 0.5 },
        { id: 'a', side: 'sell', quantity: 1, startNs: 0, endNs: 5, urgency: 0.5, limitTicks: 1.5 },
      ]),
    );
    expect(problems.map((p) => p.field)).toEqual(['orders[0].quantity', 'orders[0].endNs', 'orders[1].limitTicks', 'orders[1].id']);
  });
});

describe('generated parent orders', () => {
  const day = generateSyntheticDay({ seed: 3, regime: 'calm', events: 20_000 });
  const curve = VolumeCurve.fromDay(day);

  it('are reproducible from the seed, on the grid, inside the session, sized as a share of expected volume', () => {
    const options = { count: 200, seed: 11, sizePctRange: [2, 5] as [number, number], durationRangeNs: [60e9, 600e9] as [number, number] };
    const orders = generateParentOrders(day, options);
    expect(generateParentOrders(day, options)).toEqual(orders);
    expect(generateParentOrders(day, { ...options, seed: 12 })).not.toEqual(orders);
    const first = day.timeNs[0] as number;
    const last = day.timeNs[day.length - 1] as number;
    for (const o of orders) {
      expect(o.startNs % 10e9).toBe(0);
      expect(o.endNs % 10e9).toBe(0);
      expect(o.startNs).toBeGreaterThanOrEqual(first);
      expect(o.endNs).toBeLessThanOrEqual(last);
      expect(o.endNs - o.startNs).toBeGreaterThanOrEqual(60e9);
      expect(o.endNs - o.startNs).toBeLessThanOrEqual(600e9);
      const pct = (o.quantity / curve.expected(o.startNs, o.endNs)) * 100;
      // Rounded to whole shares: allow half a share of slack.
      expect(pct).toBeGreaterThanOrEqual(2 - (50 / curve.expected(o.startNs, o.endNs)));
      expect(pct).toBeLessThanOrEqual(5 + (50 / curve.expected(o.startNs, o.endNs)));
    }
    expect(new Set(orders.map((o) => o.side))).toEqual(new Set(['buy', 'sell']));
    expect(() => validateParentOrders(orders)).not.toThrow();
  });

  it('gives limit prices beyond the arrival mid when asked', () => {
    const orders = generateParentOrders(day, { count: 50, seed: 1, limitProbability: 1, limitOffsetBpsRange: [10, 10] });
    for (const o of orders) expect(o.limitTicks).toBeGreaterThan(0);
    expect(problemsOf(() => generateParentOrders(day, { count: 0, seed: 1 })).map((p) => p.field)).toEqual(['orderGeneration.count']);
  });
});
