import { z } from 'zod';
import { findAction, findFeature } from './catalog.js';
import { DomainError, type FieldProblem } from './errors.js';

/** What a quant uploads beside the artifact: the model's input and output columns, and its lineage. */
export interface Manifest {
  /** Feature names in the order of the model's input columns. */
  readonly features: readonly string[];
  /** Action names in the order of the model's output columns. */
  readonly actions: readonly string[];
  readonly training?: TrainingLineage;
  readonly tags?: readonly string[];
}

export interface TrainingLineage {
  readonly dataset?: string;
  readonly codeCommit?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly metrics?: Readonly<Record<string, number>>;
}

const uniqueNames = (what: string) =>
  z
    .array(z.string().min(1).max(64))
    .min(1, `at least one ${what} is required`)
    .max(256)
    .refine((names) => new Set(names).size === names.length, `${what} names must be unique`);

const manifestSchema = z.strictObject({
  features: uniqueNames('feature'),
  actions: uniqueNames('action'),
  training: z
    .strictObject({
      dataset: z.string().max(1024).optional(),
      codeCommit: z.string().max(256).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
      metrics: z.record(z.string(), z.number()).optional(),
    })
    .optional(),
  tags: z.array(z.string().min(1).max(64)).max(64).optional(),
});

/** Converts zod issues to the field list every edge shows (`manifest.features[2]: …`). */
export const zodProblems = (error: z.ZodError, prefix = ''): FieldProblem[] =>
  error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))]
      .join('')
      .replace(/^\./, ''),
    message: issue.message,
  }));

/**
 * Parses and checks a manifest (raw JSON text or an already-parsed value) against the catalog.
 * Throws MANIFEST_INVALID (not JSON, missing or malformed fields), MANIFEST_UNKNOWN_FEATURE or
 * MANIFEST_UNKNOWN_ACTION, each listing every offending field.
 */
export function parseManifest(input: string | unknown): Manifest {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new DomainError('MANIFEST_INVALID', `manifest is not valid JSON: ${(error as Error).message}`, {
        errors: [{ field: 'manifest', message: 'not valid JSON' }],
      });
    }
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    throw new DomainError('MANIFEST_INVALID', 'manifest is missing or has malformed fields', {
      errors: zodProblems(parsed.error, 'manifest'),
    });
  }
  const manifest: Manifest = parsed.data;
  const unknownFeatures: FieldProblem[] = manifest.features.flatMap((name, i) =>
    findFeature(name) ? [] : [{ field: `manifest.features[${i}]`, message: `unknown feature "${name}"` }],
  );
  if (unknownFeatures.length > 0) {
    throw new DomainError('MANIFEST_UNKNOWN_FEATURE', 'manifest names features the catalog does not define', {
      errors: unknownFeatures,
    });
  }
  const unknownActions: FieldProblem[] = manifest.actions.flatMap((name, i) =>
    findAction(name) ? [] : [{ field: `manifest.actions[${i}]`, message: `unknown action "${name}"` }],
  );
  if (unknownActions.length > 0) {
    throw new DomainError('MANIFEST_UNKNOWN_ACTION', 'manifest names actions the catalog does not define', {
      errors: unknownActions,
    });
  }
  return manifest;
}

/** Bounds of each action column of a manifest, in output order. */
export const actionBounds = (manifest: Pick<Manifest, 'actions'>): { min: number; max: number }[] =>
  manifest.actions.map((name) => {
    const action = findAction(name);
    if (!action) throw new DomainError('MANIFEST_UNKNOWN_ACTION', `unknown action "${name}"`);
    return { min: action.min, max: action.max };
  });
