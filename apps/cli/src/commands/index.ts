import type { Command } from 'commander';
import { registerAuditCommands } from './audit.command.js';
import { registerBacktestCommand } from './backtest.command.js';
import { registerDataCommands } from './data.command.js';
import { registerDatasetsCommands } from './datasets.command.js';
import { registerDemoCommand } from './demo.command.js';
import { registerDeploymentsCommands } from './deployments.command.js';
import { registerLiveSimCommand } from './live-sim.command.js';
import { registerLoginCommand } from './login.command.js';
import { registerMigrateCommands } from './migrate.command.js';
import { registerModelsCommands } from './models.command.js';
import { registerPromotionsCommands } from './promotions.command.js';
import { registerReportsCommands } from './reports.command.js';
import { registerRolloutCommands } from './rollout.command.js';
import { registerShadowCommands } from './shadow.command.js';
import { registerTrainCommand } from './train.command.js';
import { registerUpCommand } from './up.command.js';
import { registerValidateCommands } from './validate.command.js';

/** Each command module adds its sub-commands to the program. One line per module, kept sorted. */
export type RegisterCommands = (program: Command) => void;

export const COMMAND_MODULES: RegisterCommands[] = [
  registerAuditCommands,
  registerBacktestCommand,
  registerDataCommands,
  registerDatasetsCommands,
  registerDemoCommand,
  registerDeploymentsCommands,
  registerLiveSimCommand,
  registerLoginCommand,
  registerMigrateCommands,
  registerModelsCommands,
  registerPromotionsCommands,
  registerReportsCommands,
  registerRolloutCommands,
  registerShadowCommands,
  registerTrainCommand,
  registerUpCommand,
  registerValidateCommands,
];
