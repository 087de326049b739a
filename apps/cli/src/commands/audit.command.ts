import type { Command } from 'commander';
import { connect, withApiOptions, type ApiOptions } from '../api-command.js';
import type { AuditVerification } from '../api-types.js';
import { handleCliErrors } from '../cli-error.js';
import { fields, printJson } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock audit verify`: asks the API to recompute the audit hash chain (auditor, risk or admin key).
 * Exit 0 when every event follows from the ones before it, 1 when the chain is broken (and where).
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');

  withApiOptions(audit.command('verify').description('Recompute the audit hash chain; exit 1 if it is broken')).action(
    handleCliErrors(async (options: ApiOptions) => {
      const result = await (await connect(options)).get<AuditVerification>('/v1/audit/verify');
      if (options.json) printJson(result);
      else if (result.ok) console.log(`audit chain OK: ${result.events.toLocaleString('en-US')} events${result.lastHash ? `, last hash ${result.lastHash}` : ''}`);
      else {
        console.log(
          `audit chain BROKEN at event ${result.brokenAt}\n${fields([
            ['reason', result.reason],
            ['expected', result.expected],
            ['actual', result.actual],
            ['events read', String(result.events)],
          ])}`,
        );
      }
      if (!result.ok) process.exitCode = ExitCode.Finding;
    }),
  );
}
