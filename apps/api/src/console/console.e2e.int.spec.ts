import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ShadowService } from '@airlock/shadow';
import type { Page } from 'playwright-core';
import { openConsoleBrowser, type ConsoleBrowser } from '../testing/console-browser.js';
import { DAYS, GOOD, IDLE, settled, startLiveRollout, type LiveRolloutFixture } from '../testing/live-rollout-fixture.js';

// The web console in a real browser (Debian's Chromium driven by playwright-core) against a real API on the
// machine's PostgreSQL, with live flow on NATS, the shadow runner and the rollout controller ticking
// (testing/live-rollout-fixture.ts): sign-in, the approvals inbox and its four-eyes rules, a rollout watched to
// Healthy and another watched being rolled back. Screenshots of every step go to test-output/console/.

const ANALYSIS = { analysis: { templates: ['execution-quality'] } };
const PAUSE = { pause: { durationSeconds: 1 } };
const GOOD_PLAN = [{ setWeight: 1 }, PAUSE, { setWeight: 5 }, PAUSE, { setWeight: 25 }, ANALYSIS, { setWeight: 50 }, ANALYSIS, { setWeight: 100 }];

let fx: LiveRolloutFixture;
let cb: ConsoleBrowser;
let page: Page;
let console_: string;
/** The never-trading version, registered once (the same bytes again would be the same version). */
let idleVersion: number;
const shot = (name: string) => cb.shot(name);
const signIn = (key: string) => cb.signIn(key);
const expectVisible = (locator: ReturnType<Page['locator']>, timeout?: number) => cb.expectVisible(locator, timeout);

