/**
 * The ONNX side of the execution-model contract (docs/model-contract.md): names and keys that builders write
 * and the validator reads. The feature and action names themselves come from @airlock/core's catalog.
 */

/** Recommended input name; the validator accepts any name but reports it. Shape [N, F], float32. */
export const INPUT_NAME = 'features';
/** Recommended output name; shape [N, A], float32. */
export const OUTPUT_NAME = 'actions';
/** Symbolic batch dimension: N rows = N episodes decided at once (DESIGN.md principle 8). */
export const BATCH_DIM = 'N';

/** `metadata_props` key holding the ordered feature names as a JSON string array. */
export const METADATA_FEATURES_KEY = 'airlock.features';
/** `metadata_props` key holding the ordered action names as a JSON string array. */
export const METADATA_ACTIONS_KEY = 'airlock.actions';

/** What our builders write: ONNX IR version 8 (ONNX 1.10) with the default-domain opset 13. */
export const BUILDER_IR_VERSION = 8;
export const BUILDER_OPSET = 13;
export const BUILDER_PRODUCER = 'airlock-onnx-builder';
