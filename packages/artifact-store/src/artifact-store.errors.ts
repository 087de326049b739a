import { DomainError } from '@airlock/core';

export const artifactNotFound = (sha256: string): DomainError =>
  new DomainError('NOT_FOUND', `artifact sha256:${sha256} not found`, { sha256 });

export const artifactIntegrity = (expectedSha256: string, actualSha256: string, context: 'read' | 'upload'): DomainError =>
  new DomainError(
    'ARTIFACT_INTEGRITY',
    context === 'read'
      ? `stored artifact sha256:${expectedSha256} no longer matches its digest (read bytes hash to ${actualSha256})`
      : `uploaded bytes hash to sha256:${actualSha256}, expected ${expectedSha256}; nothing was stored`,
    { expectedSha256, actualSha256 },
  );

// `limitBytes` matches the API's own spooling limit error, so the edge maps both the same way.
export const payloadTooLarge = (limitBytes: number): DomainError =>
  new DomainError('PAYLOAD_TOO_LARGE', `the artifact exceeds the limit of ${limitBytes} bytes; nothing was stored`, { limitBytes });
