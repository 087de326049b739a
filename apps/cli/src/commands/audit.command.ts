import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { AuditChainVerifier, type AuditEvent } from '@airlock/core';
import type { Command } from 'commander';
import { connect, withApiOptions, type ApiOptions } from '../api-command.js';
import type { AuditVerification } from '../api-types.js';
import { CliError, handleCliErrors } from '../cli-error.js';
import { fields, printJson } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';

/** A verification as both paths report it (the API's, or this machine's over an exported file). */
type Verification = AuditVerification | { readonly ok: false; readonly events: number; readonly brokenAt: number; readonly reason: 'malformed'; readonly expected: string; readonly actual: string; readonly line: number };

function report(result: Verification, json: boolean | undefined): void {
  if (json) printJson(result);
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
}

const isEvent = (v: unknown): v is AuditEvent => {
  const e = v as Partial<AuditEvent> | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    Number.isSafeInteger(e.seq) &&
    typeof e.at === 'string' &&
    typeof e.actor === 'string' &&
    typeof e.action === 'string' &&
    typeof e.subject === 'string' &&
    'data' in e &&
    typeof e.prevHash === 'string' &&
    typeof e.hash === 'string'
  );
};

/**
 * Verifies an exported JSONL chain on this machine, with no database and no API: streamed line by line (an
 * export of millions of events is never held in memory), the same AuditChainVerifier the API uses. A line that
 * is not an audit event breaks the chain there (`malformed`).
 */
export async function verifyAuditFile(path: string): Promise<Verification> {
  const verifier = new AuditChainVerifier();
  let line = 0;
  let events = 0;
  const input = createReadStream(path, { encoding: 'utf8' });
  input.on('error', () => undefined); // surfaced by the iterator below
  try {
    for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      line += 1;
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        return { ok: false, events, brokenAt: events + 1, reason: 'malformed', expected: 'an audit event as JSON', actual: `line ${line}: ${(error as Error).message}`, line };
      }
      if (!isEvent(parsed)) {
        return { ok: false, events, brokenAt: events + 1, reason: 'malformed', expected: 'seq, at, actor, action, subject, data, prevHash, hash', actual: `line ${line}: ${text.slice(0, 120)}`, line };
      }
      events += 1;
      if (!verifier.add(parsed)) break;
    }
  } catch (error) {
    throw new CliError(ExitCode.BadInput, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { code: 'UNREADABLE_FILE' });
  } finally {
    input.destroy();
  }
  return verifier.result();
}

/**
 * `airlock audit verify [export.jsonl]`: without a file, asks the API to recompute the audit hash chain (auditor,
 * risk or admin key); with one, verifies that export offline. `airlock audit export [--out file]` writes the chain
 * as JSON lines. Exit 0 when every event follows from the ones before it, 1 when the chain is broken (and where).
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The tamper-evident audit trail');

  withApiOptions(
    audit
      .command('verify')
      .argument('[export]', 'an exported chain (JSONL) to verify offline, without a database or the API')
      .description('Recompute the audit hash chain (the API\u2019s, or an exported file\u2019s); exit 1 if it is broken'),
  ).action(
    handleCliErrors(async (file: string | undefined, options: ApiOptions) => {
      if (file !== undefined) report(await verifyAuditFile(file), options.json);
      else report(await (await connect(options)).get<AuditVerification>('/v1/audit/verify'), options.json);
    }),
  );

  withApiOptions(audit.command('export').description('The whole chain as JSON lines (for archiving and offline verification)').option('--out <file>', 'write to this file instead of stdout')).action(
    handleCliErrors(async (options: ApiOptions & { out?: string }) => {
      const bytes = await (await connect(options)).getBytes('/v1/audit?format=jsonl');
      if (options.out) {
        await writeFile(options.out, bytes);
        console.error(`wrote ${bytes.length.toLocaleString('en-US')} bytes to ${options.out}`);
      } else process.stdout.write(bytes);
    }),
  );
}
