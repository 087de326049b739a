import { describe, expect, it } from '@jest/globals';
import { Sha256Hasher, sha256Hex, sha256OfStream } from './sha256.util.js';
import { chunked, testBytes } from './artifact-store.contract.js';
import { artifactKey, sha256FromKey } from './artifact-key.util.js';

// FIPS 180-2 test vectors.
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('sha256Hex', () => {
  it('matches the standard vectors', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe(EMPTY);
    expect(sha256Hex('abc')).toBe(ABC);
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(ABC);
  });
});

describe('Sha256Hasher / sha256OfStream', () => {
  it('hashes chunk by chunk to the same digest as all at once, counting bytes', async () => {
    const bytes = testBytes(3 * 1024 * 1024 + 17);
    expect(await sha256OfStream(chunked(bytes))).toEqual({ sha256: sha256Hex(bytes), sizeBytes: bytes.byteLength });
    const hasher = new Sha256Hasher().update(bytes.subarray(0, 10)).update(bytes.subarray(10));
    expect([hasher.digestHex(), hasher.sizeBytes]).toEqual([sha256Hex(bytes), bytes.byteLength]);
  });

  it('returns the same digest on every call and refuses updates after it', () => {
    const hasher = new Sha256Hasher();
    expect(hasher.digestHex()).toBe(EMPTY);
    expect(hasher.digestHex()).toBe(EMPTY);
    expect(() => hasher.update(new Uint8Array(1))).toThrow(/after digestHex/);
  });
});

describe('artifact keys', () => {
  it('shards by the first two bytes and parses back only well-formed keys', () => {
    expect(artifactKey(ABC)).toBe(`sha256/ba/78/${ABC}`);
    expect(sha256FromKey(`sha256/ba/78/${ABC}`)).toBe(ABC);
    expect(sha256FromKey(`sha256/78/ba/${ABC}`)).toBeUndefined(); // misplaced
    expect(sha256FromKey(`sha256/ba/78/${ABC.toUpperCase()}`)).toBeUndefined();
    expect(sha256FromKey('tmp/0b6c…')).toBeUndefined();
  });
});