/** Interactive elements without an accessible name, from Chromium's accessibility tree (Playwright's aria snapshot). */
async function unnamedControls(): Promise<string[]> {
  const tree = await page.locator('body').ariaSnapshot();
  return tree.split('\n').filter((line) => /^\s*- (textbox|button|combobox|checkbox|radio|link)(?! ")/.test(line));
}

// Browser-side code is passed as strings: this project compiles without the DOM library (it is Node code).
/** Form fields with no <label>, aria-label or aria-labelledby (checked in the DOM, beside the tree). */
const unlabelledFields = () =>
  page.evaluate<string[]>(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML)`);
const focused = () => page.evaluate<{ text: string | null; outline: string }>(`({ text: document.activeElement?.textContent ?? null, outline: getComputedStyle(document.activeElement).outlineStyle })`);

beforeAll(async () => {
  fx = await startLiveRollout('high');
  console_ = `${fx.t.api.url}/console/`;
  cb = await openConsoleBrowser();
  page = cb.page;
}, 180_000);

afterAll(async () => {
  await cb?.close();
  await fx?.close();
});

describe('web console in Chromium', () => {
  it('signing in: a bad key shows the API’s problem in the alert region; landmarks and labels are there', async () => {
    await page.goto(`${fx.t.api.url}/console`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Sign in to Airlock' }));
    for (const landmark of ['banner', 'main', 'contentinfo'] as const) expect(await page.getByRole(landmark).count()).toBe(1);
    expect(await page.getByLabel('API key').getAttribute('type')).toBe('password');
    await signIn('ak_wrong-key-000000000000');
    const alert = page.getByRole('alert');
    await expectVisible(alert.getByText('UNAUTHENTICATED'));
    expect(await alert.textContent()).toContain('the API key is unknown or revoked');
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
    expect(await unnamedControls()).toEqual([]);
    await shot('01-sign-in-bad-key');
  });

  it('a quant key sees the inventory and the inbox but no Approve or Kill buttons (by role)', async () => {
    await signIn(fx.quant);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'Model inventory' }));
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
    await expectVisible(page.getByRole('link', { name: 'exec v1' }).first());
    await shot('02-quant-inventory');
    const good = await fx.register(GOOD);
    const pending = await fx.request(good.version, GOOD_PLAN);
    await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const card = page.getByRole('region', { name: `exec v${good.version} → desk` });
    await expectVisible(card.getByText('Only risk officers vote on promotions.'));
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await shot('03-quant-inbox-no-vote');
    // The stable's rollout (Healthy): the quant may pause (harmless, disabled now) but neither abort nor kill.
    await page.getByRole('navigation').getByRole('link', { name: 'Rollouts' }).click();
    await page.getByRole('link', { name: 'exec v1' }).click();
    await expectVisible(page.getByTestId('rollout-phase').getByText('Healthy'));
    expect(await page.getByRole('button', { name: 'Kill deployment' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Abort rollout' }).count()).toBe(0);
    await shot('04-quant-rollout-no-kill');
    await fx.t.call('POST', `/v1/promotions/${pending.id}/approvals`, { key: fx.risks[1], json: { decision: 'approve', comment: 'first of two (API)' } });
  });

  it('approving in the inbox: the four-eyes rules are shown, the requester cannot approve, a risk officer approves by keyboard', async () => {
    // A key that is both quant and risk, and requested this promotion: it sees the vote disabled, with the reason.
    const dual = await fx.t.keyWith('quant', 'risk');
    const inbox = await fx.t.call('GET', '/v1/promotions?phase=PendingApproval', { key: dual });
    const promotion = inbox.body.items[0];
    expect(promotion).toMatchObject({ requiredApprovals: 2, validApprovals: 1 });
    const own = await fx.register(IDLE);
    idleVersion = own.version;
    const mine = await fx.request(own.version, [{ setWeight: 25 }, ANALYSIS, { setWeight: 100 }], dual);
    await signIn(dual);
    await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const mineCard = page.getByRole('region', { name: `exec v${own.version} → desk` });
    await expectVisible(mineCard.getByText('You requested this promotion: the requester may not vote on it (four-eyes).'));
    expect(await mineCard.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    await shot('05-requester-cannot-approve');
    // Rejected, so that it does not stand in the way of the next promotion to `desk`.
    await fx.t.call('POST', `/v1/promotions/${mine.id}/approvals`, { key: fx.risks[1], json: { decision: 'reject', comment: 'test: not this one' } });

    await signIn(fx.risks[0]);
    await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const card = page.getByRole('region', { name: `exec v${promotion.version} → desk` });
    const rules = card.getByRole('list', { name: 'Four-eyes rules' });
    await expectVisible(rules.getByText('Tier high: 2 distinct risk approvers needed; 1 current approval received.'));
    // People, not only key ids: the requester by the key's name (and a short id to tell same-named keys apart).
    expect(await rules.textContent()).toContain(`The requester (test-quant · ${String(promotion.requestedBy).slice(0, 12)}) may not vote.`);
    expect(await rules.textContent()).toContain('The version\'s author (');
    expect(await card.getByRole('table', { name: 'Votes' }).textContent()).toContain('first of two (API)');
    expect(await unnamedControls()).toEqual([]);
    expect(await unlabelledFields()).toEqual([]);
    await shot('06-risk-inbox-four-eyes');

    // Keyboard only: focus the comment, type, Tab to Approve (its focus ring visible), Enter.
    await card.getByLabel('Comment (required to reject)').focus();
    await page.keyboard.type('Evidence reviewed: validation and shadow pass.');
    await page.keyboard.press('Tab');
    const onApprove = await focused();
    expect(onApprove.text).toBe('Approve');
    expect(onApprove.outline).not.toBe('none');
    await page.keyboard.press('Enter');
    await expectVisible(card.getByTestId('promotion-phase').getByText('Approved'));
    await expectVisible(page.getByRole('status').getByText(`Promotion exec v${promotion.version}: Approved.`));
    await shot('07-approved');
  });

  it('the rollout view updates itself as the canary climbs to 100% and the rollout ends Healthy', async () => {
    const [promotion] = (await fx.t.call('GET', '/v1/promotions?phase=Approved&limit=500')).body.items.slice(-1);
    const trading = fx.tradeUntil(promotion.id, 11, DAYS[0]!, settled);
    try {
      await page.getByRole('link', { name: 'Follow its rollout' }).click();
      await page.getByRole('link', { name: /Open the rollout view/ }).click({ timeout: 30_000 });
      await expectVisible(page.getByRole('heading', { level: 1, name: `Rollout of exec v${promotion.version} on desk` }));
      expect(await page.getByRole('button', { name: 'Kill deployment' }).count()).toBe(1);
      // No reload from here on: the page polls.
      await page.waitForFunction(`Number.parseInt(document.querySelector('[data-testid="canary-weight"]')?.textContent ?? '0', 10) >= 25`, null, { timeout: 60_000 });
      await shot('08-rollout-progressing');
      await expectVisible(page.getByTestId('rollout-phase').getByText('Healthy'), 120_000);
      await expectVisible(page.getByRole('img', { name: /^Stable 100%, canary 0%$/ }));
      const chart = await page.getByRole('img', { name: /^Canary weight over time/ }).getAttribute('aria-label');
      for (const weight of ['1%', '5%', '25%', '50%']) expect(chart).toContain(` ${weight}`);
      expect(await page.getByRole('status').textContent()).toContain('Rollout Healthy');
      await shot('09-rollout-healthy');
    } finally {
      expect((await trading).rollout.phase).toBe('Healthy');
    }
  }, 200_000);

  it('a candidate that never trades is rolled back: the view shows Aborted with the failing metric', async () => {
    const promotionId = await fx.approve(idleVersion, [{ setWeight: 25 }, ANALYSIS, { setWeight: 100 }]);
    const trading = fx.tradeUntil(promotionId, 12, DAYS[1]!, settled);
    try {
      await page.goto(`${console_}#/promotions/${promotionId}`);
      await page.getByRole('link', { name: /Open the rollout view/ }).click({ timeout: 30_000 });
      const abort = page.getByTestId('abort');
      await expectVisible(page.getByTestId('rollout-phase').getByText('Aborted'), 120_000);
      expect(await abort.textContent()).toMatch(/Aborted \(analysisFailed\) — failing metric: (fill_ratio_delta|is_delta_bps)/);
      expect(await page.getByRole('table', { name: /: every measurement$/ }).count()).toBeGreaterThan(0);
      expect(await page.getByRole('status').textContent()).toMatch(/Rollout Aborted, canary weight 0%, aborted: analysisFailed on /);
      await shot('10-rollout-aborted');
    } finally {
      expect((await trading).rollout.phase).toBe('Aborted');
    }
  }, 200_000);

  it('the version page shows lineage, validation and shadow evidence as charts, and the audit trail', async () => {
    await seedEvidence(2);
    await page.goto(`${console_}#/models/exec/versions/2`);
    await expectVisible(page.getByRole('heading', { level: 1, name: 'exec version 2' }));
    for (const name of ['Lineage', 'Validation', 'Shadow', 'Promotions', 'Rollouts', 'Audit trail']) await expectVisible(page.getByRole('heading', { level: 2, name }));
    await expectVisible(page.getByRole('img', { name: 'is_mean_delta_bps: value -0.8 against threshold <= 0.5, Successful' }));
    await expectVisible(page.getByRole('img', { name: 'Scenario calm: candidate -1.2 bps, twap 0.4 bps, vwap 0.1 bps' }));
    await expectVisible(page.getByRole('img', { name: /^is_delta_bps: value -0.4 against threshold <= 1/ }));
    expect(await page.getByText(/The audit chain verifies \(\d+ events\)\./).count()).toBe(1);
    expect(await page.getByRole('table', { name: /^Audit events/ }).getByText('promotion.approved').count()).toBeGreaterThan(0);
    expect(await page.getByRole('img', { name: /^Canary weight:/ }).count()).toBe(1);
    expect(await unnamedControls()).toEqual([]);
    await shot('11-version-page');
    await page.evaluate(`[...document.querySelectorAll('h2')].find((h) => h.textContent === 'Validation').scrollIntoView()`);
    await cb.shot('12-version-evidence-charts', { fullPage: false });
    // The printable report needs the key, so the console fetches it and opens it in a new tab.
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Printable lifecycle report (opens a new tab)' }).click()]);
    await report.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await report.title()).toContain('exec');
    await report.close();
    expect(cb.scriptErrors).toEqual([]);
  });
});

