import { DomainError, type FieldProblem } from '@airlock/core';

export type OrderSide = 'buy' | 'sell';

/**
 * A parent order: what a client asks the execution algorithm to work. Times are integer ns after midnight of
 * the market day; the window is [startNs, endNs).
 */
export interface ParentOrder {
  readonly id: string;
  readonly side: OrderSide;
  /** Shares, positive integer. */
  readonly quantity: number;
  readonly startNs: number;
  readonly endNs: number;
  /** Optional limit price in integer ticks: a buy never pays more, a sell never receives less. */
  readonly limitTicks?: number;
  /**
   * 0 = patient … 1 = urgent. Metadata the strategies may read: Almgren–Chriss scales its risk aversion by
   * 10^(2·(urgency − 0.5)), i.e. ×0.1 at 0, ×1 at 0.5, ×10 at 1. Default 0.5.
   */
  readonly urgency: number;
}

/** +1 buy, −1 sell: the sign convention of every formula in the catalog. */
export const sideSign = (side: OrderSide): 1 | -1 => (side === 'buy' ? 1 : -1);

const isNonNegativeInteger = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** Problems with one order, each named `${prefix}.field`; empty when the order is valid. */
export function parentOrderProblems(order: ParentOrder, prefix: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field: `${prefix}.${field}`, message });
  };
  if (typeof order.id !== 'string' || order.id.length === 0) add('id', 'must be a non-empty string');
  if (order.side !== 'buy' && order.side !== 'sell') add('side', `must be "buy" or "sell" (got ${JSON.stringify(order.side)})`);
  if (!Number.isSafeInteger(order.quantity) || order.quantity <= 0) add('quantity', `must be a positive integer of shares (got ${order.quantity})`);
  if (!isNonNegativeInteger(order.startNs)) add('startNs', `must be a non-negative integer of ns (got ${order.startNs})`);
  if (!isNonNegativeInteger(order.endNs)) add('endNs', `must be a non-negative integer of ns (got ${order.endNs})`);
  else if (isNonNegativeInteger(order.startNs) && order.endNs <= order.startNs) add('endNs', 'must be after startNs');
  if (order.limitTicks !== undefined && (!Number.isSafeInteger(order.limitTicks) || order.limitTicks <= 0)) {
    add('limitTicks', `must be a positive integer of ticks when given (got ${order.limitTicks})`);
  }
  if (!Number.isFinite(order.urgency) || order.urgency < 0 || order.urgency > 1) add('urgency', `must be in [0, 1] (got ${order.urgency})`);
  return problems;
}

/** Throws VALIDATION_FAILED listing every problem of every order (and duplicate ids). */
export function validateParentOrders(orders: readonly ParentOrder[]): void {
  const problems: FieldProblem[] = [];
  const seen = new Map<string, number>();
  orders.forEach((order, i) => {
    problems.push(...parentOrderProblems(order, `orders[${i}]`));
    const first = seen.get(order.id);
    if (first !== undefined) problems.push({ field: `orders[${i}].id`, message: `duplicates orders[${first}].id "${order.id}"` });
    else seen.set(order.id, i);
  });
  if (orders.length === 0) problems.push({ field: 'orders', message: 'at least one parent order is required' });
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', `${problems.length} problem(s) in the parent orders`, { errors: problems });
}
