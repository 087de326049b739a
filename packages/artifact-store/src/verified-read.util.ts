import { artifactIntegrity } from './artifact-store.errors.js';
import { Sha256Hasher, sha256Hex } from './sha256.util.js';

/** Throws ARTIFACT_INTEGRITY unless `bytes` hash to `expectedSha256`. */
export function verifyBytes(expectedSha256: string, bytes: Uint8Array): Uint8Array {
  const actual = sha256Hex(bytes);
  if (actual !== expectedSha256) throw artifactIntegrity(expectedSha256, actual, 'read');
  return bytes;
}

/**
 * Passes chunks through while hashing them, holding the latest one back: it is released only once the source has
 * ended and the digest matched, otherwise the iteration throws ARTIFACT_INTEGRITY in its place. A consumer
 * piping this to a client therefore fails the transfer instead of completing it with wrong bytes.
 */
export async function* verifiedChunks(expectedSha256: string, source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const hasher = new Sha256Hasher();
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    if (chunk.byteLength === 0) continue;
    hasher.update(chunk);
    if (held !== undefined) yield held;
    held = chunk;
  }
  const actual = hasher.digestHex();
  if (actual !== expectedSha256) throw artifactIntegrity(expectedSha256, actual, 'read');
  if (held !== undefined) yield held;
}
