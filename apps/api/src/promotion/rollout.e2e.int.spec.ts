import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Json } from '../testing/api-harness.js';
import { DAYS, GOOD, IDLE, INTERVAL_MS, settled, startLiveRollout, type LiveRolloutFixture } from '../testing/live-rollout-fixture.js';

// The whole loop of issue #6 on the machine's PostgreSQL and NATS (testing/live-rollout-fixture.ts): a good
// candidate climbs 1% → 5% → 25% → 50% → 100% and becomes champion; a bad one (it never trades) is rolled back
// automatically at its first measurement.

let fx: LiveRolloutFixture;

beforeAll(async () => {
  fx = await startLiveRollout('low');
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

describe('phased canary on live flow (PostgreSQL, NATS, simulator, shadow runner, controller)', () => {
  it('a good candidate goes 1% → 5% → 25% → 50% → 100% through live analysis and becomes champion', async () => {
    const good = await fx.register(GOOD);
    const analysis = { analysis: { templates: ['execution-quality'] } };
    const pause = { pause: { durationSeconds: 1 } };
    const promotion = await fx.approve(good.version, [{ setWeight: 1 }, pause, { setWeight: 5 }, pause, { setWeight: 25 }, analysis, { setWeight: 50 }, analysis, { setWeight: 100 }]);
    const { rollout, weights } = await fx.tradeUntil(promotion, 11, DAYS[0]!, settled);
    if (rollout.phase !== 'Healthy') {
      const r = await fx.t.api.db.read.rollouts.findByPromotion(promotion);
      console.log(JSON.stringify({ weights, live: r?.liveAnalysis, windows: (await fx.t.api.db.read.shadows.listLiveWindows('desk')).length }, null, 1).slice(0, 6000));
    }
    expect(rollout.phase).toBe('Healthy');
    expect(weights).toEqual(expect.arrayContaining([1, 5, 25, 50]));
    expect(weights.indexOf(1)).toBeLessThan(weights.indexOf(5));
    expect(weights.indexOf(25)).toBeLessThan(weights.indexOf(50));
    expect(await fx.routing()).toMatchObject({ stable: { version: good.version }, canary: null, canaryWeight: 0 });
    expect(((await fx.t.call('GET', `/v1/models/exec/versions/${good.version}`, { key: fx.quant })).body as Json).status).toBe('champion');
  }, 150_000);

  it('a candidate that never trades is rolled back within two analysis intervals of its analysis starting', async () => {
    const stable = (await fx.routing()).stable!;
    const idle = await fx.register(IDLE);
    const promotion = await fx.approve(idle.version, [{ setWeight: 25 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 100 }]);
    const { rollout } = await fx.tradeUntil(promotion, 12, DAYS[1]!, settled);
    if (rollout.phase !== 'Aborted') {
      const r = await fx.t.api.db.read.rollouts.findByPromotion(promotion);
      console.log(JSON.stringify({ rollout, live: r?.liveAnalysis }, null, 1).slice(0, 8000));
    }
    expect(rollout.phase).toBe('Aborted');
    expect(rollout.abort).toMatchObject({ reason: 'analysisFailed' });
    expect(['fill_ratio_delta', 'is_delta_bps']).toContain((rollout.abort as Json).metric);
    expect(await fx.routing()).toMatchObject({ stable: { version: stable.version }, canary: null, canaryWeight: 0 });
    // The analysis started when the canary got its 25%; the abort came within two intervals (plus a tick).
    const audit = await fx.t.call('GET', `/v1/audit?subject=promotion:${promotion}&limit=100`);
    const at = (action: string) => Date.parse(((audit.body.items as Json[]).find((e) => e.action === action) as Json).at as string);
    expect(at('rollout.aborted') - at('rollout.weightSet')).toBeLessThanOrEqual(2 * INTERVAL_MS + 1000);
  }, 150_000);
});
