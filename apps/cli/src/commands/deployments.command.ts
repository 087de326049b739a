import { type Command, Option } from 'commander';
import { connect, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import { handleCliErrors } from '../cli-error.js';
import { fields, printJson } from '../cli-output.js';

/**
 * The kill switch (risk, admin):
 *   kill <deployment> --reason R [--mode stable|halt]   → POST /v1/deployments/{name}/kill { reason, mode }
 *   resume-deployment <deployment> [--reason R]         → POST /v1/deployments/{name}/resume { reason? }
 * Both print the routing table as it stands after.
 */
interface Subject {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
}

export interface Routing {
  readonly deployment: string;
  readonly stable: Subject | null;
  readonly canary: Subject | null;
  readonly canaryWeight: number;
  readonly revision: number;
  readonly halted: boolean;
  readonly kill: { readonly reason: string; readonly mode: string; readonly by?: string; readonly at: string } | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

const subject = (s: Subject | null) => (s ? `${s.model} v${s.version} (${s.sha256.slice(0, 12)})` : '—');

function formatRouting(r: Routing): string {
  return fields([
    ['deployment', r.deployment],
    ['stable', subject(r.stable)],
    ['canary', r.canary ? `${subject(r.canary)} at ${r.canaryWeight}%` : '—'],
    ['halted', r.halted ? 'yes: no flow is routed' : 'no'],
    ['kill', r.kill ? `${r.kill.mode}: ${r.kill.reason} (${r.kill.at})` : '—'],
    ['revision', String(r.revision)],
    ['updated', `${r.updatedAt} by ${r.updatedBy}`],
  ]);
}

export function registerDeploymentsCommands(program: Command): void {
  withApiOptions(
    program
      .command('kill <deployment>')
      .description('Kill switch: at once all flow to the last approved stable version (or halt) (risk, admin)')
      .requiredOption('--reason <text>', 'why (audited)')
      .addOption(new Option('--mode <mode>', 'stable: route everything to stable; halt: route nothing').choices(['stable', 'halt']).default('stable')),
  ).action(
    handleCliErrors(async (deployment: string, options: ApiOptions & { reason: string; mode: 'stable' | 'halt' }) => {
      const { body } = await (await connect(options)).post<Routing>(`/v1/deployments/${segment(deployment)}/kill`, { reason: options.reason, mode: options.mode });
      if (options.json) return printJson(body);
      console.log(`killed ${body.deployment} (${options.mode})\n${formatRouting(body)}`);
    }),
  );

  withApiOptions(
    program
      .command('resume-deployment <deployment>')
      .description('Lift the kill switch of a deployment (risk, admin)')
      .option('--reason <text>', 'why (audited)'),
  ).action(
    handleCliErrors(async (deployment: string, options: ApiOptions & { reason?: string }) => {
      const { body } = await (await connect(options)).post<Routing>(`/v1/deployments/${segment(deployment)}/resume`, options.reason === undefined ? {} : { reason: options.reason });
      if (options.json) return printJson(body);
      console.log(`resumed ${body.deployment}\n${formatRouting(body)}`);
    }),
  );
}
