import type { S3ClientConfig } from '@aws-sdk/client-s3';

const nonEmpty = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);

/**
 * The S3 client settings the store relies on, under whatever the caller configured:
 * - `requestChecksumCalculation` / `responseChecksumValidation: 'WHEN_REQUIRED'`: the SDK's default (since
 *   3.729) adds CRC32 checksums to every upload, sent as an aws-chunked trailer on streamed bodies. S3-compatible
 *   servers that do not understand the trailer store it as part of the object (s3rver turned 1024 bytes into
 *   1067), and some reject the headers. Integrity does not depend on it: every read is verified against sha256.
 * - `forcePathStyle` when an endpoint is given: custom endpoints (s3rver, MinIO, Ceph, a VPC proxy) rarely serve
 *   virtual-hosted `bucket.host` names, while AWS S3 itself (no endpoint) still prefers them.
 * Explicit values in `config` win.
 */
export function s3ClientConfigWithDefaults(config: S3ClientConfig = {}): S3ClientConfig {
  return {
    ...config,
    requestChecksumCalculation: config.requestChecksumCalculation ?? 'WHEN_REQUIRED',
    responseChecksumValidation: config.responseChecksumValidation ?? 'WHEN_REQUIRED',
    forcePathStyle: config.forcePathStyle ?? config.endpoint !== undefined,
  };
}

/**
 * Client settings from the AWS SDK's standard variables, for an app's config layer to call with `process.env`
 * (this package never reads the environment by itself — except as the factory's fallback, see
 * createArtifactStore). The SDK would read AWS_REGION and AWS_ENDPOINT_URL_S3 on its own, but the store must know
 * whether an endpoint is configured to choose path-style addressing, so both are resolved here with the SDK's
 * precedence (AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL, both off with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true).
 * Credentials are left out on purpose: the SDK's default provider chain finds them (AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_PROFILE and ~/.aws, web identity for IRSA, ECS, instance roles).
 */
export function s3ClientConfigFromEnv(env: Readonly<Record<string, string | undefined>>): S3ClientConfig {
  const ignoreEndpoints = nonEmpty(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS)?.toLowerCase() === 'true';
  const endpoint = ignoreEndpoints ? undefined : (nonEmpty(env.AWS_ENDPOINT_URL_S3) ?? nonEmpty(env.AWS_ENDPOINT_URL));
  // A custom endpoint usually ignores the region, but request signing needs one; S3's default is us-east-1.
  const region = nonEmpty(env.AWS_REGION) ?? (endpoint !== undefined ? 'us-east-1' : undefined);
  return {
    ...(region !== undefined && { region }),
    ...(endpoint !== undefined && { endpoint, forcePathStyle: true }),
  };
}
