/**
 * Registration's artifact check (docs/model-contract.md, "Validation"): is this a loadable ONNX model whose
 * signature matches its manifest, and are its outputs finite and inside the action bounds on a seeded probe
 * batch? Also measures its inference latency. Each failure is a coded DomainError the API maps to 422.
 *
 * The untrusted bytes are only parsed here by readModelHeader (plain bounds-checked JS); loading, probing and
 * timing happen in a bounded child process (probe-child.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionBounds, DomainError, type Manifest } from '@airlock/core';
import { METADATA_ACTIONS_KEY, METADATA_FEATURES_KEY } from './model-contract.js';
import { defaultOpset, readModelHeader, type ModelHeader } from './onnx-header.js';
import { buildProbeBatch } from './probe-batch.js';
import { ProbeChild, classifyRuntimeError, type ProbeStage } from './probe-child.js';
import type { ChildMessage, ValueInfo } from './probe-protocol.js';

export interface ValidateArtifactOptions {
  /** Seed of the probe batch; recorded in the report so the probe can be replayed. */
  readonly seed: number;
  /** Probe rows (default 256). */
  readonly probeRows?: number;
  /** Wall-clock bound for load + probe + latency in the child, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** What the model may allocate in the child beyond the idle sandbox's own memory, MiB (default 1024, min 64). */
  readonly maxMemoryMb?: number;
  /**
   * Wall time spent timing each kind of run (single row, batch of 256) once its minimum sample count is taken,
   * ms (default 300). Cheap models reach the maximum counts well within it; heavy ones stop early. 0 = minimum
   * counts only.
   */
  readonly latencyBudgetMs?: number;
  /** onnxruntime intra-op threads in the child (default 1, as OnnxPolicy runs it). */
  readonly intraOpNumThreads?: number;
  /** util-linux prlimit binary; null = none (weaker bound, see probe-child.ts); default: found on PATH. */
  readonly prlimitPath?: string | null;
}

export interface ArtifactReport {
  readonly inputName: string;
  readonly outputName: string;
  /** As the model declares them: numbers fixed, strings symbolic, e.g. ['N', 12]. */
  readonly inputShape: readonly (number | string)[];
  readonly outputShape: readonly (number | string)[];
  /** Default-domain (ai.onnx) opset version. */
  readonly opset: number;
  readonly irVersion: number;
  readonly producer: { readonly name: string; readonly version: string };
  /** The model's metadata_props (values clipped to 4096 characters, at most 64 entries). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly probe: {
    readonly rows: number;
    readonly seed: number;
    /** Per action, in manifest order: smallest and largest output over the probe batch. */
    readonly outputMin: readonly number[];
    readonly outputMax: readonly number[];
  };
  /** Measured in the child with one intra-op thread unless configured otherwise; µs. */
  readonly latency: {
    readonly loadMs: number;
    readonly singleRowP50Us: number;
    /** Nearest rank: with fewer than 100 samples this is the slowest run observed. */
    readonly singleRowP99Us: number;
    readonly batch256P50Us: number;
    readonly batch256RowsPerSec: number;
    /** Timed runs taken of each kind (bounded by count and by `budgetMsPerKind`, see LATENCY_SAMPLING). */
    readonly singleRowSamples: number;
    readonly batch256Samples: number;
    /** The sampling time budget per kind, ms. */
    readonly budgetMsPerKind: number;
  };
  /**
   * Where the check's own wall time went, ms: reading the header and building the probe (`prepare`), copying
   * the bytes to the sandbox's temp file and starting the bounded child (`sandbox`), the load request
   * (`load`, includes the child's loadMs), the probe batch (`probe`), latency sampling (`latency`), and in all.
   */
  readonly durationsMs: {
    readonly prepare: number;
    readonly sandbox: number;
    readonly load: number;
    readonly probe: number;
    readonly latency: number;
    readonly total: number;
  };
  /** The bounds the check ran under. */
  readonly limits: {
    readonly timeoutMs: number;
    /** The model's memory budget on top of the idle sandbox, MiB. */
    readonly maxMemoryMb: number;
    /** 'rlimit-data' = kernel-enforced; 'none' = JS heap and time bounds only (no prlimit). */
    readonly nativeMemoryBound: 'rlimit-data' | 'none';
    /** The idle sandbox's own data segment, MiB (0 when not bounded). */
    readonly sandboxBaselineMb: number;
  };
}

