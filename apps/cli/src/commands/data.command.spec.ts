import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerDataCommands } from './data.command.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  jest.restoreAllMocks();
});

/** Runs `airlock …` in-process; returns what it printed and the exit code it set. */
const airlock = (...args: string[]) => runAirlock([registerDataCommands], args);

describe('airlock data', () => {
  it('synth writes LOBSTER files; verify finds 0 mismatches and exits 0; quality reports', async () => {
    const out = join(dir, 'synth');
    const synth = await airlock('data', 'synth', '--seed', '7', '--regime', 'volatile', '--events', '3000', '--levels', '5', '--out', out, '--json');
    expect(synth.code).toBe(0);
    const files = JSON.parse(synth.out) as { messages: number; messageFile: string; orderbookFile: string };
    expect(files.messages).toBe(3000);
    expect(files.messageFile).toMatch(/SYNTH_2024-01-02_34200000_57600000_message_5\.csv$/);

    const verify = await airlock('data', 'verify', '--lobster', out, '--json');
    expect(verify.code).toBe(ExitCode.Ok);
    const report = JSON.parse(verify.out) as { messages: number; mismatches: number; levels: number; eventCounts: Record<string, number> };
    expect(report).toMatchObject({ messages: 3000, mismatches: 0, levels: 5 });
    expect(report.eventCounts['1']).toBeGreaterThan(0);

    const human = await airlock('data', 'verify', '--lobster', out);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^OK {2}SYNTH 2024-01-02/);
    expect(human.out).toMatch(/mismatching rows\s+0/);

    const quality = await airlock('data', 'quality', '--lobster', files.messageFile, '--json', '--gap-seconds', '1');
    expect(quality.code).toBe(0);
    const q = JSON.parse(quality.out) as { messages: number; timeGaps: { thresholdNs: number }; crossedBooks: { count: number } };
    expect(q.messages).toBe(3000);
    expect(q.timeGaps.thresholdNs).toBe(1e9);
    expect(q.crossedBooks.count).toBe(0);
    expect((await airlock('data', 'quality', '--lobster', out)).out).toContain('hidden share');
  });

  it('verify exits 1 and shows where when the orderbook file disagrees with the messages', async () => {
    const out = join(dir, 'bad');
    const synth = await airlock('data', 'synth', '--seed', '1', '--regime', 'calm', '--events', '500', '--levels', '2', '--out', out, '--json');
    const { orderbookFile } = JSON.parse(synth.out) as { orderbookFile: string };
    const rows = (await readFile(orderbookFile, 'utf8')).split('\n');
    const cells = rows[300]!.split(',');
    cells[1] = String(Number(cells[1]) + 1); // ask size at level 1 of row 300
    rows[300] = cells.join(',');
    await writeFile(orderbookFile, rows.join('\n'));

    const verify = await airlock('data', 'verify', '--lobster', out, '--json');
    expect(verify.code).toBe(ExitCode.Finding);
    const report = JSON.parse(verify.out) as { mismatches: number; firstMismatches: { index: number; side: string; level: number }[] };
    expect(report.mismatches).toBe(1);
    expect(report.firstMismatches[0]).toMatchObject({ index: 300, side: 'ask', level: 1 });
    const human = await airlock('data', 'verify', '--lobster', out);
    expect(human.code).toBe(ExitCode.Finding);
    expect(human.out).toMatch(/^MISMATCH/);
    expect(human.out).toContain('after message 300');
  });

  it('bad usage and bad data exit 2 with a clear message', async () => {
    const noRegime = await airlock('data', 'synth', '--seed', '1', '--regime', 'stormy', '--events', '10', '--out', dir);
    expect(noRegime.code).toBe(ExitCode.BadInput);
    expect(noRegime.err).toContain('stormy');
    const badEvents = await airlock('data', 'synth', '--seed', '1', '--regime', 'calm', '--events', '-3', '--out', dir);
    expect(badEvents.code).toBe(ExitCode.BadInput);
    expect(badEvents.err).toContain('must be a positive integer');
    const missing = await airlock('data', 'verify', '--lobster', join(dir, 'nothing-here.zip'));
    expect(missing.code).toBe(ExitCode.BadInput);
    expect(missing.err).toContain('error DATA_INVALID');
    expect(missing.err).toContain('nothing-here.zip: no such file or directory');
  });

  it('verify on a message-only (7-column) file says there is nothing to verify and exits 2', async () => {
    const file = join(dir, 'T_2021-04-12_34200000_57600000_message_10.csv');
    await writeFile(file, '34200.1,1,5,100,1000000,1,null\n34200.2,3,5,100,1000000,1,UBSS\n');
    const verify = await airlock('data', 'verify', '--lobster', file);
    expect(verify.code).toBe(ExitCode.BadInput);
    expect(verify.err).toContain('no orderbook file: nothing to verify');
    const quality = await airlock('data', 'quality', '--lobster', file, '--json');
    expect(quality.code).toBe(0);
    expect(JSON.parse(quality.out)).toMatchObject({ messages: 2, levels: 0 });
  });
});
