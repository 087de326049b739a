import { randomMlpPolicy } from '@airlock/onnx';
import type { VersionStatus } from '@airlock/core';
import { registrationForm, type TestApi } from './api-harness.js';

const FEATURES = ['spread_bps', 'imbalance_l1', 'time_remaining_frac', 'qty_remaining_frac', 'side'];
const ACTIONS = ['participation', 'aggression'];

/** A clock tests move by hand (approval expiry, rollout pauses). */
export class MutableClock {
  constructor(private current = Date.now()) {}
  now = (): Date => new Date(this.current);
  advanceHours(hours: number): void {
    this.current += hours * 3600_000;
  }
  advanceMs(ms: number): void {
    this.current += ms;
  }
}

export async function createModel(t: TestApi, key: string, name: string, tier: 'low' | 'medium' | 'high'): Promise<void> {
  const created = await t.call('POST', '/v1/models', { key, json: { name, owner: 'desk-a', assetClass: 'equities', tier } });
  if (created.status !== 201) throw new Error(`model creation failed: ${JSON.stringify(created.body)}`);
}

/**
 * Registers `bytes` as a version (as `author`) and sets its status directly in the database. The status write
 * stands in for a validation run (and a shadow run): the suites using it test what comes after, not the pipeline.
 */
export async function registerWithStatus(
  t: TestApi,
  author: string,
  model: string,
  bytes: Uint8Array,
  manifest: { readonly features: readonly string[]; readonly actions: readonly string[] },
  status: VersionStatus,
): Promise<{ version: number; sha256: string }> {
  const registered = await t.call('POST', `/v1/models/${model}/versions`, { key: author, form: registrationForm(bytes, manifest) });
  if (registered.status !== 201) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
  const { version, sha256 } = registered.body as { version: number; sha256: string };
  if (status !== 'registered') {
    await t.api.db.transaction(async (uow) => {
      const found = await uow.models.findByName(model);
      const row = found ? await uow.versions.find(found, version) : null;
      if (!row) throw new Error('registered version vanished');
      await uow.versions.setStatus(row, status);
      await uow.audit('system', 'version.status-set-by-test', `model:${model}@${version}`, { status });
    });
  }
  return { version, sha256 };
}

/** A fresh version (a seeded random MLP) of `model` with this status: see registerWithStatus. */
export const versionWithStatus = (t: TestApi, author: string, model: string, seed: number, status: VersionStatus): Promise<{ version: number; sha256: string }> =>
  registerWithStatus(t, author, model, randomMlpPolicy({ seed, features: FEATURES, actions: ACTIONS, hidden: [4] }).bytes, { features: FEATURES, actions: ACTIONS }, status);
