/**
 * The sandbox around probe-worker.mjs: starts it as a separate Node process with bounded memory, talks to it
 * one request at a time, SIGKILLs it at its deadline, and turns every way it can die into a coded DomainError.
 * The API process never hands untrusted bytes to its own onnxruntime: a model that hangs, segfaults or
 * allocates without limit takes down only this child.
 *
 * Bounds (docs/model-contract.md, "Resource bounds"):
 * - time: a wall-clock deadline from the `load` request to the last reply, then SIGKILL → ARTIFACT_LOAD_LIMIT;
 * - native + JS memory: once the worker is up, `prlimit --pid <worker> --data=<its baseline + maxMemoryMb MiB>`
 *   (RLIMIT_DATA: brk plus private writable mappings, i.e. the malloc/arena memory onnxruntime allocates, and
 *   the V8 heap). RLIMIT_AS is not used: V8 reserves 1–2 GB of address space it never commits, so an
 *   address-space cap either kills every child or bounds nothing. onnxruntime fails an allocation over the
 *   bound cleanly ("Failed to allocate memory") → LOAD_LIMIT;
 * - JS heap: `--max-old-space-size`;
 * - orphans: if the parent itself dies (even SIGKILLed) while the child is stuck in a native run, the worker's
 *   watchdog thread sees it was re-parented and kills itself within ~250 ms; `prlimit --cpu` (RLIMIT_CPU,
 *   CPU seconds = time bound × threads + startup slack) is the kernel-enforced backstop (SIGXCPU);
 * - no core dumps (`--core=0`), an empty environment (no secrets of the API process), cwd in a temp dir.
 * Without a `prlimit` binary (not Linux, or a minimal image), only the JS heap, the time bound and the watchdog
 * apply; the report says so (`limits.nativeMemoryBound: 'none'`) and the container's memory limit is the outer
 * bound.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DomainError } from '@airlock/core';
import type { ChildMessage, ParentMessage } from './probe-protocol.js';

/**
 * The worker is plain JS next to this file: src/probe-worker.mjs under Jest (TS sources), dist/probe-worker.mjs
 * in production (tsc copies it: allowJs). No build step is needed for tests.
 */
export const PROBE_WORKER_PATH = fileURLToPath(new URL('./probe-worker.mjs', import.meta.url));

const execFileAsync = promisify(execFile);

/** Starting Node and importing onnxruntime takes ~0.1–0.5 s; this bound is for a broken installation. */
const STARTUP_TIMEOUT_MS = 30_000;
/** stderr kept for diagnosis, bytes (the tail: crash messages come last). */
const STDERR_TAIL_BYTES = 8192;

export type ProbeStage = 'startup' | 'load' | 'run' | 'time';

export interface SandboxOptions {
  /** Wall-clock bound from the load request to the last reply, ms. */
  readonly timeoutMs: number;
  /** What the model may allocate (JS + native heap) on top of the idle worker's own memory, MiB. */
  readonly maxMemoryMb: number;
  /** onnxruntime threads the child will run (sizes the CPU-time backstop; default 1). */
  readonly threads?: number;
  /** The prlimit binary; null = do not use one; undefined = look on PATH. */
  readonly prlimitPath?: string | null;
}

/** CPU seconds the child may use beyond timeout × threads: Node start-up and onnxruntime import (~0.3 s). */
const CPU_SLACK_SECONDS = 10;

let prlimitLookup: string | null | undefined;

/** Finds util-linux `prlimit` on PATH (and the usual sbin dirs), once per process. */
export function findPrlimit(): string | null {
  if (prlimitLookup !== undefined) return prlimitLookup;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'].filter(Boolean);
  prlimitLookup = null;
  if (process.platform === 'linux') {
    for (const dir of dirs) {
      const candidate = join(dir, 'prlimit');
      try {
        accessSync(candidate, fsConstants.X_OK);
        prlimitLookup = candidate;
        break;
      } catch {
        // not here
      }
    }
  }
  return prlimitLookup;
}

// Allocator, V8 and libstdc++ wordings of "no memory left". EAGAIN ("Resource temporarily unavailable", e.g. a
// std::system_error from a thread start) appears when RLIMIT_DATA leaves no room for a new thread's stack.
const MEMORY_FAILURE = /out of memory|heap limit|bad_alloc|failed to allocate|cannot allocate|allocation failed|ENOMEM|resource temporarily unavailable/i;

const clip = (text: string, max = 1000): string => (text.length > max ? `${text.slice(0, max)}…` : text);

