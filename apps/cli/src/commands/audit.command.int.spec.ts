import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../../../api/src/testing/api-harness.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerAuditCommands } from './audit.command.js';

// `airlock audit export` from a real API, then `airlock audit verify <file>` with no API at all: the untouched
// export verifies; a modified, a deleted and a reordered event, and a line that is not an event, each break it.

let t: TestApi;
let dir: string;
let exported: string[];

const airlock = (args: string[], env: Record<string, string> = {}) => runAirlock([registerAuditCommands], args, { AIRLOCK_CONFIG: join(dir, 'none.json'), ...env });
/** Verifies `lines` written to a file, offline (no URL, no key). */
async function verify(lines: string[]) {
  const file = join(dir, `chain-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return airlock(['audit', 'verify', file, '--json']);
}

beforeAll(async () => {
  t = await startTestApi();
  dir = await mkdtemp(join(tmpdir(), 'airlock-audit-cli-'));
  for (const name of ['alpha', 'beta', 'gamma']) {
    const res = await t.call('POST', '/v1/models', { json: { name, owner: 'desk-a', assetClass: 'equities', tier: 'low' } });
    expect(res.status).toBe(201);
  }
  const out = join(dir, 'export.jsonl');
  const run = await airlock(['audit', 'export', '--out', out], { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: await t.keyWith('auditor') });
  expect(run.code).toBe(0);
  exported = (await readFile(out, 'utf8')).trim().split('\n');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('airlock audit verify <export.jsonl> (offline)', () => {
  it('verifies an untouched export, with the same count and last hash as the API', async () => {
    expect(exported.length).toBeGreaterThanOrEqual(4);
    const run = await verify(exported);
    expect(run.code).toBe(0);
    const online = (await t.call('GET', '/v1/audit/verify')).body as { events: number; lastHash: string };
    expect(JSON.parse(run.out)).toEqual({ ok: true, events: online.events, lastHash: online.lastHash });
  });

  it('catches a modified event (hash mismatch at its seq)', async () => {
    const lines = [...exported];
    const event = JSON.parse(lines[2]!) as { seq: number; data: Record<string, unknown> };
    lines[2] = JSON.stringify({ ...event, data: { ...event.data, owner: 'someone-else' } });
    const run = await verify(lines);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, brokenAt: event.seq, reason: 'hash-mismatch' });
  });

  it('catches a deleted event (sequence gap where it was)', async () => {
    const deleted = JSON.parse(exported[1]!) as { seq: number };
    const run = await verify(exported.filter((_, i) => i !== 1));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, brokenAt: deleted.seq + 1, reason: 'seq-gap', expected: String(deleted.seq) });
  });

  it('catches two reordered events', async () => {
    const lines = [...exported];
    [lines[1], lines[2]] = [lines[2]!, lines[1]!];
    const run = await verify(lines);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, reason: 'seq-gap', brokenAt: (JSON.parse(exported[2]!) as { seq: number }).seq });
  });

  it('a line that is not an audit event breaks the chain there; an unreadable file is a usage error', async () => {
    const run = await verify([exported[0]!, '{"seq":2,"oops":true}', ...exported.slice(1)]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toMatchObject({ ok: false, reason: 'malformed', line: 2, brokenAt: 2 });
    const missing = await airlock(['audit', 'verify', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
  });
});
