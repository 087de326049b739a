import { describe, expect, it } from '@jest/globals';
import { s3ClientConfigFromEnv, s3ClientConfigWithDefaults } from './s3-client.config.js';

describe('s3ClientConfigFromEnv', () => {
  it('leaves everything to the SDK when nothing is set', () => {
    expect(s3ClientConfigFromEnv({})).toEqual({});
  });

  it('takes the region, and never credentials (the default provider chain finds those)', () => {
    expect(s3ClientConfigFromEnv({ AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'AKIA…', AWS_SECRET_ACCESS_KEY: 's' })).toEqual({ region: 'eu-central-1' });
  });

  it('uses path-style addressing with a custom endpoint, preferring the S3-specific variable', () => {
    expect(s3ClientConfigFromEnv({ AWS_ENDPOINT_URL: 'http://generic:1', AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
    });
    expect(s3ClientConfigFromEnv({ AWS_ENDPOINT_URL: 'http://generic:1' })).toEqual({ region: 'us-east-1', endpoint: 'http://generic:1', forcePathStyle: true });
  });

  it('ignores configured endpoints when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true, and blank values', () => {
    expect(s3ClientConfigFromEnv({ AWS_ENDPOINT_URL_S3: 'http://minio:9000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toEqual({});
    expect(s3ClientConfigFromEnv({ AWS_ENDPOINT_URL_S3: ' ', AWS_REGION: '' })).toEqual({});
  });
});

describe('s3ClientConfigWithDefaults', () => {
  it('turns the SDK’s default checksums off and path style on for custom endpoints', () => {
    expect(s3ClientConfigWithDefaults({ endpoint: 'http://127.0.0.1:4568' })).toMatchObject({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      forcePathStyle: true,
    });
    expect(s3ClientConfigWithDefaults({ region: 'eu-west-1' }).forcePathStyle).toBe(false);
  });

  it('lets explicit settings win', () => {
    expect(s3ClientConfigWithDefaults({ endpoint: 'http://x', forcePathStyle: false, requestChecksumCalculation: 'WHEN_SUPPORTED' })).toMatchObject({
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
});
