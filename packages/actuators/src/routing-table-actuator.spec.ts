import { describe, expect, it } from '@jest/globals';
import { isActuatorError } from './actuator.errors.js';
import { describeRolloutActuatorContract, routing } from './rollout-actuator.contract.js';
import type { DesiredRouting } from './rollout-actuator.port.js';
import { RoutingTableActuator } from './routing-table-actuator.adapter.js';

/** A stand-in for the promotion service's deployments table. */
function table() {
  const rows = new Map<string, DesiredRouting>();
  const recorded: DesiredRouting[] = [];
  return {
    rows,
    recorded,
    record: async (state: DesiredRouting) => {
      recorded.push(state);
      rows.set(state.deployment, state);
    },
    read: async (deployment: string) => rows.get(deployment) ?? null,
  };
}

describeRolloutActuatorContract('routing-table (own memory)', async () => {
  const t = table();
  return { actuator: new RoutingTableActuator({ record: t.record }), dispose: async () => undefined };
});

describeRolloutActuatorContract('routing-table (caller read-back)', async () => {
  const t = table();
  return { actuator: new RoutingTableActuator({ record: t.record, read: t.read }), dispose: async () => undefined };
});

describe('RoutingTableActuator', () => {
  it('records through the callback only when the table changed, without extra fields', async () => {
    const t = table();
    const actuator = new RoutingTableActuator({ record: t.record, read: t.read });
    await actuator.apply({ ...routing(), extra: 'dropped' } as DesiredRouting);
    await actuator.apply(routing());
    await actuator.apply(routing({ canaryWeight: 50, revision: 4 }));
    expect(t.recorded).toEqual([routing(), routing({ canaryWeight: 50, revision: 4 })]);
    expect(await actuator.observe('eurusd-exec')).toEqual({ ...routing({ canaryWeight: 50, revision: 4 }), replicas: null });
  });

  it('compares against what the caller reads back, so a table changed elsewhere is rewritten', async () => {
    const t = table();
    const actuator = new RoutingTableActuator({ record: t.record, read: t.read });
    await actuator.apply(routing());
    t.rows.set('eurusd-exec', routing({ canaryWeight: 90 }));
    expect((await actuator.apply(routing())).changed).toBe(true);
    expect(t.rows.get('eurusd-exec')).toEqual(routing());
  });

  it('wraps a failing record callback in an ActuatorError and remembers nothing', async () => {
    const actuator = new RoutingTableActuator({ record: async () => Promise.reject(new Error('db down')) });
    const error = await actuator.apply(routing()).then(() => undefined, (e: unknown) => e);
    expect(isActuatorError(error) && error.message).toMatch(/eurusd-exec failed: db down/);
    expect(await actuator.observe('eurusd-exec')).toBeNull();
  });
});
