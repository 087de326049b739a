import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnnxPolicy } from '@airlock/onnx';
import { runAirlock } from '../testing/cli-harness.js';
import { registerTrainCommand } from './train.command.js';

// `airlock train` for real: a seeded search on a synthetic day, the best policy written as ONNX that onnxruntime
// loads; the same seed gives the same bytes.

let dir: string;
const train = (out: string, seed = 3) =>
  runAirlock([registerTrainCommand], ['train', '--synthetic', 'calm', '--events', '20000', '--orders', '24', '--iterations', '8', '--seed', String(seed), '--out', out, '--json'], {
    AIRLOCK_CONFIG: join(dir, 'none.json'),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('airlock train', () => {
  it('writes the best policy it found — never worse than where it started — as ONNX with its lineage', async () => {
    const out = join(dir, 'a.onnx');
    const run = await train(out);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.out) as { initial: { objective: number; episodes: number }; best: { objective: number; meanIsBps: number; iteration: number } };
    expect(summary.initial.episodes).toBeGreaterThan(10);
    expect(summary.best.objective).toBeLessThanOrEqual(summary.initial.objective);
    const manifest = JSON.parse(await readFile(`${out}.manifest.json`, 'utf8')) as { features: string[]; actions: string[]; training: { metrics: { meanIsBps: number }; params: { seed: number } } };
    expect(manifest.actions).toEqual(['participation', 'aggression']);
    expect(manifest.training.metrics.meanIsBps).toBe(summary.best.meanIsBps);
    expect(manifest.training.params.seed).toBe(3);
    // onnxruntime loads the artifact and it answers the contract's actions, in [0, 1] (sigmoid outputs).
    const bytes = new Uint8Array(await readFile(out));
    const policy = await OnnxPolicy.load(bytes, manifest, 'trained');
    try {
      const probe = Float32Array.from([0.5, 0.7, -0.1, 1, 0.2, 0.1, 0.2, 0.3, 2, -0.5]);
      const onnx = await policy.decide(probe, 2);
      expect(onnx.length).toBe(4);
      for (const v of onnx) expect(v).toBeGreaterThanOrEqual(0);
      for (const v of onnx) expect(v).toBeLessThanOrEqual(1);
    } finally {
      await policy.dispose();
    }
  }, 120_000);

  it('is deterministic: the same seed writes the same bytes; exactly one data source is required', async () => {
    const again = join(dir, 'b.onnx');
    expect((await train(again)).code).toBe(0);
    expect(Buffer.compare(await readFile(join(dir, 'a.onnx')), await readFile(again))).toBe(0);
    const neither = await runAirlock([registerTrainCommand], ['train', '--out', join(dir, 'c.onnx')], { AIRLOCK_CONFIG: join(dir, 'none.json') });
    expect(neither.code).toBe(2);
  }, 120_000);
});