const STAGE_WORDS: Record<ProbeStage, string> = {
  startup: 'starting the sandbox',
  load: 'loading the model',
  run: 'running the probe batch',
  time: 'measuring latency',
};

/** An error onnxruntime reported (the child survived): memory → LOAD_LIMIT, anything else → NOT_ONNX. */
export function classifyRuntimeError(stage: ProbeStage, message: string): DomainError {
  const detail = clip(message.trim());
  if (MEMORY_FAILURE.test(message)) {
    return new DomainError('ARTIFACT_LOAD_LIMIT', `the model exceeded its memory bound while ${STAGE_WORDS[stage]}: ${detail}`, {
      stage,
      limit: 'memory',
      runtimeMessage: detail,
    });
  }
  const what = stage === 'load' ? 'onnxruntime cannot load the artifact' : `the model failed while ${STAGE_WORDS[stage]}`;
  return new DomainError('ARTIFACT_NOT_ONNX', `${what}: ${detail}`, { stage, runtimeMessage: detail });
}

/**
 * The child died without replying. Memory exhaustion (an allocator or V8 message on stderr, or SIGKILL from the
 * kernel's OOM killer) → LOAD_LIMIT; any other crash (SIGSEGV, SIGABRT, an exit) → NOT_ONNX: a well-formed
 * model does not crash onnxruntime.
 */
export function classifyChildExit(exit: {
  readonly stage: ProbeStage;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}): DomainError {
  const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  const stderrTail = clip(exit.stderr.trim().split('\n').slice(-5).join('\n'), 500);
  const details = { stage: exit.stage, signal: exit.signal, exitCode: exit.code, stderrTail };
  if (exit.stage === 'startup') {
    return new DomainError('INTERNAL', `the artifact sandbox failed to start (${how}): ${stderrTail}`, details);
  }
  if (exit.signal === 'SIGXCPU') {
    return new DomainError('ARTIFACT_LOAD_LIMIT', `the model exhausted the sandbox's CPU-time bound while ${STAGE_WORDS[exit.stage]}`, {
      ...details,
      limit: 'time',
    });
  }
  if (MEMORY_FAILURE.test(exit.stderr) || exit.signal === 'SIGKILL') {
    return new DomainError('ARTIFACT_LOAD_LIMIT', `the model exhausted the sandbox's memory while ${STAGE_WORDS[exit.stage]} (${how})`, {
      ...details,
      limit: 'memory',
    });
  }
  return new DomainError('ARTIFACT_NOT_ONNX', `onnxruntime crashed while ${STAGE_WORDS[exit.stage]} (${how})`, details);
}

interface Pending {
  readonly stage: ProbeStage;
  resolve(message: ChildMessage): void;
  reject(error: Error): void;
}

export class ProbeChild {
  private pending: Pending | undefined;
  /** Set once the child is gone or condemned; every later request fails with it. */
  private failure: DomainError | undefined;
  private stderr = '';
  private deadline: NodeJS.Timeout | undefined;
  private readonly closed: Promise<void>;
  /** The stage of the latest request: a death between requests is blamed on it. */
  private stage: ProbeStage = 'startup';
  private pid = 0;
  private bound: 'rlimit-data' | 'none' = 'none';
  private baselineBytes = 0;

  /** The worker's pid, as it reported it. */
  get workerPid(): number {
    return this.pid;
  }

  /** Whether RLIMIT_DATA bounds the worker. */
  get nativeMemoryBound(): 'rlimit-data' | 'none' {
    return this.bound;
  }

