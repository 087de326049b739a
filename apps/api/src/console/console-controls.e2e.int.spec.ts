import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RolloutController } from '@airlock/promotion';
import type { Page } from 'playwright-core';
import { openConsoleBrowser, type ConsoleBrowser } from '../testing/console-browser.js';
import { startTestApi, type Json, type TestApi } from '../testing/api-harness.js';
import { createModel, versionWithStatus } from '../testing/promotion-fixtures.js';

// The console's controls in a real browser (Debian's Chromium driven by playwright-core): Reject in the approvals
// inbox, and Pause / Resume / Abort / Kill on the live rollout view. No live flow is needed: every rollout here
// waits at an indefinite plan pause (`pause: {}`), so the rollout controller only has to tick, by hand as in
// promotion/rollouts.int.spec.ts, while the page polls. Screenshots go to test-output/console/ (20-…).

const MODEL = 'exec-ctl';
const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] };
/** 10% → wait for a human → 50% → wait for a human → 100%. */
const MANUAL_PLAN = [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }];

let t: TestApi;
let quant: string;
let risk: string;
let controller: RolloutController;
let cb: ConsoleBrowser;
let page: Page;
let console_: string;
let seed = 500;
/** The rollout on `pause-desk`, waiting at its first indefinite pause. */
let pausedId: string;
const shot = (name: string) => cb.shot(name);
const expectVisible = (locator: ReturnType<Page['locator']>, timeout?: number) => cb.expectVisible(locator, timeout);
const routing = async (deployment: string): Promise<Json> => (await t.call('GET', `/v1/deployments/${deployment}/routing`, { key: quant })).body;
const rollout = async (id: string): Promise<Json> => (await t.call('GET', `/v1/rollouts/${id}`, { key: quant })).body;

/** A fresh shadow-passed version of MODEL, requested (as the quant) for `deployment`; the PendingApproval promotion. */
async function requested(deployment: string, steps: unknown[]): Promise<Json> {
  const version = await versionWithStatus(t, quant, MODEL, (seed += 1), 'shadow-passed');
  const created = await t.call('POST', '/v1/promotions', { key: quant, json: { model: MODEL, version: version.version, deployment, plan: { steps, caps: CAPS } } });
  expect(created.status).toBe(201);
  return created.body;
}

/** Requested and approved (a `low` tier: one risk vote), then one tick: the rollout as the controller left it. */
async function rolledOut(deployment: string, steps: unknown[]): Promise<Json> {
  const promotion = await requested(deployment, steps);
  const vote = await t.call('POST', `/v1/promotions/${promotion.id}/approvals`, { key: risk, json: { decision: 'approve', comment: 'ok' } });
  expect(vote.body.phase).toBe('Approved');
  await controller.tick();
  const page = await t.call('GET', `/v1/rollouts?deployment=${deployment}`, { key: quant });
  return (page.body.items as Json[]).find((r) => r.promotionId === promotion.id);
}

/** A deployment with a stable version live on it and a candidate's rollout waiting at its first `pause: {}` (10%). */
async function pausedRollout(deployment: string): Promise<Json> {
  expect((await rolledOut(deployment, [{ setWeight: 100 }])).phase).toBe('Healthy');
  const paused = await rolledOut(deployment, MANUAL_PLAN);
  expect(paused).toMatchObject({ phase: 'Paused', step: 1, canaryWeight: 10, pause: { kind: 'step', until: null } });
  return paused;
}

