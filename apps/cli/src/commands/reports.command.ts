import { writeFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ApiClient } from '../api-client.js';
import { connect, positiveInteger, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import { handleCliErrors, usageError } from '../cli-error.js';
import { formatBytes, printJson, table } from '../cli-output.js';

/**
 * Reports for auditors and regulators (docs/reports.md):
 *   report <model> <version> [--format json|html|pdf] [--out file]   the lifecycle report of a version
 *   inventory [--format json|csv|html] [--out file]                  every version in production (table by default)
 *   evidence-pack --from YYYY-MM-DD --to YYYY-MM-DD --out file.zip   the governance evidence pack of a period
 * Documents are fetched as bytes (binary-safe) and written as they came; without --out, text goes to stdout.
 */
const MEDIA: Record<string, string> = { json: 'application/json', html: 'text/html', csv: 'text/csv', pdf: 'application/pdf', zip: 'application/zip' };

interface InventoryRow {
  readonly deployment: string;
  readonly role: string;
  readonly canaryWeight: number;
  readonly model: string;
  readonly version: number;
  readonly status: string | null;
  readonly owner: string | null;
  readonly tier: string | null;
  readonly nextValidationDue: string | null;
  readonly validationOverdue: boolean;
  readonly openFindings: readonly { readonly code: string }[];
}

/** Fetches a document in `format` and writes it to `out`, or prints it (text only). */
async function fetchDocument(client: ApiClient, path: string, format: string, out: string | undefined): Promise<void> {
  const bytes = await client.getBytes(`${path}${path.includes('?') ? '&' : '?'}format=${format}`, MEDIA[format] ?? 'application/octet-stream');
  if (out !== undefined) return save(out, bytes);
  if (format === 'pdf' || format === 'zip') throw usageError('--out', `a ${format} document needs --out <file>`);
  console.log(new TextDecoder().decode(bytes).trimEnd());
}

async function save(out: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFile(out, bytes);
  } catch (error) {
    throw usageError('--out', `${out}: ${(error as Error).message}`);
  }
  console.error(`wrote ${out} (${formatBytes(bytes.byteLength)})`);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function registerReportsCommands(program: Command): void {
  withApiOptions(
    program
      .command('report <model> <version>')
      .description('The lifecycle report of a version: registration, validation, shadow, approvals, rollouts')
      .addOption(new Option('--format <format>', 'json, html, or pdf (rendered by the API)').choices(['json', 'html', 'pdf']).default('json'))
      .option('--out <file>', 'write the report to this file (needed for pdf)'),
  ).action(
    handleCliErrors(async (model: string, version: string, options: ApiOptions & { format: string; out?: string }) => {
      let number: number;
      try {
        number = positiveInteger(version);
      } catch {
        throw usageError('version', `"${version}" is not a version number (1, 2, …)`);
      }
      if (options.format === 'pdf' && options.out === undefined) throw usageError('--out', 'a pdf report needs --out <file>');
      const client = await connect(options);
      const path = `/v1/models/${segment(model)}/versions/${number}/report`;
      if (options.format === 'json' && options.out === undefined) return printJson(await client.get<unknown>(path));
      await fetchDocument(client, path, options.format, options.out);
    }),
  );

  withApiOptions(
    program
      .command('inventory')
      .description('Every model version in production: owner, tier, next validation, open findings (auditor, risk, admin)')
      .addOption(new Option('--format <format>', 'json, csv or html (default: a table, or JSON with --json)').choices(['json', 'csv', 'html']))
      .option('--out <file>', 'write the document to this file'),
  ).action(
    handleCliErrors(async (options: ApiOptions & { format?: string; out?: string }) => {
      const client = await connect(options);
      if (options.format !== undefined && options.format !== 'json') return fetchDocument(client, '/v1/reports/inventory', options.format, options.out);
      if (options.out !== undefined) return fetchDocument(client, '/v1/reports/inventory', 'json', options.out);
      const inventory = await client.get<{ generatedAt: string; rows: InventoryRow[] }>('/v1/reports/inventory');
      if (options.json || options.format === 'json') return printJson(inventory);
      if (inventory.rows.length === 0) return console.log('nothing in production');
      console.log(
        table(
          ['deployment', 'role', 'weight', 'model', 'version', 'status', 'owner', 'tier', 'nextValidation', 'findings'],
          inventory.rows.map((r) => [
            r.deployment,
            r.role,
            r.role === 'canary' ? `${r.canaryWeight}%` : '',
            r.model,
            String(r.version),
            r.status ?? '?',
            r.owner ?? '?',
            r.tier ?? '?',
            `${r.nextValidationDue ?? '—'}${r.validationOverdue ? ' (overdue)' : ''}`,
            r.openFindings.map((f) => f.code).join(', ') || '—',
          ]),
          [2, 4],
        ),
      );
    }),
  );

  withApiOptions(
    program
      .command('evidence-pack')
      .description('The algorithm-governance evidence pack of a period: one zip with a sha256 manifest (auditor, risk, admin)')
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD, UTC) or an ISO-8601 instant')
      .requiredOption('--to <date>', 'end (YYYY-MM-DD, UTC) or an ISO-8601 instant')
      .requiredOption('--out <file.zip>', 'where to write the zip'),
  ).action(
    handleCliErrors(async (options: ApiOptions & { from: string; to: string; out: string }) => {
      for (const [field, value] of [['--from', options.from], ['--to', options.to]] as const) {
        if (!DATE.test(value) && !Number.isFinite(Date.parse(value))) throw usageError(field, `"${value}" is not a date (YYYY-MM-DD) or an ISO-8601 instant`);
      }
      const client = await connect(options);
      const query = new URLSearchParams({ from: options.from, to: options.to });
      const bytes = await client.getBytes(`/v1/reports/evidence-pack?${query}`, MEDIA.zip);
      await save(options.out, bytes);
      if (options.json) printJson({ out: options.out, bytes: bytes.byteLength, from: options.from, to: options.to });
    }),
  );
}
