import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ApiClient } from '../api-client.js';
import { connect, positiveInteger, positiveSeconds, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import { TERMINAL_RUN_PHASES, type Gate, type ValidationRun } from '../api-types.js';
import { CliError, handleCliErrors, usageError } from '../cli-error.js';
import { fields, formatNumber, formatSeconds, isInteractive, printJson, progressBar, table } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';

/**
 * `airlock validate <model> <version> [--suite NAME | --suite-file suite.json] [--wait] [--timeout S]` and
 * `airlock validations show <id>`. With --wait it follows the run (a bar on a terminal, plain lines otherwise,
 * both on stderr), then prints the gate table and the verdict.
 * Exit codes: 0 Successful (or requested without --wait), 1 Failed/Inconclusive/Error or --timeout expired,
 * 2 bad usage, 3 API unreachable.
 */
const POLL_MS = 1000;
/** Polls that may fail in a row (an API restarting) before --wait gives up with exit 3. */
const POLL_RETRIES = 3;

interface ValidateOptions extends ApiOptions {
  suite?: string;
  suiteFile?: string;
  wait?: boolean;
  timeout?: number;
}

export function registerValidateCommands(program: Command): void {
  withApiOptions(
    program
      .command('validate <model> <version>')
      .description('Request a validation run of a version (backtests against the baselines, gates, verdict)')
      .addOption(new Option('--suite <name>', 'a shipped suite: default-low | default-medium | default-high | smoke | desk-day (default: the tier’s)').conflicts('suiteFile'))
      .option('--suite-file <suite.json>', 'a whole suite document instead of a shipped one (docs/validation.md)')
      .option('--wait', 'follow the run to its verdict; exit 1 unless Successful')
      .option('--timeout <seconds>', 'with --wait: give up after this long (exit 1; the run goes on)', positiveSeconds),
  ).action(
    handleCliErrors(async (model: string, version: string, options: ValidateOptions) => {
      const number = versionNumber(version);
      if (options.timeout !== undefined && !options.wait) throw usageError('--timeout', 'only means something with --wait');
      const body = options.suiteFile !== undefined ? { suiteDefinition: await readSuiteFile(options.suiteFile) } : options.suite !== undefined ? { suite: options.suite } : {};
      const client = await connect(options);
      const { body: requested } = await client.post<ValidationRun>(`/v1/models/${segment(model)}/versions/${number}/validations`, body);
      const suite = requested.suite ? `${requested.suite.name}@${requested.suite.version}` : 'the default suite';
      if (!options.wait) {
        if (options.json) return printJson(requested);
        console.log(requested.id);
        console.error(`validation of ${model} v${number} queued (${suite}, ${requested.progress.total} shards); follow it: airlock validations show ${requested.id}`);
        return;
      }
      console.error(`validation ${requested.id} of ${model} v${number} (${suite}, ${requested.progress.total} shards)`);
      const run = await follow(client, requested.id, options.timeout);
      if (options.json) printJson(run);
      else console.log(formatRun(run));
      if (run.phase !== 'Successful') process.exitCode = ExitCode.Finding;
    }),
  );

  const validations = program.command('validations').description('Validation runs: show');
  withApiOptions(validations.command('show <id>').description('Show a validation run: phase, progress, gates, verdict')).action(
    handleCliErrors(async (id: string, options: ApiOptions) => {
      const run = await (await connect(options)).get<ValidationRun>(`/v1/validations/${segment(id)}`);
      if (options.json) printJson(run);
      else console.log(formatRun(run));
    }),
  );
}

function versionNumber(value: string): number {
  try {
    return positiveInteger(value);
  } catch {
    throw usageError('version', `"${value}" is not a version number (1, 2, …)`);
  }
}

async function readSuiteFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw usageError('--suite-file', `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let suite: unknown;
  try {
    suite = JSON.parse(text);
  } catch (error) {
    throw usageError('--suite-file', `${path} is not JSON: ${(error as Error).message}`);
  }
  // Only the shape is checked here: the server validates the suite and names every offending field.
  if (typeof suite !== 'object' || suite === null || Array.isArray(suite)) throw usageError('--suite-file', `${path} must hold a JSON object (a suite document)`);
  return suite as Record<string, unknown>;
}

/** Polls the run until it ends (or the timeout), showing progress; returns the final run. */
async function follow(client: ApiClient, id: string, timeoutSeconds: number | undefined): Promise<ValidationRun> {
  const deadline = timeoutSeconds === undefined ? Infinity : Date.now() + timeoutSeconds * 1000;
  const progress = isInteractive() ? barProgress() : lineProgress();
  // Ctrl-C stops watching, not the run: say how to pick it up again.
  const onInterrupt = () => {
    progress.stop();
    console.error(`\nstopped watching; validation ${id} goes on: airlock validations show ${id}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    let failures = 0;
    for (;;) {
      let run: ValidationRun;
      try {
        run = await client.get<ValidationRun>(`/v1/validations/${segment(id)}`);
        failures = 0;
      } catch (error) {
        if (!(error instanceof CliError) || error.exitCode !== ExitCode.Unavailable || ++failures > POLL_RETRIES) throw error;
        console.error(`(${error.message}; retrying)`);
        await sleep(POLL_MS * failures);
        continue;
      }
      progress.update(run);
      if ((TERMINAL_RUN_PHASES as readonly string[]).includes(run.phase)) return run;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CliError(ExitCode.Finding, `gave up waiting after ${timeoutSeconds} s: validation ${id} is still ${run.phase} (${run.progress.done}/${run.progress.total} shards)`, {
          code: 'TIMEOUT',
          hint: `the run goes on; follow it with: airlock validations show ${id}`,
        });
      }
      await sleep(Math.min(POLL_MS, left));
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    progress.stop();
  }
}

