import { describe, expect, it } from '@jest/globals';
import { AckCommitter } from './ack-committer.util.js';

/** A write that completes only when released, recording what it was asked to write. */
function gatedWrite(): { write: (r: { position: number }) => Promise<void>; written: number[]; release: (error?: Error) => void } {
  const written: number[] = [];
  let gates: ((error?: Error) => void)[] = [];
  return {
    written,
    write: (record) =>
      new Promise<void>((resolve, reject) => {
        gates.push((error) => {
          if (error) reject(error);
          else {
            written.push(record.position);
            resolve();
          }
        });
      }),
    release: (error) => {
      const open = gates;
      gates = [];
      for (const gate of open) gate(error);
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('AckCommitter', () => {
  it('coalesces acks made while a write is in flight into one write of the furthest position', async () => {
    const gate = gatedWrite();
    const committer = new AckCommitter(gate.write);
    const settled: number[] = [];
    const acks = [1, 2, 3, 5, 4].map((position) => committer.request({ position }).then(() => settled.push(position)));
    await tick();
    gate.release(); // writes 1
    await tick();
    expect(gate.written).toEqual([1]);
    expect(settled).toEqual([1]);
    gate.release(); // then one write for 5, covering 2, 3, 4 and 5
    await Promise.all(acks);
    expect(gate.written).toEqual([1, 5]);
    expect(settled.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(committer.committed).toBe(5);
    await expect(committer.request({ position: 3 })).resolves.toBeUndefined(); // already durable
  });

  it('rejects the acks a failed write covered, and a later ack tries again', async () => {
    const gate = gatedWrite();
    const committer = new AckCommitter(gate.write);
    const failure = new Error('disk full');
    const first = committer.request({ position: 7 });
    await tick();
    gate.release(failure);
    await expect(first).rejects.toBe(failure);
    expect(committer.committed).toBe(0);
    const retry = committer.request({ position: 8 });
    await tick();
    gate.release();
    await retry;
    expect(gate.written).toEqual([8]);
    await committer.idle();
  });
});
