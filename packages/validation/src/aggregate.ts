import { evaluateCondition, worsePhase, type AnalysisPhase, type Measured, type Measurement } from '@airlock/core';
import { bootstrapMeanCi, hashString, mean, mixSeed, quantileSorted, seed32, sortedCopy, summarize, wilcoxonSignedRank, type Summary } from '@airlock/sim';
import { CANDIDATE, CHAMPION, type ShardEpisode, type ShardResult } from './shard-runner.js';
import { GATE_METRICS, type GateSpec, type Suite } from './suite.js';

/** A gate's outcome as the API shows it. */
export interface GateResult {
  readonly name: string;
  readonly metric: string;
  readonly phase: Measurement['phase'];
  /** The deciding value (against the reference that judged worst). */
  readonly value: number | null;
  readonly interval: [number, number] | null;
  /** e.g. `<= 0.5`. */
  readonly condition: string;
  readonly reference: string | null;
  readonly message: string;
  readonly dryRun: boolean;
}

/** Candidate − reference on paired episodes. */
export interface PairedComparison {
  readonly reference: string;
  readonly scenarios: 'all' | readonly string[];
  readonly pairs: number;
  readonly meanDiffBps: number | null;
  readonly ci95: [number, number] | null;
  readonly p95DiffBps: number | null;
  readonly pValue: number | null;
}

export interface StrategySummary {
  readonly episodes: number;
  readonly failed: number;
  readonly isBps: Summary;
  readonly completion: number | null;
  readonly participation: number | null;
}

export interface ValidationReport {
  readonly schema: 'airlock.validation/1';
  readonly phase: AnalysisPhase;
  readonly references: readonly string[];
  readonly gates: readonly GateResult[];
  /** Pooled over every dataset and scenario. */
  readonly comparisons: readonly PairedComparison[];
  readonly strategies: Readonly<Record<string, StrategySummary>>;
  /** Per scenario: each strategy's mean IS, bps. */
  readonly perScenario: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
  /** Candidate − first reference, per paired episode (bps), for the distribution chart. */
  readonly isDiffSample: readonly number[];
  readonly episodes: number;
  readonly events: number;
}

const scenarioOf = (key: string) => key.split('/')[1] as string;

function select(episodes: readonly ShardEpisode[], strategy: string, scenarios?: readonly string[]): ShardEpisode[] {
  return episodes.filter((e) => e.strategy === strategy && (!scenarios || scenarios.includes(scenarioOf(e.key))));
}

function paired(episodes: readonly ShardEpisode[], reference: string, scenarios: readonly string[] | undefined, seed: number): PairedComparison & { diffs: number[] } {
  const candidate = new Map(select(episodes, CANDIDATE, scenarios).map((e) => [e.key, e]));
  const a: number[] = [];
  const b: number[] = [];
  for (const ref of select(episodes, reference, scenarios)) {
    const c = candidate.get(ref.key);
    if (c?.status === 'ok' && ref.status === 'ok' && c.isBps !== null && ref.isBps !== null) {
      a.push(c.isBps);
      b.push(ref.isBps);
    }
  }
  const diffs = a.map((x, i) => x - (b[i] as number));
  const p95a = quantileSorted(sortedCopy(a), 0.95);
  const p95b = quantileSorted(sortedCopy(b), 0.95);
  return {
    reference,
    scenarios: scenarios ?? 'all',
    pairs: diffs.length,
    meanDiffBps: mean(diffs),
    ci95: bootstrapMeanCi(diffs, mixSeed(seed32(seed), hashString(reference)), { resamples: 2000 }),
    p95DiffBps: p95a !== null && p95b !== null ? p95a - p95b : null,
    pValue: wilcoxonSignedRank(diffs).pValue,
    diffs,
  };
}

/** What a gate measures against one reference (or once, for metrics of the candidate alone). */
function measure(gate: GateSpec, episodes: readonly ShardEpisode[], reference: string | null, inferenceP99Us: number | null, seed: number): Measured {
  const own = select(episodes, CANDIDATE, gate.scenarios);
  switch (gate.metric) {
    case 'meanIsDiffBps':
    case 'p95IsDiffBps': {
      const cmp = paired(episodes, reference as string, gate.scenarios, seed);
      if (gate.metric === 'p95IsDiffBps') return { value: cmp.p95DiffBps, samples: cmp.pairs };
      const ci = cmp.ci95;
      return ci ? { value: cmp.meanDiffBps, lower: ci[0], upper: ci[1], samples: cmp.pairs } : { value: cmp.meanDiffBps, samples: cmp.pairs };
    }
    case 'completion':
      // Missing data never passes: a failed episode completed nothing.
      return { value: own.length === 0 ? null : (mean(own.map((e) => (e.status === 'ok' ? (e.completion ?? 0) : 0))) as number), samples: own.length };
    case 'maxParticipation': {
      const values = own.map((e) => e.participation).filter((v): v is number => v !== null);
      return { value: values.length === 0 ? null : Math.max(...values), samples: values.length };
    }
    case 'invalidActions':
      return { value: own.length === 0 ? null : own.reduce((n, e) => n + e.invalidActions + (e.status === 'failed' ? 1 : 0), 0), samples: own.length };
    case 'inferenceP99Us':
      return { value: inferenceP99Us, samples: 1 };
  }
}

