import type { Command } from 'commander';

/** Each command module adds its sub-commands to the program. One line per module, kept sorted. */
export type RegisterCommands = (program: Command) => void;

export const COMMAND_MODULES: RegisterCommands[] = [];
