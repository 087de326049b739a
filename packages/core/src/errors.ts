/**
 * Coded domain errors. The domain never throws HTTP exceptions: each edge maps these codes exhaustively
 * (the API to RFC 9457 problem+json, the worker to retry-or-fail, the CLI to exit codes).
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 'invalid input: the `errors` list names every offending field',
  NOT_FOUND: 'the resource does not exist',
  CONFLICT: 'the resource exists already or changed meanwhile',
  UNAUTHENTICATED: 'no valid API key',
  FORBIDDEN: 'the caller’s role may not do this',
  IDEMPOTENCY_KEY_REUSED: 'the Idempotency-Key was used for a different request',
  PAYLOAD_TOO_LARGE: 'the upload exceeds the configured size limit',
  MANIFEST_INVALID: 'the manifest is not JSON or lacks required fields',
  MANIFEST_UNKNOWN_FEATURE: 'the manifest names a feature the catalog does not define',
  MANIFEST_UNKNOWN_ACTION: 'the manifest names an action the catalog does not define',
  ARTIFACT_NOT_ONNX: 'the artifact is not a loadable ONNX model',
  ARTIFACT_LOAD_LIMIT: 'loading or probing the artifact exceeded its time or memory bound',
  ARTIFACT_SHAPE_MISMATCH: 'the model’s input/output shapes disagree with the manifest',
  ARTIFACT_OUTPUT_NOT_FINITE: 'the model produced NaN or infinite outputs on the probe batch',
  ARTIFACT_OUTPUT_OUT_OF_BOUNDS: 'the model produced outputs outside the actions’ bounds on the probe batch',
  ARTIFACT_INTEGRITY: 'stored artifact bytes no longer match their sha256',
  ALIAS_PROTECTED: 'the alias can only be moved by a completed rollout',
  DATA_INVALID: 'market data is malformed',
  PROMOTION_NOT_ELIGIBLE: 'the version is not in a status that may be promoted',
  PROMOTION_CLOSED: 'the promotion was decided already (approved or rejected)',
  APPROVAL_SELF: 'the requester of a promotion may not vote on it',
  APPROVAL_AUTHOR: 'the author of the version may not vote on its promotion',
  APPROVAL_DUPLICATE: 'this approver has voted on the promotion already',
  APPROVAL_EXPIRED: 'the promotion’s approval window has closed',
  APPROVAL_BINDING_MISMATCH: 'the vote names another artifact sha256 or plan hash than the promotion',
  DEPLOYMENT_NOT_KILLED: 'the deployment is not killed or halted: nothing to resume',
  RENDERER_UNAVAILABLE: 'the PDF renderer (headless Chromium) is not installed or did not start',
  INTERNAL: 'an unexpected error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One offending field of an input, named by its path (`manifest.features[2]`). */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Machine-readable context (offending fields, limits); safe to show to the caller. */
    readonly details: { readonly errors?: readonly FieldProblem[]; readonly [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
