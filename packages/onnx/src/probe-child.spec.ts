import { describe, expect, it } from '@jest/globals';
import { classifyChildExit, classifyRuntimeError } from './probe-child.js';
import { percentile } from './validate-artifact.js';

describe('classifying a dead or failing child', () => {
  it('an allocator or V8 out-of-memory message means the memory bound: ARTIFACT_LOAD_LIMIT', () => {
    const v8 = classifyChildExit({ stage: 'run', code: null, signal: 'SIGABRT', stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' });
    expect(v8.code).toBe('ARTIFACT_LOAD_LIMIT');
    expect(v8.details).toMatchObject({ limit: 'memory', stage: 'run', signal: 'SIGABRT' });
    const cxx = classifyChildExit({ stage: 'load', code: null, signal: 'SIGABRT', stderr: "terminate called after throwing an instance of 'std::bad_alloc'" });
    expect(cxx.code).toBe('ARTIFACT_LOAD_LIMIT');
    // Seen on Node 24 when a model's 200 MiB left no room under the bound for a new thread's stack.
    const thread = classifyChildExit({
      stage: 'time',
      code: null,
      signal: 'SIGABRT',
      stderr: "terminate called after throwing an instance of 'std::system_error'\n  what():  Resource temporarily unavailable",
    });
    expect(thread.code).toBe('ARTIFACT_LOAD_LIMIT');
  });

  it('a SIGKILL we did not send is the kernel OOM killer: ARTIFACT_LOAD_LIMIT', () => {
    expect(classifyChildExit({ stage: 'load', code: null, signal: 'SIGKILL', stderr: '' }).code).toBe('ARTIFACT_LOAD_LIMIT');
  });

  it('SIGXCPU (the kernel CPU-time backstop) is the time bound: ARTIFACT_LOAD_LIMIT', () => {
    const error = classifyChildExit({ stage: 'run', code: null, signal: 'SIGXCPU', stderr: '' });
    expect(error.code).toBe('ARTIFACT_LOAD_LIMIT');
    expect(error.details).toMatchObject({ limit: 'time' });
  });

  it('any other crash of onnxruntime is the artifact’s fault: ARTIFACT_NOT_ONNX with the signal', () => {
    const segv = classifyChildExit({ stage: 'load', code: null, signal: 'SIGSEGV', stderr: 'line 1\nline 2' });
    expect(segv.code).toBe('ARTIFACT_NOT_ONNX');
    expect(segv.message).toBe('onnxruntime crashed while loading the model (signal SIGSEGV)');
    expect(segv.details).toMatchObject({ stage: 'load', signal: 'SIGSEGV', stderrTail: 'line 1\nline 2' });
    expect(classifyChildExit({ stage: 'run', code: 1, signal: null, stderr: '' }).message).toMatch(/exit code 1/);
  });

  it('a sandbox that dies while starting is our problem, not the artifact’s: INTERNAL', () => {
    expect(classifyChildExit({ stage: 'startup', code: 1, signal: null, stderr: 'Cannot find module onnxruntime-node' }).code).toBe('INTERNAL');
  });

  it('runtime errors: allocation failures are LOAD_LIMIT, the rest NOT_ONNX', () => {
    expect(classifyRuntimeError('run', 'BFCArena::AllocateRawInternal Failed to allocate memory for requested buffer of size 1073741824').code).toBe(
      'ARTIFACT_LOAD_LIMIT',
    );
    const load = classifyRuntimeError('load', 'Failed to load model because protobuf parsing failed.');
    expect(load.code).toBe('ARTIFACT_NOT_ONNX');
    expect(load.message).toBe('onnxruntime cannot load the artifact: Failed to load model because protobuf parsing failed.');
    expect(classifyRuntimeError('run', 'x'.repeat(5000)).message.length).toBeLessThan(1200);
  });
});

describe('percentile (nearest rank)', () => {
  it('picks the ceil(q·n)-th smallest sample', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 200..1, unsorted
    expect(percentile(samples, 0.5)).toBe(100);
    expect(percentile(samples, 0.99)).toBe(198);
    expect(percentile(samples, 1)).toBe(200);
    expect(percentile([7], 0.5)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});