const DEFAULTS = { probeRows: 256, timeoutMs: 10_000, maxMemoryMb: 1024, intraOpNumThreads: 1, latencyBudgetMs: 300 } as const;
/**
 * Latency sampling, per kind (single row, then batch of 256): untimed warm-up runs, then timed runs. Counts are
 * bounded below (enough for a median; 20 single rows make p99 the slowest of 20, which the report says by giving
 * the count) and above (a small MLP reaches the maxima in a few ms), and the time spent beyond the minimum by the
 * budget (ms): a dense 50 MB network costs ~10 ms per row and ~0.2 s per batch of 256 on one core, and fixed
 * counts made its upload check take tens of seconds. Warm-up: at least 1 run, at most 20, within 50 ms.
 */
export const LATENCY_SAMPLING = {
  batchRows: 256,
  warmup: { minRuns: 1, maxRuns: 20, budgetMs: 50 },
  single: { minRuns: 20, maxRuns: 200 },
  batches: { minRuns: 3, maxRuns: 50 },
} as const;
const MIN_MEMORY_MB = 64;
const METADATA_LIMITS = { entries: 64, valueChars: 4096 } as const;

function resolveOptions(options: ValidateArtifactOptions): Required<Omit<ValidateArtifactOptions, 'prlimitPath'>> & Pick<ValidateArtifactOptions, 'prlimitPath'> {
  const resolved = { ...DEFAULTS, ...options };
  if (!Number.isFinite(resolved.seed)) throw new RangeError(`seed must be finite, got ${resolved.seed}`);
  if (!Number.isInteger(resolved.probeRows) || resolved.probeRows < 1 || resolved.probeRows > 65_536) {
    throw new RangeError(`probeRows must be an integer in [1, 65536], got ${resolved.probeRows}`);
  }
  if (!(resolved.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${resolved.timeoutMs}`);
  if (!(resolved.maxMemoryMb >= MIN_MEMORY_MB)) throw new RangeError(`maxMemoryMb must be at least ${MIN_MEMORY_MB}, got ${resolved.maxMemoryMb}`);
  if (!(resolved.latencyBudgetMs >= 0)) throw new RangeError(`latencyBudgetMs must be ≥ 0, got ${resolved.latencyBudgetMs}`);
  if (!Number.isInteger(resolved.intraOpNumThreads) || resolved.intraOpNumThreads < 1) {
    throw new RangeError(`intraOpNumThreads must be a positive integer, got ${resolved.intraOpNumThreads}`);
  }
  return resolved;
}

/**
 * Validates an untrusted artifact against its manifest. Throws DomainError with code
 * ARTIFACT_NOT_ONNX | ARTIFACT_SHAPE_MISMATCH | ARTIFACT_OUTPUT_NOT_FINITE | ARTIFACT_OUTPUT_OUT_OF_BOUNDS |
 * ARTIFACT_LOAD_LIMIT (and INTERNAL if the sandbox itself cannot start); `details` say what was expected and
 * what was found. The manifest is assumed parsed (parseManifest): its names are catalog names.
 */
export async function validateArtifact(bytes: Uint8Array, manifest: Manifest, options: ValidateArtifactOptions): Promise<ArtifactReport> {
  const opts = resolveOptions(options);
  const started = performance.now();
  const marks: number[] = [];
  const mark = () => marks.push(performance.now());
  const header = readModelHeader(bytes);
  const bounds = actionBounds(manifest);
  // Built before the child starts so an unknown feature fails fast; rows 0/1 are the min/max corners.
  const probe = buildProbeBatch(manifest.features, opts.probeRows, opts.seed);
  const timing = buildProbeBatch(manifest.features, LATENCY_SAMPLING.batchRows, opts.seed);

  const dir = await mkdtemp(join(tmpdir(), 'airlock-artifact-'));
  const path = join(dir, 'model.onnx');
  let child: ProbeChild | undefined;
  // Runtime messages name the temp file; the caller should see "<artifact>" instead.
  const scrub = (text: string): string => text.split(path).join('<artifact>').split(dir).join('<artifact-dir>');
  const expectReply = <T extends ChildMessage['type']>(reply: ChildMessage, stage: ProbeStage, type: T): Extract<ChildMessage, { type: T }> => {
    if (reply.type === 'failed') throw classifyRuntimeError(stage, scrub(reply.message));
    if (reply.type !== type) throw new DomainError('INTERNAL', `the artifact sandbox replied ${reply.type} to ${stage}`);
    return reply as Extract<ChildMessage, { type: T }>;
  };
  try {
    mark();
    await writeFile(path, bytes, { mode: 0o600 });
    child = await ProbeChild.start({
      timeoutMs: opts.timeoutMs,
      maxMemoryMb: opts.maxMemoryMb,
      threads: opts.intraOpNumThreads,
      prlimitPath: opts.prlimitPath,
    });
    child.startDeadline(opts.timeoutMs);
    mark();

    const loaded = expectReply(await child.request({ type: 'load', path, intraOpNumThreads: opts.intraOpNumThreads }), 'load', 'loaded');
    const signature = checkSignature(loaded.inputs, loaded.outputs, manifest);
    checkNameMetadata(header, manifest);
    mark();

    const f = manifest.features.length;
    const a = manifest.actions.length;
    const ran = expectReply(
      await child.request({ type: 'run', input: probe, rows: opts.probeRows, width: f, outputWidth: a }),
      'run',
      'ran',
    );
    if (!ran.data) {
      throw new DomainError(
        'ARTIFACT_SHAPE_MISMATCH',
        `on the probe batch the model returned ${ran.outputType} [${ran.dims.join(', ')}], expected float32 [${opts.probeRows}, ${a}]`,
        { expected: { type: 'float32', dims: [opts.probeRows, a] }, actual: { type: ran.outputType, dims: ran.dims } },
      );
    }
    const range = checkOutputs(ran.data, probe, manifest, bounds);
    mark();

    const timed = expectReply(
      await child.request({
        type: 'time',
        row: timing.slice(2 * f, 3 * f), // a random row, not a corner
        batch: timing,
        batchRows: LATENCY_SAMPLING.batchRows,
        width: f,
        warmup: LATENCY_SAMPLING.warmup,
        single: { ...LATENCY_SAMPLING.single, budgetMs: opts.latencyBudgetMs },
        batches: { ...LATENCY_SAMPLING.batches, budgetMs: opts.latencyBudgetMs },
      }),
      'time',
      'timed',
    );
    mark();
    const batchP50Us = percentile(timed.batchNs, 0.5) / 1e3;
    const [prepared = started, sandboxed = started, loadedAt = started, probed = started, sampled = started] = marks;
    return {
      ...signature,
      opset: defaultOpset(header),
      irVersion: header.irVersion,
      producer: { name: header.producerName, version: header.producerVersion },
      metadata: clipMetadata(header.metadata),
      probe: { rows: opts.probeRows, seed: opts.seed, outputMin: range.min, outputMax: range.max },
      latency: {
        loadMs: round(loaded.loadMs, 3),
        singleRowP50Us: round(percentile(timed.singleNs, 0.5) / 1e3, 3),
        singleRowP99Us: round(percentile(timed.singleNs, 0.99) / 1e3, 3),
        batch256P50Us: round(batchP50Us, 3),
        batch256RowsPerSec: Math.round(LATENCY_SAMPLING.batchRows / (batchP50Us / 1e6)),
        singleRowSamples: timed.singleNs.length,
        batch256Samples: timed.batchNs.length,
        budgetMsPerKind: opts.latencyBudgetMs,
      },
      durationsMs: {
        prepare: round(prepared - started, 1),
        sandbox: round(sandboxed - prepared, 1),
        load: round(loadedAt - sandboxed, 1),
        probe: round(probed - loadedAt, 1),
        latency: round(sampled - probed, 1),
        total: round(sampled - started, 1),
      },
      limits: {
        timeoutMs: opts.timeoutMs,
        maxMemoryMb: opts.maxMemoryMb,
        nativeMemoryBound: child.nativeMemoryBound,
        sandboxBaselineMb: child.baselineMb,
      },
    };
  } finally {
    await child?.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------- the checks

type Signature = Pick<ArtifactReport, 'inputName' | 'outputName' | 'inputShape' | 'outputShape'>;

/** Problems with one side (input or output) of the signature; [] if it is float32 [N, width]. */
function sideProblems(what: 'input' | 'output', values: readonly ValueInfo[], width: number, columns: string): string[] {
  if (values.length !== 1) return [`the model has ${values.length} ${what}s, expected exactly 1`];
  const [value] = values as [ValueInfo];
  const label = `${what} "${value.name}"`;
  if (!value.isTensor) return [`${label} is not a tensor`];
  const problems: string[] = [];
  if (value.type !== 'float32') problems.push(`${label} is ${value.type}, expected float32`);
  const shape = value.shape ?? [];
  if (shape.length !== 2) {
    problems.push(`${label} has shape [${shape.join(', ')}] (rank ${shape.length}), expected rank 2 [N, ${width}]`);
    return problems;
  }
  const [batch, columnsDim] = shape as [number | string, number | string];
  // onnxruntime reports a dynamic dimension as its symbol (a string) or, when unnamed, as -1.
  if (typeof batch === 'number' && batch >= 0) {
    problems.push(`${label} has a fixed batch dimension of ${batch}; it must be symbolic (e.g. "N") so decisions can be batched`);
  }
  if (columnsDim !== width) {
    problems.push(
      typeof columnsDim === 'number' && columnsDim >= 0
        ? `${label} has ${columnsDim} columns, the manifest lists ${width} ${columns}`
        : `${label} has a symbolic column dimension (${String(columnsDim)}), expected the fixed ${width} ${columns} of the manifest`,
    );
  }
  return problems;
}

function checkSignature(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[], manifest: Manifest): Signature {
  const f = manifest.features.length;
  const a = manifest.actions.length;
  const problems = [...sideProblems('input', inputs, f, 'features'), ...sideProblems('output', outputs, a, 'actions')];
  if (problems.length > 0) {
    throw new DomainError('ARTIFACT_SHAPE_MISMATCH', `the model's signature disagrees with the manifest: ${problems.join('; ')}`, {
      problems,
      expected: { inputs: [{ type: 'float32', shape: ['N', f] }], outputs: [{ type: 'float32', shape: ['N', a] }] },
      actual: { inputs, outputs },
    });
  }
  const [input] = inputs as [ValueInfo];
  const [output] = outputs as [ValueInfo];
  return { inputName: input.name, outputName: output.name, inputShape: input.shape ?? [], outputShape: output.shape ?? [] };
}

