/**
 * The artifact store port (DESIGN.md principle 3): immutable, content-addressed bytes, verified on every read.
 * One interface, two adapters (`file`, `s3`) chosen by `createArtifactStore(uri)`; callers never branch on `kind`
 * except for diagnostics.
 */

/**
 * What put() accepts: whole bytes, or a stream of chunks (a Node Readable is an AsyncIterable<Buffer>). Chunks are
 * not copied (the S3 adapter buffers them into multipart parts), so a source must not reuse a chunk's memory
 * after yielding it — Node streams never do.
 */
export type ArtifactBody = AsyncIterable<Uint8Array> | Uint8Array;

export interface PutOptions {
  /** Bytes; once the body passes this, the upload is abandoned (nothing left behind) with PAYLOAD_TOO_LARGE. */
  readonly maxBytes?: number;
  /**
   * Lowercase hex sha256 the caller already knows (e.g. computed while spooling an upload). A body that hashes to
   * anything else is refused with ARTIFACT_INTEGRITY and nothing is stored. Knowing it up front also lets the S3
   * adapter upload straight to the final key (no temporary object, no server-side copy).
   */
  readonly expectedSha256?: string;
}

export interface StoredArtifact {
  /** Lowercase hex sha256 of the bytes: the artifact's identity. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /**
   * Store-relative key, `sha256/<hex[0:2]>/<hex[2:4]>/<hex>`, identical for every adapter (an S3 prefix is not
   * part of it), so a recorded key survives moving artifacts between stores.
   */
  readonly key: string;
  /** False when the same bytes were stored already: nothing was written (objects are never rewritten). */
  readonly created: boolean;
}

export interface ListedArtifact {
  readonly sha256: string;
  readonly sizeBytes: number;
  /** When the object was written (file mtime / S3 LastModified); a dedup put() does not refresh it. */
  readonly modifiedAt: Date;
}

export interface ArtifactStore {
  readonly kind: 'file' | 's3';
  /**
   * Streams bytes in, computing sha256 and size on the way, and stores them under `sha256/ab/cd/<hex>`. The object
   * becomes visible under its final key only when complete (and, with expectedSha256, verified), so a failure or
   * crash mid-way never leaves a partial object there. An object that exists already is not rewritten.
   * @throws DomainError PAYLOAD_TOO_LARGE (maxBytes passed), ARTIFACT_INTEGRITY (expectedSha256 differs),
   *   VALIDATION_FAILED (malformed options); an error thrown by the body itself is rethrown unchanged.
   */
  put(body: ArtifactBody, options?: PutOptions): Promise<StoredArtifact>;
  /** The whole artifact, verified. @throws DomainError NOT_FOUND, ARTIFACT_INTEGRITY, VALIDATION_FAILED (not a sha256). */
  get(sha256: string): Promise<Uint8Array>;
  /**
   * Streaming read, verified at the end. NOT_FOUND rejects the returned promise. The last chunk is held back until
   * the digest is checked: on a mismatch the iteration throws ARTIFACT_INTEGRITY instead of yielding it, so a
   * consumer never receives a complete-looking corrupt body.
   */
  stream(sha256: string): Promise<AsyncIterable<Uint8Array>>;
  has(sha256: string): Promise<boolean>;
  /** Removes the artifact; idempotent (deleting a missing artifact is not an error, as in S3). */
  delete(sha256: string): Promise<void>;
  /** Every stored digest with its size and last-modified time (for orphan garbage collection). */
  list(): AsyncIterable<ListedArtifact>;
  /**
   * Removes temporary objects (left by a process that died mid-put) last modified before `olderThan`; returns how
   * many. Choose a cutoff well beyond the longest upload: a live put's temporary object looks the same.
   */
  purgeTemporary(olderThan: Date): Promise<number>;
  /** Reachability (and, for files, writability) for readiness probes; rejects when not ready. */
  ping(): Promise<void>;
  /** Releases connections (S3 client sockets, if the store built its client). The store is unusable afterwards. */
  close(): Promise<void>;
}
