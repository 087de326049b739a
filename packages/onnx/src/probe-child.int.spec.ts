import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@airlock/core';
import { buildSlowPolicy, randomMlpPolicy } from './onnx-builder.js';
import { findPrlimit, PROBE_WORKER_PATH, ProbeChild } from './probe-child.js';

const columns = { features: ['side', 'imbalance_l1'], actions: ['participation'] };
let dir = '';
let slowPath = '';
let goodPath = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-probe-child-spec-'));
  slowPath = join(dir, 'slow.onnx');
  goodPath = join(dir, 'good.onnx');
  await writeFile(slowPath, buildSlowPolicy(columns));
  await writeFile(goodPath, randomMlpPolicy({ ...columns, seed: 1, hidden: [4] }).bytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Loads the slow model and starts a never-ending run; returns the pending reply (wrapped: not awaited). */
async function startEndlessRun(child: ProbeChild): Promise<{ reply: Promise<unknown> }> {
  const loaded = await child.request({ type: 'load', path: slowPath, intraOpNumThreads: 1 });
  expect(loaded.type).toBe('loaded');
  const reply = child.request({ type: 'run', input: new Float32Array([1, 0]), rows: 1, width: 2, outputWidth: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the run begin
  return { reply };
}

describe('ProbeChild', () => {
  it('runs the worker as a separate process and unloads it on dispose', async () => {
    const child = await ProbeChild.start({ timeoutMs: 5000, maxMemoryMb: 512, prlimitPath: null });
    expect(child.workerPid).not.toBe(process.pid);
    expect(isAlive(child.workerPid)).toBe(true);
    expect(child.nativeMemoryBound).toBe('none');
    const loaded = await child.request({ type: 'load', path: goodPath, intraOpNumThreads: 1 });
    expect(loaded).toMatchObject({ type: 'loaded', inputs: [{ name: 'features', type: 'float32', shape: ['N', 2] }] });
    await child.dispose();
    expect(isAlive(child.workerPid)).toBe(false);
  });

  (findPrlimit() ? it : it.skip)('bounds the running worker: data = its baseline + budget, CPU seconds, no core dumps', async () => {
    const child = await ProbeChild.start({ timeoutMs: 4000, maxMemoryMb: 300, threads: 2 });
    try {
      expect(child.nativeMemoryBound).toBe('rlimit-data');
      const limits = readFileSync(`/proc/${child.workerPid}/limits`, 'utf8');
      const soft = (name: string): number => Number(new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(limits)?.[1]);
      const baseline = soft('Max data size') - 300 * 1024 * 1024;
      expect(Math.abs(baseline / 1024 / 1024 - child.baselineMb)).toBeLessThanOrEqual(1);
      expect(child.baselineMb).toBeGreaterThan(20); // Node + onnxruntime, whatever the version
      expect(soft('Max cpu time')).toBe(4 * 2 + 10);
      expect(soft('Max core file size')).toBe(0);
    } finally {
      await child.dispose();
    }
  });

  it('fails closed (INTERNAL) when the configured prlimit cannot be run', async () => {
    await expect(ProbeChild.start({ timeoutMs: 1000, maxMemoryMb: 256, prlimitPath: '/nonexistent/prlimit' })).rejects.toMatchObject({
      code: 'INTERNAL',
      details: { stage: 'startup' },
    });
  });

  it('SIGKILLs a worker stuck in a run at its deadline', async () => {
    const child = await ProbeChild.start({ timeoutMs: 10_000, maxMemoryMb: 512 });
    child.startDeadline(600);
    const { reply } = await startEndlessRun(child);
    await expect(reply).rejects.toMatchObject({ code: 'ARTIFACT_LOAD_LIMIT', details: { limit: 'time', stage: 'run' } });
    await child.dispose();
    expect(isAlive(child.workerPid)).toBe(false);
    // Once condemned, every further request fails the same way instead of hanging.
    await expect(child.request({ type: 'load', path: goodPath, intraOpNumThreads: 1 })).rejects.toBeInstanceOf(DomainError);
  });

  it('a worker that segfaults mid-run: ARTIFACT_NOT_ONNX naming the signal', async () => {
    const child = await ProbeChild.start({ timeoutMs: 10_000, maxMemoryMb: 512 });
    const { reply } = await startEndlessRun(child);
    process.kill(child.workerPid, 'SIGSEGV');
    await expect(reply).rejects.toMatchObject({ code: 'ARTIFACT_NOT_ONNX', details: { signal: 'SIGSEGV', stage: 'run' } });
    await child.dispose();
  });

  it('a worker killed from outside (as the OOM killer does): ARTIFACT_LOAD_LIMIT', async () => {
    const child = await ProbeChild.start({ timeoutMs: 10_000, maxMemoryMb: 512 });
    const { reply } = await startEndlessRun(child);
    process.kill(child.workerPid, 'SIGKILL');
    await expect(reply).rejects.toMatchObject({ code: 'ARTIFACT_LOAD_LIMIT', details: { limit: 'memory', signal: 'SIGKILL' } });
    await child.dispose();
  });

  it('a worker stuck in a native run dies by itself when its parent is SIGKILLed (watchdog thread)', async () => {
    // An intermediate parent forks the worker, starts an endless run, prints the worker's pid and waits.
    const script = `
      import { fork } from 'node:child_process';
      const worker = fork(process.argv[1], [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      worker.on('message', (m) => {
        if (m.type === 'ready') worker.send({ type: 'load', path: process.argv[2], intraOpNumThreads: 1 });
        if (m.type === 'loaded') {
          worker.send({ type: 'run', input: new Float32Array([1, 0]), rows: 1, width: 2, outputWidth: 1 });
          setTimeout(() => console.log(worker.pid), 200);
        }
      });`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script, PROBE_WORKER_PATH, slowPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    const workerPid = await new Promise<number>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
    try {
      expect(isAlive(workerPid)).toBe(true);
      parent.kill('SIGKILL');
      const deadline = Date.now() + 3000;
      while (isAlive(workerPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isAlive(workerPid)).toBe(false);
    } finally {
      // If the watchdog failed, do not leave an endless run spinning on the machine.
      if (isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    }
  }, 20_000);
});
