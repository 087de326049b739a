import type { Command } from 'commander';
import { isDomainError } from '@airlock/core';

/**
 * Exit codes every command shares: 0 success, 1 the command ran and found a problem (a mismatch, a failed
 * verdict), 2 bad usage or input, 3 a service could not be reached, 4 an unexpected error.
 */
export const ExitCode = { Ok: 0, Finding: 1, BadInput: 2, Unavailable: 3, Internal: 4 } as const;

/** Runs the program (built with `exitOverride()`), mapping failures to the exit codes above. */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version') return;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = ExitCode.BadInput;
      return;
    }
    if (isDomainError(error)) {
      console.error(`error ${error.code}: ${error.message}`);
      for (const problem of error.details.errors ?? []) console.error(`  ${problem.field}: ${problem.message}`);
      process.exitCode = ExitCode.BadInput;
      return;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = ExitCode.Internal;
  }
}
