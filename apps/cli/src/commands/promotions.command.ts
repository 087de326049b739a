import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ApiClient } from '../api-client.js';
import { connect, positiveInteger, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import type { Page } from '../api-types.js';
import { handleCliErrors, usageError } from '../cli-error.js';
import { fields, printJson, table } from '../cli-output.js';

/**
 * The four-eyes flow:
 *   promote <model> <version> --deployment <name> [--plan plan.json] [--override-reason R]   (quant)
 *   promotions list [--phase PendingApproval] | promotions show <id>                          (the risk inbox)
 *   approve <promotionId> [--comment C] | reject <promotionId> --comment C                    (risk)
 * Exit codes: 0 done; 2 bad input or refused by the API (e.g. APPROVAL_SELF); 3 API unreachable.
 */
const PHASES = ['PendingApproval', 'Approved', 'Rejected', 'Expired'];

export interface Promotion {
  readonly id: string;
  readonly phase: string;
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
  readonly deployment: string;
  readonly tier: string;
  readonly planHash: string;
  readonly requiredApprovals: number;
  readonly validApprovals: number;
  readonly approvals: readonly { readonly approver: string; readonly decision: string; readonly comment: string | null; readonly at: string; readonly expired: boolean }[];
  readonly override: { readonly reason: string } | null;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly approvedUntil: string | null;
}

function formatPromotion(p: Promotion): string {
  const head = fields([
    ['promotion', p.id],
    ['target', `${p.model} v${p.version} → ${p.deployment}`],
    ['sha256', p.sha256],
    ['plan hash', p.planHash],
    ['tier', p.tier],
    ['phase', p.phase],
    ['approvals', `${p.validApprovals} of ${p.requiredApprovals} required`],
    ['requested', `${p.requestedAt} by ${p.requestedBy}`],
    ...(p.phase === 'PendingApproval' ? [['votes until', p.expiresAt] as const] : []),
    ...(p.approvedUntil ? [['approved until', p.approvedUntil] as const] : []),
    ...(p.override ? [['override', p.override.reason] as const] : []),
  ]);
  if (p.approvals.length === 0) return `${head}\n\nno votes yet`;
  const votes = table(
    ['approver', 'decision', 'at', 'comment'],
    p.approvals.map((a) => [a.approver, `${a.decision}${a.expired ? ' (expired)' : ''}`, a.at, a.comment ?? '']),
  );
  return `${head}\n\n${votes}`;
}

async function readPlan(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw usageError('--plan', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError('--plan', `${path} is not JSON: ${(error as Error).message}`);
  }
}

export function registerPromotionsCommands(program: Command): void {
  withApiOptions(
    program
      .command('promote <model> <version>')
      .description('Request the promotion of a version to a deployment (quant); risk approves it')
      .requiredOption('--deployment <name>', 'the deployment to roll out to (created by its first promotion)')
      .option('--plan <plan.json>', 'a rollout plan (steps, caps); the default plan without it')
      .option('--override-reason <text>', 'promote despite a gate, with this justification (audited)'),
  ).action(
    handleCliErrors(async (model: string, version: string, options: ApiOptions & { deployment: string; plan?: string; overrideReason?: string }) => {
      let number: number;
      try {
        number = positiveInteger(version);
      } catch {
        throw usageError('version', `"${version}" is not a version number (1, 2, …)`);
      }
      const plan = options.plan === undefined ? undefined : await readPlan(options.plan);
      const client = await connect(options);
      const { body } = await client.post<Promotion>('/v1/promotions', {
        model,
        version: number,
        deployment: options.deployment,
        ...(plan === undefined ? {} : { plan }),
        ...(options.overrideReason === undefined ? {} : { override: { reason: options.overrideReason } }),
      });
      if (options.json) return printJson(body);
      console.log(`promotion ${body.id} requested: ${body.phase}, needs ${body.requiredApprovals} approval(s)\n${formatPromotion(body)}`);
    }),
  );

  const promotions = program.command('promotions').description('Promotion requests: list (the risk inbox), show');

  withApiOptions(
    promotions
      .command('list')
      .description('List promotions, oldest first; --phase PendingApproval is the risk inbox')
      .addOption(new Option('--phase <phase>', 'only promotions in this phase').choices(PHASES)),
  ).action(
    handleCliErrors(async (options: ApiOptions & { phase?: string }) => {
      const client = await connect(options);
      const items = await listAllWith<Promotion>(client, '/v1/promotions', { phase: options.phase });
      if (options.json) return printJson({ items });
      if (items.length === 0) return console.log(options.phase ? `no promotions ${options.phase}` : 'no promotions yet');
      console.log(
        table(
          ['id', 'model', 'version', 'deployment', 'tier', 'phase', 'approvals', 'requestedBy', 'requestedAt'],
          items.map((p) => [p.id, p.model, String(p.version), p.deployment, p.tier, p.phase, `${p.validApprovals}/${p.requiredApprovals}`, p.requestedBy, p.requestedAt]),
          [2],
        ),
      );
    }),
  );

  withApiOptions(promotions.command('show <id>').description('A promotion: target, plan hash, phase, votes')).action(
    handleCliErrors(async (id: string, options: ApiOptions) => {
      const promotion = await (await connect(options)).get<Promotion>(`/v1/promotions/${segment(id)}`);
      if (options.json) printJson(promotion);
      else console.log(formatPromotion(promotion));
    }),
  );

  const vote = (decision: 'approve' | 'reject') => async (id: string, options: ApiOptions & { comment?: string }) => {
    const { body } = await (await connect(options)).post<Promotion>(`/v1/promotions/${segment(id)}/approvals`, {
      decision,
      ...(options.comment === undefined ? {} : { comment: options.comment }),
    });
    if (options.json) return printJson(body);
    console.log(`${decision === 'approve' ? 'approved' : 'rejected'} by you: ${body.validApprovals} of ${body.requiredApprovals} approvals counted, phase ${body.phase}\n${formatPromotion(body)}`);
  };

  withApiOptions(
    program
      .command('approve <promotionId>')
      .description('Vote to approve a promotion (risk; never the requester or the version’s author)')
      .option('--comment <text>', 'what you reviewed'),
  ).action(handleCliErrors(vote('approve')));

  withApiOptions(
    program.command('reject <promotionId>').description('Vote to reject a promotion (risk): it ends Rejected').requiredOption('--comment <text>', 'why'),
  ).action(handleCliErrors(vote('reject')));
}

/** Every item of a paginated list, with filters. */
export async function listAllWith<T>(client: ApiClient, path: string, filters: Readonly<Record<string, string | undefined>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await client.get<Page<T>>(path, { ...filters, limit: 500, after });
    items.push(...page.items);
    if (!page.next) return items;
    after = page.next;
  }
}