const isComparison = (gate: GateSpec) => gate.metric === 'meanIsDiffBps' || gate.metric === 'p95IsDiffBps';

function judge(gate: GateSpec, episodes: readonly ShardEpisode[], references: readonly string[], inferenceP99Us: number | null, seed: number): GateResult {
  const condition = `${gate.condition.op} ${gate.condition.threshold}`;
  const against = isComparison(gate) ? references : [null];
  let worst: { m: Measurement; reference: string | null } | undefined;
  for (const reference of against) {
    const measured = measure(gate, episodes, reference, inferenceP99Us, seed);
    let m = evaluateCondition(gate.condition, measured);
    if (isComparison(gate) && gate.minPairs !== undefined && (measured.samples ?? 0) < gate.minPairs && m.phase !== 'Inconclusive') {
      m = { ...m, phase: 'Inconclusive', message: `${measured.samples ?? 0} paired episodes, fewer than the ${gate.minPairs} needed to decide` };
    }
    if (!worst || worsePhase(worst.m.phase, m.phase) !== worst.m.phase) worst = { m, reference };
  }
  const { m, reference } = worst as { m: Measurement; reference: string | null };
  return {
    name: gate.name,
    metric: gate.metric,
    phase: m.phase,
    value: m.value,
    interval: m.lower !== undefined && m.upper !== undefined ? [m.lower, m.upper] : null,
    condition,
    reference,
    message: `${reference ? `vs ${reference}: ` : ''}${m.message}`,
    dryRun: gate.dryRun ?? false,
  };
}

/**
 * Judges a finished run: pools every shard's episodes, compares the candidate with the champion (or, for a
 * model's first version, with each baseline), evaluates every gate, and takes the worst gating phase.
 */
export function aggregateRun(suite: Suite, shards: readonly ShardResult[], context: { hasChampion: boolean; inferenceP99Us: number | null }): ValidationReport {
  const episodes = shards.flatMap((s) => s.episodes);
  const references = context.hasChampion ? [CHAMPION] : [...suite.baselines];
  const gates = suite.gates.map((gate) => judge(gate, episodes, references, context.inferenceP99Us, suite.seed));
  // Each gate is one measurement of one metric (count 1, no tolerance): the run takes the worst gating phase.
  const phase = gates.filter((g) => !g.dryRun).reduce<AnalysisPhase>((worst, g) => worsePhase(worst, g.phase), 'Successful');
  const strategyNames = [...new Set(episodes.map((e) => e.strategy))];
  const strategies = Object.fromEntries(
    strategyNames.map((name) => {
      const own = select(episodes, name);
      const ok = own.filter((e) => e.status === 'ok');
      return [
        name,
        {
          episodes: ok.length,
          failed: own.length - ok.length,
          isBps: summarize(ok.map((e) => e.isBps).filter((v): v is number => v !== null)),
          completion: mean(own.map((e) => (e.status === 'ok' ? (e.completion ?? 0) : 0))),
          participation: mean(ok.map((e) => e.participation).filter((v): v is number => v !== null)),
        },
      ];
    }),
  );
  const perScenario = Object.fromEntries(
    suite.scenarios.map((s) => [
      s.name,
      Object.fromEntries(strategyNames.map((name) => [name, mean(select(episodes, name, [s.name]).filter((e) => e.status === 'ok' && e.isBps !== null).map((e) => e.isBps as number))])),
    ]),
  );
  const comparisons = references.map((reference) => {
    const { diffs: _diffs, ...rest } = paired(episodes, reference, undefined, suite.seed);
    return rest;
  });
  return {
    schema: 'airlock.validation/1',
    phase,
    references,
    gates,
    comparisons,
    strategies,
    perScenario,
    isDiffSample: references[0] ? paired(episodes, references[0], undefined, suite.seed).diffs : [],
    episodes: episodes.length,
    events: shards.reduce((n, s) => n + s.events, 0),
  };
}

export { GATE_METRICS };
