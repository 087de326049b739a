import type { DecisionBatch, ExecutionStrategy } from './execution-strategy.js';

/**
 * The classic baselines as schedules: each computes, per episode, how many shares it wants filled by the next
 * decision (a target on its schedule), and asks for the shortfall as a participation of the expected interval
 * volume: participation = clamp((target − filled) / expectedIntervalVolume, 0, 1). Shares a passive child
 * order failed to get are therefore asked for again at the next decision (catch-up is built in).
 *
 * Aggression is a constant (`aggression`, default 0.5) except on an episode's last decision, where
 * `finalAggression` (default 1: cross) applies so the schedule ends as complete as the market allows.
 */
export interface ScheduleOptions {
  /** In [0, 1]; default 0.5. */
  readonly aggression?: number;
  /** In [0, 1]; default 1. */
  readonly finalAggression?: number;
}

export interface PovOptions extends ScheduleOptions {
  /** Target share of market volume, in (0, 1]; default 0.1. */
  readonly rate?: number;
}

export interface AlmgrenChrissOptions extends ScheduleOptions {
  /**
   * λ, risk aversion in 1/bps: the strategy minimises E[cost] + λ·Var[cost] with cost in bps of the order's
   * arrival value. Default 1e-3. Scaled per order by 10^(2·(urgency − 0.5)).
   */
  readonly riskAversion?: number;
  /** k, temporary impact in bps when trading at 100% of market volume (linear in participation). Default 10. */
  readonly temporaryImpactBps?: number;
}

const NS_PER_SECOND = 1_000_000_000;
const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Shortfall versus `target` as a participation of the next interval's expected volume. */
function participationFor(batch: DecisionBatch, r: number, targetShares: number): number {
  const want = targetShares - (batch.filled[r] as number);
  if (want <= 0) return 0;
  const ev = batch.expectedIntervalVolume[r] as number;
  return ev > 0 ? clamp01(want / ev) : 1;
}

function writeAggression(batch: DecisionBatch, r: number, options: ScheduleOptions): void {
  const last = batch.timeNs + batch.intervalNs >= (batch.endNs[r] as number);
  batch.aggression[r] = last ? (options.finalAggression ?? 1) : (options.aggression ?? 0.5);
}

/**
 * A schedule: per episode, the share of the parent quantity due by the next decision t' = min(t + Δ, end), asked
 * for as the shortfall's participation (see participationFor). TWAP and VWAP differ only in that share.
 */
function scheduleStrategy(
  shareDue: (batch: DecisionBatch, start: number, next: number, end: number) => number,
  options: ScheduleOptions,
): ExecutionStrategy {
  return {
    kind: 'execution-strategy',
    features: [],
    plan(batch) {
      for (let r = 0; r < batch.size; r++) {
        const start = batch.startNs[r] as number;
        const end = batch.endNs[r] as number;
        const next = Math.min(batch.timeNs + batch.intervalNs, end);
        batch.participation[r] = participationFor(batch, r, (batch.quantity[r] as number) * shareDue(batch, start, next, end));
        writeAggression(batch, r, options);
      }
    },
  };
}

/** Time-weighted: target(t') = X · (t' − start) / (end − start). */
export function twapStrategy(options: ScheduleOptions = {}): ExecutionStrategy {
  return scheduleStrategy((_batch, start, next, end) => (next - start) / (end - start), options);
}

/**
 * Volume-weighted: target(t') = X · curve(start, t') / curve(start, end) (the expected-volume curve; linear in
 * time where the curve is empty).
 */
export function vwapStrategy(options: ScheduleOptions = {}): ExecutionStrategy {
  return scheduleStrategy((batch, start, next, end) => {
    const whole = batch.curve.expected(start, end);
    return whole > 0 ? batch.curve.expected(start, next) / whole : (next - start) / (end - start);
  }, options);
}

/**
 * Percentage of volume: target = rate · (market volume since start + expected volume of the next interval),
 * i.e. keeps our filled shares at `rate` of what the market actually trades.
 */
export function povStrategy(options: PovOptions = {}): ExecutionStrategy {
  const rate = options.rate ?? 0.1;
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`POV rate must be in (0, 1], got ${rate}`);
  return {
    kind: 'execution-strategy',
    features: [],
    plan(batch) {
      for (let r = 0; r < batch.size; r++) {
        const target = rate * ((batch.marketVolumeSinceStart[r] as number) + (batch.expectedIntervalVolume[r] as number));
        batch.participation[r] = participationFor(batch, r, Math.min(batch.quantity[r] as number, target));
        writeAggression(batch, r, options);
      }
    },
  };
}