/** If the model names its columns in metadata_props, the names and order must be the manifest's. */
function checkNameMetadata(header: ModelHeader, manifest: Manifest): void {
  const sides = [
    { key: METADATA_FEATURES_KEY, expected: manifest.features, what: 'features' },
    { key: METADATA_ACTIONS_KEY, expected: manifest.actions, what: 'actions' },
  ];
  for (const { key, expected, what } of sides) {
    if (!Object.hasOwn(header.metadata, key)) continue;
    const raw = header.metadata[key] ?? '';
    let actual: unknown;
    try {
      actual = JSON.parse(raw);
    } catch {
      actual = undefined;
    }
    if (!Array.isArray(actual) || !actual.every((name) => typeof name === 'string')) {
      throw new DomainError('ARTIFACT_SHAPE_MISMATCH', `the model's metadata ${key} is not a JSON array of names: ${clipText(raw, 200)}`, {
        metadataKey: key,
        expected,
        actual: clipText(raw, 1000),
      });
    }
    const same = actual.length === expected.length && actual.every((name, i) => name === expected[i]);
    if (!same) {
      throw new DomainError(
        'ARTIFACT_SHAPE_MISMATCH',
        `the model's metadata ${key} ${JSON.stringify(actual)} disagrees with the manifest's ${what} ${JSON.stringify(expected)}`,
        { metadataKey: key, expected, actual },
      );
    }
  }
}

