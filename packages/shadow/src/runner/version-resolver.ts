import type { ArtifactStore } from '@airlock/artifact-store';
import { OnnxPolicy } from '@airlock/onnx';
import type { Database } from '@airlock/persistence';
import type { LoadedVersion, VersionResolver } from './shadow-scorer.js';

/** How long "no such version" is believed before the registry is asked again, ms (a version may be registered later). */
const MISS_TTL_MS = 5_000;

/**
 * Registry + store → ONNX policies for the versions the flow names and the sessions score. A version's bytes
 * are immutable (content-addressed and verified on read), so a loaded policy is kept for the process's life;
 * misses are remembered briefly so a flow naming an unknown version does not query the database per decision.
 */
export function registryVersionResolver(db: Database, store: ArtifactStore, nowMs: () => number): VersionResolver & { close(): Promise<void> } {
  const loaded = new Map<string, Promise<LoadedVersion | null>>();
  const misses = new Map<string, number>();
  const policies: OnnxPolicy[] = [];
  const resolve = (model: string, version: number): Promise<LoadedVersion | null> => {
    const key = `${model}@${version}`;
    const hit = loaded.get(key);
    if (hit) return hit;
    const missedAt = misses.get(key);
    if (missedAt !== undefined && nowMs() - missedAt < MISS_TTL_MS) return Promise.resolve(null);
    const promise = (async (): Promise<LoadedVersion | null> => {
      const record = await db.read.versions.findByModelName(model, version);
      if (!record) {
        loaded.delete(key);
        misses.set(key, nowMs());
        return null;
      }
      const policy = await OnnxPolicy.load(await store.get(record.sha256), record.manifest, key);
      policies.push(policy);
      return { subject: { model, version, sha256: record.sha256 }, policy };
    })();
    promise.catch(() => loaded.delete(key)); // a failure is not cached: the next decision tries again
    loaded.set(key, promise);
    return promise;
  };
  return Object.assign(resolve, {
    async close() {
      await Promise.all(policies.map((p) => p.dispose()));
    },
  });
}
