import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { generateParentOrders, generateSyntheticDay, runBacktest } from '@airlock/sim';
import { OnnxPolicy } from '@airlock/onnx';
import { asSession, loadDemoData } from './demo-data.js';
import { trainDemoModels } from './demo-models.js';
import { Narrator } from './narrator.js';

const scratch = mkdtemp(join(tmpdir(), 'airlock-demo-parts-'));
afterAll(async () => rm(await scratch, { recursive: true, force: true }));

describe('the demo’s data', () => {
  it('falls back to a seeded synthetic day, written as a LOBSTER zip for registration, when the shared day is absent', async () => {
    const dir = await scratch;
    const data = await loadDemoData({ scratchDir: dir, cacheDir: join(dir, 'cache'), sharedDay: join(dir, 'no-such.zip') });
    expect(data.real).toBe(false);
    expect(data.label).toContain('is absent');
    expect((await stat(data.archive)).size).toBeGreaterThan(1000);
    const reloaded = await loadDemoData({ data: data.archive, scratchDir: dir, cacheDir: join(dir, 'cache') });
    expect(reloaded.day.length).toBe(data.day.length);
  });

  it('replays the day as later sessions: the date moves, the events do not', () => {
    const day = generateSyntheticDay({ seed: 1, regime: 'calm', events: 2000, date: '2024-02-28' });
    expect(asSession(day, 2).date).toBe('2024-03-01');
    expect(asSession(day, 2).timeNs).toBe(day.timeNs);
  });
});

describe('the demo’s models', () => {
  it('are deterministic; the candidate beats the champion on held-out orders; the faulty one barely trades', async () => {
    const day = generateSyntheticDay({ seed: 3, regime: 'calm', events: 60_000 });
    const seen: number[] = [];
    const a = await trainDemoModels(day, 'synthetic', (i) => seen.push(i));
    const b = await trainDemoModels(day, 'synthetic', () => undefined);
    expect(seen).toEqual(Array.from({ length: a.search.iterations }, (_, i) => i + 1));
    expect(Buffer.from(a.candidate.onnx).equals(Buffer.from(b.candidate.onnx))).toBe(true);
    expect(a.search.best.evaluation.objective).toBeLessThan(a.search.initial.evaluation.objective);

    const held = generateParentOrders(day, { count: 80, seed: 999 });
    const load = (bytes: Uint8Array, name: string) => OnnxPolicy.load(bytes, { features: a.candidate.manifest.features as string[], actions: a.candidate.manifest.actions as string[] }, name);
    const policies = { champion: await load(a.champion.onnx, 'champion'), candidate: await load(a.candidate.onnx, 'candidate'), faulty: await load(a.faulty.onnx, 'faulty') };
    try {
      const result = await runBacktest({ day, orders: held, strategies: policies, seed: 1 });
      const mean = (name: string, key: 'isBps' | 'completion') => {
        const xs = result.episodes.filter((e) => e.strategy === name && e[key] !== null).map((e) => e[key] as number);
        return xs.reduce((s, x) => s + x, 0) / xs.length;
      };
      expect(mean('candidate', 'isBps')).toBeLessThan(mean('champion', 'isBps'));
      expect(mean('faulty', 'completion')).toBeLessThan(0.5 * mean('candidate', 'completion'));
    } finally {
      for (const p of Object.values(policies)) await p.dispose();
    }
  }, 120_000);
});

describe('the narrator', () => {
  it('numbers the steps and, in a log, prints progress once per quarter of the way and at the end', () => {
    let text = '';
    let t = 0;
    const say = new Narrator({ write: (s: string) => (text += s) }, () => (t += 500), 2);
    say.begin('Data');
    for (let i = 0; i <= 100; i++) say.progress('upload', i, 100);
    say.done('loaded');
    say.begin('Train');
    say.finish('all done');
    expect(text).toContain('[1/2] Data');
    expect(text).toContain('[2/2] Train');
    expect(text.match(/upload \[/g)).toHaveLength(5); // 0, 25, 50, 75 %, and 100/100
    expect(text).toContain('upload [########################] 100/100');
    expect(text).toMatch(/✔ loaded \(\d+\.\d s\)/);
    expect(text).toContain('all done');
  });

  it('redraws progress in place on a terminal and ends the line before the next message', () => {
    let text = '';
    const say = new Narrator({ write: (s: string) => (text += s), isTTY: true }, () => 0, 1);
    say.begin('Data');
    say.progress('upload', 1, 2);
    say.progress('upload', 2, 2);
    say.say('next');
    expect(text.split('\r\u001b[2K')).toHaveLength(3); // two redraws
    expect(text).toMatch(/2\/2\n {6}next\n/);
  });
});