/**
 * Evidence for a version's page, written the way the pipeline finishes it (as reports.int.spec.ts does): a finished
 * validation run with gates and per-scenario IS, and a completed shadow session with its verdict. Running real
 * backtests and a shadow session here would test those again, not the console.
 */
async function seedEvidence(version: number): Promise<void> {
  const { t, quant } = fx;
  await t.api.db.transaction(async (uow) => {
    const model = (await uow.models.findByName('exec'))!;
    const row = (await uow.versions.find(model, version))!;
    const id = randomUUID();
    const at = new Date();
    await uow.validation.insertRun(
      { id, versionId: row.id, suite: { name: 'default-low', version: 1 }, champion: null, affectsStatus: false, phase: 'Running', shardsTotal: 4, shardsDone: 4, gates: null, report: null, evidenceSha256: null, error: null, requestedBy: 'test', createdAt: at, startedAt: at, finishedAt: null },
      [],
    );
    const gates = [
      { name: 'is_mean_delta_bps', metric: 'is_mean_delta_bps', phase: 'Successful', value: -0.8, interval: [-1.5, -0.1], condition: '<= 0.5', reference: 'twap', message: 'meets <= 0.5' },
      { name: 'completion_rate', metric: 'completion_rate', phase: 'Successful', value: 0.99, interval: null, condition: '>= 0.95', reference: null, message: 'meets >= 0.95' },
    ];
    const report = { schema: 'airlock.validation/1', phase: 'Successful', references: ['twap', 'vwap'], gates, perScenario: { calm: { candidate: -1.2, twap: 0.4, vwap: 0.1 }, volatile: { candidate: 2.5, twap: 3.1, vwap: 2.9 } } };
    await uow.validation.finishRun(id, { phase: 'Successful', gates, report, evidenceSha256: null, error: null, at });
  });
  // A shadow session on a deployment of its own (no flow there, so the running shadow runner leaves it be).
  expect((await t.call('POST', '/v1/promotions', { key: quant, json: { model: 'exec', version, deployment: 'shadow-desk' } })).status).toBe(201);
  const started = await t.call('POST', '/v1/shadows', { key: quant, json: { model: 'exec', candidates: [version], deployment: 'shadow-desk' } });
  expect(started.status).toBe(201);
  const gate = { name: 'is_delta_bps', phase: 'Successful' as const, value: -0.4, condition: '<= 1', message: 'interval [-0.9, 0.1] meets <= 1' };
  await new ShadowService(t.api.db, () => new Date(), t.api.store).complete(started.body.id as string, {
    phase: 'Completed',
    verdicts: { [`exec@${version}`]: { verdict: 'shadow-passed', gates: [gate] } },
    evidence: new TextEncoder().encode('{"evidence":true}'),
  });
}

/** Waits for a locator to be visible (playwright-core has no `expect`; this fails the test with Playwright's message). */
