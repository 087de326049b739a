/**
 * Exchange fees and rebates. `taker` is paid on liquidity we take (aggressive fills); `makerRebate` is
 * received on liquidity we provide (passive fills). Positive numbers: taker 0.003 means we pay, makerRebate
 * 0.002 means we receive. A negative makerRebate models a maker fee (inverted venues).
 */
export type FeeSchedule =
  | { readonly unit: 'per-share'; /** $ per share. */ readonly taker: number; /** $ per share. */ readonly makerRebate: number }
  | { readonly unit: 'bps'; /** bps of notional. */ readonly taker: number; /** bps of notional. */ readonly makerRebate: number };

/** NASDAQ-like 2012 schedule: $0.0030 to take, $0.0020 rebate to make. */
export const DEFAULT_FEES: FeeSchedule = { unit: 'per-share', taker: 0.003, makerRebate: 0.002 };

/** LOBSTER price units ($1e-4) per dollar. */
const PRICE_UNITS_PER_DOLLAR = 10_000;

/** Computes fees in ticks·shares (the engine's cash unit); positive = cost to us, negative = rebate to us. */
export class FeeModel {
  private readonly perShareTaker: number; // ticks per share
  private readonly perShareMaker: number; // ticks per share (a rebate, so subtracted)
  private readonly bpsTaker: number; // fraction of notional
  private readonly bpsMaker: number;

  constructor(schedule: FeeSchedule, tickSize: number) {
    if (schedule.unit === 'per-share') {
      const ticksPerDollar = PRICE_UNITS_PER_DOLLAR / tickSize;
      this.perShareTaker = schedule.taker * ticksPerDollar;
      this.perShareMaker = schedule.makerRebate * ticksPerDollar;
      this.bpsTaker = 0;
      this.bpsMaker = 0;
    } else {
      this.perShareTaker = 0;
      this.perShareMaker = 0;
      this.bpsTaker = schedule.taker / 1e4;
      this.bpsMaker = schedule.makerRebate / 1e4;
    }
  }

  /** Ticks·shares paid for taking `quantity` shares at `priceTicks`. */
  taker(priceTicks: number, quantity: number): number {
    return quantity * (this.perShareTaker + this.bpsTaker * priceTicks);
  }

  /** Ticks·shares paid (negative: received) for a passive fill. */
  maker(priceTicks: number, quantity: number): number {
    return -quantity * (this.perShareMaker + this.bpsMaker * priceTicks);
  }
}