  /** The idle worker's own data segment when bounded, MiB (0 if not); the model's budget comes on top. */
  get baselineMb(): number {
    return Math.round(this.baselineBytes / 1024 / 1024);
  }

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('message', (message: ChildMessage) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(message);
    });
    this.closed = new Promise((resolve) => {
      child.on('error', (error) => {
        this.fail(new DomainError('INTERNAL', `the artifact sandbox could not be started: ${error.message}`, { stage: 'startup' }));
        resolve();
      });
      // 'close' (not 'exit'): stderr is complete by then, so the classification sees the crash message.
      child.on('close', (code, signal) => {
        this.fail(classifyChildExit({ stage: this.stage, code, signal, stderr: this.stderr }));
        resolve();
      });
    });
  }

  /**
   * Spawns the worker, waits for its `ready`, then bounds it with `prlimit --pid` (if available). The limits
   * are applied after start-up, on top of the memory the idle worker already holds, because that baseline
   * depends on the Node version (RLIMIT_DATA counts V8's reserved code range: ~100 MiB on Node 20, ~1.1 GiB on
   * Node 24 with the watchdog thread) while maxMemoryMb should mean the same everywhere: what the model may use.
   */
  static async start(options: SandboxOptions): Promise<ProbeChild> {
    const prlimit = options.prlimitPath === undefined ? findPrlimit() : options.prlimitPath;
    // JS heap bound, MiB: the worker's JS holds only the probe batch and replies; onnxruntime's tensors live in
    // native memory, bounded by RLIMIT_DATA.
    const heapMb = Math.max(64, Math.min(512, Math.floor(options.maxMemoryMb / 4)));
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, PROBE_WORKER_PATH], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      // Nothing of the API's environment (database URLs, keys, NODE_OPTIONS) reaches the untrusted side.
      env: {},
      cwd: tmpdir(),
    });
    const sandbox = new ProbeChild(child);
    const startup = setTimeout(() => {
      sandbox.fail(new DomainError('INTERNAL', `the artifact sandbox did not start within ${STARTUP_TIMEOUT_MS} ms`, { stage: 'startup' }));
    }, STARTUP_TIMEOUT_MS);
    try {
      const ready = await sandbox.await('startup');
      if (ready.type !== 'ready') throw new DomainError('INTERNAL', `the artifact sandbox sent ${ready.type} before ready`);
      sandbox.pid = ready.pid;
      if (prlimit) await sandbox.limit(prlimit, ready.vmDataBytes, options);
      return sandbox;
    } catch (error) {
      await sandbox.dispose();
      throw error;
    } finally {
      clearTimeout(startup);
    }
  }

  /**
   * Lowers the running worker's RLIMIT_DATA to baseline + maxMemoryMb, RLIMIT_CPU and RLIMIT_CORE. Fails closed
   * (INTERNAL): a configured bound that cannot be applied must not silently become no bound; an operator who
   * accepts the weaker bound sets prlimitPath to null.
   */
  private async limit(prlimit: string, baselineBytes: number | null, options: SandboxOptions): Promise<void> {
    if (baselineBytes === null) throw new DomainError('INTERNAL', 'the artifact sandbox could not report its memory use (no /proc?)');
    const dataBytes = baselineBytes + Math.floor(options.maxMemoryMb * 1024 * 1024);
    // The parent's wall-clock deadline normally fires first; this matters only if the parent is gone.
    const cpuSeconds = Math.ceil((options.timeoutMs / 1000) * (options.threads ?? 1)) + CPU_SLACK_SECONDS;
    const args = ['--pid', String(this.workerPid), `--data=${dataBytes}`, `--cpu=${cpuSeconds}`, '--core=0'];
    try {
      await execFileAsync(prlimit, args, { timeout: STARTUP_TIMEOUT_MS, env: {} });
    } catch (error) {
      throw new DomainError('INTERNAL', `could not bound the artifact sandbox with ${prlimit}: ${(error as Error).message}`, { stage: 'startup' });
    }
    this.bound = 'rlimit-data';
    this.baselineBytes = baselineBytes;
  }

  /** Starts the time bound: after `timeoutMs` the child is SIGKILLed and the pending request fails. */
  startDeadline(timeoutMs: number): void {
    this.deadline = setTimeout(() => {
      const stage = this.stage === 'startup' ? 'load' : this.stage;
      this.fail(
        new DomainError('ARTIFACT_LOAD_LIMIT', `the model exceeded its time bound of ${timeoutMs} ms while ${STAGE_WORDS[stage]}`, {
          stage,
          limit: 'time',
          timeoutMs,
        }),
      );
    }, timeoutMs);
  }

  /** Sends one request and waits for its reply (a `failed` reply is returned, not thrown). */
  request(message: ParentMessage): Promise<ChildMessage> {
    const reply = this.await(message.type);
    // A send to a child that just died fails here; its 'close' handler reports why.
    if (!this.failure) this.child.send(message, () => undefined);
    return reply;
  }

  /** Kills the child (if still running) and waits until it is gone. Safe to call more than once. */
  async dispose(): Promise<void> {
    clearTimeout(this.deadline);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.closed;
  }

  private await(stage: ProbeStage): Promise<ChildMessage> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('ProbeChild: one request at a time'));
    this.stage = stage;
    return new Promise((resolve, reject) => {
      this.pending = { stage, resolve, reject };
    });
  }

  /** Records the first failure, kills the child and fails the pending request with it. */
  private fail(error: DomainError): void {
    this.failure ??= error;
    clearTimeout(this.deadline);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.failure);
  }
}
