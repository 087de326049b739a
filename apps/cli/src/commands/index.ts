import type { Command } from 'commander';
import { registerBacktestCommand } from './backtest.command.js';
import { registerDataCommands } from './data.command.js';
import { registerMigrateCommands } from './migrate.command.js';
import { registerUpCommand } from './up.command.js';

/** Each command module adds its sub-commands to the program. One line per module, kept sorted. */
export type RegisterCommands = (program: Command) => void;

export const COMMAND_MODULES: RegisterCommands[] = [
  registerBacktestCommand,
  registerDataCommands,
  registerMigrateCommands,
  registerUpCommand,
];
