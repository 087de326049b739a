import { DomainError } from './errors.js';
import type { Manifest } from './manifest.js';

/** Model names: lowercase letters, digits and dashes, 2–63 characters (API.md). Excludes `/`, `.`, unicode. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
/** Aliases and tags follow the same shape as model names. */
export const ALIAS_PATTERN = MODEL_NAME_PATTERN;

export const MODEL_TIERS = ['low', 'medium', 'high'] as const;
export type ModelTier = (typeof MODEL_TIERS)[number];

export const ROLES = ['quant', 'risk', 'admin', 'auditor', 'controller'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Lifecycle status of a version. Set by: `registered` the registry; `validating`, `validated`, `rejected`,
 * `needs-review` the validation pipeline; `shadow-*` the shadow runner; `approved`, `canary`, `champion`,
 * `retired` promotion and rollout.
 */
export const VERSION_STATUSES = [
  'registered',
  'validating',
  'validated',
  'rejected',
  'needs-review',
  'shadow-passed',
  'shadow-failed',
  'approved',
  'canary',
  'champion',
  'retired',
] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** Only a completed rollout may point this alias at a version. */
export const PROTECTED_ALIASES: ReadonlySet<string> = new Set(['champion']);

export function assertModelName(name: string, field = 'name'): void {
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw new DomainError('VALIDATION_FAILED', `invalid model name`, {
      errors: [{ field, message: `must match ${MODEL_NAME_PATTERN.source}` }],
    });
  }
}

/** Time source, injected everywhere so tests and replays control it. */
export interface Clock {
  now(): Date;
}

export interface Model {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly owner: string;
  readonly assetClass: string;
  readonly tier: ModelTier;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface ModelVersion {
  readonly id: string;
  readonly modelId: string;
  readonly modelName: string;
  readonly version: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly manifest: Manifest;
  readonly inspection: Readonly<Record<string, unknown>>;
  readonly status: VersionStatus;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly revokedAt: Date | null;
}

/** Who is acting: the API key behind a request, or the platform itself. */
export interface Principal {
  readonly keyId: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

/** How an actor is written in the audit chain and in created_by columns. */
export const actorOf = (principal: Principal | 'system'): string =>
  principal === 'system' ? 'system' : `key:${principal.keyId}`;

/** Who an actor string is, for people reading the record: the key's name and roles, never a secret. */
export interface ActorRecord {
  readonly actor: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly revoked: boolean;
}

export const actorRecord = (key: ApiKey): ActorRecord => ({ actor: actorOf({ keyId: key.id, name: key.name, roles: key.roles }), name: key.name, roles: key.roles, revoked: key.revokedAt !== null });
