/**
 * The behaviour every ArtifactStore adapter owes its callers, as one Jest suite each adapter's spec runs against
 * its real backend (a temp directory, an s3rver). An adapter that passes is interchangeable with the others.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isDomainError, type ErrorCode } from '@airlock/core';
import type { ArtifactStore } from './artifact-store.port.js';
import { sha256Hex } from './sha256.util.js';

/** A store plus back-door access to its backend, to corrupt or inspect what the store wrote. */
export interface ArtifactStoreHarness {
  readonly store: ArtifactStore;
  /** Replaces the bytes behind a store-relative key without going through the store. */
  tamper(key: string, bytes: Uint8Array): Promise<void>;
  /** Writes a raw object/file at a store-relative key (e.g. a temporary left by a crashed process). */
  writeRaw(key: string, bytes: Uint8Array): Promise<void>;
  /** Every object/file under the store's root or prefix, store-relative and sorted: final, temporary, foreign. */
  rawKeys(): Promise<string[]>;
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** Size of the "large" body: big enough to need several multipart parts on S3. */
  readonly largeBytes: number;
}

const MIB = 1024 * 1024;

/** Reproducible pseudo-random bytes (xorshift32): incompressible, and different per seed. */
export function testBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** The bytes as uneven chunks (1 byte up to ~1 MiB), like a network stream delivers them. */
export async function* chunked(bytes: Uint8Array, options: { failAfter?: number; failWith?: Error } = {}): AsyncGenerator<Uint8Array> {
  const sizes = [1, 1000, 65_536, 300_001, 1_048_576, 7];
  let offset = 0;
  for (let i = 0; offset < bytes.byteLength; i += 1) {
    if (options.failAfter !== undefined && offset >= options.failAfter) throw options.failWith ?? new Error('body failed');
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** Counts how many bytes a consumer actually pulled from a body. */
function metered(source: AsyncIterable<Uint8Array>): { body: AsyncIterable<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  return {
    body: (async function* () {
      for await (const chunk of source) {
        pulled += chunk.byteLength;
        yield chunk;
      }
    })(),
    pulled: () => pulled,
  };
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);

/** The rejection of a promise that must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection, got a value');
    },
    (error: unknown) => error,
  );
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await rejectionOf(promise);
  expect(isDomainError(error) ? error.code : error).toBe(code);
}

/** Reads a stream as a consumer would, stopping at the first error. */
async function consume(source: AsyncIterable<Uint8Array>): Promise<{ received: number; error: unknown }> {
  let received = 0;
  try {
    for await (const chunk of source) received += chunk.byteLength;
    return { received, error: undefined };
  } catch (error) {
    return { received, error };
  }
}

const finalKeyOf = (sha256: string): string => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

export function describeArtifactStoreContract(name: string, makeHarness: () => Promise<ArtifactStoreHarness>, options: ContractOptions = { largeBytes: 11 * MIB + 123 }): void {
  describe(`${name} — ArtifactStore contract`, () => {
    let harness: ArtifactStoreHarness;
    let store: ArtifactStore;
    const small = testBytes(1024, 7);
    const large = testBytes(options.largeBytes, 11);

    beforeEach(async () => {
      harness = await makeHarness();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    describe('put / get / stream', () => {
      it('stores bytes under their sha256 and reads them back verified', async () => {
        const sha256 = sha256Hex(small);
        const stored = await store.put(small);
        expect(stored).toEqual({ sha256, sizeBytes: 1024, key: finalKeyOf(sha256), created: true });
        expect(same(await store.get(sha256), small)).toBe(true);
        expect(same(await collect(await store.stream(sha256)), small)).toBe(true);
        expect(await store.has(sha256)).toBe(true);
        expect(await harness.rawKeys()).toEqual([finalKeyOf(sha256)]);
      });

      it(`streams a ${(options.largeBytes / MIB).toFixed(1)} MiB body in uneven chunks and reads it back whole`, async () => {
        const stored = await store.put(chunked(large));
        expect(stored).toMatchObject({ sha256: sha256Hex(large), sizeBytes: large.byteLength, created: true });
        expect(same(await store.get(stored.sha256), large)).toBe(true);
        expect(same(await collect(await store.stream(stored.sha256)), large)).toBe(true);
        expect(await harness.rawKeys()).toEqual([stored.key]); // no temporary left behind
      });

      it('stores the empty artifact', async () => {
        const stored = await store.put(new Uint8Array(0));
        expect(stored.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
        expect(stored.sizeBytes).toBe(0);
        expect((await store.get(stored.sha256)).byteLength).toBe(0);
        expect((await collect(await store.stream(stored.sha256))).byteLength).toBe(0);
      });

      it('accepts digests in either case and returns them lowercase', async () => {
        const sha256 = sha256Hex(small);
        const stored = await store.put(small, { expectedSha256: sha256.toUpperCase() });
        expect(stored.sha256).toBe(sha256);
        expect(same(await store.get(sha256.toUpperCase()), small)).toBe(true);
        expect(await store.has(sha256.toUpperCase())).toBe(true);
      });
    });

    describe('immutability', () => {
      it('gives the same bytes the same key and never rewrites the stored object', async () => {
        const first = await store.put(small);
        // Corrupt the stored copy with same-size bytes: if the second put rewrote the object, it would heal it.
        await harness.tamper(first.key, testBytes(1024, 99));
        const second = await store.put(chunked(small));
        expect(second).toEqual({ ...first, created: false });
        await expectCode(store.get(first.sha256), 'ARTIFACT_INTEGRITY');
        expect(await harness.rawKeys()).toEqual([first.key]);
      });

      it('repairs a corrupted object by delete() then put()', async () => {
        const stored = await store.put(small);
        await harness.tamper(stored.key, testBytes(10, 3));
        await store.delete(stored.sha256);
        expect(await store.put(small)).toEqual(stored);
        expect(same(await store.get(stored.sha256), small)).toBe(true);
      });

      it('stores concurrent puts of the same bytes once', async () => {
        const results = await Promise.all([store.put(small), store.put(chunked(small)), store.put(small)]);
        expect(new Set(results.map((r) => r.key)).size).toBe(1);
        expect(await harness.rawKeys()).toEqual([results[0]!.key]);
        expect(same(await store.get(results[0]!.sha256), small)).toBe(true);
      });
    });

    describe('maxBytes', () => {
      it('accepts a body of exactly maxBytes', async () => {
        const stored = await store.put(chunked(small), { maxBytes: small.byteLength });
        expect(stored.sizeBytes).toBe(small.byteLength);
      });

      it('refuses bytes over the limit with PAYLOAD_TOO_LARGE and stores nothing', async () => {
        const error = await rejectionOf(store.put(small, { maxBytes: 1023 }));
        expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limitBytes: 1023 } });
        expect(await harness.rawKeys()).toEqual([]);
        expect(await store.has(sha256Hex(small))).toBe(false);
      });

      it('abandons a large stream as soon as it passes the limit, leaving nothing behind', async () => {
        const limit = Math.floor(large.byteLength / 2);
        const body = metered(chunked(large));
        await expectCode(store.put(body.body, { maxBytes: limit }), 'PAYLOAD_TOO_LARGE');
        // Stopped reading near the limit rather than draining the body.
        expect(body.pulled()).toBeLessThan(limit + 2 * MIB);
        expect(await harness.rawKeys()).toEqual([]);
        expect(await collectList(store)).toEqual([]);
      });
    });

    describe('expectedSha256', () => {
      it('stores bytes that match the expected digest', async () => {
        const stored = await store.put(chunked(large), { expectedSha256: sha256Hex(large) });
        expect(stored).toMatchObject({ sha256: sha256Hex(large), sizeBytes: large.byteLength, created: true });
        expect(same(await store.get(stored.sha256), large)).toBe(true);
        expect(await harness.rawKeys()).toEqual([stored.key]);
      });

      it('refuses bytes that do not match with ARTIFACT_INTEGRITY and stores nothing', async () => {
        const claimed = sha256Hex(small);
        const error = await rejectionOf(store.put(testBytes(1024, 8), { expectedSha256: claimed }));
        expect(error).toMatchObject({ code: 'ARTIFACT_INTEGRITY', details: { expectedSha256: claimed } });
        expect(await harness.rawKeys()).toEqual([]);
      });

      it('refuses a large mismatching stream without anything appearing under the claimed key', async () => {
        const claimed = sha256Hex(large);
        const altered = Uint8Array.from(large);
        altered[altered.length - 1]! ^= 0xff; // differs only in the very last byte
        await expectCode(store.put(chunked(altered), { expectedSha256: claimed }), 'ARTIFACT_INTEGRITY');
        expect(await store.has(claimed)).toBe(false);
        expect(await harness.rawKeys()).toEqual([]);
      });

      it('checks the body even when the claimed digest is stored already', async () => {
        const stored = await store.put(small);
        await expectCode(store.put(testBytes(1024, 8), { expectedSha256: stored.sha256 }), 'ARTIFACT_INTEGRITY');
        expect(await store.put(small, { expectedSha256: stored.sha256 })).toEqual({ ...stored, created: false });
        expect(same(await store.get(stored.sha256), small)).toBe(true);
      });
    });

    describe('a body that fails mid-upload (the client went away, the process is dying)', () => {
      it.each([
        ['without expectedSha256', false],
        ['with expectedSha256', true],
      ])('leaves nothing under any key and rethrows the body’s own error (%s)', async (_label, withDigest) => {
        const failure = new Error('connection reset by peer');
        const body = chunked(large, { failAfter: Math.floor(large.byteLength / 2), failWith: failure });
        const error = await rejectionOf(store.put(body, withDigest ? { expectedSha256: sha256Hex(large) } : {}));
        expect(error).toBe(failure);
        expect(await harness.rawKeys()).toEqual([]);
        expect(await store.has(sha256Hex(large))).toBe(false);
      });
    });

    describe('verification on read', () => {
      it.each([
        ['different size', 2000],
        ['same size', 1024],
      ])('reports tampered bytes (%s) as ARTIFACT_INTEGRITY from get() and stream()', async (_label, size) => {
        const stored = await store.put(small);
        await harness.tamper(stored.key, testBytes(size, 42));
        const error = await rejectionOf(store.get(stored.sha256));
        expect(error).toMatchObject({ code: 'ARTIFACT_INTEGRITY', details: { expectedSha256: stored.sha256, actualSha256: sha256Hex(testBytes(size, 42)) } });
        const streamed = await consume(await store.stream(stored.sha256));
        expect(isDomainError(streamed.error) && streamed.error.code).toBe('ARTIFACT_INTEGRITY');
        expect(streamed.received).toBeLessThan(size); // the last chunk is withheld: never a complete corrupt body
      });

      it('withholds the final chunk of a large tampered stream', async () => {
        const stored = await store.put(large);
        const altered = Uint8Array.from(large);
        altered[0]! ^= 0x01;
        await harness.tamper(stored.key, altered);
        const streamed = await consume(await store.stream(stored.sha256));
        expect(isDomainError(streamed.error) && streamed.error.code).toBe('ARTIFACT_INTEGRITY');
        expect(streamed.received).toBeLessThan(large.byteLength);
      });

      it('reports a missing artifact as NOT_FOUND', async () => {
        const missing = sha256Hex('never stored');
        await expectCode(store.get(missing), 'NOT_FOUND');
        await expectCode(store.stream(missing), 'NOT_FOUND');
        expect(await store.has(missing)).toBe(false);
      });

      it('refuses malformed digests with VALIDATION_FAILED', async () => {
        for (const bad of ['', 'abc', 'g'.repeat(64), `${'a'.repeat(64)}/../x`, '../../etc/passwd']) {
          await expectCode(store.get(bad), 'VALIDATION_FAILED');
          await expectCode(store.stream(bad), 'VALIDATION_FAILED');
          await expectCode(store.has(bad), 'VALIDATION_FAILED');
          await expectCode(store.delete(bad), 'VALIDATION_FAILED');
          await expectCode(store.put(small, { expectedSha256: bad }), 'VALIDATION_FAILED');
        }
        await expectCode(store.put(small, { maxBytes: -1 }), 'VALIDATION_FAILED');
        await expectCode(store.put('not bytes' as unknown as Uint8Array), 'VALIDATION_FAILED');
        expect(await harness.rawKeys()).toEqual([]);
      });
    });

    describe('delete / list / purgeTemporary / ping', () => {
      it('deletes idempotently', async () => {
        const stored = await store.put(small);
        await store.delete(stored.sha256);
        expect(await store.has(stored.sha256)).toBe(false);
        await expectCode(store.get(stored.sha256), 'NOT_FOUND');
        await expectCode(store.stream(stored.sha256), 'NOT_FOUND');
        await store.delete(stored.sha256);
        expect(await collectList(store)).toEqual([]);
      });

      it('lists every stored digest with its size and modification time, and nothing else', async () => {
        const before = Date.now();
        const bodies = [small, testBytes(10, 2), testBytes(70_000, 3)];
        const stored = await Promise.all(bodies.map((body) => store.put(body)));
        await harness.writeRaw('tmp/left-by-a-crash', testBytes(5, 4));
        await harness.writeRaw('sha256/not-a-digest', testBytes(5, 5));
        const after = Date.now();

        const listed = (await collectList(store)).sort((a, b) => a.sha256.localeCompare(b.sha256));
        expect(listed.map(({ sha256, sizeBytes }) => ({ sha256, sizeBytes }))).toEqual(
          stored.map(({ sha256, sizeBytes }) => ({ sha256, sizeBytes })).sort((a, b) => a.sha256.localeCompare(b.sha256)),
        );
        for (const { modifiedAt } of listed) {
          expect(modifiedAt).toBeInstanceOf(Date);
          // S3 reports LastModified in whole seconds.
          expect(modifiedAt.getTime()).toBeGreaterThanOrEqual(before - 2000);
          expect(modifiedAt.getTime()).toBeLessThanOrEqual(after + 2000);
        }
      });

      it('lists nothing in an empty store', async () => {
        expect(await collectList(store)).toEqual([]);
      });

      it('purges temporary objects older than the cutoff and nothing else', async () => {
        const stored = await store.put(small);
        await harness.writeRaw('tmp/left-by-a-crash', testBytes(5, 4));
        expect(await store.purgeTemporary(new Date(Date.now() - 3_600_000))).toBe(0);
        expect(await harness.rawKeys()).toEqual([stored.key, 'tmp/left-by-a-crash'].sort());
        expect(await store.purgeTemporary(new Date(Date.now() + 3_600_000))).toBe(1);
        expect(await harness.rawKeys()).toEqual([stored.key]);
      });

      it('answers ping when reachable', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });
  });
}

async function collectList(store: ArtifactStore): Promise<{ sha256: string; sizeBytes: number; modifiedAt: Date }[]> {
  const listed = [];
  for await (const item of store.list()) listed.push(item);
  return listed;
}
