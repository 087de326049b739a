import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { connect, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import { CliError, handleCliErrors, usageError } from '../cli-error.js';
import { fields, printJson, table } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';
import { listAllWith } from './promotions.command.js';

/**
 * `airlock rollout status <id> | --deployment <name>` (its unfinished rollout, else its latest): phase, step, weight, analysis;
 * `airlock rollout pause|resume|abort|promote-full <id> [--reason R]`: a command the controller applies on its
 * next tick. Exit codes: 0 done; 1 the rollout is Aborted (status); 2 bad input or refused (409: finished, or
 * another command waiting); 3 API unreachable.
 */
interface Subject {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
}

export interface Rollout {
  readonly id: string;
  readonly promotionId: string;
  readonly deployment: string;
  readonly candidate: Subject;
  readonly stable: Subject | null;
  readonly phase: 'Progressing' | 'Paused' | 'Healthy' | 'Degraded' | 'Aborted';
  readonly step: number;
  readonly steps: number;
  readonly currentStep: unknown;
  readonly canaryWeight: number;
  readonly pause: { readonly kind: string; readonly until?: string | null } | null;
  readonly analysis: readonly { readonly template: string; readonly metric: string; readonly dryRun: boolean; readonly phase: string; readonly message: string }[];
  readonly abort: { readonly reason: string; readonly message: string; readonly metric: string | null; readonly at: string | null } | null;
  readonly pendingCommand: { readonly kind: string; readonly by: string | null; readonly reason: string | null } | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

const subject = (s: Subject | null) => (s ? `${s.model} v${s.version}` : '—');

function formatRollout(r: Rollout): string {
  const pause = r.pause ? `${r.pause.kind}${r.pause.until ? ` until ${r.pause.until}` : ''}` : null;
  const head = fields([
    ['rollout', r.id],
    ['promotion', r.promotionId],
    ['deployment', r.deployment],
    ['candidate', subject(r.candidate)],
    ['stable', subject(r.stable)],
    ['phase', `${r.phase}${pause ? ` (${pause})` : ''}`],
    ['step', `${Math.min(r.step + 1, r.steps)} of ${r.steps}${r.currentStep ? ` ${JSON.stringify(r.currentStep)}` : r.step >= r.steps ? ' (all done)' : ''}`],
    ['canary weight', `${r.canaryWeight}%`],
    ...(r.pendingCommand ? [['pending', `${r.pendingCommand.kind}${r.pendingCommand.by ? ` by ${r.pendingCommand.by}` : ''}${r.pendingCommand.reason ? `: ${r.pendingCommand.reason}` : ''} (next tick)`] as const] : []),
    ...(r.abort ? [['aborted', `${r.abort.reason}: ${r.abort.message}`] as const] : []),
    ...(r.finishedAt ? [['finished', r.finishedAt] as const] : []),
  ]);
  if (r.analysis.length === 0) return head;
  return `${head}\n\n${table(
    ['metric', 'phase', 'message'],
    r.analysis.map((m) => [`${m.template}/${m.metric}${m.dryRun ? ' (dry run)' : ''}`, m.phase, m.message]),
  )}`;
}

async function latestOf(client: ApiClient, deployment: string): Promise<Rollout> {
  const items = await listAllWith<Rollout>(client, '/v1/rollouts', { deployment });
  // A deployment has at most one unfinished rollout: that one; else the newest (stable sort keeps the API's order on ties).
  const latest = items.find((r) => r.phase !== 'Healthy' && r.phase !== 'Aborted') ?? [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
  if (!latest) throw new CliError(ExitCode.BadInput, `deployment "${deployment}" has no rollout yet`, { code: 'NOT_FOUND' });
  return latest;
}

const COMMANDS = [
  ['pause', 'pause', 'Stop the rollout where it is (quant, risk, admin)'],
  ['resume', 'resume', 'Resume a paused or degraded rollout (risk, admin)'],
  ['abort', 'abort', 'Abort: all flow back to stable (risk, admin)'],
  ['promote-full', 'promote-full', 'Skip the remaining steps: 100% now, the candidate becomes stable (risk, admin)'],
] as const;

export function registerRolloutCommands(program: Command): void {
  const rollout = program.command('rollout').description('Rollouts: status and the manual controls');

  withApiOptions(
    rollout
      .command('status [id]')
      .description('A rollout: phase, step, canary weight, each analysis metric (exit 1 when Aborted)')
      .option('--deployment <name>', 'the latest rollout of this deployment instead of an id'),
  ).action(
    handleCliErrors(async (id: string | undefined, options: ApiOptions & { deployment?: string }) => {
      if ((id === undefined) === (options.deployment === undefined)) throw usageError('id', 'give a rollout id or --deployment <name> (one of them)');
      const client = await connect(options);
      const found = id !== undefined ? await client.get<Rollout>(`/v1/rollouts/${segment(id)}`) : await latestOf(client, options.deployment as string);
      if (options.json) printJson(found);
      else console.log(formatRollout(found));
      if (found.phase === 'Aborted') process.exitCode = ExitCode.Finding;
    }),
  );

  for (const [name, path, description] of COMMANDS) {
    withApiOptions(rollout.command(`${name} <id>`).description(description).option('--reason <text>', 'why (audited)')).action(
      handleCliErrors(async (id: string, options: ApiOptions & { reason?: string }) => {
        const { body } = await (await connect(options)).post<Rollout>(`/v1/rollouts/${segment(id)}/${path}`, options.reason === undefined ? {} : { reason: options.reason });
        if (options.json) return printJson(body);
        console.log(`${name} of rollout ${body.id} recorded; the controller applies it on its next tick\n${formatRollout(body)}`);
      }),
    );
  }
}
