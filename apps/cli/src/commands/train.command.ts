import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { generateParentOrders, generateSyntheticDay, loadMarketDay, type SyntheticRegime } from '@airlock/sim';
import { type Command, Option } from 'commander';
import { CliError, handleCliErrors } from '../cli-error.js';
import { integer, positiveInteger } from '../cli-arguments.js';
import { fields, printJson } from '../cli-output.js';
import { ExitCode } from '../run-cli.js';
import { exportPolicy, searchPolicy } from '../train/policy-search.js';

interface TrainOptions {
  data?: string;
  synthetic?: SyntheticRegime;
  events: number;
  orders: number;
  iterations: number;
  seed: number;
  out: string;
  manifestOut: string;
  json?: boolean;
}

/**
 * `airlock train`: a small, seeded policy search on the simulator — the way the demo gets a candidate that is
 * genuinely better on its data, rather than hand-picked weights. Writes the best policy as ONNX and its
 * manifest (with the training lineage), ready for `airlock models register`.
 *
 *   airlock train (--data <zip|dir> | --synthetic <regime>) [--events N] [--orders N] [--iterations N] [--seed S]
 *                 --out model.onnx [--manifest-out manifest.json] [--json]
 */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('Search a policy on the simulator (seeded) and write it as ONNX with its manifest')
    .option('--data <path>', 'LOBSTER .zip or directory')
    .addOption(new Option('--synthetic <regime>', 'a seeded synthetic day instead of --data').choices(['calm', 'volatile', 'illiquid']))
    .option('--events <n>', 'messages in the synthetic day', positiveInteger, 60_000)
    .option('--orders <n>', 'parent orders the policies are scored on', positiveInteger, 60)
    .option('--iterations <n>', 'policies tried after the starting one', positiveInteger, 24)
    .option('--seed <n>', 'seed of the day, the orders and the search', integer, 1)
    .requiredOption('--out <file>', 'where to write the ONNX model')
    .option('--manifest-out <file>', 'where to write its manifest (default: <out>.manifest.json)')
    .option('--json', 'print the result as JSON')
    .action(
      handleCliErrors(async (options: TrainOptions) => {
        if ((options.data === undefined) === (options.synthetic === undefined)) {
          throw new CliError(ExitCode.BadInput, 'give exactly one of --data or --synthetic', { code: 'VALIDATION_FAILED' });
        }
        const day = options.data ? await loadMarketDay(options.data) : generateSyntheticDay({ seed: options.seed, regime: options.synthetic as SyntheticRegime, events: options.events });
        const orders = generateParentOrders(day, { count: options.orders, seed: options.seed });
        const dataset = options.data ? basename(options.data) : `synthetic ${options.synthetic} (seed ${options.seed}, ${options.events} events)`;
        const result = await searchPolicy({
          day,
          orders,
          iterations: options.iterations,
          seed: options.seed,
          onIteration: (i, best) => {
            if (!options.json) process.stderr.write(`\rsearch ${i}/${options.iterations}: best objective ${best.objective.toFixed(2)} bps`);
          },
        });
        if (!options.json) process.stderr.write('\n');
        const { onnx, manifest } = exportPolicy(result, { dataset, params: { seed: options.seed, orders: options.orders, iterations: options.iterations } });
        const manifestOut = options.manifestOut ?? `${options.out}.manifest.json`;
        await writeFile(options.out, onnx);
        await writeFile(manifestOut, `${JSON.stringify(manifest, null, 2)}\n`);
        const summary = {
          out: options.out,
          manifest: manifestOut,
          dataset,
          initial: result.initial.evaluation,
          best: { ...result.best.evaluation, iteration: result.best.iteration },
        };
        if (options.json) printJson(summary);
        else {
          console.log(
            fields([
              ['model', options.out],
              ['manifest', manifestOut],
              ['data', dataset],
              ['start', `IS ${result.initial.evaluation.meanIsBps.toFixed(2)} bps, completion ${(result.initial.evaluation.meanCompletion * 100).toFixed(1)}%`],
              ['best', `IS ${result.best.evaluation.meanIsBps.toFixed(2)} bps, completion ${(result.best.evaluation.meanCompletion * 100).toFixed(1)}% (iteration ${result.best.iteration})`],
            ]),
          );
        }
      }),
    );
}
