import type { MarketDay } from '../data/market-day.js';
import { scaleDepth } from './depth-scenario.transform.js';
import { withDayColumns } from './market-day.copy.js';
import { scaleVolatility, volatilityAnchorTicks, widenSpread } from './price-scenario.transform.js';
import { parseScenario, type ScenarioSpec } from './scenario-spec.validator.js';

/**
 * The market part of a scenario: a NEW MarketDay (the input is never written to; typed arrays a step does not
 * change are shared with the input). Steps, in this order:
 *  1. depthFactor — per-order size scaling (needs the day's order-level replay, which prices do not affect);
 *  2. volatility — the static price zoom around the day's median mid;
 *  3. spreadWidenTicks — last, so the spread grows by exactly w ticks in the final prices (after a zoom the
 *     spread is about k·s + w, not k·(s + w)).
 * Each step maps prices injectively per side and keeps messages and book consistent, so the composition does
 * too. Absent fields are skipped; a spec without market fields gives a shallow copy. Throws VALIDATION_FAILED
 * for an invalid spec or a price pushed out of range.
 */
export function applyMarketScenario(day: MarketDay, spec: ScenarioSpec): MarketDay {
  const s = parseScenario(spec);
  let out = withDayColumns(day, {});
  if (s.depthFactor !== undefined && s.depthFactor !== 1) out = scaleDepth(out, s.depthFactor).day;
  // The anchor is the INPUT day's (dropped rows of step 1 must not move it): one day, one documented anchor.
  if (s.volatility !== undefined && s.volatility !== 1) out = scaleVolatility(out, s.volatility, volatilityAnchorTicks(day));
  if (s.spreadWidenTicks !== undefined && s.spreadWidenTicks !== 0) out = widenSpread(out, s.spreadWidenTicks);
  return out;
}
