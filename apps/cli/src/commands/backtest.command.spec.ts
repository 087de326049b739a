import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerBacktestCommand } from './backtest.command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-backtest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  jest.restoreAllMocks();
});

/** Runs `airlock …` in-process; returns what it printed and the exit code it set. */
const airlock = (...args: string[]) => runAirlock([registerBacktestCommand], args);

interface Summary {
  strategies: Record<string, { episodes: number; isBps: { mean: number; median: number; p95: number }; vwapSlippageBps: { mean: number }; completion: number; participation: number }>;
  comparisons: unknown[];
  data: { instrument: string; events: number };
}

describe('airlock backtest (baselines on a synthetic day)', () => {
  it('prints a summary table and writes the documented JSON, identical for the same seed', async () => {
    const file = join(dir, 'a.json');
    const args = ['backtest', '--synthetic', 'calm', '--events', '20000', '--orders', '12', '--baselines', 'twap,pov', '--seed', '4'];
    const run = await airlock(...args, '--json', file);
    expect(run.code).toBe(ExitCode.Ok);
    expect(run.out).toMatch(/SYNTH 2024-01-02: 20,000 events, 12 parent orders/);
    expect(run.out).toMatch(/^\s+twap\s+12\s+0\s/m);
    expect(run.out).toMatch(/^\s+pov\s+12\s+0\s/m);
    const summary = JSON.parse(await readFile(file, 'utf8')) as Summary;
    expect(Object.keys(summary.strategies)).toEqual(['twap', 'pov']);
    expect(summary.strategies.twap).toMatchObject({ episodes: 12, isBps: { mean: expect.any(Number), median: expect.any(Number), p95: expect.any(Number) } });
    expect(summary.comparisons).toEqual([]); // no candidate model
    const again = await airlock(...args, '--json', '-');
    expect(JSON.parse(again.out)).toEqual(summary);
  });

  it('reads parent orders from CSV and reports bad rows by line and field', async () => {
    const good = join(dir, 'good.csv');
    await writeFile(good, 'id,side,quantity,start,end\nx,buy,300,10:00:00,10:20:00\ny,sell,200,11:00:00,11:05:00\n');
    const ok = await airlock('backtest', '--synthetic', 'calm', '--events', '20000', '--orders-file', good, '--baselines', 'vwap', '--json', '-');
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as Summary).strategies.vwap?.episodes).toBe(2);
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'id,side,quantity,start,end\nx,buy,zero,10:00:00,10:20:00\n');
    const failed = await airlock('backtest', '--synthetic', 'calm', '--events', '20000', '--orders-file', bad);
    expect(failed.code).toBe(ExitCode.BadInput);
    expect(failed.err).toContain(`${bad}:2.quantity: "zero" is not a positive integer of shares`);
  });

  it('rejects contradictory or missing options', async () => {
    const neither = await airlock('backtest', '--baselines', 'twap');
    expect(neither.code).toBe(ExitCode.BadInput);
    expect(neither.err).toContain('give exactly one of --data or --synthetic');
    const lonely = await airlock('backtest', '--synthetic', 'calm', '--model', 'm.onnx');
    expect(lonely.err).toContain('--model and --manifest go together');
    const unknown = await airlock('backtest', '--synthetic', 'calm', '--baselines', 'twap,moon');
    expect(unknown.code).toBe(ExitCode.BadInput);
    expect(unknown.err).toContain('unknown baseline(s) moon');
  });

  it('rejects a manifest that disagrees with the catalog before running', async () => {
    const manifest = join(dir, 'manifest.json');
    await writeFile(manifest, JSON.stringify({ features: ['spread_bps', 'moon_phase'], actions: ['participation'] }));
    await writeFile(join(dir, 'm.onnx'), 'not a model');
    const run = await airlock('backtest', '--synthetic', 'calm', '--events', '5000', '--model', join(dir, 'm.onnx'), '--manifest', manifest);
    expect(run.code).toBe(ExitCode.BadInput);
    expect(run.err).toContain('error MANIFEST_UNKNOWN_FEATURE');
    expect(run.err).toContain('manifest.features[1]: unknown feature "moon_phase"');
  });
});
