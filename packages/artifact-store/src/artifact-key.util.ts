import { DomainError } from '@airlock/core';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const FINAL_KEY = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

/** Store-relative folder of in-flight uploads; never listed as artifacts, swept by purgeTemporary(). */
export const TEMPORARY_PREFIX = 'tmp/';

export const isSha256Hex = (value: string): boolean => SHA256_HEX.test(value);

/** Lowercases and checks a caller-supplied digest (hex is case-insensitive; keys are lowercase). */
export function normalizeSha256(value: string, field = 'sha256'): string {
  const normalized = typeof value === 'string' ? value.toLowerCase() : '';
  if (!isSha256Hex(normalized)) {
    throw new DomainError('VALIDATION_FAILED', `${field} must be 64 hexadecimal characters`, {
      errors: [{ field, message: 'must be a hex-encoded sha256 (64 characters)' }],
    });
  }
  return normalized;
}

/**
 * `sha256/ab/cd/<hex>`: two levels of 256-way sharding keep directories small on filesystems (65,536 leaves
 * before any holds more than a few entries) and spread S3 key prefixes.
 */
export const artifactKey = (sha256: string): string => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;

/** The digest a final key names, or undefined for anything else (temporaries, foreign or misplaced objects). */
export function sha256FromKey(key: string): string | undefined {
  const match = FINAL_KEY.exec(key);
  if (!match) return undefined;
  const [, first, second, hex] = match as unknown as [string, string, string, string];
  return hex.startsWith(first + second) ? hex : undefined;
}
