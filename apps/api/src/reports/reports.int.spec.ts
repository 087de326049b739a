import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutController } from '@airlock/promotion';
import { ShadowService } from '@airlock/shadow';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

// GET /v1/reports/inventory on real PostgreSQL: a deployment with a stable (validated 200 days ago: overdue for a
// medium-tier model) and a canary at 20% (never validated), each row with its owner, tier, validation dates and
// findings, in JSON, CSV and HTML.

const MODEL = 'exec-inventory';
const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };

describe('model inventory', () => {
  const clock = new MutableClock();
  let t: TestApi;
  let quant: string;
  let risk: string;
  let auditor: string;
  let stable: { version: number; sha256: string };
  let canary: { version: number; sha256: string };

  async function promote(version: number, steps: unknown[]): Promise<void> {
    const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version, deployment: 'desk-inv', plan: { steps, caps: CAPS } } });
    expect(created.status).toBe(201);
    expect((await t.call('POST', `/v1/promotions/${created.body.id}/approvals`, { key: risk, json: { decision: 'approve' } })).body.phase).toBe('Approved');
  }

  beforeAll(async () => {
    t = await startTestApi({}, { clock });
    [quant, risk, auditor] = await Promise.all([t.keyWith('quant'), t.keyWith('risk'), t.keyWith('auditor')]);
    await createModel(t, quant, MODEL, 'medium');
    stable = await versionWithStatus(t, quant, MODEL, 41, 'shadow-passed');
    canary = await versionWithStatus(t, quant, MODEL, 42, 'shadow-passed');
    // The stable's validation finished 200 days ago (medium tier: every 180 days).
    await t.api.db.transaction(async (uow) => {
      const model = (await uow.models.findByName(MODEL))!;
      const version = (await uow.versions.find(model, stable.version))!;
      const id = randomUUID();
      const at = new Date(clock.now().getTime() - 200 * 86_400_000);
      await uow.validation.insertRun(
        { id, versionId: version.id, suite: {}, champion: null, affectsStatus: false, phase: 'Running', shardsTotal: 0, shardsDone: 0, gates: null, report: null, evidenceSha256: null, error: null, requestedBy: 'test', createdAt: at, startedAt: at, finishedAt: null },
        [],
      );
      await uow.validation.finishRun(id, { phase: 'Successful', gates: [], report: null, evidenceSha256: null, error: null, at });
    });
    // A shadow session that passed the stable (the runner's completion path, through the service).
    const shadows = new ShadowService(t.api.db, () => clock.now(), t.api.store);
    expect((await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version: stable.version, deployment: 'shadow-desk' } })).status).toBe(201);
    const started = await t.call('POST', '/v1/shadows', { key: quant, json: { model: MODEL, candidates: [stable.version], deployment: 'shadow-desk' } });
    expect(started.status).toBe(201);
    const session = started.body as { id: string };
    const gate = { name: 'is_delta_bps', phase: 'Successful' as const, value: -0.4, condition: '<= 1', message: 'interval [-0.9, 0.1] meets <= 1' };
    await shadows.complete(session.id, { phase: 'Completed', verdicts: { [`${MODEL}@${stable.version}`]: { verdict: 'shadow-passed', gates: [gate] } }, evidence: new TextEncoder().encode('{"evidence":true}') });
    const controller = new RolloutController(t.api.db, clock, { approvalTtlMs: t.config.approvalTtlMs });
    await promote(stable.version, [{ setWeight: 100 }]);
    await controller.tick();
    await promote(canary.version, [{ setWeight: 20 }, { pause: {} }, { setWeight: 100 }]);
    await controller.tick();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists the stable and the canary with owner, tier, validations and findings (JSON)', async () => {
    const res = await t.call('GET', '/v1/reports/inventory', { key: auditor });
    expect(res.status).toBe(200);
    const rows = (res.body as { rows: Json[] }).rows.filter((r) => r.deployment === 'desk-inv');
    expect(rows).toHaveLength(2);
    const [s, c] = [rows.find((r) => r.role === 'stable')!, rows.find((r) => r.role === 'canary')!];
    expect(s).toMatchObject({ model: MODEL, version: stable.version, sha256: stable.sha256, status: 'champion', owner: expect.any(String), tier: 'medium', canaryWeight: 80, validationOverdue: true });
    expect((s.lastValidation as Json).phase).toBe('Successful');
    expect(Date.parse(s.nextValidationDue as string)).toBe(Date.parse((s.lastValidation as Json).finishedAt as string) + 180 * 86_400_000);
    expect((s.openFindings as Json[]).map((f) => f.code)).toEqual(expect.arrayContaining(['VALIDATION_OVERDUE', 'ROLLOUT_PAUSED']));
    expect(c).toMatchObject({ version: canary.version, status: 'canary', canaryWeight: 20, lastValidation: null, nextValidationDue: null, validationOverdue: false });
    expect((c.openFindings as Json[]).map((f) => f.code)).toContain('NEVER_VALIDATED');
  });

  it('serves CSV and HTML by format or Accept; quants may not read it; an unknown format is refused', async () => {
    const csv = await fetch(`${t.api.url}/v1/reports/inventory?format=csv`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('deployment,role,canaryWeight,model,version,sha256,status,owner,tier,assetClass,lastValidationPhase,lastValidationAt,nextValidationDue,validationOverdue,openFindings');
    expect(lines.some((l) => l.startsWith(`desk-inv,canary,20,${MODEL},${canary.version},${canary.sha256},canary,`))).toBe(true);
    const html = await fetch(`${t.api.url}/v1/reports/inventory`, { headers: { authorization: `Bearer ${auditor}`, accept: 'text/html' } });
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    expect(page).toContain('<h1>Model inventory</h1>');
    expect(page).toContain('<strong>VALIDATION_OVERDUE</strong>');
    expect((await t.call('GET', '/v1/reports/inventory', { key: quant })).status).toBe(403);
    const bad = await t.call('GET', '/v1/reports/inventory?format=pdf', { key: auditor });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('the lifecycle report of a version that went through it all has every section, and its chain verifies', async () => {
    const res = await t.call('GET', `/v1/models/${MODEL}/versions/${stable.version}/report`, { key: auditor });
    expect(res.status).toBe(200);
    const r = res.body as Json;
    expect(r.schema).toBe('airlock.lifecycle-report/1');
    expect(r.identity).toMatchObject({ model: MODEL, version: stable.version, sha256: stable.sha256, status: 'champion', tier: 'medium' });
    expect((r.lineage as Json).features).toEqual(expect.any(Array));
    expect((r.validation as Json[])[0]).toMatchObject({ phase: 'Successful' });
    expect((r.shadow as Json[])[0]).toMatchObject({ deployment: 'shadow-desk', phase: 'Completed', verdict: 'shadow-passed', gates: [expect.objectContaining({ name: 'is_delta_bps' })] });
    const promotions = r.promotions as Json[];
    const approved = promotions.find((p) => p.deployment === 'desk-inv')!;
    expect(approved.phase).toBe('Approved');
    expect((approved.approvals as Json[])[0]).toMatchObject({ decision: 'approve', sha256: stable.sha256, planHash: approved.planHash });
    const rollout = (r.rollouts as Json[]).find((x) => x.deployment === 'desk-inv')!;
    expect(rollout.phase).toBe('Healthy');
    expect((rollout.timeline as Json[]).map((e) => e.action)).toEqual(expect.arrayContaining(['rollout.created', 'rollout.weightSet', 'rollout.completed']));
    const actions = ((r.audit as Json).events as Json[]).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['version.registered', 'promotion.requested', 'promotion.approved', 'shadow.started', 'shadow.completed', 'rollout.completed']));
    expect((r.audit as Json).chain).toMatchObject({ ok: true });
    // Who is who: the requester and the approver by their keys' names, and nothing but names and roles.
    const actors = r.actors as Json[];
    const byActor = new Map(actors.map((a) => [a.actor, a]));
    expect(byActor.get(approved.requestedBy as string)).toMatchObject({ name: expect.any(String), roles: expect.any(Array), revoked: false });
    expect(byActor.get((approved.approvals as Json[])[0]!.approver as string)).toMatchObject({ roles: expect.arrayContaining(['risk']) });
    expect(JSON.stringify(actors)).not.toContain('ak_');

    const html = await fetch(`${t.api.url}/v1/models/${MODEL}/versions/${stable.version}/report?format=html`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(html.headers.get('content-type')).toContain('text/html');
    const page = await html.text();
    for (const section of ['identity', 'lineage', 'validation', 'shadow', 'approvals', 'rollouts', 'incidents', 'actors', 'audit']) expect(page).toContain(`<h2 id="${section}">`);
    expect(page).toContain('<svg');
    expect(page).toContain('Audit chain: <strong>verified');
    expect((await t.call('GET', `/v1/models/${MODEL}/versions/999/report`, { key: auditor })).status).toBe(404);
  });

  it('the lifecycle report as PDF: rendered from the same HTML by Chromium, its pages turn into images, its text names the artifact', async () => {
    const res = await fetch(`${t.api.url}/v1/models/${MODEL}/versions/${stable.version}/report?format=pdf`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${MODEL}-${stable.version}-report.pdf"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // By Accept too.
    const byAccept = await fetch(`${t.api.url}/v1/models/${MODEL}/versions/${stable.version}/report`, { headers: { authorization: `Bearer ${auditor}`, accept: 'application/pdf' } });
    expect([byAccept.status, byAccept.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(Buffer.from(await byAccept.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const dir = await mkdtemp(join(tmpdir(), 'airlock-report-pdf-'));
    try {
      const file = join(dir, 'report.pdf');
      await writeFile(file, bytes);
      execFileSync('pdftoppm', ['-png', '-r', '50', file, join(dir, 'page')], { stdio: 'pipe' });
      const pages = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png'));
      expect(pages.length).toBeGreaterThanOrEqual(1);
      for (const page of pages) expect((await stat(join(dir, page))).size).toBeGreaterThan(0);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('Lifecycle report');
      // A sha256 may wrap across lines in a table cell: compare with whitespace removed.
      expect(text.replace(/\s+/g, '')).toContain(stable.sha256);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
