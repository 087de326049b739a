import { createProgram } from '../program.js';
import type { RegisterCommands } from '../commands/index.js';
import { runCli } from '../run-cli.js';

/** The variables the CLI's configuration reads: each run sets them exactly, so the machine's own never leak in. */
const CONFIG_VARIABLES = ['AIRLOCK_URL', 'AIRLOCK_API_KEY', 'AIRLOCK_PROFILE', 'AIRLOCK_CONFIG'] as const;

export interface CliRun {
  readonly out: string;
  readonly err: string;
  readonly code: number;
}

/**
 * Runs `airlock …` in-process (the real program, parser and runCli) with these modules and configuration
 * variables; returns what it printed through console and commander, and the exit code it set.
 */
export async function runAirlock(
  modules: readonly RegisterCommands[],
  args: readonly string[],
  env: Partial<Record<(typeof CONFIG_VARIABLES)[number], string>> = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, process.env[name]]));
  const { log, error } = console;
  for (const name of CONFIG_VARIABLES) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  process.exitCode = undefined;
  try {
    const program = createProgram(modules, { writeOut: (s) => void out.push(s), writeErr: (s) => void err.push(s) });
    await runCli(program, ['node', 'airlock', ...args]);
    return { out: out.join('\n'), err: err.join('\n'), code: Number(process.exitCode ?? 0) };
  } finally {
    process.exitCode = undefined;
    console.log = log;
    console.error = error;
    for (const name of CONFIG_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}
