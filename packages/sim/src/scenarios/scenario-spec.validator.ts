import { DomainError, type FieldProblem } from '@airlock/core';

/**
 * A stress scenario for a validation suite: how to distort the market day, the backtest configuration and the
 * policy's inputs before a candidate runs. Every field but `name` is optional; an absent field leaves that part
 * of the world as it is (the base scenario is `{ name: 'base' }`). Units and limits: docs/scenarios.md.
 */
export interface ScenarioSpec {
  /** Identifies the scenario in results and reports; non-empty. */
  readonly name: string;
  /**
   * k ≥ 1, dimensionless: every price's distance from the day's anchor (median mid, integer ticks) is
   * multiplied by k, so mid moves, the spread and the gaps between levels all grow k-fold. 1 = unchanged.
   * Values below 1 are refused: an integer price mapping that keeps levels distinct has slope ≥ 1.
   */
  readonly volatility?: number;
  /** w, integer ticks ≥ 0: asks move up by ⌈w/2⌉, bids down by ⌊w/2⌋, so every quoted spread grows by w. */
  readonly spreadWidenTicks?: number;
  /** f in (0, 1], dimensionless: every visible order's size is scaled by f (rounded, ≥ 1 share). 1 = unchanged. */
  readonly depthFactor?: number;
  /** ns, integer ≥ 0: added to the backtest's order-entry latency (decision → exchange). */
  readonly extraLatencyNs?: number;
  /** σ ≥ 0, dimensionless: Gaussian noise with std σ·max(1, |x|) added to each market feature value x. */
  readonly featureNoiseStd?: number;
  /** p in [0, 1]: the probability that a market feature value reaches the policy as NaN. */
  readonly featureNanRate?: number;
  /** Safe integer: seeds the scenario's own randomness (feature noise) unless the caller passes a seed. */
  readonly seed?: number;
}

const KNOWN_FIELDS: readonly string[] = [
  'name',
  'volatility',
  'spreadWidenTicks',
  'depthFactor',
  'extraLatencyNs',
  'featureNoiseStd',
  'featureNanRate',
  'seed',
];

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Problems with each optional numeric field, as `[field, check, message]`; a field that is absent is fine. */
const NUMERIC_RULES: readonly (readonly [keyof ScenarioSpec, (v: unknown) => boolean, string])[] = [
  [
    'volatility',
    (v) => isFiniteNumber(v) && v >= 1,
    'must be a finite number ≥ 1 (a price mapping cannot calm a market without merging price levels; see docs/scenarios.md)',
  ],
  ['spreadWidenTicks', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, 'must be an integer number of ticks ≥ 0'],
  ['depthFactor', (v) => isFiniteNumber(v) && v > 0 && v <= 1, 'must be a number in (0, 1]'],
  ['extraLatencyNs', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0, 'must be an integer number of ns ≥ 0'],
  ['featureNoiseStd', (v) => isFiniteNumber(v) && v >= 0, 'must be a finite number ≥ 0'],
  ['featureNanRate', (v) => isFiniteNumber(v) && v >= 0 && v <= 1, 'must be a number in [0, 1]'],
  ['seed', (v) => typeof v === 'number' && Number.isSafeInteger(v), 'must be a safe integer'],
];

/** Every problem with `value` as a ScenarioSpec, fields named `${path}.field`; empty when it is valid. */
export function scenarioProblems(value: unknown, path = 'scenario'): FieldProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ field: path, message: 'must be an object' }];
  }
  const record = value as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const name = record['name'];
  if (typeof name !== 'string' || name.trim() === '') problems.push({ field: `${path}.name`, message: 'must be a non-empty string' });
  for (const [field, ok, message] of NUMERIC_RULES) {
    const v = record[field];
    if (v !== undefined && !ok(v)) problems.push({ field: `${path}.${field}`, message: `${message} (got ${describe(v)})` });
  }
  // Unknown keys are refused rather than ignored: a misspelt `volatilty: 3` must not silently run the base case.
  for (const key of Object.keys(record)) {
    if (!KNOWN_FIELDS.includes(key)) problems.push({ field: `${path}.${key}`, message: `unknown field (known: ${KNOWN_FIELDS.join(', ')})` });
  }
  return problems;
}

/**
 * Checks an untrusted value (JSON from a suite definition) and returns it as a ScenarioSpec with only the known,
 * defined fields. Throws DomainError VALIDATION_FAILED whose `errors` list every offending field.
 */
export function parseScenario(value: unknown, path = 'scenario'): ScenarioSpec {
  const problems = scenarioProblems(value, path);
  if (problems.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `${problems.length} problem(s) in the scenario`, { errors: problems });
  }
  const record = value as Record<string, unknown>;
  const spec: Record<string, unknown> = {};
  for (const key of KNOWN_FIELDS) if (record[key] !== undefined) spec[key] = record[key];
  return spec as unknown as ScenarioSpec;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return value === null ? 'null' : typeof value;
}
