import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMlpPolicy, randomMlpPolicy } from '@airlock/onnx';
import { createProgram } from '../program.js';
import { runCli } from '../run-cli.js';
import { registerBacktestCommand } from './backtest.command.js';

// Talks to onnxruntime (validation child process and in-process sessions): an integration test.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-backtest-onnx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  jest.restoreAllMocks();
});

describe('airlock backtest with an ONNX candidate and champion', () => {
  it('compares the candidate with the champion and the baselines on identical episodes', async () => {
    const features = ['spread_bps', 'imbalance_l1', 'time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'side'];
    const actions = ['participation', 'aggression'];
    const write = async (name: string, seed: number): Promise<void> => {
      const { spec } = randomMlpPolicy({ features, actions, seed, hidden: [8] });
      // participation ≈ sigmoid(−3) ≈ 5%: the model works its orders over the window
      const layers = spec.layers.map((l, i) => (i === spec.layers.length - 1 ? { ...l, bias: l.bias.map((b, j) => (j === 0 ? b - 3 : b)) } : l));
      await writeFile(join(dir, `${name}.onnx`), buildMlpPolicy({ ...spec, layers }));
      await writeFile(join(dir, `${name}.json`), JSON.stringify({ features, actions }));
    };
    await write('candidate', 1);
    await write('champion', 2);
    const out: string[] = [];
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
    const program = createProgram([registerBacktestCommand]);
    const file = join(dir, 'summary.json');
    await runCli(program, [
      'node', 'airlock', 'backtest', '--synthetic', 'volatile', '--events', '30000', '--orders', '25', '--seed', '5',
      '--model', join(dir, 'candidate.onnx'), '--manifest', join(dir, 'candidate.json'),
      '--champion', join(dir, 'champion.onnx'), '--champion-manifest', join(dir, 'champion.json'), '--json', file,
    ]);
    jest.restoreAllMocks();
    expect(process.exitCode ?? 0).toBe(0);
    const summary = JSON.parse(await readFile(file, 'utf8')) as {
      strategies: Record<string, { episodes: number }>;
      comparisons: { candidate: string; baseline: string; meanDiffBps: number; ci95: [number, number]; pValue: number; pairs: number }[];
    };
    expect(Object.keys(summary.strategies)).toEqual(['candidate', 'champion', 'twap', 'vwap', 'pov', 'ac']);
    expect(summary.comparisons.map((c) => [c.candidate, c.baseline, c.pairs])).toEqual(
      ['champion', 'twap', 'vwap', 'pov', 'ac'].map((b) => ['candidate', b, 25]),
    );
    for (const c of summary.comparisons) {
      expect(c.ci95[0]).toBeLessThanOrEqual(c.meanDiffBps);
      expect(c.ci95[1]).toBeGreaterThanOrEqual(c.meanDiffBps);
      expect(c.pValue).toBeGreaterThan(0);
    }
    expect(out.join('\n')).toMatch(/candidate − baseline, IS bps/);
  });
});
