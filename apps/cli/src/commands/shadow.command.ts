import { type Command, InvalidArgumentError } from 'commander';
import { connect, positiveInteger, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import { handleCliErrors } from '../cli-error.js';
import { fields, formatNumber, formatSeconds, printJson, table } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock shadow start <model> --candidates 2,3 --deployment <name> [--orders N] [--min-orders N]`,
 * `airlock shadow status <id>` (a per-candidate table) and `airlock shadow stop <id>`.
 * Exit codes: 0 done; 1 a candidate's verdict is shadow-failed or needs-review, or the session Failed; 2 bad input;
 * 3 API unreachable.
 */
type ShadowVerdict = 'shadow-passed' | 'shadow-failed' | 'needs-review';

interface ShadowCandidate {
  readonly model: string;
  readonly version: number;
  readonly metrics: {
    readonly decisions: number;
    readonly divergenceRate: number | null;
    readonly meanIsDeltaBps: number | null;
    readonly invalidOutputRate: number | null;
    readonly latencyP99Ms: number | null;
    readonly orders: number;
  };
  readonly verdict: ShadowVerdict | null;
}

export interface ShadowSession {
  readonly id: string;
  readonly model: string;
  readonly deployment: string;
  readonly phase: 'Running' | 'Completed' | 'Stopped' | 'Failed';
  readonly createdAt: string;
  readonly createdBy: string;
  readonly durationSeconds: number;
  readonly stopRequestedBy: string | null;
  readonly failure: string | null;
  readonly policy: { readonly orders: number; readonly minOrders: number };
  readonly candidates: readonly ShadowCandidate[];
  readonly findings: { readonly byKind: Readonly<Record<string, number>> };
}

interface StartOptions extends ApiOptions {
  candidates: number[];
  deployment: string;
  orders?: number;
  minOrders?: number;
}

/** `2,3` → [2, 3]. */
function versionList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new InvalidArgumentError('must be version numbers separated by commas, e.g. 2,3');
  return parts.map(Number);
}

const rate = (value: number | null) => (value === null ? '—' : `${formatNumber(value * 100)}%`);

export function formatShadow(session: ShadowSession): string {
  const head = fields([
    ['shadow', session.id],
    ['model', session.model],
    ['deployment', session.deployment],
    ['phase', `${session.phase}${session.stopRequestedBy && session.phase === 'Running' ? ' (stop requested)' : ''}`],
    ['policy', `${session.policy.orders} orders, verdict from ${session.policy.minOrders}`],
    ['running for', formatSeconds(session.durationSeconds)],
  ]);
  const rows = session.candidates.map((c) => [
    `v${c.version}`,
    String(c.metrics.decisions),
    rate(c.metrics.divergenceRate),
    formatNumber(c.metrics.meanIsDeltaBps),
    rate(c.metrics.invalidOutputRate),
    formatNumber(c.metrics.latencyP99Ms),
    c.verdict ?? '—',
  ]);
  const lines = [head, '', table(['candidate', 'decisions', 'divergence', 'IS delta bps', 'invalid', 'latency p99 ms', 'verdict'], rows, [1, 2, 3, 4, 5])];
  const findings = Object.entries(session.findings.byKind);
  if (findings.length > 0) lines.push('', `findings: ${findings.map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  if (session.failure) lines.push('', `failure: ${session.failure}`);
  return lines.join('\n');
}

/** A finding: a candidate failed or needs review, or the session itself failed. */
const isFinding = (session: ShadowSession) => session.phase === 'Failed' || session.candidates.some((c) => c.verdict === 'shadow-failed' || c.verdict === 'needs-review');

export function registerShadowCommands(program: Command): void {
  const shadow = program.command('shadow').description('Shadow sessions: score candidates beside a deployment’s live flow');

  withApiOptions(
    shadow
      .command('start <model>')
      .description('Start a shadow session of candidate versions against a deployment (quant, admin)')
      .requiredOption('--candidates <versions>', 'candidate version numbers, comma-separated (e.g. 2,3)', versionList)
      .requiredOption('--deployment <name>', 'the deployment whose live flow is replayed')
      .option('--orders <n>', 'stop after this many scored parent orders', positiveInteger)
      .option('--min-orders <n>', 'fewer scored orders than this → needs-review', positiveInteger),
  ).action(
    handleCliErrors(async (model: string, options: StartOptions) => {
      const policy = { ...(options.orders === undefined ? {} : { orders: options.orders }), ...(options.minOrders === undefined ? {} : { minOrders: options.minOrders }) };
      const client = await connect(options);
      const { body } = await client.post<ShadowSession>('/v1/shadows', {
        model,
        candidates: options.candidates,
        deployment: options.deployment,
        ...(Object.keys(policy).length > 0 ? { policy } : {}),
      });
      if (options.json) return printJson(body);
      console.log(body.id);
      console.error(`shadow of ${model} ${options.candidates.map((v) => `v${v}`).join(', ')} on ${options.deployment} started; follow it: airlock shadow status ${body.id}`);
    }),
  );

  withApiOptions(shadow.command('status <id>').description('A session: phase and, per candidate, decisions, divergence, IS delta, invalid rate, latency, verdict')).action(
    handleCliErrors(async (id: string, options: ApiOptions) => {
      const session = await (await connect(options)).get<ShadowSession>(`/v1/shadows/${segment(id)}`);
      if (options.json) printJson(session);
      else console.log(formatShadow(session));
      if (isFinding(session)) process.exitCode = ExitCode.Finding;
    }),
  );

  withApiOptions(shadow.command('stop <id>').description('Ask the runner to end a session (Stopped at its next checkpoint)')).action(
    handleCliErrors(async (id: string, options: ApiOptions) => {
      const { body } = await (await connect(options)).post<ShadowSession>(`/v1/shadows/${segment(id)}/stop`, {});
      if (options.json) return printJson(body);
      console.log(`stop of shadow ${body.id} requested (phase ${body.phase}); the runner ends it at its next checkpoint`);
    }),
  );
}
