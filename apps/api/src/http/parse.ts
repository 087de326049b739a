import { DomainError, zodProblems } from '@airlock/core';
import type { z } from 'zod';

/** Validates a JSON body against a schema; a failure lists every offending field (400 VALIDATION_FAILED). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new DomainError('VALIDATION_FAILED', 'the request body is invalid', { errors: zodProblems(parsed.error) });
  }
  return parsed.data;
}

/** `limit` query parameter: 1–500, default 100. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return 100;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new DomainError('VALIDATION_FAILED', 'invalid limit', { errors: [{ field: 'limit', message: 'an integer from 1 to 500' }] });
  }
  return limit;
}

/** A positive integer path or query parameter (versions, sequence numbers). */
export function parsePositiveInt(raw: string | undefined, field: string): number {
  const value = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < 1) {
    throw new DomainError('VALIDATION_FAILED', `invalid ${field}`, { errors: [{ field, message: 'a positive integer' }] });
  }
  return value;
}
