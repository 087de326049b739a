import { ERROR_CODES, isDomainError, type ErrorCode, type FieldProblem } from '@airlock/core';

/** HTTP status of every domain error code: exhaustive, so a new code does not compile until it is mapped. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  MANIFEST_INVALID: 422,
  MANIFEST_UNKNOWN_FEATURE: 422,
  MANIFEST_UNKNOWN_ACTION: 422,
  ARTIFACT_NOT_ONNX: 422,
  ARTIFACT_LOAD_LIMIT: 422,
  ARTIFACT_SHAPE_MISMATCH: 422,
  ARTIFACT_OUTPUT_NOT_FINITE: 422,
  ARTIFACT_OUTPUT_OUT_OF_BOUNDS: 422,
  ARTIFACT_INTEGRITY: 500,
  ALIAS_PROTECTED: 409,
  DATA_INVALID: 422,
  PROMOTION_NOT_ELIGIBLE: 409,
  PROMOTION_CLOSED: 409,
  APPROVAL_SELF: 403,
  APPROVAL_AUTHOR: 403,
  APPROVAL_DUPLICATE: 409,
  APPROVAL_EXPIRED: 409,
  APPROVAL_BINDING_MISMATCH: 409,
  DEPLOYMENT_NOT_KILLED: 409,
  RENDERER_UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** RFC 9457 problem details, with the stable `code` and (for validation) every offending field. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly errors?: readonly FieldProblem[];
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `type` URIs resolve to the error catalogue in docs/errors.md. */
const typeUri = (code: ErrorCode) => `https://airlock.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;

export function problemOf(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}): Problem {
  return { type: typeUri(code), title: ERROR_CODES[code], status: STATUS_BY_CODE[code], detail, code, ...extra };
}

/** Any thrown value → a problem. Unknown errors become a bare 500: their message may hold internals. */
export function toProblem(error: unknown): Problem {
  if (isDomainError(error)) {
    const { errors, ...rest } = error.details;
    return problemOf(error.code, error.message, { ...(errors ? { errors } : {}), ...rest });
  }
  const status = (error as { statusCode?: number; status?: number }).statusCode ?? (error as { status?: number }).status;
  if (status === 404) return problemOf('NOT_FOUND', 'no such route');
  if (status === 413) return problemOf('PAYLOAD_TOO_LARGE', (error as Error).message);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { ...problemOf('VALIDATION_FAILED', (error as Error).message), status };
  }
  return problemOf('INTERNAL', 'an unexpected error occurred; see the server log for the request id');
}
