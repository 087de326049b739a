import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RolloutController } from '@airlock/promotion';
import { ShadowService } from '@airlock/shadow';
import { unzipSync } from 'fflate';
import { startTestApi, type TestApi } from '../../../api/src/testing/api-harness.js';
import { MutableClock, createModel, versionWithStatus } from '../../../api/src/testing/promotion-fixtures.js';
import { ExitCode } from '../run-cli.js';
import { runAirlock } from '../testing/cli-harness.js';
import { registerDeploymentsCommands } from './deployments.command.js';
import { registerPromotionsCommands } from './promotions.command.js';
import { registerReportsCommands } from './reports.command.js';
import { registerRolloutCommands } from './rollout.command.js';
import { registerShadowCommands } from './shadow.command.js';

// The commands of every role (quant, risk, auditor) against a real API (this process, the machine's PostgreSQL),
// with the rollout controller ticked by the test.

const MODULES = [registerDeploymentsCommands, registerPromotionsCommands, registerReportsCommands, registerRolloutCommands, registerShadowCommands];
const MODEL = 'exec-roles';
const DEPLOYMENT = 'desk-roles';
const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };

const clock = new MutableClock();
let t: TestApi;
let author: string;
let requester: string; // quant + risk: may request, never approve its own request
let risk: string;
let auditor: string;
let controller: RolloutController;
let dir: string;
const v = { first: 0, second: 0, candidate: 0 };

const airlock = (key: string, args: string[]) => runAirlock(MODULES, args, { AIRLOCK_URL: t.api.url, AIRLOCK_API_KEY: key, AIRLOCK_CONFIG: join(dir, 'none.json') });
const json = <T = Record<string, unknown>>(out: string) => JSON.parse(out) as T;

async function planFile(name: string, steps: unknown[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ steps, caps: CAPS }));
  return path;
}

/** promote (requester) → approve (risk): the promotion's id. */
async function promoteApproved(version: number, plan: string, model = MODEL, deployment = DEPLOYMENT): Promise<string> {
  const promoted = await airlock(requester, ['promote', model, String(version), '--deployment', deployment, '--plan', plan, '--json']);
  expect(promoted.code).toBe(ExitCode.Ok);
  const id = json<{ id: string }>(promoted.out).id;
  expect((await airlock(risk, ['approve', id, '--comment', 'reviewed'])).code).toBe(ExitCode.Ok);
  return id;
}

