/**
 * The JSON the API answers with (see /work/shared/API.md and GET /openapi.json), as far as the CLI reads it.
 * Field names are the server's; anything not listed here is passed through untouched by `--json`.
 */
export type ModelTier = 'low' | 'medium' | 'high';

export interface Page<T> {
  readonly items: readonly T[];
  readonly next?: string | null;
}

export interface ModelAlias {
  readonly alias: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface Model {
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly assetClass: string;
  readonly tier: ModelTier;
  readonly createdAt: string;
  readonly createdBy: string;
  /** Only on GET /v1/models/{name}. */
  readonly aliases?: readonly ModelAlias[];
}

export interface ModelVersion {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly status: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly features: readonly string[];
  readonly actions: readonly string[];
  readonly training: Record<string, unknown> | null;
  readonly tags: readonly string[];
  readonly inspection: Record<string, unknown>;
}

export const TERMINAL_RUN_PHASES = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const;
export type RunPhase = 'Pending' | 'Running' | (typeof TERMINAL_RUN_PHASES)[number];

export interface Gate {
  readonly name: string;
  readonly metric?: string;
  readonly phase: string;
  readonly value: number | null;
  /** The 95% confidence interval of the value, when the metric has one. */
  readonly interval?: readonly [number, number] | null;
  readonly condition: string;
  readonly reference?: string | null;
  readonly message: string;
  readonly dryRun?: boolean;
}

export interface ValidationRun {
  readonly id: string;
  readonly model?: string;
  readonly version?: number;
  readonly suite?: { readonly name: string; readonly version: number };
  readonly phase: RunPhase;
  readonly progress: { readonly done: number; readonly total: number };
  readonly etaSeconds?: number | null;
  readonly gates?: readonly Gate[] | null;
  readonly report?: Record<string, unknown> | null;
  readonly error?: string | null;
  readonly createdAt?: string;
  readonly startedAt?: string | null;
  readonly finishedAt?: string | null;
}

export interface Dataset {
  readonly id: string;
  readonly name: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly format: string;
  readonly instrument: string;
  readonly date: string;
  readonly levels: number;
  readonly messages: number;
  readonly quality: Record<string, unknown>;
  readonly createdAt: string;
  readonly createdBy: string;
}

export type AuditVerification =
  | { readonly ok: true; readonly events: number; readonly lastHash?: string }
  | { readonly ok: false; readonly events: number; readonly brokenAt: number; readonly reason: string; readonly expected: string; readonly actual: string };
