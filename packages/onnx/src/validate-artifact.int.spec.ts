import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { DomainError, type Manifest } from '@airlock/core';
import {
  buildConstantPolicy,
  buildMemoryHogPolicy,
  buildMlpPolicy,
  buildSlowPolicy,
  buildSqrtOfFeaturePolicy,
  randomMlpPolicy,
  randomTreeEnsemblePolicy,
} from './onnx-builder.js';
import { findPrlimit } from './probe-child.js';
import { mulberry32 } from './seeded-random.js';
import { LATENCY_SAMPLING, validateArtifact, type ValidateArtifactOptions } from './validate-artifact.js';

const manifest: Manifest = {
  features: ['spread_bps', 'microprice_offset_bps', 'imbalance_l1', 'realized_vol_5m_bps', 'time_remaining_frac', 'qty_remaining_frac', 'side'],
  actions: ['participation', 'aggression'],
};
const good = randomMlpPolicy({ seed: 1, ...manifest, hidden: [16, 8] });

/** Runs validateArtifact and returns the DomainError it throws (fails the test if it resolves). */
async function rejection(bytes: Uint8Array, options: Partial<ValidateArtifactOptions> = {}, m: Manifest = manifest): Promise<DomainError> {
  try {
    await validateArtifact(bytes, m, { seed: 42, ...options });
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('validateArtifact accepted the artifact');
}

/** Live probe-worker processes whose parent is this (Jest worker) process, from /proc. */
function probeWorkerChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('probe-worker.mjs');
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

describe('validateArtifact accepts a good model', () => {
  it('reports signature, header, probe range and latencies', async () => {
    const report = await validateArtifact(good.bytes, manifest, { seed: 42 });
    expect(report).toMatchObject({
      inputName: 'features',
      outputName: 'actions',
      inputShape: ['N', 7],
      outputShape: ['N', 2],
      opset: 13,
      irVersion: 8,
      producer: { name: 'airlock-onnx-builder', version: '0.1.0' },
      probe: { rows: 256, seed: 42 },
      limits: { timeoutMs: 10_000, maxMemoryMb: 1024 },
    });
    expect(JSON.parse(report.metadata['airlock.features'] ?? '')).toEqual(manifest.features);
    // A sigmoid output stays inside [0, 1] and is not constant over the probe.
    report.probe.outputMin.forEach((min, i) => {
      expect(min).toBeGreaterThanOrEqual(0);
      expect(report.probe.outputMax[i]).toBeLessThanOrEqual(1);
      expect(report.probe.outputMax[i]).toBeGreaterThan(min);
    });
    const { latency } = report;
    expect(latency.singleRowP50Us).toBeGreaterThan(0);
    expect(latency.singleRowP99Us).toBeGreaterThanOrEqual(latency.singleRowP50Us);
    expect(latency.batch256P50Us).toBeGreaterThan(0);
    expect(latency.batch256RowsPerSec).toBeCloseTo(256 / (latency.batch256P50Us / 1e6), -3);
    expect(latency.loadMs).toBeGreaterThan(0);
    expect(report.limits.nativeMemoryBound).toBe(findPrlimit() ? 'rlimit-data' : 'none');
    if (findPrlimit()) expect(report.limits.sandboxBaselineMb).toBeGreaterThan(0);
    expect(probeWorkerChildren()).toEqual([]);
  });

  it('samples latency within its budget: the maximum counts for a small model, the minimum ones with no budget', async () => {
    const cheap = await validateArtifact(good.bytes, manifest, { seed: 1 });
    expect(cheap.latency).toMatchObject({
      singleRowSamples: LATENCY_SAMPLING.single.maxRuns,
      batch256Samples: LATENCY_SAMPLING.batches.maxRuns,
      budgetMsPerKind: 300,
    });
    const bounded = await validateArtifact(good.bytes, manifest, { seed: 1, latencyBudgetMs: 0 });
    expect(bounded.latency).toMatchObject({
      singleRowSamples: LATENCY_SAMPLING.single.minRuns,
      batch256Samples: LATENCY_SAMPLING.batches.minRuns,
      budgetMsPerKind: 0,
    });
    expect(bounded.latency.singleRowP99Us).toBeGreaterThanOrEqual(bounded.latency.singleRowP50Us);
    const d = bounded.durationsMs;
    expect(d.load).toBeGreaterThanOrEqual(bounded.latency.loadMs);
    expect(d.prepare + d.sandbox + d.load + d.probe + d.latency).toBeCloseTo(d.total, 0);
    await expect(validateArtifact(good.bytes, manifest, { seed: 1, latencyBudgetMs: -1 })).rejects.toThrow(RangeError);
  });

  it('a heavy model stops sampling at the budget instead of taking the maximum counts', async () => {
    // ~1 M multiply-adds per row: ~0.1 ms single, ~10 ms per batch of 256 on one core.
    const heavy = randomMlpPolicy({ seed: 2, ...manifest, hidden: [1000, 1000] });
    const report = await validateArtifact(heavy.bytes, manifest, { seed: 1, latencyBudgetMs: 20 });
    expect(report.latency.batch256Samples).toBeGreaterThanOrEqual(LATENCY_SAMPLING.batches.minRuns);
    expect(report.latency.batch256Samples).toBeLessThan(LATENCY_SAMPLING.batches.maxRuns);
    // Two kinds × (budget + the run that crosses it) + warm-ups, with slack for a loaded machine.
    expect(report.durationsMs.latency).toBeLessThan(2_000);
  });

  it('accepts a gradient-boosted tree ensemble (ai.onnx.ml TreeEnsembleRegressor)', async () => {
    const trees = randomTreeEnsemblePolicy({ seed: 9, ...manifest, trees: 50, depth: 6 });
    const report = await validateArtifact(trees.bytes, manifest, { seed: 3 });
    expect(report).toMatchObject({ inputShape: ['N', 7], outputShape: ['N', 2], opset: 13 });
    report.probe.outputMin.forEach((min, i) => {
      expect(min).toBeGreaterThanOrEqual(0);
      expect(report.probe.outputMax[i]).toBeLessThanOrEqual(1);
      expect(report.probe.outputMax[i]).toBeGreaterThan(min);
    });
  });

  it('gives the same probe range for the same seed, and honours probeRows', async () => {
    const a = await validateArtifact(good.bytes, manifest, { seed: 5, probeRows: 64 });
    const b = await validateArtifact(good.bytes, manifest, { seed: 5, probeRows: 64 });
    expect(a.probe).toEqual(b.probe);
    expect(a.probe.rows).toBe(64);
  });

  it('accepts a model without name metadata, and runs without prlimit (weaker bound, reported)', async () => {
    const bytes = buildMlpPolicy(good.spec, { nameMetadata: false });
    const report = await validateArtifact(bytes, manifest, { seed: 1, prlimitPath: null });
    expect(report.metadata).toEqual({});
    expect(report.limits.nativeMemoryBound).toBe('none');
  });
});

describe('validateArtifact rejects', () => {
  it('random bytes, a JSON file and an empty file: ARTIFACT_NOT_ONNX', async () => {
    const rng = mulberry32(3);
    const random = Uint8Array.from({ length: 2048 }, () => Math.floor(rng() * 256));
    for (const bytes of [random, new TextEncoder().encode(JSON.stringify(manifest)), new Uint8Array(0)]) {
      expect((await rejection(bytes)).code).toBe('ARTIFACT_NOT_ONNX');
    }
  });

  it('a truncated model (first half of a good one): ARTIFACT_NOT_ONNX', async () => {
    const error = await rejection(good.bytes.subarray(0, Math.floor(good.bytes.length / 2)));
    expect(error.code).toBe('ARTIFACT_NOT_ONNX');
    expect(error.message).toMatch(/runs past the end/);
  });

  it('a well-formed file that onnxruntime cannot load (unknown operator): ARTIFACT_NOT_ONNX from the load stage', async () => {
    // Same-length rename keeps every protobuf length valid: only onnxruntime can notice.
    const text = Buffer.from(good.bytes).toString('latin1').replaceAll('Sigmoid', 'Sigmoix');
    const error = await rejection(Uint8Array.from(Buffer.from(text, 'latin1')));
    expect(error.code).toBe('ARTIFACT_NOT_ONNX');
    expect(error.details.stage).toBe('load');
    expect(error.message).toMatch(/Sigmoix/);
    expect(error.message).not.toMatch(/airlock-artifact-/); // the temp path is scrubbed
  });

  it('input width ≠ manifest features: ARTIFACT_SHAPE_MISMATCH saying expected vs actual', async () => {
    const narrow = randomMlpPolicy({ seed: 2, features: manifest.features.slice(1), actions: manifest.actions, hidden: [4] }, { nameMetadata: false });
    const error = await rejection(narrow.bytes);
    expect(error.code).toBe('ARTIFACT_SHAPE_MISMATCH');
    expect(error.details.problems).toEqual(['input "features" has 6 columns, the manifest lists 7 features']);
    expect(error.details.expected).toEqual({ inputs: [{ type: 'float32', shape: ['N', 7] }], outputs: [{ type: 'float32', shape: ['N', 2] }] });
    expect(error.details.actual).toMatchObject({ inputs: [{ name: 'features', type: 'float32', shape: ['N', 6] }] });
  });

  it('output width ≠ manifest actions: ARTIFACT_SHAPE_MISMATCH', async () => {
    const wide = randomMlpPolicy({ seed: 2, features: manifest.features, actions: [...manifest.actions, 'extra'], hidden: [4] }, { nameMetadata: false });
    const error = await rejection(wide.bytes);
    expect(error.code).toBe('ARTIFACT_SHAPE_MISMATCH');
    expect(error.details.problems).toEqual(['output "actions" has 3 columns, the manifest lists 2 actions']);
  });

  it('a fixed batch dimension: ARTIFACT_SHAPE_MISMATCH (decisions must batch)', async () => {
    const error = await rejection(buildMlpPolicy(good.spec, { batchDim: 1 }));
    expect(error.code).toBe('ARTIFACT_SHAPE_MISMATCH');
    expect(error.message).toMatch(/fixed batch dimension of 1/);
  });

  it('metadata names that disagree with the manifest (same widths): ARTIFACT_SHAPE_MISMATCH naming the key', async () => {
    const swappedFeatures = randomMlpPolicy({ seed: 1, features: [...manifest.features].reverse(), actions: manifest.actions, hidden: [4] });
    const features = await rejection(swappedFeatures.bytes);
    expect(features.code).toBe('ARTIFACT_SHAPE_MISMATCH');
    expect(features.details).toMatchObject({ metadataKey: 'airlock.features', expected: manifest.features, actual: [...manifest.features].reverse() });

    const swappedActions = randomMlpPolicy({ seed: 1, features: manifest.features, actions: ['aggression', 'participation'], hidden: [4] });
    const actions = await rejection(swappedActions.bytes);
    expect(actions.code).toBe('ARTIFACT_SHAPE_MISMATCH');
    expect(actions.message).toMatch(/airlock\.actions/);

    const garbled = buildMlpPolicy({ ...good.spec, metadata: { 'airlock.actions': 'participation,aggression' } });
    expect((await rejection(garbled)).message).toMatch(/not a JSON array of names/);
  });

  it('NaN and infinite outputs: ARTIFACT_OUTPUT_NOT_FINITE naming the action', async () => {
    const nan = await rejection(buildConstantPolicy({ ...manifest, values: [0.5, NaN] }));
    expect(nan.code).toBe('ARTIFACT_OUTPUT_NOT_FINITE');
    expect(nan.details).toMatchObject({ action: 'aggression', value: 'NaN', row: 0, countByAction: { participation: 0, aggression: 256 } });
    const inf = await rejection(buildConstantPolicy({ ...manifest, values: [-Infinity, 0.5] }));
    expect(inf.code).toBe('ARTIFACT_OUTPUT_NOT_FINITE');
    expect(inf.details).toMatchObject({ action: 'participation', value: '-Infinity' });
  });

  it('NaN only for sell orders: the probe covers side = -1 and reports the offending row’s features', async () => {
    const side = manifest.features.indexOf('side');
    const error = await rejection(buildSqrtOfFeaturePolicy({ ...manifest, featureIndex: side }));
    expect(error.code).toBe('ARTIFACT_OUTPUT_NOT_FINITE');
    expect((error.details.features as Record<string, number>).side).toBe(-1);
  });

  it('outputs out of bounds (identity output with a large bias): ARTIFACT_OUTPUT_OUT_OF_BOUNDS with value and bound', async () => {
    const error = await rejection(buildConstantPolicy({ ...manifest, values: [0.5, 1.25] }));
    expect(error.code).toBe('ARTIFACT_OUTPUT_OUT_OF_BOUNDS');
    expect(error.details).toMatchObject({ action: 'aggression', value: 1.25, bound: { min: 0, max: 1 } });

    const biased = buildMlpPolicy({ ...good.spec, output: 'identity', layers: good.spec.layers.map((l, i) => (i === 2 ? { ...l, bias: [-3, 0.5] } : l)) });
    const negative = await rejection(biased);
    expect(negative.code).toBe('ARTIFACT_OUTPUT_OUT_OF_BOUNDS');
    expect(negative.details.action).toBe('participation');
    expect(negative.details.value as number).toBeLessThan(0);
  });
});

describe('validateArtifact bounds an untrusted model', () => {
  it('a tiny timeoutMs: ARTIFACT_LOAD_LIMIT', async () => {
    const error = await rejection(good.bytes, { timeoutMs: 1 });
    expect(error.code).toBe('ARTIFACT_LOAD_LIMIT');
    expect(error.details).toMatchObject({ limit: 'time', timeoutMs: 1 });
  });

  it('a model that never finishes: killed at the deadline, ARTIFACT_LOAD_LIMIT, and this process carries on', async () => {
    const started = performance.now();
    const error = await rejection(buildSlowPolicy(manifest), { timeoutMs: 1500 });
    const elapsed = performance.now() - started;
    expect(error.code).toBe('ARTIFACT_LOAD_LIMIT');
    expect(error.details).toMatchObject({ limit: 'time', stage: 'run', timeoutMs: 1500 });
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(1500 + 5000); // startup + kill, with slack for a loaded machine
    expect(probeWorkerChildren()).toEqual([]);
    // The parent is unharmed: the next validation works.
    await expect(validateArtifact(good.bytes, manifest, { seed: 1 })).resolves.toMatchObject({ inputShape: ['N', 7] });
  });

  (findPrlimit() ? it : it.skip)('a model allocating 1 GiB with a 256 MiB budget: ARTIFACT_LOAD_LIMIT (memory)', async () => {
    const error = await rejection(buildMemoryHogPolicy({ ...manifest, megabytes: 1024 }), { maxMemoryMb: 256 });
    expect(error.code).toBe('ARTIFACT_LOAD_LIMIT');
    expect(error.details).toMatchObject({ limit: 'memory', stage: 'run' });
    // The same model within its bound is fine: the limit, not the model, decided.
    const small = await validateArtifact(buildMemoryHogPolicy({ ...manifest, megabytes: 16 }), manifest, { seed: 1, maxMemoryMb: 256 });
    expect(small.probe.outputMin).toEqual([0.5, 0.5]);
  });

  it('rejects nonsensical options before touching the artifact', async () => {
    await expect(validateArtifact(good.bytes, manifest, { seed: 1, maxMemoryMb: 16 })).rejects.toThrow(RangeError);
    await expect(validateArtifact(good.bytes, manifest, { seed: 1, probeRows: 0 })).rejects.toThrow(RangeError);
    await expect(validateArtifact(good.bytes, manifest, { seed: 1, timeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});
