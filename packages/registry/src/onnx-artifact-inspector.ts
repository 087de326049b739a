import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Semaphore, type Manifest } from '@airlock/core';
import { validateArtifact } from '@airlock/onnx';
import type { ArtifactInspector } from './artifact-inspector.js';

export interface OnnxInspectorLimits {
  /** Wall-clock bound for loading, probing and timing the model in its sandbox process, ms. */
  readonly timeoutMs: number;
  /** Memory bound of that process, MiB. */
  readonly maxMemoryMb: number;
}

/**
 * The registration check with onnxruntime, in a bounded child process (@airlock/onnx). The probe batch's seed is
 * taken from the artifact's digest, so the same bytes are always probed with the same rows (replayable evidence).
 */
export class OnnxArtifactInspector implements ArtifactInspector {
  /** Each check costs a sandbox process (~60–90 MiB): a replica runs a few at a time (default 2). */
  private readonly slots: Semaphore;

  constructor(private readonly limits: OnnxInspectorLimits & { readonly concurrency?: number }) {
    this.slots = new Semaphore(limits.concurrency ?? 2);
  }

  inspect(artifactPath: string, manifest: Manifest): Promise<Record<string, unknown>> {
    return this.slots.run(() => this.check(artifactPath, manifest));
  }

  private async check(artifactPath: string, manifest: Manifest): Promise<Record<string, unknown>> {
    const bytes = await readFile(artifactPath);
    const seed = Number.parseInt(createHash('sha256').update(bytes).digest('hex').slice(0, 8), 16);
    const report = await validateArtifact(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), manifest, {
      seed,
      timeoutMs: this.limits.timeoutMs,
      maxMemoryMb: this.limits.maxMemoryMb,
    });
    return { ...report };
  }
}
