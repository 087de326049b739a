import { Command, type OutputConfiguration } from 'commander';
import { COMMAND_MODULES, type RegisterCommands } from './commands/index.js';

/**
 * The `airlock` program. `exitOverride()` (and any output configuration) is set before the commands are added,
 * so every nested sub-command inherits it: usage errors reach runCli (exit 2) instead of process.exit(1).
 */
export function createProgram(modules: readonly RegisterCommands[] = COMMAND_MODULES, output?: OutputConfiguration): Command {
  const program = new Command('airlock')
    .description('Airlock: register, validate, shadow, approve and roll out execution models')
    .showHelpAfterError()
    .exitOverride();
  if (output) program.configureOutput(output);
  for (const register of modules) register(program);
  return program;
}
