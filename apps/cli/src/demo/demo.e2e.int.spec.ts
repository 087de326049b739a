import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { verifyAuditFile } from '../commands/audit.command.js';

// `npm run demo` as a user runs it: the built CLI in a child process, on embedded defaults (no services) — once
// from the project (with the shared GOOG day beside it, as in CI) and once from a folder with no ../shared (the
// synthetic fallback) — each to the end, exit 0, with its report and audit export verifying.

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(ROOT, 'apps/cli/bin/airlock.js');

interface DemoRun {
  readonly out: string;
  readonly code: number | null;
  readonly stdout: string;
}

async function runDemo(cwd: string): Promise<DemoRun> {
  const out = await mkdtemp(join(tmpdir(), 'airlock-demo-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', '--out', out], { cwd, env: { ...process.env, CI: 'true' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) console.log(`demo in ${cwd} exited ${code}\n${stdout}\n${stderr}`);
      resolve({ out, code, stdout });
    });
  });
}

describe.each([
  { data: 'the shared GOOG day', cwd: () => Promise.resolve(ROOT), label: /GOOG 2012-06-21, 10 levels/ },
  { data: 'a synthetic day (no ../shared)', cwd: () => mkdtemp(join(tmpdir(), 'airlock-demo-cwd-')), label: /synthetic calm day \(seed 101\)/ },
])('npm run demo on $data', ({ cwd, label }) => {
  let run: DemoRun;
  let dir: string;
  beforeAll(async () => {
    dir = await cwd();
    run = await runDemo(dir);
  }, 400_000);
  afterAll(async () => {
    await rm(run.out, { recursive: true, force: true });
    if (dir !== ROOT) await rm(dir, { recursive: true, force: true });
  });

  it('runs every step to the end and says what happened', () => {
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(label);
    for (let step = 1; step <= 12; step++) expect(run.stdout).toContain(`[${step}/12]`);
    expect(run.stdout).toMatch(/v1 is (validated|needs-review)/);
    expect(run.stdout).toMatch(/Successful: v2 is validated/);
    expect(run.stdout).toMatch(/shadow-passed: \d+ orders scored/);
    expect(run.stdout).toContain('refused, APPROVAL_SELF');
    expect(run.stdout).toMatch(/v2 is the new champion/);
    expect(run.stdout).toMatch(/Champion of "desk": exec-demo@2\. Rolled back: exec-demo@3/);
  });

  it('leaves the models, a lifecycle report whose audit chain verifies, and an export that verifies offline', async () => {
    for (const name of ['champion', 'candidate', 'faulty']) expect((await stat(join(run.out, 'models', `${name}.onnx`))).size).toBeGreaterThan(100);
    const report = JSON.parse(await readFile(join(run.out, 'report-exec-demo-v2.json'), 'utf8'));
    expect(report.identity).toMatchObject({ model: 'exec-demo', version: 2 });
    expect(report.audit.chain.ok).toBe(true);
    expect(report.validation.length).toBeGreaterThan(0);
    expect(report.shadow.length).toBeGreaterThan(0);
    expect(report.rollouts.map((r: { phase: string }) => r.phase)).toContain('Healthy');
    expect(await readFile(join(run.out, 'report-exec-demo-v2.html'), 'utf8')).toContain('exec-demo');
    const verification = await verifyAuditFile(join(run.out, 'audit.jsonl'));
    expect(verification.ok).toBe(true);
    const events = (await readFile(join(run.out, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { action: string; subject: string; data: Record<string, unknown> });
    expect(events.length).toBe(verification.events);
    expect(events.find((e) => e.action === 'rollout.aborted')?.data).toMatchObject({ reason: 'analysisFailed' });
    expect(events.some((e) => e.action === 'version.status-changed' && e.subject === 'model:exec-demo@2' && e.data.to === 'champion')).toBe(true);
    // The faulty version was rejected by its failed live analysis, though it came in by an override.
    expect(events.some((e) => e.action === 'version.status-changed' && e.subject === 'model:exec-demo@3' && e.data.to === 'rejected')).toBe(true);
    expect((await stat(join(run.out, 'state', 'admin-key'))).mode & 0o777).toBe(0o600);
  });
});
