import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactStore } from '@airlock/artifact-store';
import { DomainError, isDomainError, type BatchPolicy, type ModelVersion } from '@airlock/core';
import { OnnxPolicy } from '@airlock/onnx';
import type { Database } from '@airlock/persistence';
import { generateSyntheticDay, loadMarketDay, type MarketDay } from '@airlock/sim';
import type { DatasetRef } from './suite.js';

/**
 * What shards read, loaded once per worker process and kept: market days (parsed once into the columnar cache
 * on disk, then held in memory) and ONNX sessions (by artifact digest). Every byte read from the store is
 * verified against its sha256; a mismatch is the run's failure reason, never a silent result.
 */
/** How many market days and ONNX sessions a worker keeps (least recently used go first). */
const MAX_DAYS = 8;
const MAX_POLICIES = 16;

/** Touches `key` as most recently used and drops the oldest entries beyond `max`. */
function remember<V>(cache: Map<string, V>, key: string, value: V, max: number): void {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > max) cache.delete(cache.keys().next().value as string);
}

export class RunInputs {
  private readonly days = new Map<string, Promise<MarketDay>>();
  private readonly policies = new Map<string, Promise<OnnxPolicy>>();

  constructor(
    private readonly db: Database,
    private readonly store: ArtifactStore,
    /** Folder for dataset archives fetched from the store and their columnar caches. */
    private readonly cacheDir: string,
  ) {}

  day(ref: DatasetRef): Promise<MarketDay> {
    const key = 'synthetic' in ref ? `synthetic:${JSON.stringify(ref.synthetic)}` : `dataset:${ref.name}`;
    let day = this.days.get(key);
    if (!day) {
      day = this.loadDay(ref);
      day.catch(() => this.days.delete(key)); // a failure is not cached: the next attempt tries again
    }
    remember(this.days, key, day, MAX_DAYS);
    return day;
  }

  private async loadDay(ref: DatasetRef): Promise<MarketDay> {
    if ('synthetic' in ref) {
      const { regime, seed, events, levels } = ref.synthetic;
      return generateSyntheticDay({ regime, seed, events, levels });
    }
    const dataset = await this.db.read.validation.findDataset(ref.name);
    if (!dataset) throw new DomainError('NOT_FOUND', `the suite names dataset "${ref.name}", which is not registered`);
    const archive = join(this.cacheDir, 'datasets', `${dataset.sha256}.zip`);
    if (!existsSync(archive)) {
      const bytes = await this.readVerified(dataset.sha256, `dataset "${dataset.name}"`);
      await mkdir(join(this.cacheDir, 'datasets'), { recursive: true });
      // Temp file + rename: another worker sharing the cache, or one killed mid-write, never sees half a file.
      const partial = `${archive}.${randomUUID()}.tmp`;
      await writeFile(partial, bytes);
      await rename(partial, archive);
    }
    return loadMarketDay(archive, { cacheDir: join(this.cacheDir, 'columnar'), instrument: dataset.instrument, date: dataset.date });
  }

  policy(version: ModelVersion): Promise<BatchPolicy> {
    let policy = this.policies.get(version.sha256);
    if (!policy) {
      policy = this.readVerified(version.sha256, `model ${version.modelName}@${version.version}`).then((bytes) =>
        OnnxPolicy.load(bytes, version.manifest, `${version.modelName}@${version.version}`),
      );
      policy.catch(() => this.policies.delete(version.sha256));
    }
    // Evicted sessions are not disposed here: a shard running concurrently may still be deciding with one. It is
    // freed with the object once no shard references it; close() disposes those still cached.
    remember(this.policies, version.sha256, policy, MAX_POLICIES);
    return policy;
  }

  private async readVerified(sha256: string, what: string): Promise<Uint8Array> {
    try {
      return await this.store.get(sha256);
    } catch (error) {
      if (isDomainError(error) && error.code === 'ARTIFACT_INTEGRITY') {
        throw new DomainError('ARTIFACT_INTEGRITY', `${what}: stored bytes no longer match sha256 ${sha256}`);
      }
      if (isDomainError(error) && error.code === 'NOT_FOUND') throw new DomainError('NOT_FOUND', `${what}: no stored bytes for sha256 ${sha256}`);
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const policy of this.policies.values()) await policy.then((p) => p.dispose()).catch(() => undefined);
    this.policies.clear();
    this.days.clear();
  }
}
