// @ts-check
/**
 * The bounded child of validateArtifact: the only process that hands untrusted artifact bytes to onnxruntime.
 * The parent starts it with an IPC channel, under `prlimit --data` and `--max-old-space-size`, and SIGKILLs it
 * after its time bound; a crash here (segfault, allocation failure, OOM) costs only this process.
 *
 * Plain JavaScript on purpose: the same file runs from src/ under Jest and from dist/ in production (tsc copies
 * it, allowJs), with no build step or TypeScript loader in between. It holds no policy: it answers the parent's
 * requests (load, run, time; see probe-protocol.ts) and all checks happen in the parent.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';

/** @typedef {import('./probe-protocol.js').ParentMessage} ParentMessage */
/** @typedef {import('./probe-protocol.js').ChildMessage} ChildMessage */
/** @typedef {import('./probe-protocol.js').ValueInfo} ValueInfo */

if (!process.send) {
  console.error('probe-worker: must be started by validateArtifact with an IPC channel');
  process.exit(2);
}

/** @param {ChildMessage} message */
const send = (message) => {
  process.send?.(message);
};

// Never outlive the parent. 'disconnect' covers an idle worker; a worker stuck inside a native
// session.run() never gets back to its event loop, so a watchdog thread (its own event loop) checks every
// 250 ms whether we were re-parented (the parent died, even by SIGKILL) and kills this process.
process.on('disconnect', () => process.exit(0));
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL'); }, 250);
`;
const watchdog = new Worker(WATCHDOG, { eval: true, workerData: { parentPid: process.ppid } });
watchdog.unref();
// Wait until its isolate exists: its memory (~0.5 GiB of V8 reservations on Node 24) belongs to the baseline.
await new Promise((resolve) => watchdog.once('online', resolve));

// onnxruntime's own log lines go to stderr, which the parent keeps for crash diagnosis; errors are enough.
ort.env.logLevel = 'error';

/** @type {import('onnxruntime-node').InferenceSession | null} */
let session = null;

/**
 * @param {readonly import('onnxruntime-node').InferenceSession.ValueMetadata[]} list
 * @returns {ValueInfo[]}
 */
const describe = (list) =>
  list.map((m) => (m.isTensor ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] } : { name: m.name, isTensor: false }));

/** @param {import('onnxruntime-node').InferenceSession} s */
const names = (s) => {
  const input = s.inputNames[0];
  const output = s.outputNames[0];
  if (input === undefined || output === undefined) throw new Error('the model has no input or no output');
  return { input, output };
};

/** @param {ParentMessage} message */
async function handle(message) {
  switch (message.type) {
    case 'load': {
      const started = performance.now();
      session = await ort.InferenceSession.create(message.path, {
        intraOpNumThreads: message.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      send({ type: 'loaded', inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata), loadMs: performance.now() - started });
      return;
    }
    case 'run': {
      if (!session) throw new Error('run before load');
      const { input, output } = names(session);
      const result = await session.run({ [input]: new ort.Tensor('float32', message.input, [message.rows, message.width]) });
      const value = result[output];
      if (!value) throw new Error(`the run returned no "${output}"`);
      const dims = [...value.dims];
      const ok = value.type === 'float32' && dims.length === 2 && dims[0] === message.rows && dims[1] === message.outputWidth;
      // Copy out of onnxruntime's buffer; only ever the expected rows × outputWidth values.
      send({ type: 'ran', outputType: value.type, dims, data: ok ? Float32Array.from(/** @type {Float32Array} */ (value.data)) : null });
      return;
    }
    case 'time': {
      if (!session) throw new Error('time before load');
      const { input } = names(session);
      const single = { [input]: new ort.Tensor('float32', message.row, [1, message.width]) };
      const batch = { [input]: new ort.Tensor('float32', message.batch, [message.batchRows, message.width]) };
      /**
       * Runs `feeds` at least budget.minRuns times, then while less than budget.budgetMs has elapsed, at most
       * budget.maxRuns times; returns each run's wall time, ns.
       * @param {Record<string, import('onnxruntime-node').Tensor>} feeds
       * @param {import('./probe-protocol.js').SamplingBudget} budget
       */
      const sample = async (feeds, budget) => {
        const active = /** @type {import('onnxruntime-node').InferenceSession} */ (session);
        const started = performance.now();
        /** @type {number[]} */
        const samples = [];
        while (samples.length < budget.maxRuns && (samples.length < budget.minRuns || performance.now() - started < budget.budgetMs)) {
          const t0 = process.hrtime.bigint();
          await active.run(feeds);
          samples.push(Number(process.hrtime.bigint() - t0));
        }
        return samples;
      };
      await sample(single, message.warmup);
      const singleNs = await sample(single, message.single);
      await sample(batch, message.warmup);
      const batchNs = await sample(batch, message.batches);
      send({ type: 'timed', singleNs, batchNs });
      return;
    }
  }
}

process.on('message', (/** @type {ParentMessage} */ message) => {
  handle(message).catch((/** @type {unknown} */ error) => {
    const stage = message.type;
    send({ type: 'failed', stage, message: error instanceof Error ? error.message : String(error) });
  });
});

/** This process's data segment (VmData), bytes, or null off Linux. */
const vmDataBytes = () => {
  try {
    const kb = /^VmData:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
};

// Everything the idle worker needs is loaded by now (onnxruntime, the watchdog thread): the parent sets the
// memory bound on top of this baseline.
send({ type: 'ready', pid: process.pid, ortVersion: ort.env.versions.node ?? ort.env.versions.common, vmDataBytes: vmDataBytes() });
