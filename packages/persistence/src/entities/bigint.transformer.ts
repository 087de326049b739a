import type { ValueTransformer } from 'typeorm';

/**
 * PostgreSQL returns bigint as a string; the values these columns hold (stream positions, ns after midnight,
 * byte sizes) stay below 2^53, so they are read back as numbers.
 */
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
