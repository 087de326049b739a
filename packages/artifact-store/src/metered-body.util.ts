import { DomainError } from '@airlock/core';
import { normalizeSha256 } from './artifact-key.util.js';
import { artifactIntegrity, payloadTooLarge } from './artifact-store.errors.js';
import type { ArtifactBody, PutOptions } from './artifact-store.port.js';
import { Sha256Hasher } from './sha256.util.js';

export interface PutLimits {
  readonly maxBytes?: number;
  readonly expectedSha256?: string;
}

/** Checks put() options up front so a bad call fails before any byte is read or written. */
export function validatePutOptions(options: PutOptions = {}): PutLimits {
  const { maxBytes, expectedSha256 } = options;
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new DomainError('VALIDATION_FAILED', 'maxBytes must be a non-negative integer', {
      errors: [{ field: 'maxBytes', message: 'must be a non-negative integer' }],
    });
  }
  return {
    ...(maxBytes !== undefined && { maxBytes }),
    ...(expectedSha256 !== undefined && { expectedSha256: normalizeSha256(expectedSha256, 'expectedSha256') }),
  };
}

// Buffer and Uint8Array from any realm (Jest gives each test file its own): instanceof alone is not enough.
const isBytes = (value: unknown): value is Uint8Array =>
  value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]';

const notBytes = (): DomainError =>
  new DomainError('VALIDATION_FAILED', 'the artifact body must be bytes or an async iterable of byte chunks', {
    errors: [{ field: 'body', message: 'expected Uint8Array or AsyncIterable<Uint8Array>' }],
  });

export interface MeteredBody {
  /** The body's chunks, passed through unchanged; iterate once. Limits are enforced as they flow. */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Digest and size of everything that flowed; only valid once `chunks` ended normally. */
  result(): { sha256: string; sizeBytes: number };
  /**
   * The first error raised by the body or by a limit. Transports wrap or replace it (lib-storage reports its own
   * failure to abort a multipart upload instead), so adapters rethrow this one when it is set.
   */
  readonly failure: unknown;
}

/**
 * Wraps a body so that hashing, counting and the limits happen while the bytes stream to storage: PAYLOAD_TOO_LARGE
 * as soon as `maxBytes` is passed (before the offending chunk is passed on), and, with `expectedSha256`,
 * ARTIFACT_INTEGRITY *before* the end of the stream is signalled, so a writer that commits only on a clean end
 * (an S3 upload, a temp-file rename) never commits the wrong bytes.
 */
export function meterBody(body: ArtifactBody, limits: PutLimits): MeteredBody {
  let source: AsyncIterable<Uint8Array>;
  if (isBytes(body)) {
    source = (async function* () {
      yield body;
    })();
  } else if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    source = body;
  } else {
    throw notBytes();
  }

  const hasher = new Sha256Hasher();
  let finished = false;
  let failure: unknown;
  let started = false;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (started) throw new Error('meterBody: the body can be read only once');
    started = true;
    try {
      for await (const chunk of source) {
        if (!isBytes(chunk)) throw notBytes();
        if (chunk.byteLength === 0) continue;
        if (limits.maxBytes !== undefined && hasher.sizeBytes + chunk.byteLength > limits.maxBytes) {
          throw payloadTooLarge(limits.maxBytes);
        }
        hasher.update(chunk);
        yield chunk;
      }
      const actual = hasher.digestHex();
      if (limits.expectedSha256 !== undefined && actual !== limits.expectedSha256) {
        throw artifactIntegrity(limits.expectedSha256, actual, 'upload');
      }
      finished = true;
    } catch (error) {
      failure ??= error;
      throw error;
    }
  }

  return {
    chunks: { [Symbol.asyncIterator]: () => chunks() },
    result() {
      if (!finished) throw new Error('meterBody: result() before the body was fully read');
      return { sha256: hasher.digestHex(), sizeBytes: hasher.sizeBytes };
    },
    get failure() {
      return failure;
    },
  };
}

/** Reads the body to its end for its checks alone (the bytes are stored already). */
export async function drain(metered: MeteredBody): Promise<void> {
  for await (const _chunk of metered.chunks) {
    // hashing and limits happen inside the iterator
  }
}
