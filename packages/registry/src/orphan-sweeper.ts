import type { ArtifactStore } from '@airlock/artifact-store';
import type { Clock } from '@airlock/core';
import type { Database } from '@airlock/persistence';

export interface SweepResult {
  readonly examined: number;
  readonly deleted: readonly string[];
  /** Half-written temporary objects of uploads that crashed mid-stream, removed. */
  readonly purgedTemporary: number;
}

/**
 * Deletes stored artifacts that nothing references (no version, dataset or validation evidence) and that are older than the grace period: the bytes a
 * registration stored before it crashed (or before its transaction failed). The grace period covers uploads
 * still between storing and committing; the per-digest lock makes the check-and-delete race-free.
 */
export class OrphanSweeper {
  constructor(
    private readonly db: Database,
    private readonly store: ArtifactStore,
    private readonly clock: Clock,
  ) {}

  async sweep(options: { graceMs: number }): Promise<SweepResult> {
    const cutoff = this.clock.now().getTime() - options.graceMs;
    const purgedTemporary = await this.store.purgeTemporary(new Date(cutoff));
    const deleted: string[] = [];
    let examined = 0;
    for await (const stored of this.store.list()) {
      examined += 1;
      if (stored.modifiedAt.getTime() > cutoff) continue;
      const removed = await this.db.transaction(async (uow) => {
        await uow.lockArtifactDigest(stored.sha256);
        if (await uow.isArtifactReferenced(stored.sha256)) return false;
        await this.store.delete(stored.sha256);
        await uow.audit('system', 'artifact.orphan-deleted', `artifact:${stored.sha256}`, { sizeBytes: stored.sizeBytes });
        return true;
      });
      if (removed) deleted.push(stored.sha256);
    }
    return { examined, deleted, purgedTemporary };
  }
}
