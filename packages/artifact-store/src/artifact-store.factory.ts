import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { DomainError, type FieldProblem } from '@airlock/core';
import type { ArtifactStore } from './artifact-store.port.js';
import { FileArtifactStore } from './file-artifact-store.adapter.js';
import { S3ArtifactStore, normalizeS3Prefix, validateS3Location } from './s3-artifact-store.adapter.js';
import { s3ClientConfigFromEnv } from './s3-client.config.js';

/** What the apps use when nothing is configured: a folder beside the working directory. */
export const DEFAULT_ARTIFACT_STORE_URI = 'file:./.airlock/artifacts';

/** A parsed store URI: the discriminated union the factory switches on. */
export type ArtifactStoreLocation =
  | { readonly kind: 'file'; readonly rootDir: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string };

export interface CreateArtifactStoreOptions {
  /** Base of relative `file:` paths; default: the working directory. */
  readonly baseDir?: string;
  readonly s3?: {
    /** A ready client (see S3ArtifactStoreOptions.client). */
    readonly client?: S3Client;
    /**
     * Client settings, normally `s3ClientConfigFromEnv(process.env)` from the app's config layer. When neither
     * this nor `client` is given, the factory calls exactly that itself, so a bare `createArtifactStore(uri)`
     * honours AWS_REGION / AWS_ENDPOINT_URL_S3 (with path-style addressing) like the SDK would.
     */
    readonly clientConfig?: S3ClientConfig;
    readonly partSize?: number;
    readonly queueSize?: number;
  };
}

const EXPECTED = 'expected file:///absolute/path, file:relative/path or s3://bucket/prefix';

const invalid = (uri: string, message: string, errors: readonly FieldProblem[] = [{ field: 'uri', message }]): DomainError =>
  new DomainError('VALIDATION_FAILED', `invalid artifact store URI "${uri}": ${message}`, { errors });

/**
 * Parses a store URI without touching the filesystem or the network (an app's config validation can call it):
 * - `file:///abs/path` (percent-decoded like any file URL), or `file:/abs/path`;
 * - `file:relative/path` / `file:./relative/path`, resolved against `baseDir` — not expressible as a `file://`
 *   URL, where the first segment would be a host;
 * - `s3://bucket` or `s3://bucket/prefix/inside`.
 */
export function parseArtifactStoreUri(uri: string, baseDir: string = process.cwd()): ArtifactStoreLocation {
  if (typeof uri !== 'string' || uri === '') throw invalid(String(uri), `empty; ${EXPECTED}`);
  if (/^file:\/\//i.test(uri)) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw invalid(uri, `not a valid file URL; ${EXPECTED}`);
    }
    if (url.host !== '') {
      throw invalid(uri, `"${url.host}" would be a host: a file:// URI takes an absolute path (file:///abs/path); write a relative one as file:relative/path`);
    }
    if (url.search !== '' || url.hash !== '') throw invalid(uri, 'a file URI takes no query or fragment');
    return { kind: 'file', rootDir: fileURLToPath(url) };
  }
  if (/^file:/i.test(uri)) {
    const path = uri.slice('file:'.length);
    if (path === '') throw invalid(uri, `no path; ${EXPECTED}`);
    return { kind: 'file', rootDir: isAbsolute(path) ? resolve(path) : resolve(baseDir, path) };
  }
  if (/^s3:/i.test(uri)) {
    const match = /^s3:\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(uri);
    if (!match) throw invalid(uri, 'an s3 URI is s3://bucket/prefix, with no query or fragment');
    const bucket = match[1] ?? '';
    const prefix = match[2] ?? '';
    try {
      validateS3Location(bucket, prefix);
    } catch (error) {
      if (error instanceof DomainError) throw invalid(uri, 'bad bucket or prefix', error.details.errors ?? []);
      throw error;
    }
    return { kind: 's3', bucket, prefix: normalizeS3Prefix(prefix) };
  }
  throw invalid(uri, `unsupported scheme; ${EXPECTED}`);
}

/** The one switch between adapters (DESIGN.md: ports with one factory switch). */
export function createArtifactStore(uri: string, options: CreateArtifactStoreOptions = {}): ArtifactStore {
  const location = parseArtifactStoreUri(uri, options.baseDir);
  switch (location.kind) {
    case 'file':
      return new FileArtifactStore(location.rootDir);
    case 's3': {
      const s3 = options.s3 ?? {};
      return new S3ArtifactStore({
        bucket: location.bucket,
        prefix: location.prefix,
        ...(s3.client !== undefined
          ? { client: s3.client }
          : { clientConfig: s3.clientConfig ?? s3ClientConfigFromEnv(process.env) }),
        ...(s3.partSize !== undefined && { partSize: s3.partSize }),
        ...(s3.queueSize !== undefined && { queueSize: s3.queueSize }),
      });
    }
  }
}
