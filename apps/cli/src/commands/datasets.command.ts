import type { Command } from 'commander';
import { connect, withApiOptions, type ApiOptions } from '../api-command.js';
import type { Dataset } from '../api-types.js';
import { handleCliErrors } from '../cli-error.js';
import { fields, formatBytes, printJson, table, uploadProgress } from '../cli-output.js';

/**
 * `airlock datasets register <name> --file archive.zip` (a LOBSTER archive, streamed with progress on a
 * terminal) and `airlock datasets list`. The server parses the archive and answers with its data-quality report.
 */
export function registerDatasetsCommands(program: Command): void {
  const datasets = program.command('datasets').description('Market-data sets for validation: register, list');

  withApiOptions(
    datasets
      .command('register <name>')
      .description('Upload a LOBSTER archive (.zip with the message and orderbook files) as a named dataset')
      .requiredOption('--file <archive.zip>', 'the LOBSTER archive'),
  ).action(
    handleCliErrors(async (name: string, options: ApiOptions & { file: string }) => {
      const client = await connect(options);
      const progress = uploadProgress();
      let dataset: Dataset;
      try {
        ({ body: dataset } = await client.upload<Dataset>(
          '/v1/datasets',
          [
            { name: 'name', value: name },
            { name: 'file', file: options.file, option: '--file', contentType: 'application/zip' },
          ],
          progress.onProgress,
        ));
      } finally {
        progress.stop();
      }
      if (options.json) return printJson(dataset);
      console.log(
        `registered dataset ${dataset.name}\n${fields([
          ['id', dataset.id],
          ['instrument', dataset.instrument],
          ['date', dataset.date],
          ['levels', String(dataset.levels)],
          ['messages', dataset.messages.toLocaleString('en-US')],
          ['sha256', dataset.sha256],
          ['sizeBytes', `${dataset.sizeBytes} (${formatBytes(dataset.sizeBytes)})`],
          ['quality', JSON.stringify(dataset.quality)],
        ])}`,
      );
    }),
  );

  withApiOptions(datasets.command('list').description('List the registered datasets')).action(
    handleCliErrors(async (options: ApiOptions) => {
      const { items } = await (await connect(options)).get<{ items: Dataset[] }>('/v1/datasets');
      if (options.json) return printJson({ items });
      if (items.length === 0) return console.log('no datasets yet: airlock datasets register <name> --file archive.zip');
      console.log(
        table(
          ['name', 'instrument', 'date', 'levels', 'messages', 'sizeBytes', 'sha256', 'createdAt'],
          items.map((d) => [d.name, d.instrument, d.date, String(d.levels), String(d.messages), String(d.sizeBytes), d.sha256.slice(0, 12), d.createdAt]),
          [3, 4, 5],
        ),
      );
    }),
  );
}
