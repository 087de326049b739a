import { Inject, Injectable } from '@nestjs/common';
import type { ArtifactStore } from '@airlock/artifact-store';
import { DomainError } from '@airlock/core';
import { ARTIFACT_STORE } from '../tokens.js';

/** Reads JSON evidence artifacts, verified against their sha256 by the store. */
@Injectable()
export class ArtifactStoreReader {
  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}

  async json(sha256: string | null, missing: string): Promise<unknown> {
    if (!sha256) throw new DomainError('NOT_FOUND', missing);
    return JSON.parse(new TextDecoder().decode(await this.store.get(sha256))) as unknown;
  }
}
