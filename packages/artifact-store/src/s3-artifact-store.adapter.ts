import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DomainError } from '@airlock/core';
import { TEMPORARY_PREFIX, artifactKey, normalizeSha256, sha256FromKey } from './artifact-key.util.js';
import { artifactNotFound } from './artifact-store.errors.js';
import type { ArtifactBody, ArtifactStore, ListedArtifact, PutOptions, StoredArtifact } from './artifact-store.port.js';
import { drain, meterBody, validatePutOptions, type MeteredBody } from './metered-body.util.js';
import { s3ClientConfigWithDefaults } from './s3-client.config.js';
import { verifiedChunks, verifyBytes } from './verified-read.util.js';

export interface S3ArtifactStoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket (`airlock/artifacts`); slashes at either end are ignored. Default: none. */
  readonly prefix?: string;
  /**
   * A ready client. The store then neither applies its defaults nor destroys it on close(); build it from
   * s3ClientConfigWithDefaults() so the checksum settings hold.
   */
  readonly client?: S3Client;
  /** Settings for a client the store builds (and owns), passed through s3ClientConfigWithDefaults(). */
  readonly clientConfig?: S3ClientConfig;
  /** Multipart part size, bytes (S3 minimum 5 MiB). Memory per put is about partSize × (queueSize + 1). */
  readonly partSize?: number;
  /** Parts uploaded concurrently per put. */
  readonly queueSize?: number;
}

const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
const DEFAULT_QUEUE_SIZE = 4;
// S3's bucket naming rules (lowercase, digits, dots, hyphens; 3–63 characters).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// Unreserved characters only, so keys need no escaping anywhere (CopySource, listings, logs).
const PREFIX_CHARS = /^[A-Za-z0-9._\-/]*$/;

