import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import type { ApiResponse } from '../api-client.js';
import { connect, positiveInteger, segment, withApiOptions, type ApiOptions } from '../api-command.js';
import type { Model, ModelTier, ModelVersion } from '../api-types.js';
import { handleCliErrors, usageError } from '../cli-error.js';
import { fields, formatBytes, formatNumber, printJson, table, uploadProgress } from '../cli-output.js';

/**
 * `airlock models …` and `airlock versions …`: the registry as a quant uses it.
 *   models create <name> --owner O --asset-class A --tier low|medium|high [--description D]
 *   models list | models show <name>
 *   models register <name> --artifact file.onnx --manifest manifest.json   (upload progress on a terminal)
 *   versions list <model> | versions show <model> <version>
 */
export function registerModelsCommands(program: Command): void {
  const models = program.command('models').description('Models of the registry: create, list, show, register versions');

  withApiOptions(
    models
      .command('create <name>')
      .description('Create a model (a name, its owner, asset class and risk tier)')
      .requiredOption('--owner <owner>', 'owning desk or team')
      .requiredOption('--asset-class <class>', 'asset class, e.g. equities')
      .addOption(new Option('--tier <tier>', 'risk tier: how many approvals a promotion needs').choices(['low', 'medium', 'high']).makeOptionMandatory())
      .option('--description <text>', 'what the model is for'),
  ).action(
    handleCliErrors(async (name: string, options: ApiOptions & { owner: string; assetClass: string; tier: ModelTier; description?: string }) => {
      const client = await connect(options);
      const { body } = await client.post<Model>('/v1/models', {
        name,
        owner: options.owner,
        assetClass: options.assetClass,
        tier: options.tier,
        ...(options.description === undefined ? {} : { description: options.description }),
      });
      if (options.json) printJson(body);
      else console.log(`created model ${body.name}\n${formatModel(body)}`);
    }),
  );

  withApiOptions(models.command('list').description('List the models')).action(
    handleCliErrors(async (options: ApiOptions) => {
      const items = await (await connect(options)).listAll<Model>('/v1/models');
      if (options.json) return printJson({ items });
      if (items.length === 0) return console.log('no models yet: airlock models create <name> --owner O --asset-class A --tier low');
      console.log(table(['name', 'tier', 'owner', 'assetClass', 'createdAt', 'description'], items.map((m) => [m.name, m.tier, m.owner, m.assetClass, m.createdAt, m.description])));
    }),
  );

  withApiOptions(models.command('show <name>').description('Show a model and its aliases')).action(
    handleCliErrors(async (name: string, options: ApiOptions) => {
      const model = await (await connect(options)).get<Model>(`/v1/models/${segment(name)}`);
      if (options.json) return printJson(model);
      const aliases = model.aliases ?? [];
      console.log(formatModel(model));
      console.log(aliases.length === 0 ? '\nno aliases' : `\n${table(['alias', 'version', 'updatedAt', 'updatedBy'], aliases.map((a) => [a.alias, String(a.version), a.updatedAt, a.updatedBy]), [1])}`);
    }),
  );

  withApiOptions(
    models
      .command('register <name>')
      .description('Register a version: upload the ONNX artifact and its manifest (same bytes again → the existing version)')
      .requiredOption('--artifact <file.onnx>', 'the ONNX model')
      .requiredOption('--manifest <manifest.json>', 'features, actions and optional training lineage (docs/model-contract.md)'),
  ).action(
    handleCliErrors(async (name: string, options: ApiOptions & { artifact: string; manifest: string }) => {
      let manifest: string;
      try {
        manifest = await readFile(options.manifest, 'utf8');
      } catch (error) {
        throw usageError('--manifest', `${options.manifest}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
      }
      const client = await connect(options);
      // A typo in the name fails at once, not after the whole artifact has been sent.
      await client.get(`/v1/models/${segment(name)}`);
      // The manifest is sent as written: the server checks it against the catalog and lists every problem.
      const progress = uploadProgress();
      let response: ApiResponse<ModelVersion>;
      try {
        response = await client.upload<ModelVersion>(
          `/v1/models/${segment(name)}/versions`,
          [
            { name: 'manifest', value: manifest },
            { name: 'artifact', file: options.artifact, option: '--artifact' },
          ],
          progress.onProgress,
        );
      } finally {
        progress.stop();
      }
      const version = response.body;
      if (options.json) return printJson(version);
      const what = response.status === 201 ? `registered ${version.model} version ${version.version}` : `these bytes are already ${version.model} version ${version.version}`;
      console.log(`${what}\n${formatVersion(version)}`);
    }),
  );

  const versions = program.command('versions').description('Versions of a model: list, show');

  withApiOptions(versions.command('list <model>').description('List the versions of a model')).action(
    handleCliErrors(async (model: string, options: ApiOptions) => {
      const items = await (await connect(options)).listAll<ModelVersion>(`/v1/models/${segment(model)}/versions`);
      if (options.json) return printJson({ items });
      if (items.length === 0) return console.log(`no versions of ${model} yet: airlock models register ${model} --artifact F --manifest M`);
      console.log(
        table(
          ['version', 'status', 'sha256', 'sizeBytes', 'createdAt', 'createdBy'],
          items.map((v) => [String(v.version), v.status, v.sha256.slice(0, 12), String(v.sizeBytes), v.createdAt, v.createdBy]),
          [0, 3],
        ),
      );
    }),
  );

  withApiOptions(versions.command('show <model> <version>').description('Show a version: manifest, lineage, inspection')).action(
    handleCliErrors(async (model: string, version: string, options: ApiOptions) => {
      const number = positiveVersion(version);
      const found = await (await connect(options)).get<ModelVersion>(`/v1/models/${segment(model)}/versions/${number}`);
      if (options.json) printJson(found);
      else console.log(formatVersion(found));
    }),
  );
}

function positiveVersion(value: string): number {
  try {
    return positiveInteger(value);
  } catch {
    throw usageError('version', `"${value}" is not a version number (1, 2, …)`);
  }
}

function formatModel(m: Model): string {
  return fields([
    ['name', m.name],
    ['description', m.description || '—'],
    ['owner', m.owner],
    ['assetClass', m.assetClass],
    ['tier', m.tier],
    ['createdAt', m.createdAt],
    ['createdBy', m.createdBy],
  ]);
}

function formatVersion(v: ModelVersion): string {
  const rows: [string, string][] = [
    ['model', v.model],
    ['version', String(v.version)],
    ['status', v.status],
    ['sha256', v.sha256],
    ['sizeBytes', `${v.sizeBytes} (${formatBytes(v.sizeBytes)})`],
    ['features', v.features.join(', ')],
    ['actions', v.actions.join(', ')],
    ['tags', v.tags.length > 0 ? v.tags.join(', ') : '—'],
    ['training', v.training ? JSON.stringify(v.training) : '—'],
    ['inspection', formatInspection(v.inspection)],
    ['createdAt', v.createdAt],
    ['createdBy', v.createdBy],
  ];
  return fields(rows);
}

/**
 * The inspection's highlights (shapes, opset, probe output range, inference latency); `--json` has all of it.
 * Read defensively: the record is the inspector's to extend, and older versions may lack fields.
 */
function formatInspection(inspection: Record<string, unknown>): string {
  const shape = (value: unknown) => (Array.isArray(value) ? `[${value.join(',')}]` : '?');
  const list = (value: unknown) => (Array.isArray(value) ? `[${value.map((n) => formatNumber(typeof n === 'number' ? n : null)).join(', ')}]` : '?');
  const probe = inspection.probe as { rows?: number; outputMin?: unknown; outputMax?: unknown } | undefined;
  const latency = inspection.latency as { singleRowP50Us?: number; singleRowP99Us?: number } | undefined;
  const parts = [`input ${shape(inspection.inputShape)} → output ${shape(inspection.outputShape)}`];
  if (inspection.opset !== undefined) parts.push(`opset ${String(inspection.opset)}`);
  if (probe) parts.push(`probe of ${probe.rows ?? '?'} rows: min ${list(probe.outputMin)} max ${list(probe.outputMax)}`);
  if (latency) parts.push(`inference p50 ${formatNumber(latency.singleRowP50Us)} µs, p99 ${formatNumber(latency.singleRowP99Us)} µs`);
  return parts.join('; ');
}