/**
 * Scans the probe outputs: any NaN/±Infinity → ARTIFACT_OUTPUT_NOT_FINITE, else any value outside its action's
 * [min, max] → ARTIFACT_OUTPUT_OUT_OF_BOUNDS. Details name the first offending row (with its feature values, to
 * reproduce), the action, the value and the bound, plus counts per action. Returns per-action min and max.
 */
function checkOutputs(
  output: Float32Array,
  probe: Float32Array,
  manifest: Manifest,
  bounds: readonly { min: number; max: number }[],
): { min: number[]; max: number[] } {
  const a = manifest.actions.length;
  const f = manifest.features.length;
  const rows = output.length / a;
  const min = manifest.actions.map(() => Infinity);
  const max = manifest.actions.map(() => -Infinity);
  const nonFinite = manifest.actions.map(() => 0);
  const outside = manifest.actions.map(() => 0);
  let firstNonFinite: { row: number; col: number } | undefined;
  let firstOutside: { row: number; col: number } | undefined;
  for (let row = 0; row < rows; row += 1) {
    for (let col = 0; col < a; col += 1) {
      const value = output[row * a + col] ?? NaN;
      const bound = bounds[col] ?? { min: -Infinity, max: Infinity };
      if (!Number.isFinite(value)) {
        nonFinite[col] = (nonFinite[col] ?? 0) + 1;
        firstNonFinite ??= { row, col };
        continue;
      }
      min[col] = Math.min(min[col] ?? Infinity, value);
      max[col] = Math.max(max[col] ?? -Infinity, value);
      if (value < bound.min || value > bound.max) {
        outside[col] = (outside[col] ?? 0) + 1;
        firstOutside ??= { row, col };
      }
    }
  }
  const describe = (first: { row: number; col: number }, counts: number[]) => {
    const value = output[first.row * a + first.col] ?? NaN;
    return {
      action: manifest.actions[first.col],
      row: first.row,
      // JSON has no NaN/Infinity: non-finite values travel as strings.
      value: Number.isFinite(value) ? value : String(value),
      bound: bounds[first.col],
      features: Object.fromEntries(manifest.features.map((name, i) => [name, probe[first.row * f + i]])),
      countByAction: Object.fromEntries(manifest.actions.map((name, i) => [name, counts[i] ?? 0])),
      rows,
    };
  };
  if (firstNonFinite) {
    const details = describe(firstNonFinite, nonFinite);
    const total = nonFinite.reduce((s, n) => s + n, 0);
    throw new DomainError(
      'ARTIFACT_OUTPUT_NOT_FINITE',
      `the model output ${details.value} for action "${details.action}" on probe row ${details.row} (${total} non-finite outputs in ${rows} rows)`,
      details,
    );
  }
  if (firstOutside) {
    const details = describe(firstOutside, outside);
    const total = outside.reduce((s, n) => s + n, 0);
    throw new DomainError(
      'ARTIFACT_OUTPUT_OUT_OF_BOUNDS',
      `the model output ${details.value} for action "${details.action}" on probe row ${details.row}, outside its bounds [${details.bound?.min}, ${details.bound?.max}] (${total} outputs out of bounds in ${rows} rows)`,
      details,
    );
  }
  return { min, max };
}

// --------------------------------------------------------------------------------------------- helpers

/** Nearest-rank percentile (q in (0, 1]) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((x, y) => x - y);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

const clipText = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max)}…` : text);

function clipMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata)
      .slice(0, METADATA_LIMITS.entries)
      .map(([key, value]) => [clipText(key, 256), clipText(value, METADATA_LIMITS.valueChars)]),
  );
}
