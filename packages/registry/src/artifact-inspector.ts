import type { Manifest } from '@airlock/core';

/**
 * Checks an uploaded artifact against its manifest before anything is stored: it loads, its shapes agree,
 * its outputs are finite and in bounds on a probe batch. Throws DomainError ARTIFACT_* codes; returns the
 * findings kept with the version (shapes, opset, probe ranges, latency).
 */
export interface ArtifactInspector {
  inspect(artifactPath: string, manifest: Manifest): Promise<Record<string, unknown>>;
}
