/**
 * An ONNX execution model as a BatchPolicy, for the backtest engine and the shadow runner. It runs in-process:
 * only artifacts that passed validateArtifact at registration (and whose sha256 the artifact store verified on
 * read) get here, so no sandbox. One InferenceSession serves every call; one decide() call decides for every
 * episode waiting at the same decision time (DESIGN.md principle 8: batching is worth ~400× per row).
 */
import ort from 'onnxruntime-node';
import type { BatchPolicy, Manifest } from '@airlock/core';

export interface OnnxPolicyOptions {
  /**
   * onnxruntime intra-op threads (default 1). One thread per session keeps many concurrent sessions (champion
   * plus candidates, several backtest workers) from oversubscribing the cores; batching gives the throughput.
   */
  readonly intraOpNumThreads?: number;
}

export class OnnxPolicy implements BatchPolicy {
  private disposed = false;

  private constructor(
    readonly name: string,
    readonly features: readonly string[],
    readonly actions: readonly string[],
    private readonly session: ort.InferenceSession,
    private readonly inputName: string,
    private readonly outputName: string,
  ) {}

  /** Creates the session. The artifact must already be validated against this manifest (not re-checked here). */
  static async load(
    bytes: Uint8Array,
    manifest: Pick<Manifest, 'features' | 'actions'>,
    name: string,
    options: OnnxPolicyOptions = {},
  ): Promise<OnnxPolicy> {
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const [inputName] = session.inputNames;
    const [outputName] = session.outputNames;
    if (inputName === undefined || outputName === undefined) {
      await session.release();
      throw new Error(`policy ${name}: the model has no input or no output`);
    }
    return new OnnxPolicy(name, [...manifest.features], [...manifest.actions], session, inputName, outputName);
  }

  /**
   * @param input row-major float32, rows × features.length (a longer buffer is read up to rows × features)
   * @returns row-major float32, rows × actions.length, owned by the caller
   */
  async decide(input: Float32Array, rows: number): Promise<Float32Array> {
    if (this.disposed) throw new Error(`policy ${this.name} is disposed`);
    const f = this.features.length;
    const a = this.actions.length;
    if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
    if (input.length < rows * f) throw new RangeError(`input holds ${input.length} values, ${rows} rows × ${f} features need ${rows * f}`);
    if (rows === 0) return new Float32Array(0);
    const data = input.length === rows * f ? input : input.subarray(0, rows * f);
    const result = await this.session.run({ [this.inputName]: new ort.Tensor('float32', data, [rows, f]) });
    const output = result[this.outputName];
    if (!output || output.type !== 'float32' || output.data.length !== rows * a) {
      throw new Error(`policy ${this.name}: expected float32 [${rows}, ${a}] from "${this.outputName}", got ${output?.type} [${output?.dims.join(', ')}]`);
    }
    return output.data as Float32Array;
  }

  /** Releases the native session; decide() fails afterwards. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}