/** sinh(κa) / sinh(κb) for 0 ≤ a ≤ b, stable for κb → 0 (→ a/b) and κb large (no overflow). */
export function sinhRatio(kappa: number, a: number, b: number): number {
  if (b <= 0) return 0;
  const kb = kappa * b;
  if (kb < 1e-6) return a / b;
  const ka = kappa * a;
  if (kb > 20) return Math.exp(ka - kb) * ((1 - Math.exp(-2 * ka)) / (1 - Math.exp(-2 * kb)));
  return Math.sinh(ka) / Math.sinh(kb);
}

/**
 * Almgren–Chriss (2000), closed form with linear temporary impact and no permanent term in the objective:
 * holdings x(s) = x(t) · sinh(κ(T − s)) / sinh(κ(T − t)), κ = sqrt(λ σ² / η).
 * Units: cost in bps of the order's arrival value, holdings as shares; σ² = realized_vol_5m_bps² / 300 (bps²/s);
 * η = k · X / V (bps·s), from temporary impact k bps at 100% participation, parent quantity X and the expected
 * market volume rate V (shares/s) over the rest of the window. So κ² = λ σ² V / (k X). The trajectory is
 * re-solved at each decision from the current holdings (time-consistent), so target(t + Δ) = filled +
 * R − R · sinh(κ(T − t − Δ)) / sinh(κ(T − t)), R the remaining shares. κ → 0 gives TWAP.
 */
export function almgrenChrissStrategy(options: AlmgrenChrissOptions = {}): ExecutionStrategy {
  const lambda = options.riskAversion ?? 1e-3;
  const k = options.temporaryImpactBps ?? 10;
  if (!(lambda >= 0)) throw new RangeError(`riskAversion must be ≥ 0, got ${lambda}`);
  if (!(k > 0)) throw new RangeError(`temporaryImpactBps must be > 0, got ${k}`);
  return {
    kind: 'execution-strategy',
    features: ['realized_vol_5m_bps'],
    plan(batch) {
      for (let r = 0; r < batch.size; r++) {
        const quantity = batch.quantity[r] as number;
        const filled = batch.filled[r] as number;
        const remaining = quantity - filled;
        const end = batch.endNs[r] as number;
        const tau = (end - batch.timeNs) / NS_PER_SECOND; // s to the end of the window
        const step = batch.intervalNs / NS_PER_SECOND;
        const vol = batch.features[r] as number; // realized_vol_5m_bps, the only declared feature
        const sigma2 = Number.isFinite(vol) ? (vol * vol) / 300 : 0;
        const rate = tau > 0 ? batch.curve.expected(batch.timeNs, end) / tau : 0;
        const urgencyScale = 10 ** (2 * ((batch.urgency[r] as number) - 0.5));
        const kappa = Math.sqrt(Math.max(0, (lambda * urgencyScale * sigma2 * rate) / (k * quantity)));
        const after = tau <= step ? 0 : remaining * sinhRatio(kappa, tau - step, tau);
        batch.participation[r] = participationFor(batch, r, filled + remaining - after);
        writeAggression(batch, r, options);
      }
    },
  };
}

export const BASELINE_NAMES = ['twap', 'vwap', 'pov', 'ac'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BaselineOptions {
  readonly twap?: ScheduleOptions;
  readonly vwap?: ScheduleOptions;
  readonly pov?: PovOptions;
  readonly ac?: AlmgrenChrissOptions;
}

export function createBaseline(name: BaselineName, options: BaselineOptions = {}): ExecutionStrategy {
  switch (name) {
    case 'twap':
      return twapStrategy(options.twap);
    case 'vwap':
      return vwapStrategy(options.vwap);
    case 'pov':
      return povStrategy(options.pov);
    case 'ac':
      return almgrenChrissStrategy(options.ac);
    default:
      throw new RangeError(`unknown baseline "${String(name)}" (expected ${BASELINE_NAMES.join(', ')})`);
  }
}

export const isBaselineName = (name: string): name is BaselineName => (BASELINE_NAMES as readonly string[]).includes(name);
