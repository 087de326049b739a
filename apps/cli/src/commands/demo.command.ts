import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, handleCliErrors } from '../cli-error.js';
import { DemoFailure, runDemo } from '../demo/lifecycle.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock demo` (`npm run demo`): the whole lifecycle on embedded defaults in this process, narrated
 * (apps/cli/src/demo/lifecycle.ts). Exit 0 when every step ended as the story needs; 1 when one did not (the
 * narration says which and what it saw).
 *
 *   airlock demo [--out demo-output] [--data <LOBSTER zip>]
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Run the whole lifecycle on embedded defaults: train, register, validate, shadow, approve, canary, rollback, report')
    .option('--out <dir>', 'where models, report and audit export go (its state/ is wiped first)', 'demo-output')
    .option('--data <zip>', 'a LOBSTER zip (default: ../shared/data GOOG when present, else a synthetic day)')
    .action(
      handleCliErrors(async (options: { out: string; data?: string }) => {
        try {
          await runDemo({ outDir: resolve(options.out), ...(options.data ? { data: resolve(options.data) } : {}) });
        } catch (error) {
          if (error instanceof DemoFailure) throw new CliError(ExitCode.Finding, `the demo stopped: ${error.message}`, { code: 'DEMO_FAILED' });
          throw error;
        }
      }),
    );
}
