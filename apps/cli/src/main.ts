import { Command } from 'commander';
import { COMMAND_MODULES } from './commands/index.js';
import { runCli } from './run-cli.js';

const program = new Command('airlock')
  .description('Airlock: register, validate, shadow, approve and roll out execution models')
  .showHelpAfterError();
for (const register of COMMAND_MODULES) register(program);

await runCli(program, process.argv);