interface Progress {
  update(run: ValidationRun): void;
  stop(): void;
}

/** On a terminal: done/total shards with the server's ETA (it knows the pace of every worker). */
function barProgress(): Progress {
  const bar = progressBar('validate [{bar}] {value}/{total} shards | {phase} | ETA {serverEta}');
  let started = false;
  return {
    update(run) {
      const payload = { phase: run.phase, serverEta: formatSeconds(run.etaSeconds) };
      if (!started) bar.start(Math.max(run.progress.total, 1), run.progress.done, payload);
      started = true;
      bar.setTotal(Math.max(run.progress.total, 1));
      bar.update(run.progress.done, payload);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** In a pipe or a log: one line whenever the phase or the count changes. */
function lineProgress(): Progress {
  let last = '';
  return {
    update(run) {
      const eta = run.phase === 'Running' && run.etaSeconds !== null && run.etaSeconds !== undefined ? `, ETA ${formatSeconds(run.etaSeconds)}` : '';
      const line = `${run.phase} ${run.progress.done}/${run.progress.total} shards${eta}`;
      const key = `${run.phase} ${run.progress.done}/${run.progress.total}`;
      if (key !== last) console.error(line);
      last = key;
    },
    stop() {},
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The run's header, its gate table (name, phase, value, 95% CI, condition, message) and the verdict. */
function formatRun(run: ValidationRun): string {
  const head = fields([
    ['validation', run.id],
    ['model', run.model === undefined ? '?' : `${run.model} v${run.version}`],
    ['suite', run.suite ? `${run.suite.name}@${run.suite.version}` : '?'],
    ['phase', run.phase],
    ['progress', `${run.progress.done}/${run.progress.total} shards${run.etaSeconds ? `, ETA ${formatSeconds(run.etaSeconds)}` : ''}`],
  ]);
  const gates = run.gates ?? [];
  const lines = [head];
  if (gates.length > 0) lines.push('', gateTable(gates));
  if (run.error) lines.push('', `error: ${run.error}`);
  if ((TERMINAL_RUN_PHASES as readonly string[]).includes(run.phase)) lines.push('', verdict(run, gates));
  return lines.join('\n');
}

function gateTable(gates: readonly Gate[]): string {
  const ci = (g: Gate) => (g.interval ? `[${formatNumber(g.interval[0])}, ${formatNumber(g.interval[1])}]` : '—');
  return table(
    ['gate', 'phase', 'value', '95% CI', 'condition', 'message'],
    gates.map((g) => [`${g.name}${g.dryRun ? ' (dry run)' : ''}`, g.phase, formatNumber(g.value), ci(g), g.condition, g.message]),
    [2],
  );
}

function verdict(run: ValidationRun, gates: readonly Gate[]): string {
  const deciding = gates.filter((g) => !g.dryRun && g.phase !== 'Successful').map((g) => `${g.name} ${g.phase}`);
  return `verdict: ${run.phase}${deciding.length > 0 ? ` (${deciding.join(', ')})` : ''}`;
}
