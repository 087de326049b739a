/**
 * The behaviour every RolloutActuator owes its callers, as one Jest suite each adapter's spec runs against its
 * backend (a fake Kubernetes API server, an in-memory record). An adapter that passes is interchangeable.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { isDomainError } from '@airlock/core';
import type { DesiredRouting, RolloutActuator } from './rollout-actuator.port.js';

export interface RolloutActuatorHarness {
  readonly actuator: RolloutActuator;
  dispose(): Promise<void>;
}

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);

export function routing(overrides: Partial<DesiredRouting> = {}): DesiredRouting {
  return {
    deployment: 'eurusd-exec',
    stable: { model: 'exec-model', version: '1.0.0', sha256: SHA_A },
    canary: { model: 'exec-model', version: '1.1.0', sha256: SHA_B },
    canaryWeight: 25,
    halted: false,
    revision: 3,
    ...overrides,
  };
}

export function describeRolloutActuatorContract(name: string, makeHarness: () => Promise<RolloutActuatorHarness>): void {
  describe(`RolloutActuator contract: ${name}`, () => {
    let harness: RolloutActuatorHarness;
    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    it('observes nothing for a deployment it never applied', async () => {
      expect(await harness.actuator.observe('eurusd-exec')).toBeNull();
    });

    it('applies a routing table and observes it back', async () => {
      const applied = await harness.actuator.apply(routing());
      expect(applied).toMatchObject({ deployment: 'eurusd-exec', revision: 3, changed: true });
      expect(applied.writes.length).toBeGreaterThan(0);
      expect(await harness.actuator.observe('eurusd-exec')).toMatchObject(routing());
    });

    it('is idempotent: the same state applied twice writes nothing the second time', async () => {
      await harness.actuator.apply(routing());
      expect(await harness.actuator.apply(routing())).toEqual({ deployment: 'eurusd-exec', revision: 3, changed: false, writes: [] });
    });

    it('applies a change of weight, halt and canary removal', async () => {
      await harness.actuator.apply(routing());
      expect((await harness.actuator.apply(routing({ canaryWeight: 50, revision: 4 }))).changed).toBe(true);
      expect(await harness.actuator.observe('eurusd-exec')).toMatchObject({ canaryWeight: 50, revision: 4 });
      await harness.actuator.apply(routing({ canary: null, canaryWeight: 0, halted: true, revision: 5 }));
      expect(await harness.actuator.observe('eurusd-exec')).toMatchObject({ canary: null, canaryWeight: 0, halted: true, revision: 5 });
    });

    it('keeps deployments apart', async () => {
      await harness.actuator.apply(routing());
      await harness.actuator.apply(routing({ deployment: 'gbpusd-exec', canary: null, canaryWeight: 0, revision: 1 }));
      expect(await harness.actuator.observe('eurusd-exec')).toMatchObject({ canaryWeight: 25, revision: 3 });
      expect(await harness.actuator.observe('gbpusd-exec')).toMatchObject({ canary: null, revision: 1 });
    });

    it('refuses a malformed state with every problem listed, writing nothing', async () => {
      const bad = routing({ deployment: 'Not_A_Name', canaryWeight: 101, stable: { model: 'm', version: '1', sha256: 'XYZ' } });
      const error = await harness.actuator.apply(bad).then(() => undefined, (e: unknown) => e);
      expect(isDomainError(error) && error.code).toBe('VALIDATION_FAILED');
      const fields = isDomainError(error) ? (error.details.errors ?? []).map((p) => p.field) : [];
      expect(fields.sort()).toEqual(['canaryWeight', 'deployment', 'stable.sha256']);
      expect(await harness.actuator.observe('eurusd-exec')).toBeNull();
    });
  });
}
