import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { isDomainError } from '@airlock/core';
import { DEFAULT_ARTIFACT_STORE_URI, createArtifactStore, parseArtifactStoreUri } from './artifact-store.factory.js';
import { FileArtifactStore } from './file-artifact-store.adapter.js';
import { S3ArtifactStore } from './s3-artifact-store.adapter.js';

const BASE = '/srv/airlock';

function validationProblem(uri: string): { message: string; fields: string[] } {
  try {
    parseArtifactStoreUri(uri, BASE);
  } catch (error) {
    if (isDomainError(error) && error.code === 'VALIDATION_FAILED') {
      return { message: error.message, fields: (error.details.errors ?? []).map((e) => e.field) };
    }
    throw error;
  }
  throw new Error(`expected "${uri}" to be refused`);
}

describe('parseArtifactStoreUri', () => {
  it.each([
    ['file:///var/lib/airlock/artifacts', '/var/lib/airlock/artifacts'],
    ['file://localhost/var/lib/artifacts', '/var/lib/artifacts'],
    ['file:///data/with%20space', '/data/with space'],
    ['file:/var/artifacts', '/var/artifacts'],
    ['file:./.airlock/artifacts', join(BASE, '.airlock/artifacts')],
    ['file:artifacts', join(BASE, 'artifacts')],
    ['file:../shared/artifacts', '/srv/shared/artifacts'],
  ])('%s → file store at %s', (uri, rootDir) => {
    expect(parseArtifactStoreUri(uri, BASE)).toEqual({ kind: 'file', rootDir });
  });

  it.each([
    ['s3://airlock-artifacts', 'airlock-artifacts', ''],
    ['s3://airlock-artifacts/', 'airlock-artifacts', ''],
    ['s3://airlock-artifacts/prod/models', 'airlock-artifacts', 'prod/models/'],
    ['s3://my.bucket-1/prod/models/', 'my.bucket-1', 'prod/models/'],
  ])('%s → bucket %s, prefix "%s"', (uri, bucket, prefix) => {
    expect(parseArtifactStoreUri(uri, BASE)).toEqual({ kind: 's3', bucket, prefix });
  });

  it.each([
    ['', 'empty'],
    ['/var/artifacts', 'unsupported scheme'],
    ['./artifacts', 'unsupported scheme'],
    ['http://example.com/artifacts', 'unsupported scheme'],
    ['gs://bucket/prefix', 'unsupported scheme'],
    ['file:', 'no path'],
    ['file://relative/path', 'would be a host'],
    ['file:///a?x=1', 'no query'],
  ])('refuses %j (%s)', (uri, fragment) => {
    const problem = validationProblem(uri);
    expect(problem.message).toContain(fragment);
    expect(problem.fields).toEqual(['uri']);
  });

  it.each([
    ['s3://', ['bucket']],
    ['s3://Upper_Case/p', ['bucket']],
    ['s3://bucket:9000/p', ['bucket']],
    ['s3://key:secret@bucket/p', ['bucket']],
    ['s3://bucket/../escape', ['prefix']],
    ['s3://bucket/with space', ['prefix']],
  ])('refuses %s, naming the offending part', (uri, fields) => {
    expect(validationProblem(uri).fields).toEqual(fields);
  });

  it('refuses query strings on s3 URIs', () => {
    expect(validationProblem('s3://bucket/p?versionId=1').message).toContain('no query');
  });

  it('resolves the apps’ default beside the working directory', () => {
    expect(parseArtifactStoreUri(DEFAULT_ARTIFACT_STORE_URI)).toEqual({ kind: 'file', rootDir: join(process.cwd(), '.airlock/artifacts') });
  });
});

describe('createArtifactStore', () => {
  it('builds a file store', async () => {
    const store = createArtifactStore('file:var/artifacts', { baseDir: BASE });
    expect(store).toBeInstanceOf(FileArtifactStore);
    expect(store.kind).toBe('file');
    expect((store as FileArtifactStore).rootDir).toBe(join(BASE, 'var/artifacts'));
    await store.close();
  });

  it('builds an S3 store with the checksum and addressing settings (no network needed)', async () => {
    const store = createArtifactStore('s3://airlock-artifacts/prod', {
      s3: { clientConfig: { region: 'eu-west-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } },
    });
    expect(store).toBeInstanceOf(S3ArtifactStore);
    const s3 = store as S3ArtifactStore;
    expect([s3.kind, s3.bucket, s3.prefix]).toEqual(['s3', 'airlock-artifacts', 'prod/']);
    expect(s3.client.config.forcePathStyle).toBe(true);
    expect(await s3.client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await s3.client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    await store.close();
  });

  it('refuses an unknown scheme with VALIDATION_FAILED', () => {
    expect(() => createArtifactStore('ftp://host/artifacts')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
