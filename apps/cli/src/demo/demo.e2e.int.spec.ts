import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyAuditFile } from '../commands/audit.command.js';

// `npm run demo` as a user runs it: the built CLI in a child process, on embedded defaults (no services), with the
// shared GOOG day when it is beside the project (CI has it) — to the end, exit 0, its report and audit verifying.

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let out: string;
let run: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'airlock-demo-'));
  run = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['apps/cli/bin/airlock.js', 'demo', '--out', out], { cwd: ROOT, env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  if (run.code !== 0) console.log(`demo exited ${run.code}\n${run.stdout}\n${run.stderr}`);
}, 400_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('runs every step to the end and says what happened', () => {
    expect(run.code).toBe(0);
    for (let step = 1; step <= 12; step++) expect(run.stdout).toContain(`[${step}/12]`);
    expect(run.stdout).toMatch(/Successful: v1 is validated/);
    expect(run.stdout).toMatch(/Successful: v2 is validated/);
    expect(run.stdout).toMatch(/shadow-passed: \d+ orders scored/);
    expect(run.stdout).toContain('refused, APPROVAL_SELF');
    expect(run.stdout).toMatch(/v2 is the new champion/);
    expect(run.stdout).toMatch(/Champion of "desk": exec-demo@2\. Rolled back: exec-demo@3/);
  });

  it('leaves the models, a lifecycle report whose audit chain verifies, and an export that verifies offline', async () => {
    for (const name of ['champion', 'candidate', 'faulty']) expect((await stat(join(out, 'models', `${name}.onnx`))).size).toBeGreaterThan(100);
    const report = JSON.parse(await readFile(join(out, 'report-exec-demo-v2.json'), 'utf8'));
    expect(report.identity).toMatchObject({ model: 'exec-demo', version: 2 });
    expect(report.audit.chain.ok).toBe(true);
    expect(report.validation.length).toBeGreaterThan(0);
    expect(report.shadow.length).toBeGreaterThan(0);
    expect(report.rollouts.map((r: { phase: string }) => r.phase)).toContain('Healthy');
    expect(await readFile(join(out, 'report-exec-demo-v2.html'), 'utf8')).toContain('exec-demo');
    const verification = await verifyAuditFile(join(out, 'audit.jsonl'));
    expect(verification.ok).toBe(true);
    const events = (await readFile(join(out, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; subject: string; data: Record<string, unknown> });
    expect(events.length).toBe(verification.events);
    const aborted = events.find((e) => e.action === 'rollout.aborted');
    expect(aborted?.data).toMatchObject({ reason: 'analysisFailed' });
    expect(events.some((e) => e.action === 'version.status-changed' && e.subject === 'model:exec-demo@2' && e.data.to === 'champion')).toBe(true);
  });
});
