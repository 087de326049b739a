import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { startShadowRunner } from './bootstrap.js';
import { loadShadowRunnerConfig } from './shadow-runner-config.js';

describe('shadow runner process', () => {
  it('starts and answers /healthz and /metrics', async () => {
    const runner = await startShadowRunner(loadShadowRunnerConfig({ SHADOW_RUNNER_PORT: '0' }), { logger: pino({ level: 'silent' }) });
    try {
      expect(await (await fetch(`${runner.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${runner.url}/metrics`)).text()).toContain('app="shadow-runner"');
    } finally {
      await runner.close();
    }
  });
});
