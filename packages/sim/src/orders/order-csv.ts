import { DomainError, type FieldProblem } from '@airlock/core';
import { parentOrderProblems, type OrderSide, type ParentOrder } from './parent-order.js';

/**
 * Parent orders as CSV, one order a line after a header:
 *
 *     id,side,quantity,start,end,limit_ticks,urgency
 *     o-1,buy,2700,10:00:00,10:30:00,,0.5
 *
 * - side: buy | sell (also b/s, +1/-1, case-insensitive)
 * - start, end: HH:MM:SS[.fraction up to 9 digits] after midnight, or an integer of ns after midnight
 * - limit_ticks (optional column and value): integer ticks
 * - urgency (optional column; default 0.5): in [0, 1]
 * Blank lines and lines starting with `#` are skipped. Every bad field of every row is reported, named
 * `<source>:<line>.<column>`.
 */
export const ORDER_CSV_COLUMNS = ['id', 'side', 'quantity', 'start', 'end', 'limit_ticks', 'urgency'] as const;
const REQUIRED_COLUMNS = ['id', 'side', 'quantity', 'start', 'end'] as const;
const NS_PER_SECOND = 1_000_000_000;

/** Parses `HH:MM:SS[.fffffffff]` or an integer of ns into integer ns after midnight, or returns an error message. */
export function parseTimeOfDayNs(text: string): number | string {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const ns = Number(trimmed);
    return Number.isSafeInteger(ns) ? ns : `"${text}" is too large`;
  }
  const match = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(trimmed);
  if (!match) return `"${text}" is neither HH:MM:SS[.fraction] nor an integer of ns`;
  const [, hh, mm, ss, fraction = ''] = match;
  const hours = Number(hh);
  const minutes = Number(mm);
  const seconds = Number(ss);
  if (hours > 24 || minutes > 59 || seconds > 59) return `"${text}" is not a time of day`;
  // The fraction is read as a digit string so 10:00:00.000000001 stays exact (no float parsing).
  const fractionNs = Number(fraction.padEnd(9, '0'));
  return ((hours * 60 + minutes) * 60 + seconds) * NS_PER_SECOND + fractionNs;
}

/** Formats integer ns after midnight as HH:MM:SS[.fffffffff] (fraction only when non-zero, trailing zeros trimmed). */
export function formatTimeOfDayNs(ns: number): string {
  const seconds = Math.floor(ns / NS_PER_SECOND);
  const fraction = ns - seconds * NS_PER_SECOND;
  const pad = (v: number): string => String(v).padStart(2, '0');
  const base = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(9, '0').replace(/0+$/, '')}`;
}

const parseSide = (text: string): OrderSide | undefined => {
  const v = text.trim().toLowerCase();
  if (v === 'buy' || v === 'b' || v === '+1' || v === '1') return 'buy';
  if (v === 'sell' || v === 's' || v === '-1') return 'sell';
  return undefined;
};

export function parseParentOrdersCsv(text: string, source = 'orders.csv'): ParentOrder[] {
  const lines = text.split(/\r?\n/);
  const problems: FieldProblem[] = [];
  let headerLine = -1;
  let columns: string[] = [];
  const orders: ParentOrder[] = [];
  const firstLineOfId = new Map<string, number>();

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] as string;
    const lineNo = index + 1;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const cells = raw.split(',').map((c) => c.trim());
    if (headerLine < 0) {
      headerLine = lineNo;
      columns = cells.map((c) => c.toLowerCase());
      const unknown = columns.filter((c) => !(ORDER_CSV_COLUMNS as readonly string[]).includes(c));
      const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
      const duplicated = columns.filter((c, i) => columns.indexOf(c) !== i);
      for (const c of unknown) problems.push({ field: `${source}:${lineNo}.${c}`, message: `unknown column (expected ${ORDER_CSV_COLUMNS.join(', ')})` });
      for (const c of missing) problems.push({ field: `${source}:${lineNo}`, message: `header lacks the required column "${c}"` });
      for (const c of duplicated) problems.push({ field: `${source}:${lineNo}.${c}`, message: 'column appears twice' });
      if (problems.length > 0) break;
      continue;
    }
    const at = (name: string): string | undefined => {
      const i = columns.indexOf(name);
      return i < 0 ? undefined : cells[i];
    };
    const rowProblems: FieldProblem[] = [];
    const bad = (column: string, message: string): void => {
      rowProblems.push({ field: `${source}:${lineNo}.${column}`, message });
    };
    if (cells.length !== columns.length) {
      problems.push({ field: `${source}:${lineNo}`, message: `has ${cells.length} fields, the header has ${columns.length}` });
      continue;
    }
    const id = at('id') ?? '';
    if (id === '') bad('id', 'is empty');
    const side = parseSide(at('side') ?? '');
    if (!side) bad('side', `"${at('side')}" is not buy or sell`);
    const quantityText = at('quantity') ?? '';
    const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : Number.NaN;
    if (!(quantity > 0) || !Number.isSafeInteger(quantity)) bad('quantity', `"${quantityText}" is not a positive integer of shares`);
    const start = parseTimeOfDayNs(at('start') ?? '');
    if (typeof start === 'string') bad('start', start);
    const end = parseTimeOfDayNs(at('end') ?? '');
    if (typeof end === 'string') bad('end', end);
    if (typeof start === 'number' && typeof end === 'number' && end <= start) bad('end', 'is not after start');
    const limitText = at('limit_ticks') ?? '';
    let limitTicks: number | undefined;
    if (limitText !== '') {
      limitTicks = /^\d+$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!(limitTicks > 0) || !Number.isSafeInteger(limitTicks)) bad('limit_ticks', `"${limitText}" is not a positive integer of ticks`);
    }
    const urgencyText = at('urgency') ?? '';
    const urgency = urgencyText === '' ? 0.5 : Number(urgencyText);
    if (!Number.isFinite(urgency) || urgency < 0 || urgency > 1) bad('urgency', `"${urgencyText}" is not a number in [0, 1]`);
    const previous = firstLineOfId.get(id);
    if (id !== '' && previous !== undefined) bad('id', `"${id}" was already used on line ${previous}`);
    else if (id !== '') firstLineOfId.set(id, lineNo);

    if (rowProblems.length > 0) {
      problems.push(...rowProblems);
      continue;
    }
    const order: ParentOrder = {
      id,
      side: side as OrderSide,
      quantity,
      startNs: start as number,
      endNs: end as number,
      ...(limitTicks !== undefined ? { limitTicks } : {}),
      urgency,
    };
    // Belt and braces: the same rules runBacktest applies.
    problems.push(...parentOrderProblems(order, `${source}:${lineNo}`));
    orders.push(order);
  }
  if (headerLine < 0) problems.push({ field: source, message: `no header line (expected ${ORDER_CSV_COLUMNS.join(',')})` });
  else if (problems.length === 0 && orders.length === 0) problems.push({ field: source, message: 'no orders after the header' });
  if (problems.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `${source}: ${problems.length} problem(s) in the parent orders`, { errors: problems });
  }
  return orders;
}

export function formatParentOrdersCsv(orders: readonly ParentOrder[]): string {
  const rows = orders.map((o) =>
    [o.id, o.side, o.quantity, formatTimeOfDayNs(o.startNs), formatTimeOfDayNs(o.endNs), o.limitTicks ?? '', o.urgency].join(','),
  );
  return `${ORDER_CSV_COLUMNS.join(',')}\n${rows.join('\n')}\n`;
}