beforeAll(async () => {
  t = await startTestApi({}, { clock });
  [author, requester, risk, auditor] = await Promise.all([t.keyWith('quant'), t.keyWith('quant', 'risk'), t.keyWith('risk'), t.keyWith('auditor')]);
  await createModel(t, author, MODEL, 'low');
  let seed = 900;
  for (const [name, status] of [
    ['first', 'shadow-passed'],
    ['second', 'shadow-passed'],
    ['candidate', 'validated'],
  ] as const) {
    v[name] = (await versionWithStatus(t, author, MODEL, (seed += 1), status)).version;
  }
  controller = new RolloutController(t.api.db, clock, { approvalTtlMs: t.config.approvalTtlMs, analysisGraceMs: 1000 });
  dir = await mkdtemp(join(tmpdir(), 'airlock-cli-roles-'));
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('airlock promote, promotions, approve and reject', () => {
  let promotionId: string;

  it('promote → PendingApproval in the risk inbox; the requester may not approve; a risk officer does → Approved', async () => {
    const plan = await planFile('crown.json', [{ setWeight: 100 }]);
    const promoted = await airlock(requester, ['promote', MODEL, String(v.first), '--deployment', DEPLOYMENT, '--plan', plan]);
    expect(promoted.code).toBe(ExitCode.Ok);
    const match = /^promotion (\S+) requested: PendingApproval, needs 1 approval\(s\)/.exec(promoted.out);
    expect(match).not.toBeNull();
    promotionId = match![1]!;
    expect(promoted.out).toMatch(new RegExp(`target\\s+${MODEL} v${v.first} → ${DEPLOYMENT}`));
    expect(promoted.out).toMatch(/approvals\s+0 of 1 required/);
    expect(promoted.out).toContain('no votes yet');

    const inbox = await airlock(risk, ['promotions', 'list', '--phase', 'PendingApproval']);
    expect(inbox.code).toBe(ExitCode.Ok);
    const [header, ...rows] = inbox.out.split('\n');
    expect(header).toMatch(/^id\s+model\s+version\s+deployment\s+tier\s+phase\s+approvals/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${promotionId}\\s+${MODEL}\\s+${v.first}\\s+${DEPLOYMENT}\\s+low\\s+PendingApproval\\s+0/1`));
    const inboxJson = json<{ items: { id: string; phase: string }[] }>((await airlock(risk, ['promotions', 'list', '--phase', 'PendingApproval', '--json'])).out);
    expect(inboxJson.items.map((p) => [p.id, p.phase])).toEqual([[promotionId, 'PendingApproval']]);

    const self = await airlock(requester, ['approve', promotionId, '--comment', 'mine']);
    expect(self.code).toBe(ExitCode.BadInput);
    expect(self.err).toContain('error APPROVAL_SELF');
    const asQuant = await airlock(author, ['approve', promotionId]);
    expect(asQuant.code).toBe(ExitCode.BadInput);
    expect(asQuant.err).toContain('error FORBIDDEN');

    const approved = await airlock(risk, ['approve', promotionId, '--comment', 'looks right']);
    expect(approved.code).toBe(ExitCode.Ok);
    expect(approved.out).toMatch(/^approved by you: 1 of 1 approvals counted, phase Approved\n/);
    expect(approved.out).toMatch(/approve\s+\S+\s+looks right/);

    const shown = json<{ phase: string; validApprovals: number; requiredApprovals: number }>((await airlock(auditor, ['promotions', 'show', promotionId, '--json'])).out);
    expect(shown).toMatchObject({ phase: 'Approved', validApprovals: 1, requiredApprovals: 1 });
    expect((await airlock(risk, ['promotions', 'list', '--phase', 'PendingApproval'])).out).toBe('no promotions PendingApproval');
  });

  it('reject needs a comment; a rejected promotion ends Rejected', async () => {
    const missing = await airlock(risk, ['reject', promotionId]);
    expect(missing.code).toBe(ExitCode.BadInput);
    expect(missing.err).toContain("required option '--comment <text>' not specified");

    const promoted = await airlock(requester, ['promote', MODEL, String(v.second), '--deployment', 'desk-rejected', '--json']);
    const id = json<{ id: string }>(promoted.out).id;
    const rejected = await airlock(risk, ['reject', id, '--comment', 'not this quarter']);
    expect(rejected.code).toBe(ExitCode.Ok);
    expect(rejected.out).toMatch(/^rejected by you: 0 of 1 approvals counted, phase Rejected\n/);

    const badVersion = await airlock(requester, ['promote', MODEL, 'two', '--deployment', DEPLOYMENT]);
    expect([badVersion.code, badVersion.err]).toEqual([ExitCode.BadInput, expect.stringContaining('"two" is not a version number')]);
    const noPlan = await airlock(requester, ['promote', MODEL, String(v.second), '--deployment', DEPLOYMENT, '--plan', join(dir, 'missing.json')]);
    expect([noPlan.code, noPlan.err]).toEqual([ExitCode.BadInput, expect.stringContaining('no such file')]);
  });
});

describe('airlock rollout', () => {
  let rolloutId: string;

  it('status by deployment and by id: phase, step, weight; pause (quant) then abort (risk) → Aborted, exit 1', async () => {
    await controller.tick();
    const crowned = await airlock(auditor, ['rollout', 'status', '--deployment', DEPLOYMENT, '--json']);
    expect(crowned.code).toBe(ExitCode.Ok);
    expect(json(crowned.out)).toMatchObject({ phase: 'Healthy', canaryWeight: 100, deployment: DEPLOYMENT, candidate: { model: MODEL, version: v.first } });

    await promoteApproved(v.second, await planFile('canary.json', [{ setWeight: 10 }, { pause: {} }, { setWeight: 100 }]));
    await controller.tick();
    const status = await airlock(auditor, ['rollout', 'status', '--deployment', DEPLOYMENT]);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.out).toMatch(new RegExp(`candidate\\s+${MODEL} v${v.second}\\n`));
    expect(status.out).toMatch(new RegExp(`stable\\s+${MODEL} v${v.first}\\n`));
    expect(status.out).toMatch(/phase\s+Paused \(step\)/);
    expect(status.out).toMatch(/step\s+2 of 3 \{"pause":\{\}\}/);
    expect(status.out).toMatch(/canary weight\s+10%/);
    rolloutId = /^rollout\s+(\S+)/.exec(status.out)![1]!;

    const paused = await airlock(author, ['rollout', 'pause', rolloutId, '--reason', 'watching slippage']);
    expect(paused.code).toBe(ExitCode.Ok);
    expect(paused.out).toMatch(/pending\s+pause by key:\S+: watching slippage \(next tick\)/);
    await controller.tick();

    const quantAbort = await airlock(author, ['rollout', 'abort', rolloutId]);
    expect([quantAbort.code, quantAbort.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);
    const abort = await airlock(risk, ['rollout', 'abort', rolloutId, '--reason', 'slippage looks off', '--json']);
    expect(abort.code).toBe(ExitCode.Ok);
    expect(json(abort.out)).toMatchObject({ id: rolloutId, pendingCommand: { kind: 'abort', reason: 'slippage looks off' } });
    await controller.tick();

    const aborted = await airlock(auditor, ['rollout', 'status', rolloutId]);
    expect(aborted.code).toBe(ExitCode.Finding);
    expect(aborted.out).toMatch(/phase\s+Aborted/);
    expect(aborted.out).toMatch(/canary weight\s+0%/);
    expect(aborted.out).toMatch(/aborted\s+manual: .*slippage looks off/);

    const finished = await airlock(risk, ['rollout', 'resume', rolloutId]);
    expect([finished.code, finished.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error CONFLICT')]);
    const neither = await airlock(auditor, ['rollout', 'status']);
    expect([neither.code, neither.err]).toEqual([ExitCode.BadInput, expect.stringContaining('give a rollout id or --deployment')]);
    const none = await airlock(auditor, ['rollout', 'status', '--deployment', 'desk-nothing']);
    expect([none.code, none.err]).toEqual([ExitCode.BadInput, expect.stringContaining('has no rollout yet')]);
  });
});

describe('airlock shadow', () => {
  it('start → status (a per-candidate table) → stop; a second stop is a conflict', async () => {
    const started = await airlock(author, ['shadow', 'start', MODEL, '--candidates', String(v.candidate), '--deployment', DEPLOYMENT, '--orders', '50', '--min-orders', '10']);
    expect(started.code).toBe(ExitCode.Ok);
    const id = started.out.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(started.err).toContain(`airlock shadow status ${id}`);

    const status = await airlock(auditor, ['shadow', 'status', id]);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.out).toMatch(/phase\s+Running\n/);
    expect(status.out).toMatch(/policy\s+50 orders, verdict from 10/);
    expect(status.out).toMatch(/candidate\s+decisions\s+divergence\s+IS delta bps\s+invalid\s+latency p99 ms\s+verdict/);
    expect(status.out).toMatch(new RegExp(`v${v.candidate}\\s+0\\s+—\\s+—\\s+—\\s+—\\s+—`));
    const asJson = json<{ policy: { orders: number; minOrders: number }; candidates: { version: number; verdict: null }[] }>((await airlock(auditor, ['shadow', 'status', id, '--json'])).out);
    expect(asJson.policy).toMatchObject({ orders: 50, minOrders: 10 });
    expect(asJson.candidates).toEqual([expect.objectContaining({ version: v.candidate, verdict: null })]);

    const stopped = await airlock(author, ['shadow', 'stop', id]);
    expect(stopped.code).toBe(ExitCode.Ok);
    expect(stopped.out).toBe(`stop of shadow ${id} requested (phase Running); the runner ends it at its next checkpoint`);
    expect((await airlock(auditor, ['shadow', 'status', id])).out).toMatch(/phase\s+Running \(stop requested\)/);
    const again = await airlock(author, ['shadow', 'stop', id]);
    expect([again.code, again.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error CONFLICT')]);

    // The runner ends it with a verdict: needs-review is a finding (exit 1).
    const runner = new ShadowService(t.api.db, () => new Date(), t.api.store);
    expect(await runner.complete(id, { phase: 'Completed', verdicts: { [`${MODEL}@${v.candidate}`]: { verdict: 'needs-review', gates: [] } } })).toBe(true);
    const done = await airlock(auditor, ['shadow', 'status', id]);
    expect(done.code).toBe(ExitCode.Finding);
    expect(done.out).toMatch(/phase\s+Completed\n/);
    expect(done.out).toMatch(new RegExp(`v${v.candidate}\\s+0\\s+—\\s+—\\s+—\\s+—\\s+needs-review`));

    const bad = await airlock(author, ['shadow', 'start', MODEL, '--candidates', 'two', '--deployment', DEPLOYMENT]);
    expect([bad.code, bad.err]).toEqual([ExitCode.BadInput, expect.stringContaining('must be version numbers separated by commas')]);
    const registered = await airlock(author, ['shadow', 'start', MODEL, '--candidates', String(v.first), '--deployment', 'desk-none']);
    expect(registered.code).toBe(ExitCode.BadInput);
    expect(registered.err).toMatch(/^error [A-Z_]+: /);
  });
});

describe('airlock kill and resume-deployment', () => {
  it('kill (risk) routes all flow to stable; resume-deployment lifts it; a quant may not', async () => {
    const quant = await airlock(author, ['kill', DEPLOYMENT, '--reason', 'test']);
    expect([quant.code, quant.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);

    const killed = await airlock(risk, ['kill', DEPLOYMENT, '--reason', 'erratic fills', '--mode', 'stable']);
    expect(killed.code).toBe(ExitCode.Ok);
    expect(killed.out).toMatch(new RegExp(`^killed ${DEPLOYMENT} \\(stable\\)\\n`));
    expect(killed.out).toMatch(new RegExp(`stable\\s+${MODEL} v${v.first} `));
    expect(killed.out).toMatch(/canary\s+—/);
    expect(killed.out).toMatch(/kill\s+stable: erratic fills/);
    const routing = (await t.call('GET', `/v1/deployments/${DEPLOYMENT}/routing`, { key: risk })).body;
    expect(routing).toMatchObject({ canary: null, canaryWeight: 0, kill: { reason: 'erratic fills', mode: 'stable' } });

    const resumed = await airlock(risk, ['resume-deployment', DEPLOYMENT, '--reason', 'fills normal', '--json']);
    expect(resumed.code).toBe(ExitCode.Ok);
    expect(json(resumed.out)).toMatchObject({ deployment: DEPLOYMENT, kill: null, halted: false, stable: { model: MODEL, version: v.first } });

    const badMode = await airlock(risk, ['kill', DEPLOYMENT, '--reason', 'x', '--mode', 'pause']);
    expect(badMode.code).toBe(ExitCode.BadInput);
    const unknown = await airlock(risk, ['kill', 'desk-nothing', '--reason', 'x']);
    expect([unknown.code, unknown.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error NOT_FOUND')]);
  });
});

describe('a live rollout: resume, promote-full, kill --mode halt', () => {
  // A model and deployment of their own, so the reports below still see DEPLOYMENT as the tests above left it.
  const LIVE_MODEL = 'exec-live';
  const LIVE = 'desk-live';
  const lv = { stable: 0, canary: 0, next: 0 };
  let rolloutId: string;
  const rolloutById = async (id: string) => (await t.call('GET', `/v1/rollouts/${id}`, { key: auditor })).body;
  const routing = async () => (await t.call('GET', `/v1/deployments/${LIVE}/routing`, { key: auditor })).body;
  /** promote → approve → tick, a second later than the last (the test clock stands still, and `--deployment` picks the newest rollout). */
  const startRollout = async (version: number, planName: string, steps: unknown[]) => {
    clock.advanceMs(1000);
    await promoteApproved(version, await planFile(planName, steps), LIVE_MODEL, LIVE);
    await controller.tick();
  };

  beforeAll(async () => {
    await createModel(t, author, LIVE_MODEL, 'low');
    let seed = 950;
    for (const name of ['stable', 'canary', 'next'] as const) lv[name] = (await versionWithStatus(t, author, LIVE_MODEL, (seed += 1), 'shadow-passed')).version;
    await startRollout(lv.stable, 'live-crown.json', [{ setWeight: 100 }]);
    expect(await routing()).toMatchObject({ stable: { model: LIVE_MODEL, version: lv.stable }, canary: null, halted: false });
  }, 60_000);

  it('resume of a rollout held at a pause step: refused to a quant; risk resumes → the next tick moves it to the next weight', async () => {
    await startRollout(lv.canary, 'live-canary.json', [{ setWeight: 10 }, { pause: {} }, { setWeight: 40 }, { pause: {} }, { setWeight: 100 }]);
    const live = json<{ id: string }>((await airlock(auditor, ['rollout', 'status', '--deployment', LIVE, '--json'])).out);
    rolloutId = live.id;
    expect(live).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 10, pause: { kind: 'step' }, candidate: { model: LIVE_MODEL, version: lv.canary } });
    expect(await routing()).toMatchObject({ stable: { version: lv.stable }, canary: { model: LIVE_MODEL, version: lv.canary }, canaryWeight: 10 });

    const asQuant = await airlock(author, ['rollout', 'resume', rolloutId]);
    expect(asQuant.code).toBe(ExitCode.BadInput);
    expect(asQuant.err).toContain('error FORBIDDEN: this action needs one of the roles: risk, admin');
    expect(asQuant.err).toContain('hint: the key is valid but its roles may not do this; it needs one of: risk, admin');
    expect(await rolloutById(rolloutId)).toMatchObject({ pendingCommand: null });

    const resumed = await airlock(risk, ['rollout', 'resume', rolloutId, '--reason', 'fills look normal']);
    expect(resumed.code).toBe(ExitCode.Ok);
    expect(resumed.err).toBe('');
    expect(resumed.out).toMatch(new RegExp(`^resume of rollout ${rolloutId} recorded; the controller applies it on its next tick\\n`));
    expect(resumed.out).toMatch(/phase\s+Paused \(step\)\n/);
    expect(resumed.out).toMatch(/canary weight\s+10%\n/);
    expect(resumed.out).toMatch(/pending\s+resume by key:\S+: fills look normal \(next tick\)/);
    // One command at a time: a second one before the tick is refused, and nothing moved yet.
    const again = await airlock(risk, ['rollout', 'resume', rolloutId]);
    expect([again.code, again.err]).toEqual([ExitCode.BadInput, expect.stringContaining("error CONFLICT: a resume command is waiting for the controller's next tick")]);
    expect(await rolloutById(rolloutId)).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 10, pendingCommand: { kind: 'resume', reason: 'fills look normal' } });

    await controller.tick();
    expect(await rolloutById(rolloutId)).toMatchObject({ phase: 'Paused', step: 3, canaryWeight: 40, pause: { kind: 'step' }, pendingCommand: null });
    expect(await routing()).toMatchObject({ stable: { version: lv.stable }, canary: { version: lv.canary }, canaryWeight: 40, halted: false });
    const status = await airlock(auditor, ['rollout', 'status', rolloutId]);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.out).toMatch(/phase\s+Paused \(step\)\n/);
    expect(status.out).toMatch(/step\s+4 of 5 \{"pause":\{\}\}\n/);
    expect(status.out).toMatch(/canary weight\s+40%/);
    expect(status.out).not.toContain('pending');

    const unknown = await airlock(risk, ['rollout', 'resume', '00000000-0000-4000-8000-000000000000']);
    expect([unknown.code, unknown.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error NOT_FOUND')]);
  });

  it('promote-full: a quant key is refused (403 → exit 2); risk skips the remaining steps → Healthy, the candidate stable; a finished rollout has nothing to resume', async () => {
    const asQuant = await airlock(author, ['rollout', 'promote-full', rolloutId, '--reason', 'impatient']);
    expect(asQuant.code).toBe(ExitCode.BadInput);
    expect(asQuant.out).toBe('');
    expect(asQuant.err).toContain('error FORBIDDEN: this action needs one of the roles: risk, admin');
    const asAuditor = await airlock(auditor, ['rollout', 'promote-full', rolloutId]);
    expect([asAuditor.code, asAuditor.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);
    expect(await rolloutById(rolloutId)).toMatchObject({ phase: 'Paused', canaryWeight: 40, pendingCommand: null });

    const full = await airlock(risk, ['rollout', 'promote-full', rolloutId, '--reason', 'canary clean for a week']);
    expect(full.code).toBe(ExitCode.Ok);
    expect(full.out).toMatch(new RegExp(`^promote-full of rollout ${rolloutId} recorded; the controller applies it on its next tick\\n`));
    expect(full.out).toMatch(/pending\s+promoteFull by key:\S+: canary clean for a week \(next tick\)/);
    expect(await routing()).toMatchObject({ canary: { version: lv.canary }, canaryWeight: 40 });

    await controller.tick();
    const done = await rolloutById(rolloutId);
    expect(done).toMatchObject({ phase: 'Healthy', step: 5, steps: 5, canaryWeight: 100, pendingCommand: null, abort: null });
    expect(done.finishedAt).not.toBeNull();
    expect(await routing()).toMatchObject({ stable: { model: LIVE_MODEL, version: lv.canary }, canary: null, canaryWeight: 0, halted: false, kill: null });
    const status = await airlock(auditor, ['rollout', 'status', '--deployment', LIVE]);
    expect(status.code).toBe(ExitCode.Ok);
    expect(status.out).toMatch(new RegExp(`^rollout\\s+${rolloutId}\\n`));
    expect(status.out).toMatch(/phase\s+Healthy\n/);
    expect(status.out).toMatch(/step\s+5 of 5 \(all done\)\n/);
    expect(status.out).toMatch(/canary weight\s+100%/);
    expect(status.out).toMatch(/finished\s+\S+/);

    // Not paused (finished): resume and another promote-full are conflicts, exit 2.
    const resume = await airlock(risk, ['rollout', 'resume', rolloutId]);
    expect([resume.code, resume.out, resume.err]).toEqual([ExitCode.BadInput, '', expect.stringContaining('error CONFLICT: the rollout is Healthy: nothing to resume')]);
    const twice = await airlock(risk, ['rollout', 'promote-full', rolloutId, '--json']);
    expect([twice.code, twice.out, twice.err]).toEqual([ExitCode.BadInput, '', expect.stringContaining('error CONFLICT: the rollout is Healthy')]);
  });

  it('resume of a live rollout that is not paused (Progressing, measuring): refused with CONFLICT, exit 2, nothing queued', async () => {
    await startRollout(lv.next, 'live-next.json', [{ setWeight: 20 }, { analysis: { templates: ['execution-quality'] } }, { setWeight: 100 }]);
    const live = json<{ id: string; promotionId: string }>((await airlock(auditor, ['rollout', 'status', '--deployment', LIVE, '--json'])).out);
    expect(live).toMatchObject({ phase: 'Progressing', step: 1, canaryWeight: 20, pause: null, candidate: { version: lv.next } });
    rolloutId = live.id;

    const resumed = await airlock(risk, ['rollout', 'resume', rolloutId, '--json']);
    expect([resumed.code, resumed.out, resumed.err]).toEqual([ExitCode.BadInput, '', expect.stringContaining('error CONFLICT: the rollout is Progressing, not paused: nothing to resume')]);
    expect(await rolloutById(rolloutId)).toMatchObject({ phase: 'Progressing', step: 1, canaryWeight: 20, pendingCommand: null });
    await controller.tick();
    expect(await routing()).toMatchObject({ canary: { version: lv.next }, canaryWeight: 20, halted: false });
    const audit = (await t.call('GET', `/v1/audit?subject=promotion:${live.promotionId}`, { key: auditor })).body as { items: { action: string }[] };
    expect(audit.items.map((e) => e.action)).not.toContain('rollout.command.resume');
  });

  it('kill --mode halt (risk): the canary is dropped and nothing is routed; the rollout ends Aborted (killed); resume-deployment lifts the halt', async () => {
    const live = await rolloutById(rolloutId);
    expect(live).toMatchObject({ phase: 'Progressing', canaryWeight: 20, candidate: { version: lv.next } });
    const before = await routing();
    expect(before).toMatchObject({ stable: { version: lv.canary }, canary: { version: lv.next }, canaryWeight: 20, halted: false });

    const asQuant = await airlock(author, ['kill', LIVE, '--reason', 'venue outage', '--mode', 'halt']);
    expect([asQuant.code, asQuant.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);
    expect(await routing()).toMatchObject({ revision: before.revision, halted: false, canaryWeight: 20 });

    const killed = await airlock(risk, ['kill', LIVE, '--reason', 'venue outage', '--mode', 'halt']);
    expect(killed.code).toBe(ExitCode.Ok);
    expect(killed.out).toMatch(new RegExp(`^killed ${LIVE} \\(halt\\)\\n`));
    expect(killed.out).toMatch(new RegExp(`stable\\s+${LIVE_MODEL} v${lv.canary} `));
    expect(killed.out).toMatch(/canary\s+—\n/);
    expect(killed.out).toMatch(/halted\s+yes: no flow is routed\n/);
    expect(killed.out).toMatch(/kill\s+halt: venue outage \(/);
    expect(killed.out).toMatch(new RegExp(`revision\\s+${before.revision + 1}\\n`));
    const halted = await routing();
    expect(halted).toMatchObject({ halted: true, canary: null, canaryWeight: 0, stable: { version: lv.canary }, kill: { mode: 'halt', reason: 'venue outage' }, revision: before.revision + 1 });

    // The controller's next tick ends the rollout against the kill, and routes nothing back.
    await controller.tick();
    expect(await rolloutById(live.id)).toMatchObject({ phase: 'Aborted', canaryWeight: 0, abort: { reason: 'killed' } });
    expect(await routing()).toMatchObject({ halted: true, canary: null, canaryWeight: 0 });
    const status = await airlock(auditor, ['rollout', 'status', live.id]);
    expect(status.code).toBe(ExitCode.Finding);
    expect(status.out).toMatch(new RegExp(`aborted\\s+killed: deployment ${LIVE} was halted by key:\\S+: venue outage`));
    const resumeRollout = await airlock(risk, ['rollout', 'resume', live.id]);
    expect([resumeRollout.code, resumeRollout.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error CONFLICT: the rollout is Aborted')]);

    const quantResume = await airlock(author, ['resume-deployment', LIVE]);
    expect([quantResume.code, quantResume.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);
    const resumed = await airlock(risk, ['resume-deployment', LIVE, '--reason', 'venue back']);
    expect(resumed.code).toBe(ExitCode.Ok);
    expect(resumed.out).toMatch(new RegExp(`^resumed ${LIVE}\\n`));
    expect(resumed.out).toMatch(/halted\s+no\n/);
    expect(resumed.out).toMatch(/kill\s+—\n/);
    expect(resumed.out).toMatch(/canary\s+—\n/);
    // The halt is lifted; the canary is not restored (a new rollout brings one back).
    expect(await routing()).toMatchObject({ halted: false, kill: null, canary: null, canaryWeight: 0, stable: { version: lv.canary }, revision: halted.revision + 1 });

    const notKilled = await airlock(risk, ['resume-deployment', LIVE]);
    expect([notKilled.code, notKilled.out, notKilled.err]).toEqual([ExitCode.BadInput, '', expect.stringContaining('error DEPLOYMENT_NOT_KILLED')]);
    const noReason = await airlock(risk, ['kill', LIVE, '--mode', 'halt']);
    expect([noReason.code, noReason.err]).toEqual([ExitCode.BadInput, expect.stringContaining("required option '--reason <text>' not specified")]);
    expect(await routing()).toMatchObject({ halted: false, kill: null });
  });
});

describe('airlock report, inventory and evidence-pack', () => {
  it('report: JSON on stdout, HTML and PDF written to files', async () => {
    const report = await airlock(auditor, ['report', MODEL, String(v.first)]);
    expect(report.code).toBe(ExitCode.Ok);
    expect(json<{ identity: { model: string; version: number } }>(report.out).identity).toMatchObject({ model: MODEL, version: v.first });

    const html = join(dir, 'report.html');
    const wroteHtml = await airlock(auditor, ['report', MODEL, String(v.first), '--format', 'html', '--out', html]);
    expect(wroteHtml.code).toBe(ExitCode.Ok);
    expect(wroteHtml.err).toMatch(/^wrote .*report\.html \(/);
    const page = await readFile(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain(MODEL);

    const pdf = join(dir, 'report.pdf');
    const wrotePdf = await airlock(auditor, ['report', MODEL, String(v.first), '--format', 'pdf', '--out', pdf]);
    expect(wrotePdf.code).toBe(ExitCode.Ok);
    const bytes = await readFile(pdf);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.byteLength).toBeGreaterThan(1000);

    const noOut = await airlock(auditor, ['report', MODEL, String(v.first), '--format', 'pdf']);
    expect([noOut.code, noOut.err]).toEqual([ExitCode.BadInput, expect.stringContaining('a pdf report needs --out')]);
    const missing = await airlock(auditor, ['report', MODEL, '99', '--format', 'html', '--out', join(dir, 'x.html')]);
    expect([missing.code, missing.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error NOT_FOUND')]);
  }, 120_000);

  it('inventory: a table by default, CSV to a file; quants may not read it', async () => {
    const inventory = await airlock(auditor, ['inventory']);
    expect(inventory.code).toBe(ExitCode.Ok);
    expect(inventory.out).toMatch(/^deployment\s+role\s+weight\s+model\s+version\s+status/);
    expect(inventory.out).toMatch(new RegExp(`${DEPLOYMENT}\\s+stable\\s+${MODEL}\\s+${v.first}\\s+champion`));

    const csv = join(dir, 'inventory.csv');
    expect((await airlock(auditor, ['inventory', '--format', 'csv', '--out', csv])).code).toBe(ExitCode.Ok);
    const lines = (await readFile(csv, 'utf8')).trim().split(/\r?\n/);
    expect(lines[0]).toContain('deployment');
    expect(lines.some((l) => l.includes(DEPLOYMENT) && l.includes(MODEL))).toBe(true);

    const quant = await airlock(author, ['inventory']);
    expect([quant.code, quant.err]).toEqual([ExitCode.BadInput, expect.stringContaining('error FORBIDDEN')]);
  });

  it('evidence-pack: a zip with a manifest; a bad date is exit 2', async () => {
    const day = (offset: number) => new Date(clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const out = join(dir, 'pack.zip');
    const pack = await airlock(auditor, ['evidence-pack', '--from', day(-1), '--to', day(1), '--out', out]);
    expect(pack.code).toBe(ExitCode.Ok);
    const bytes = await readFile(out);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    const names = Object.keys(unzipSync(new Uint8Array(bytes)));
    expect(names.length).toBeGreaterThan(1);
    expect(names.some((n) => /manifest/i.test(n))).toBe(true);

    const bad = await airlock(auditor, ['evidence-pack', '--from', 'yesterday', '--to', day(1), '--out', out]);
    expect([bad.code, bad.err]).toEqual([ExitCode.BadInput, expect.stringContaining('"yesterday" is not a date')]);
  });
});
