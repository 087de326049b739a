import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@airlock/core';
import { parseScenario, scenarioProblems } from './scenario-spec.validator.js';

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseScenario', () => {
  it('accepts a full valid spec and returns only its defined, known fields', () => {
    const spec = {
      name: 'stress-all',
      volatility: 2,
      spreadWidenTicks: 4,
      depthFactor: 0.25,
      extraLatencyNs: 5_000_000,
      featureNoiseStd: 0.1,
      featureNanRate: 0.01,
      seed: 42,
    };
    expect(parseScenario(spec)).toEqual(spec);
    expect(parseScenario({ name: 'base', volatility: undefined })).toEqual({ name: 'base' });
  });

  it('accepts the edges of every range', () => {
    expect(() => parseScenario({ name: 'edges', volatility: 1, spreadWidenTicks: 0, depthFactor: 1, extraLatencyNs: 0, featureNoiseStd: 0, featureNanRate: 1, seed: -3 })).not.toThrow();
  });

  it('lists every bad field, unknown keys included, in one VALIDATION_FAILED', () => {
    const error = thrown(() =>
      parseScenario({
        name: ' ',
        volatility: 0.5,
        spreadWidenTicks: 1.5,
        depthFactor: 0,
        extraLatencyNs: -1,
        featureNoiseStd: Number.NaN,
        featureNanRate: 1.5,
        seed: 0.5,
        volatilty: 3,
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.errors?.map((e) => e.field)).toEqual([
      'scenario.name',
      'scenario.volatility',
      'scenario.spreadWidenTicks',
      'scenario.depthFactor',
      'scenario.extraLatencyNs',
      'scenario.featureNoiseStd',
      'scenario.featureNanRate',
      'scenario.seed',
      'scenario.volatilty',
    ]);
    expect(error.details.errors?.[1]?.message).toMatch(/≥ 1.*got 0\.5/);
    expect(error.details.errors?.[8]?.message).toMatch(/unknown field/);
  });

  it('refuses wrong types and a non-object', () => {
    expect(scenarioProblems({ name: 3, volatility: '2', depthFactor: null })).toEqual([
      { field: 'scenario.name', message: 'must be a non-empty string' },
      expect.objectContaining({ field: 'scenario.volatility', message: expect.stringContaining('got "2"') }),
      expect.objectContaining({ field: 'scenario.depthFactor', message: expect.stringContaining('got null') }),
    ]);
    for (const value of [null, 'base', [], 7]) {
      expect(thrown(() => parseScenario(value)).details.errors).toEqual([{ field: 'scenario', message: 'must be an object' }]);
    }
    expect(scenarioProblems({}, 'suite.scenarios[2]')).toEqual([{ field: 'suite.scenarios[2].name', message: 'must be a non-empty string' }]);
  });
});
