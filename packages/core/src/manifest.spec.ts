import { describe, expect, it } from '@jest/globals';
import { DomainError } from './errors.js';
import { actionBounds, parseManifest } from './manifest.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? { code: error.code, errors: error.details.errors } : { code: 'NOT_DOMAIN' };
  }
  return { code: 'NO_ERROR' };
};

describe('parseManifest', () => {
  it('accepts catalog names with lineage', () => {
    const m = parseManifest(
      JSON.stringify({ features: ['spread_bps', 'side'], actions: ['participation', 'aggression'], training: { dataset: 'd', metrics: { loss: 0.1 } } }),
    );
    expect(m.features).toEqual(['spread_bps', 'side']);
    expect(actionBounds(m)).toEqual([{ min: 0, max: 1 }, { min: 0, max: 1 }]);
  });
  it('refuses text that is not JSON', () => {
    expect(codeOf(() => parseManifest('{features:'))).toMatchObject({ code: 'MANIFEST_INVALID' });
  });
  it('lists every missing or malformed field', () => {
    const result = codeOf(() => parseManifest({ features: [], extra: 1 }));
    expect(result.code).toBe('MANIFEST_INVALID');
    const fields = (result.errors ?? []).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['manifest.features', 'manifest.actions']));
  });
  it('refuses duplicate names', () => {
    expect(codeOf(() => parseManifest({ features: ['side', 'side'], actions: ['participation'] })).code).toBe('MANIFEST_INVALID');
  });
  it('names each unknown feature by position', () => {
    const result = codeOf(() => parseManifest({ features: ['side', 'alpha_signal', 'beta'], actions: ['participation'] }));
    expect(result).toEqual({
      code: 'MANIFEST_UNKNOWN_FEATURE',
      errors: [
        { field: 'manifest.features[1]', message: 'unknown feature "alpha_signal"' },
        { field: 'manifest.features[2]', message: 'unknown feature "beta"' },
      ],
    });
  });
  it('names each unknown action', () => {
    expect(codeOf(() => parseManifest({ features: ['side'], actions: ['participation', 'size'] }))).toEqual({
      code: 'MANIFEST_UNKNOWN_ACTION',
      errors: [{ field: 'manifest.actions[1]', message: 'unknown action "size"' }],
    });
  });
});
