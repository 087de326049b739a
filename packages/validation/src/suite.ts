import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DomainError, MODEL_TIERS, zodProblems, type Condition, type ModelTier } from '@airlock/core';
import { BASELINE_NAMES, parseScenario, type ScenarioSpec } from '@airlock/sim';
import { z } from 'zod';

/**
 * A validation suite: versioned data (JSON files in packages/validation/suites/), chosen per request or by the
 * model's tier (`default-<tier>`). A run keeps a copy of the suite it ran, so later edits never rewrite evidence.
 */
export const GATE_METRICS = {
  meanIsDiffBps: 'candidate − reference mean implementation shortfall, bps (negative = cheaper), judged on its bootstrap 95% CI',
  p95IsDiffBps: 'candidate − reference p95 implementation shortfall, bps',
  completion: 'mean share of the parent quantity filled; a failed episode counts as 0',
  maxParticipation: 'highest participation (our volume / market volume) of any candidate episode',
  invalidActions: 'actions outside their bounds plus episodes failed by non-finite outputs',
  inferenceP99Us: 'single-row inference latency p99 measured at registration, µs',
} as const;
export type GateMetric = keyof typeof GATE_METRICS;

const conditionSchema = z.strictObject({ op: z.enum(['<', '<=', '>', '>=']), threshold: z.number() });

const gateSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  metric: z.enum(Object.keys(GATE_METRICS) as [GateMetric, ...GateMetric[]]),
  condition: conditionSchema,
  /** Scenarios whose episodes the gate pools; default all. */
  scenarios: z.array(z.string()).min(1).optional(),
  /** Paired episodes below which a comparison gate is Inconclusive whatever its interval says. */
  minPairs: z.number().int().min(1).optional(),
  dryRun: z.boolean().optional(),
});

const datasetRefSchema = z.union([
  z.strictObject({ name: z.string().min(1) }),
  z.strictObject({
    synthetic: z.strictObject({
      regime: z.enum(['calm', 'volatile', 'illiquid']),
      seed: z.number().int(),
      events: z.number().int().min(1000).max(5_000_000),
      levels: z.number().int().min(1).max(50).optional(),
    }),
  }),
]);

const suiteSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  version: z.number().int().min(1),
  /**
   * The highest model tier this suite is strong enough to validate: only a shipped suite whose tier covers the
   * model's may change the version's status (any other run is evidence only).
   */
  validatesUpToTier: z.enum(MODEL_TIERS).optional(),
  description: z.string(),
  /** Seeds order generation and the statistics (bootstrap); the engine's own seed derives from it per shard. */
  seed: z.number().int(),
  datasets: z.array(datasetRefSchema).min(1),
  orders: z.strictObject({
    count: z.number().int().min(1).max(100_000),
    seed: z.number().int(),
    sizePctRange: z.tuple([z.number().positive(), z.number().positive()]).optional(),
    durationMinutes: z.tuple([z.number().positive(), z.number().positive()]).optional(),
  }),
  ordersPerShard: z.number().int().min(1),
  scenarios: z.array(z.record(z.string(), z.unknown())).min(1),
  baselines: z.array(z.enum(BASELINE_NAMES)).min(1),
  backtest: z.strictObject({ decisionIntervalNs: z.number().int().positive().optional() }).optional(),
  gates: z.array(gateSchema).min(1),
});

export type DatasetRef = z.infer<typeof datasetRefSchema>;
export interface GateSpec {
  readonly name: string;
  readonly metric: GateMetric;
  readonly condition: Condition;
  readonly scenarios?: readonly string[];
  readonly minPairs?: number;
  readonly dryRun?: boolean;
}
export interface Suite extends Omit<z.infer<typeof suiteSchema>, 'scenarios' | 'gates'> {
  readonly scenarios: readonly ScenarioSpec[];
  readonly gates: readonly GateSpec[];
}

/** Checks a suite document; every problem is listed (VALIDATION_FAILED). */
export function parseSuite(value: unknown, source = 'suite'): Suite {
  const parsed = suiteSchema.safeParse(value);
  if (!parsed.success) throw new DomainError('VALIDATION_FAILED', `${source} is invalid`, { errors: zodProblems(parsed.error, source) });
  const scenarios = parsed.data.scenarios.map((s) => parseScenario(s));
  const names = new Set(scenarios.map((s) => s.name));
  const problems = [
    ...(names.size !== scenarios.length ? [{ field: `${source}.scenarios`, message: 'scenario names must be unique' }] : []),
    ...parsed.data.gates.flatMap((gate, i) =>
      (gate.scenarios ?? []).filter((name) => !names.has(name)).map((name) => ({ field: `${source}.gates[${i}].scenarios`, message: `unknown scenario "${name}"` })),
    ),
  ];
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', `${source} is invalid`, { errors: problems });
  return { ...parsed.data, scenarios };
}

const SUITES_DIR = fileURLToPath(new URL('../suites/', import.meta.url));

/** Names of the suites shipped with Airlock. */
export const listSuites = (): string[] =>
  readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();

/** Whether a shipped suite's verdict may set the status of a version of a model of this tier. */
export const suiteCoversTier = (suite: Suite, tier: ModelTier): boolean =>
  suite.validatesUpToTier !== undefined && MODEL_TIERS.indexOf(suite.validatesUpToTier) >= MODEL_TIERS.indexOf(tier);

/** A shipped suite by name, or the tier's default. Unknown names are refused with the list of known ones. */
export function loadSuite(name: string | undefined, tier: ModelTier): Suite {
  const chosen = name ?? `default-${tier}`;
  const known = listSuites();
  if (!known.includes(chosen)) {
    throw new DomainError('NOT_FOUND', `unknown suite "${chosen}"`, { errors: [{ field: 'suite', message: `one of ${known.join(', ')}` }] });
  }
  return parseSuite(JSON.parse(readFileSync(`${SUITES_DIR}${chosen}.json`, 'utf8')), chosen);
}
