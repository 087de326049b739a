/**
 * The port every decision-maker implements: baselines, ONNX models, and test doubles. Inference is batched:
 * one call decides for every episode waiting at the same decision time (DESIGN.md principle 8).
 */
export interface BatchPolicy {
  /** Human-readable identity, e.g. `candidate` or `my-model@3`. */
  readonly name: string;
  /** Catalog feature names, in the order of `input`'s columns. */
  readonly features: readonly string[];
  /** Catalog action names, in the order of the output's columns. */
  readonly actions: readonly string[];
  /**
   * Decides for `rows` episodes at once.
   * @param input row-major float32, rows × features.length
   * @returns row-major float32, rows × actions.length (NaN allowed: the caller treats it as an invalid action)
   */
  decide(input: Float32Array, rows: number): Promise<Float32Array>;
}
