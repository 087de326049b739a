import { createHash } from 'node:crypto';

/** Lowercase hex sha256 of bytes (a string is hashed as UTF-8). */
export const sha256Hex = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Incremental sha256 and byte count over chunks, for streams that must not be held in memory. */
export class Sha256Hasher {
  readonly #hash = createHash('sha256');
  #sizeBytes = 0;
  #digest: string | undefined;

  update(chunk: Uint8Array): this {
    // node:crypto throws an opaque error after digest(); say what went wrong instead.
    if (this.#digest !== undefined) throw new Error('Sha256Hasher: update() after digestHex()');
    this.#hash.update(chunk);
    this.#sizeBytes += chunk.byteLength;
    return this;
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  /** Finalises on the first call; later calls return the same digest. */
  digestHex(): string {
    this.#digest ??= this.#hash.digest('hex');
    return this.#digest;
  }
}

/** Drains a stream, returning its sha256 and size. */
export async function sha256OfStream(source: AsyncIterable<Uint8Array>): Promise<{ sha256: string; sizeBytes: number }> {
  const hasher = new Sha256Hasher();
  for await (const chunk of source) hasher.update(chunk);
  return { sha256: hasher.digestHex(), sizeBytes: hasher.sizeBytes };
}