async function signIn(key: string): Promise<void> {
  await cb.signIn(key);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Opens a rollout's live view (a hash route: the page is not reloaded) and waits for its first poll. */
async function openRollout(id: string): Promise<void> {
  await page.goto(`${console_}#/rollouts/${id}`);
  await expectVisible(page.getByRole('heading', { level: 1, name: /^Rollout of / }));
  await expectVisible(page.getByTestId('rollout-phase'));
}

beforeAll(async () => {
  t = await startTestApi();
  [quant, risk] = await Promise.all([t.keyWith('quant'), t.keyWith('risk')]);
  await createModel(t, quant, MODEL, 'low');
  // The real clock: an indefinite pause needs no time moved, and real timestamps keep the weight chart true to the page's.
  controller = new RolloutController(t.api.db, { now: () => new Date() }, { approvalTtlMs: t.config.approvalTtlMs });
  console_ = `${t.api.url}/console/`;
  cb = await openConsoleBrowser();
  page = cb.page;
  await page.goto(console_);
}, 120_000);

afterAll(async () => {
  await cb?.close();
  await t?.close();
});

describe('web console controls in Chromium', () => {
  it('rejecting in the inbox: without a comment the API’s problem is shown and nothing is recorded; with one, Rejected', async () => {
    const promotion = await requested('reject-desk', [{ setWeight: 100 }]);
    await signIn(risk);
    await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const card = page.getByRole('region', { name: `${MODEL} v${promotion.version} → reject-desk` });
    await expectVisible(card.getByRole('button', { name: 'Reject' }));

    await card.getByRole('button', { name: 'Reject' }).click();
    const alert = page.getByRole('alert');
    await expectVisible(alert.getByText('VALIDATION_FAILED'));
    expect(await alert.textContent()).toContain('a rejection needs a comment');
    expect(await alert.textContent()).toContain('comment: required when rejecting');
    expect(await card.getByRole('button', { name: 'Reject' }).isEnabled()).toBe(true);
    expect(await card.getByTestId('promotion-phase').textContent()).toBe('PendingApproval');
    const untouched = (await t.call('GET', `/v1/promotions/${promotion.id}`, { key: risk })).body;
    expect(untouched).toMatchObject({ phase: 'PendingApproval', approvals: [] });
    await shot('20-reject-without-comment');

    // Keyboard only: the comment, then Tab past Approve to Reject, Enter.
    await card.getByLabel('Comment (required to reject)').focus();
    await page.keyboard.type('Slippage evidence is thin: please rerun shadow on the volatile days.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | null>('document.activeElement?.textContent ?? null')).toBe('Reject');
    await page.keyboard.press('Enter');
    await expectVisible(card.getByTestId('promotion-phase').getByText('Rejected'));
    await expectVisible(page.getByRole('status').getByText(`Promotion ${MODEL} v${promotion.version}: Rejected.`));
    expect(await page.locator('#alerts').textContent()).toBe('');
    expect(await card.getByRole('table', { name: 'Votes' }).textContent()).toContain('Slippage evidence is thin');
    const rejected = (await t.call('GET', `/v1/promotions/${promotion.id}`, { key: risk })).body;
    expect(rejected.phase).toBe('Rejected');
    expect(rejected.approvals).toEqual([expect.objectContaining({ decision: 'reject', comment: 'Slippage evidence is thin: please rerun shadow on the volatile days.' })]);
    await shot('21-rejected');
  });

  it('a rollout waiting at a plan pause: the quant may pause (not now: it is paused) but neither resume, abort nor kill', async () => {
    pausedId = (await pausedRollout('pause-desk')).id as string;
    await signIn(quant);
    await openRollout(pausedId);
    await expectVisible(page.getByTestId('canary-weight').getByText('10%'));
    await expectVisible(page.getByText('2 of 5: pause (until resumed)'));
    await expectVisible(page.getByText('plan pause: until someone resumes it'));
    expect(await page.getByRole('button', { name: 'Pause' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    for (const name of ['Resume', 'Abort rollout', 'Kill deployment']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await shot('22-quant-paused-rollout');
  });

  it('as risk: Resume with a reason moves the rollout on (no reload); Abort with a reason ends it Aborted (manual), canary routed out', async () => {
    await signIn(risk);
    await openRollout(pausedId);
    const resume = page.getByRole('button', { name: 'Resume' });
    expect(await resume.isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Pause' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Kill deployment' }).count()).toBe(1);
    await shot('23-risk-paused-rollout');

    await page.getByLabel(/^Reason/).fill('10% canary looks fine');
    await resume.click();
    await expectVisible(page.getByRole('status').getByText('Resume: sent.'));
    await expectVisible(page.getByText(/^resume by test-risk · key:\S+ \(you\)/));
    expect((await rollout(pausedId)).pendingCommand).toMatchObject({ kind: 'resume', reason: '10% canary looks fine' });
    await shot('24-resume-pending');
    // The controller's next tick applies it; the page (not reloaded) follows by polling.
    await controller.tick();
    await expectVisible(page.getByTestId('canary-weight').getByText('50%'));
    await expectVisible(page.getByText('4 of 5: pause (until resumed)'));
    await expectVisible(page.getByRole('img', { name: 'Stable 50%, canary 50%' }));
    expect(await page.getByRole('img', { name: /^Canary weight over time/ }).getAttribute('aria-label')).toBe('Canary weight over time: 0%, 10%, 50%');
    expect(await rollout(pausedId)).toMatchObject({ phase: 'Paused', step: 3, canaryWeight: 50, pendingCommand: null });
    await shot('25-resumed-next-step');

    await page.getByLabel(/^Reason/).fill('desk asked to stop at 50%');
    await page.getByRole('button', { name: 'Abort rollout' }).click();
    await expectVisible(page.getByRole('status').getByText('Abort rollout: sent.'));
    await controller.tick();
    await expectVisible(page.getByTestId('rollout-phase').getByText('Aborted'));
    expect(await page.getByTestId('abort').textContent()).toMatch(/^Aborted \(manual\): .*desk asked to stop at 50%/);
    await expectVisible(page.getByRole('img', { name: 'Stable 100%, canary 0%' }));
    for (const name of ['Pause', 'Resume', 'Abort rollout']) expect(await page.getByRole('button', { name }).isDisabled()).toBe(true);
    expect(await routing('pause-desk')).toMatchObject({ canary: null, canaryWeight: 0, halted: false });
    expect((await rollout(pausedId)).abort).toMatchObject({ reason: 'manual' });
    await shot('26-aborted-manual');
  });

  it('as risk on another deployment: Kill without a reason is refused and changes nothing; Kill (halt) with a reason halts it', async () => {
    const paused = await pausedRollout('kill-desk');
    const before = await routing('kill-desk');
    expect(before).toMatchObject({ halted: false, kill: null, canaryWeight: 10 });
    await openRollout(paused.id);
    await page.getByLabel('Kill mode').selectOption('halt');
    await page.getByLabel(/^Reason/).fill('   ');
    await page.getByRole('button', { name: 'Kill deployment' }).click();
    const alert = page.getByRole('alert');
    await expectVisible(alert.getByText('a kill needs a reason'));
    expect(await alert.textContent()).toContain('reason: required: write why the deployment is killed');
    expect(await page.getByLabel(/^Reason/).getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate<string | null>('document.activeElement?.id ?? null')).toBe('control-reason');
    expect(await routing('kill-desk')).toEqual(before);
    const kills = (await t.call('GET', '/v1/audit?subject=deployment:kill-desk&limit=500')).body.items as Json[];
    expect(kills.filter((e) => e.action === 'deployment.killed')).toEqual([]);
    await shot('27-kill-without-reason');

    await page.getByLabel(/^Reason/).fill('venue outage: stop all model flow');
    await page.getByRole('button', { name: 'Kill deployment' }).click();
    await expectVisible(page.getByRole('status').getByText('Kill deployment: sent.'));
    expect(await page.locator('#alerts').textContent()).toBe('');
    expect(await page.getByLabel(/^Reason/).getAttribute('aria-invalid')).toBeNull();
    await expectVisible(page.getByText(/HALTED \(kill switch\) — killed by test-risk · key:\S+ \(you\): venue outage: stop all model flow/));
    await expectVisible(page.getByRole('img', { name: 'Halted: no model trades' }));
    expect(await routing('kill-desk')).toMatchObject({ halted: true, canary: null, kill: { mode: 'halt', reason: 'venue outage: stop all model flow' } });
    // The kill switch wins: the controller's next tick ends the rollout, and the page shows it.
    await controller.tick();
    await expectVisible(page.getByTestId('rollout-phase').getByText('Aborted'));
    expect(await page.getByTestId('abort').textContent()).toMatch(/^Aborted \(killed\)/);
    await shot('28-killed-halted');
    expect(cb.scriptErrors).toEqual([]);
  });
});

/** Waits for a locator to be visible (playwright-core has no `expect`; this fails the test with Playwright's message). */