interface S3ErrorShape {
  readonly name?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** A missing key (GET: NoSuchKey, HEAD: a bare 404). A missing bucket is a misconfiguration, not a missing artifact. */
const isMissingKey = (error: unknown): boolean => {
  const { name, $metadata } = (error ?? {}) as S3ErrorShape;
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
};

export const normalizeS3Prefix = (prefix: string | undefined): string => {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
};

export function validateS3Location(bucket: string, prefix: string | undefined): void {
  const errors = [
    ...(BUCKET_NAME.test(bucket) ? [] : [{ field: 'bucket', message: 'must be a valid S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)' }]),
    ...(PREFIX_CHARS.test(prefix ?? '') && !(prefix ?? '').split('/').some((s) => s === '.' || s === '..')
      ? []
      : [{ field: 'prefix', message: 'may contain only letters, digits, ".", "_", "-" and "/" (no "." or ".." segments)' }]),
  ];
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', `invalid S3 artifact store location s3://${bucket}/${prefix ?? ''}`, { errors });
}

/**
 * Artifacts as S3 objects `<prefix>sha256/ab/cd/<hex>`.
 *
 * Atomicity: an S3 object becomes visible only when its PutObject or CompleteMultipartUpload succeeds, and the
 * upload commits only once the body has ended — so the final key can only ever hold a complete object. The final
 * key is derived from the digest, which is known only at the end:
 * - with `expectedSha256`, the upload goes straight to the final key; the digest is checked before the body's
 *   end is signalled, so a mismatch aborts the upload before it commits (no copy, one write);
 * - without it, the upload goes to `<prefix>tmp/<uuid>`, then a server-side CopyObject (atomic) creates the
 *   final key and the temporary object is deleted.
 * Large bodies go through lib-storage's multipart Upload (partSize × queueSize in memory, never the whole body).
 * A process killed mid-put can leave a temporary object (purgeTemporary) or an incomplete multipart upload
 * (invisible; give the bucket an AbortIncompleteMultipartUpload lifecycle rule) — never a partial final object.
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  /** Normalized: '' or ending in '/'. */
  readonly prefix: string;
  readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3ArtifactStoreOptions) {
    validateS3Location(options.bucket, options.prefix);
    this.bucket = options.bucket;
    this.prefix = normalizeS3Prefix(options.prefix);
    this.client = options.client ?? new S3Client(s3ClientConfigWithDefaults(options.clientConfig));
    this.ownsClient = options.client === undefined;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    this.queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE;
  }

  async put(body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact> {
    const limits = validatePutOptions(options);
    const metered = meterBody(body, limits);

    if (limits.expectedSha256 !== undefined) {
      const key = artifactKey(limits.expectedSha256);
      if (await this.exists(this.objectKey(key))) {
        // Still read the body: the caller's bytes must match the digest they claimed (and respect maxBytes).
        await drain(metered);
        return { ...metered.result(), key, created: false };
      }
      await this.upload(this.objectKey(key), metered);
      return { ...metered.result(), key, created: true };
    }

    const tempKey = `${this.prefix}${TEMPORARY_PREFIX}${randomUUID()}`;
    try {
      await this.upload(tempKey, metered);
      const { sha256, sizeBytes } = metered.result();
      const key = artifactKey(sha256);
      // Never rewrite an existing object. A concurrent put of the same bytes may copy too: identical content.
      if (await this.exists(this.objectKey(key))) return { sha256, sizeBytes, key, created: false };
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), CopySource: `${this.bucket}/${tempKey}` }),
      );
      return { sha256, sizeBytes, key, created: true };
    } finally {
      // After a failed upload there is usually nothing to delete; DeleteObject on a missing key succeeds.
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tempKey })).catch(() => undefined);
    }
  }

  async get(sha256: string): Promise<Uint8Array> {
    const digest = normalizeSha256(sha256);
    let bytes: Uint8Array;
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(artifactKey(digest)) }));
      if (response.Body === undefined) throw new Error(`S3 returned no body for ${this.describe(artifactKey(digest))}`);
      bytes = await response.Body.transformToByteArray();
    } catch (error) {
      if (isMissingKey(error)) throw artifactNotFound(digest);
      throw error;
    }
    return verifyBytes(digest, bytes);
  }

  async stream(sha256: string): Promise<AsyncIterable<Uint8Array>> {
    const digest = normalizeSha256(sha256);
    const objectKey = this.objectKey(artifactKey(digest));
    // HEAD now so NOT_FOUND rejects this promise; the GET (an open HTTP response) starts only when iterated, so an
    // iterable that is never consumed holds no socket.
    if (!(await this.exists(objectKey))) throw artifactNotFound(digest);
    const { client, bucket } = this;
    const where = this.describe(artifactKey(digest));
    async function* read(): AsyncGenerator<Uint8Array> {
      let response;
      try {
        response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      } catch (error) {
        if (isMissingKey(error)) throw artifactNotFound(digest); // deleted between stream() and the first read
        throw error;
      }
      if (response.Body === undefined) throw new Error(`S3 returned no body for ${where}`);
      // In Node the body is an http.IncomingMessage (a Readable), which is async-iterable.
      yield* response.Body as AsyncIterable<Uint8Array>;
    }
    return { [Symbol.asyncIterator]: () => verifiedChunks(digest, read()) };
  }

  async has(sha256: string): Promise<boolean> {
    return this.exists(this.objectKey(artifactKey(normalizeSha256(sha256))));
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(artifactKey(normalizeSha256(sha256))) }));
  }

  async *list(): AsyncGenerator<ListedArtifact> {
    for await (const object of this.listObjects(`${this.prefix}sha256/`)) {
      const sha256 = sha256FromKey(object.Key.slice(this.prefix.length));
      if (sha256 === undefined) continue; // not ours: never report (and so never garbage-collect) it
      yield { sha256, sizeBytes: object.Size ?? 0, modifiedAt: object.LastModified ?? new Date(0) };
    }
  }

  async purgeTemporary(olderThan: Date): Promise<number> {
    let removed = 0;
    for await (const object of this.listObjects(`${this.prefix}${TEMPORARY_PREFIX}`)) {
      if (object.LastModified !== undefined && object.LastModified < olderThan) {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
        removed += 1;
      }
    }
    return removed;
  }

  async ping(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      // The SDK's message for a HEAD failure is often just "UnknownError" or "NotFound": name the bucket.
      const status = (error as S3ErrorShape).$metadata?.httpStatusCode;
      throw new Error(`S3 bucket "${this.bucket}" is not reachable${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  /** Bucket object key of a store-relative key. */
  objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  private describe(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }

  private async upload(objectKey: string, metered: MeteredBody): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: objectKey,
        // lib-storage accepts a Readable (not a bare async iterable); Readable.from pulls on demand, so at most a
        // few parts are buffered however large the body is.
        Body: Readable.from(metered.chunks),
        ContentType: 'application/octet-stream',
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // Report the body's own error (PAYLOAD_TOO_LARGE, ARTIFACT_INTEGRITY, the caller's stream failure), not
      // lib-storage's: it rethrows whatever fails while aborting the multipart upload instead (s3rver, for one,
      // does not implement AbortMultipartUpload).
      throw metered.failure ?? error;
    }
  }

  private async exists(objectKey: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return true;
    } catch (error) {
      if (isMissingKey(error)) return false;
      throw error;
    }
  }

  private async *listObjects(prefix: string): AsyncGenerator<_Object & { Key: string }> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(continuationToken && { ContinuationToken: continuationToken }) }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object as _Object & { Key: string };
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }
}
