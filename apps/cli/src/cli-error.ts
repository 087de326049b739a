import type { FieldProblem } from '@airlock/core';
import { ExitCode } from './run-cli.js';

type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the CLI explains itself and maps to an exit code (run-cli.ts): a problem+json answer of the API,
 * an unreachable API, a missing key. Thrown by the config and the HTTP client; caught by `handleCliErrors`, so
 * runCli's generic mapping (DomainError → 2, anything else → 4) stays for what these do not cover.
 */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
    readonly extra: {
      /** The API's stable problem `code`, or a local one (NO_API_KEY, UNREACHABLE, …). */
      readonly code?: string;
      readonly errors?: readonly FieldProblem[];
      /** What to do about it (which key was used, which role is needed, how to follow a run). */
      readonly hint?: string;
      readonly status?: number;
    } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** `error CODE: detail`, every `field: message`, then the hint — on stderr, so stdout stays parseable. */
export function reportCliError(error: CliError): void {
  console.error(error.extra.code ? `error ${error.extra.code}: ${error.message}` : `error: ${error.message}`);
  for (const problem of error.extra.errors ?? []) console.error(`  ${problem.field}: ${problem.message}`);
  if (error.extra.hint) console.error(`hint: ${error.extra.hint}`);
}

/** Wraps a command action: a CliError is reported and sets the exit code; anything else goes on to runCli. */
export function handleCliErrors<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      reportCliError(error);
      process.exitCode = error.exitCode;
    }
  };
}

/** A usage problem found by the CLI itself (a missing file, two options that exclude each other): exit 2. */
export const usageError = (field: string, message: string, hint?: string): CliError =>
  new CliError(ExitCode.BadInput, 'invalid options', { code: 'VALIDATION_FAILED', errors: [{ field, message }], ...(hint ? { hint } : {}) });
