import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createLiveFlowPublisher } from '@airlock/live-flow';
import { runLiveSim } from '@airlock/shadow';
import { generateParentOrders, type MarketDay } from '@airlock/sim';
import { ApiClient } from '../api-client.js';
import type { AuditVerification, Gate, ValidationRun } from '../api-types.js';
import { CliError } from '../cli-error.js';
import { verifyAuditFile } from '../commands/audit.command.js';
import { apiPolicies, httpRouting } from '../commands/live-sim.command.js';
import { asSession, loadDemoData } from './demo-data.js';
import { trainDemoModels, type DemoModel } from './demo-models.js';
import { DEMO_ANALYSIS_INTERVAL_MS, startDemoStack, type DemoStack } from './demo-stack.js';
import { Narrator, type NarratorOutput } from './narrator.js';

const MODEL = 'exec-demo';
const DEPLOYMENT = 'desk';
/** The plan's limits (the same for every promotion of the demo): what the approvals bind. */
const CAPS = { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000_000, maxOrdersPerMinute: 100_000, allowedInstruments: ['*'] };
/** Event time per wave of the live simulator: routing is re-read this often (market time). */
const WAVE_NS = 30_000_000_000;
/**
 * Parent orders per canary session: the generator's usual mix (5–60 market minutes, as trained and shadowed). At
 * 1000× a 3 s analysis interval is ≈ 50 market minutes, in which some 400 orders finish — 100 or so on a 25% canary.
 */
const CANARY_ORDERS = 3000;
/** How long any single wait may take before the demo gives up with the state it saw (never hangs in CI). */
const STEP_TIMEOUT_MS = 240_000;
const TOTAL_STEPS = 12;
/**
 * The shadow session: 300 scored orders (100 at least). Inference p99 up to 50 ms instead of the runner's 5 ms
 * default: here the simulator, the API and the runner share one process on the machine's cores, so the time a
 * model call waits for the event loop is counted; a production runner has its own.
 */
const SHADOW_POLICY = { orders: 300, minOrders: 100, maxLatencyP99Ms: 50 };

export interface DemoOptions {
  /** Where the models, the report and the audit export are written; its `state/` (database, artifacts) is wiped first. */
  readonly outDir: string;
  /** A LOBSTER zip; default: the shared GOOG day when present, else a synthetic day. */
  readonly data?: string;
  readonly out?: NarratorOutput;
}

export interface DemoResult {
  readonly championVersion: number;
  readonly reportHtml: string;
  readonly reportJson: string;
  readonly auditExport: string;
  readonly audit: AuditVerification | { readonly ok: false; readonly events: number };
  readonly rolledBack: { readonly version: number; readonly metric: string | null };
}

type Json = Record<string, unknown>;
interface Rollout extends Json {
  readonly id: string;
  readonly promotionId: string;
  readonly phase: string;
  readonly step: number;
  readonly steps: number;
  readonly canaryWeight: number;
  readonly pause: { readonly kind?: string } | null;
  readonly abort: { readonly reason: string; readonly message: string; readonly metric: string | null } | null;
  readonly measurements: Record<string, { phase: string; value: number | null; samples: number | null }[]>;
}
interface Promotion extends Json {
  readonly id: string;
  readonly phase: string;
  readonly requiredApprovals: number;
  readonly validApprovals: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? '—' : n.toFixed(digits));

/**
 * `npm run demo`: the whole lifecycle of an execution model, on embedded defaults, in one process — data →
 * training → registration → validation → shadow on live flow → four-eyes approval → phased canary → champion; then
 * a faulty candidate that passes review and is rolled back by its canary's live analysis. Every step goes through
 * the HTTP API as the users would (quant, risk, admin, auditor keys); the simulator stands in for the execution
 * engine. Ends with the lifecycle report and the audit chain verified offline.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = new Narrator(options.out ?? process.stdout, () => Date.now(), TOTAL_STEPS);
  const stateDir = join(options.outDir, 'state');
  await rm(stateDir, { recursive: true, force: true });
  await mkdir(join(options.outDir, 'models'), { recursive: true });
  const shown = (path: string) => relative(process.cwd(), path) || '.';

  say.begin('Market data');
  const data = await loadDemoData({ data: options.data, scratchDir: stateDir, cacheDir: join(stateDir, 'cache') });
  say.done(data.label);

  say.begin('Training: a seeded policy search on the simulator (airlock train)');
  const models = await trainDemoModels(data.day, data.label, (i, total, best) => say.progress('search', i, total, `best objective ${best.objective.toFixed(2)} bps`));
  const files: Record<'champion' | 'candidate' | 'faulty', string> = { champion: '', candidate: '', faulty: '' };
  for (const name of ['champion', 'candidate', 'faulty'] as const) {
    files[name] = join(options.outDir, 'models', `${name}.onnx`);
    await writeFile(files[name], models[name].onnx);
    await writeFile(`${files[name]}.manifest.json`, `${JSON.stringify(models[name].manifest, null, 2)}\n`);
  }
  say.say(`champion  (the rule the search starts from): ${models.champion.summary}`);
  say.say('(in-sample: the 200 training orders on the day and on its copy with spreads 2 ticks wider)');
  say.say(`candidate (best of ${models.search.iterations}, iteration ${models.search.best.iteration}):  ${models.candidate.summary}`);
  say.done(`ONNX models written to ${shown(join(options.outDir, 'models'))}/`);

  say.begin('Starting Airlock in this process (embedded PostgreSQL, file artifact store, file live flow)');
  const stack = await startDemoStack(stateDir);
  try {
    const admin = new ApiClient({ url: stack.api.url, key: stack.adminKey });
    const keyFor = async (name: string, roles: string[]) => new ApiClient({ url: stack.api.url, key: (await admin.post<{ key: string }>('/v1/api-keys', { name, roles })).body.key });
    // Ana leads the desk's quants and also holds risk rights: the four-eyes rules, not her roles, stop her approving her own work.
    const quant = await keyFor('ana (quant lead)', ['quant', 'risk']);
    const risk = await keyFor('rui (risk officer)', ['risk']);
    const auditor = await keyFor('eve (auditor)', ['auditor']);
    say.say(`API ${stack.api.url} (docs ${stack.api.url}/docs, console ${stack.api.url}/console)`);
    say.say('keys: admin; ana (quant lead, also holds risk rights); rui (risk officer); eve (auditor)');
    say.done(`state in ${shown(stateDir)}`);

    say.begin('Registration: the desk’s day as a dataset, the model, two versions');
    await quant.upload('/v1/datasets', [{ name: 'name', value: 'desk-day' }, { name: 'file', file: data.archive, contentType: 'application/zip' }], (sent, total) => say.progress('dataset upload', sent, total));
    await quant.post('/v1/models', { name: MODEL, description: 'Demo execution policy for the desk', owner: 'ana', assetClass: 'equities', tier: 'low' });
    const register = async (name: keyof typeof files, model: DemoModel) => {
      const uploaded = await quant.upload<{ version: number; sha256: string }>(`/v1/models/${MODEL}/versions`, [
        { name: 'manifest', value: JSON.stringify(model.manifest) },
        { name: 'artifact', file: files[name], contentType: 'application/octet-stream' },
      ]);
      say.say(`${MODEL}@${uploaded.body.version} (${name}) sha256 ${uploaded.body.sha256.slice(0, 16)}…`);
      return uploaded.body.version;
    };
    const championVersion = await register('champion', models.champion);
    const candidateVersion = await register('candidate', models.candidate);
    say.done('registered: each artifact loaded in onnxruntime, its shapes checked against the manifest and probed');

    say.begin(`Validation of v${championVersion}: suite desk-day (400 held-out orders × 2 scenarios) against the baselines`);
    // The rule is judged against every baseline; on some days it is only level with one of them (Inconclusive →
    // needs-review). Either way it goes on: the bootstrap below is an admin override, which records the status.
    await validate(quant, say, championVersion, ['validated', 'needs-review']);

    say.begin(`First deployment: v${championVersion} becomes champion of "${DEPLOYMENT}"`);
    say.say('a new deployment has no live model to shadow against: an admin overrides the shadow requirement, on the record');
    const first = (await admin.post<Promotion>('/v1/promotions', { model: MODEL, version: championVersion, deployment: DEPLOYMENT, plan: { steps: [{ setWeight: 100 }], caps: CAPS }, override: { reason: 'bootstrap of a new deployment: no live model to shadow against' } })).body;
    await risk.post(`/v1/promotions/${first.id}/approvals`, { decision: 'approve', comment: 'first model of the desk; evidence reviewed' });
    const firstRollout = await waitForRollout(quant, first.id, (r) => r.phase === 'Healthy');
    say.done(`v${championVersion} is champion (rollout ${firstRollout.id.slice(0, 8)} Healthy)`);

    say.begin(`Validation of v${candidateVersion} against the champion v${championVersion}`);
    await validate(quant, say, candidateVersion, ['validated']);

    say.begin(`Shadow: v${candidateVersion} beside the live champion on the simulated live flow (no orders sent)`);
    const shadow = (await quant.post<{ id: string }>('/v1/shadows', { model: MODEL, candidates: [candidateVersion], deployment: DEPLOYMENT, policy: SHADOW_POLICY })).body;
    // Each live run replays the day as the next session date (the runner tells sessions apart by date).
    const sessions = { next: 1 };
    await trade(stack, quant, asSession(data.day, sessions.next++), { orders: generateParentOrders(data.day, { count: 400, seed: 31, idPrefix: 's-' }), speed: 'max' }, async () => {
      const s = await quant.get<ShadowView>(`/v1/shadows/${shadow.id}`);
      say.progress('scored orders', s.candidates[0]?.metrics.orders ?? 0, SHADOW_POLICY.orders, `phase ${s.phase}`);
      return s.phase !== 'Running';
    });
    const verdict = await settleShadow(quant, shadow.id, say);
    const candidate = verdict.candidates[0];
    for (const gate of candidate?.gates ?? []) say.say(`${gate.phase.padEnd(12)} ${gate.name}: ${fmt(gate.value)}${gate.upper !== null ? ` (95% CI ${fmt(gate.lower)} … ${fmt(gate.upper)})` : ''}`);
    if (candidate?.verdict !== 'shadow-passed') throw new DemoFailure(`the shadow verdict was ${candidate?.verdict ?? 'none'}`);
    say.done(`shadow-passed: ${candidate.metrics.orders} orders scored, mean IS ${fmt(candidate.metrics.meanCandidateIsBps)} bps vs live ${fmt(candidate.metrics.meanLiveIsBps)} bps`);

    say.begin(`Promotion of v${candidateVersion} and four-eyes approval`);
    const analysis = { analysis: { templates: ['execution-quality'] } };
    const plan = { steps: [{ setWeight: 5 }, { pause: { durationSeconds: 2 } }, { setWeight: 25 }, analysis, { setWeight: 50 }, analysis, { setWeight: 100 }], caps: CAPS };
    const promotion = (await quant.post<Promotion>('/v1/promotions', { model: MODEL, version: candidateVersion, deployment: DEPLOYMENT, plan })).body;
    say.say(`ana asks: 5% → pause → 25% → analysis → 50% → analysis → 100%; ${promotion.requiredApprovals} distinct risk approval(s) needed (tier low)`);
    say.say(`ana, who holds risk rights too, tries to approve her own request: ${await refusal(() => quant.post(`/v1/promotions/${promotion.id}/approvals`, { decision: 'approve', comment: 'mine' }))}`);
    const voted = (await risk.post<Promotion>(`/v1/promotions/${promotion.id}/approvals`, { decision: 'approve', comment: 'shadow and validation evidence reviewed' })).body;
    say.done(`rui (risk) approves: ${voted.phase} (${voted.validApprovals}/${voted.requiredApprovals}), bound to the artifact’s sha256 and the plan’s hash`);

    say.begin(`Phased canary of v${candidateVersion} with live analysis every ${DEMO_ANALYSIS_INTERVAL_MS / 1000} s`);
    const good = await canary(stack, quant, risk, data.day, sessions, promotion.id, say);
    if (good.phase !== 'Healthy') throw new DemoFailure(`the canary ended ${good.phase}: ${good.abort?.message ?? ''}`);
    say.done(`v${candidateVersion} is the new champion (rollout Healthy, step ${good.step}/${good.steps})`);

    say.begin('A faulty candidate: passes review, rolled back by its canary');
    const faultyVersion = await register('faulty', models.faulty);
    say.say(`v${faultyVersion}: ${models.faulty.summary}`);
    const hotfix = (await admin.post<Promotion>('/v1/promotions', {
      model: MODEL,
      version: faultyVersion,
      deployment: DEPLOYMENT,
      plan: { steps: [{ setWeight: 10 }, analysis, { setWeight: 50 }, analysis, { setWeight: 100 }], caps: CAPS },
      override: { reason: 'urgent re-export; shadow skipped under the hotfix procedure' },
    })).body;
    say.say('an admin requests it as a hotfix (shadow skipped, on the record); rui (risk) approves it');
    await risk.post(`/v1/promotions/${hotfix.id}/approvals`, { decision: 'approve', comment: 'hotfix procedure; canary gates apply' });
    const bad = await canary(stack, quant, risk, data.day, sessions, hotfix.id, say);
    if (bad.phase !== 'Aborted') throw new DemoFailure(`the faulty canary ended ${bad.phase}, not rolled back`);
    const routing = await quant.get<{ stable: { version: number } }>(`/v1/deployments/${DEPLOYMENT}/routing`);
    say.done(`rolled back: ${bad.abort?.message ?? bad.abort?.reason}; all flow on v${routing.stable.version} again`);

    say.begin('Reports and the audit trail');
    const reportPath = `/v1/models/${MODEL}/versions/${candidateVersion}/report`;
    const reportHtml = join(options.outDir, `report-${MODEL}-v${candidateVersion}.html`);
    const reportJson = join(options.outDir, `report-${MODEL}-v${candidateVersion}.json`);
    await writeFile(reportHtml, await auditor.getBytes(reportPath, 'text/html'));
    const report = await auditor.get<{ audit: { chain: AuditVerification } }>(reportPath);
    await writeFile(reportJson, `${JSON.stringify(report, null, 2)}\n`);
    const auditExport = join(options.outDir, 'audit.jsonl');
    await writeFile(auditExport, await auditor.getBytes('/v1/audit?format=jsonl', 'application/x-ndjson'));
    const audit = await verifyAuditFile(auditExport);
    const served = await auditor.get<AuditVerification>('/v1/audit/verify');
    say.say(`lifecycle report of v${candidateVersion}: ${shown(reportHtml)} (and .json); the chain it cites verifies: ${report.audit.chain.ok ? 'OK' : 'BROKEN'}`);
    say.say(`audit chain exported to ${shown(auditExport)}: verified offline ${audit.ok ? `OK, ${audit.events} events` : `BROKEN at ${'brokenAt' in audit ? audit.brokenAt : '?'}`}; the API agrees: ${served.ok ? 'OK' : 'BROKEN'}`);
    if (!audit.ok || !served.ok || !report.audit.chain.ok) throw new DemoFailure('the audit chain does not verify');
    say.done('evidence kept');

    say.finish(
      [
        `Champion of "${DEPLOYMENT}": ${MODEL}@${routing.stable.version}. Rolled back: ${MODEL}@${faultyVersion} (${bad.abort?.metric ?? bad.abort?.reason}).`,
        `Lifecycle report: ${shown(reportHtml)}`,
        `Audit chain: ${audit.events} events, verified offline with \`npx airlock audit verify ${shown(auditExport)}\`.`,
        `To browse it in the web console: \`AIRLOCK_DATA_DIR=${shown(stateDir)} npm start -- --no-example\`, then http://127.0.0.1:8080/console with the key in ${shown(join(stateDir, 'admin-key'))}.`,
      ].join('\n'),
    );
    return { championVersion: routing.stable.version, reportHtml, reportJson, auditExport, audit, rolledBack: { version: faultyVersion, metric: bad.abort?.metric ?? null } };
  } finally {
    await stack.close();
  }
}

/** A step that did not end as the story needs: the demo stops with what it saw (exit code 1). */
export class DemoFailure extends Error {}

interface ShadowView {
  readonly phase: string;
  readonly candidates: readonly {
    readonly verdict: string | null;
    readonly metrics: { readonly orders: number; readonly meanCandidateIsBps: number | null; readonly meanLiveIsBps: number | null };
    readonly gates: readonly (Gate & { readonly lower: number | null; readonly upper: number | null })[];
  }[];
}

/** Starts the desk-day suite on a version, draws its shards' progress, prints its gates; fails unless the status is one `expected`. */
async function validate(quant: ApiClient, say: Narrator, version: number, expected: readonly string[]): Promise<void> {
  const started = (await quant.post<{ id: string }>(`/v1/models/${MODEL}/versions/${version}/validations`, { suite: 'desk-day' })).body;
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let run = await quant.get<ValidationRun>(`/v1/validations/${started.id}`);
  while (run.phase === 'Pending' || run.phase === 'Running') {
    if (Date.now() > deadline) throw new DemoFailure(`validation ${started.id} still ${run.phase} after ${STEP_TIMEOUT_MS / 1000} s`);
    say.progress('shards', run.progress.done, run.progress.total, run.phase);
    await sleep(250);
    run = await quant.get<ValidationRun>(`/v1/validations/${started.id}`);
  }
  say.progress('shards', run.progress.done, run.progress.total, run.phase);
  for (const gate of run.gates ?? []) {
    const interval = gate.interval ? ` (95% CI ${fmt(gate.interval[0])} … ${fmt(gate.interval[1])})` : '';
    say.say(`${gate.phase.padEnd(12)} ${gate.name}: ${fmt(gate.value)}${interval}, needs ${gate.condition}${gate.reference ? ` vs ${gate.reference}` : ''}`);
  }
  const status = (await quant.get<{ status: string }>(`/v1/models/${MODEL}/versions/${version}`)).status;
  if (!expected.includes(status)) throw new DemoFailure(`validation ended ${run.phase}; v${version} is "${status}", not ${expected.map((e) => `"${e}"`).join(' or ')}`);
  say.done(`${run.phase}: v${version} is ${status}`);
}

/**
 * Runs the live-flow simulator for one session of `day` against the deployment's routing, until the session ends
 * or `until` (polled every 250 ms) says the story has what it needs.
 */
async function trade(
  stack: DemoStack,
  api: ApiClient,
  day: MarketDay,
  flow: { readonly orders: Parameters<typeof runLiveSim>[0]['orders']; readonly speed: 'max' | number },
  until: () => Promise<boolean>,
): Promise<boolean> {
  const publisher = await createLiveFlowPublisher(stack.flowUri);
  const policies = apiPolicies(api);
  const stop = new AbortController();
  let ended = false;
  const sim = runLiveSim({ day, orders: flow.orders, routing: httpRouting(api, DEPLOYMENT), policyFor: policies.load, publisher, deployment: DEPLOYMENT, speed: flow.speed, waveNs: WAVE_NS, signal: stop.signal }).finally(() => {
    ended = true;
  });
  try {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (!ended && Date.now() < deadline) {
      if (await until()) return true;
      await sleep(250);
    }
    return until();
  } finally {
    stop.abort();
    await sim.catch(() => undefined);
    await publisher.close();
    await policies.dispose();
  }
}

/** After the flow: waits for the runner to finish scoring (or stops the session when the day ran out of orders). */
async function settleShadow(api: ApiClient, id: string, say: Narrator): Promise<ShadowView> {
  const deadline = Date.now() + 60_000;
  let last = -1;
  let quietSince = Date.now();
  for (;;) {
    const s = await api.get<ShadowView>(`/v1/shadows/${id}`);
    if (s.phase !== 'Running') return s;
    const scored = s.candidates[0]?.metrics.orders ?? 0;
    say.progress('scored orders', scored, SHADOW_POLICY.orders, `phase ${s.phase}`);
    if (scored !== last) [last, quietSince] = [scored, Date.now()];
    // Every order of the day is done and scoring has gone quiet: end the session with what it has.
    if (Date.now() - quietSince > 5000 || Date.now() > deadline) await api.post(`/v1/shadows/${id}/stop`, {});
    await sleep(500);
  }
}

/** Trades sessions (each the next date, from `sessions.next`) until the promotion's rollout ends, narrating weights and measurements. */
async function canary(stack: DemoStack, api: ApiClient, risk: ApiClient, day: MarketDay, sessions: { next: number }, promotionId: string, say: Narrator): Promise<Rollout> {
  let seen = '';
  let rollout: Rollout | undefined;
  let resumes = 0;
  const settled = (r: Rollout | undefined) => r !== undefined && (r.phase === 'Healthy' || r.phase === 'Aborted' || r.phase === 'Degraded' || (r.phase === 'Paused' && r.pause?.kind !== 'step'));
  for (let tries = 0; tries < 4 && !settled(rollout); tries++) {
    const session = sessions.next++;
    const orders = generateParentOrders(day, { count: CANARY_ORDERS, seed: 100 + session, idPrefix: `c${session}-` });
    await trade(stack, api, asSession(day, session), { orders, speed: 1000 }, async () => {
      rollout = (await api.get<{ items: Rollout[] }>('/v1/rollouts', { deployment: DEPLOYMENT, limit: 100 })).items.find((r) => r.promotionId === promotionId);
      if (rollout) {
        const line = `${rollout.phase} step ${Math.min(rollout.step + 1, rollout.steps)}/${rollout.steps}, canary ${rollout.canaryWeight}%`;
        if (line !== seen) say.say(`${line}${measured(rollout)}`);
        seen = line;
      }
      // Too few orders in an interval to judge (Argo's Inconclusive): the analysis pauses for a human, as in
      // production. The risk officer reviews the measurements and resumes, at most twice.
      if (rollout?.phase === 'Paused' && rollout.pause?.kind === 'inconclusive' && resumes < 2) {
        resumes += 1;
        say.say('analysis inconclusive (too few orders in its intervals to judge): rui reviews the measurements and resumes');
        await risk.post(`/v1/rollouts/${rollout.id}/resume`, { reason: 'inconclusive interval reviewed: the other gates pass' });
        rollout = { ...rollout, phase: 'Progressing' };
        seen = '';
      }
      return settled(rollout);
    });
  }
  if (!rollout || !settled(rollout)) throw new DemoFailure(`the rollout did not settle: ${rollout ? `${rollout.phase} at step ${rollout.step}` : 'never started'}`);
  say.say(`last measurements:${measured(rollout) || ' none'}`);
  return rollout;
}

/** The latest live measurement of each metric, e.g. ` · is_delta_bps −1.20 (Successful, 48 orders)`. */
function measured(r: Rollout): string {
  return Object.entries(r.measurements ?? {})
    .map(([metric, taken]) => {
      const m = taken[taken.length - 1];
      return m ? ` · ${metric} ${fmt(m.value, 3)} (${m.phase}${m.samples !== null ? `, n=${m.samples}` : ''})` : '';
    })
    .join('');
}

/** Waits for the rollout of a promotion to satisfy `done` (the controller ticks on its own). */
async function waitForRollout(api: ApiClient, promotionId: string, done: (r: Rollout) => boolean): Promise<Rollout> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const rollout = (await api.get<{ items: Rollout[] }>('/v1/rollouts', { deployment: DEPLOYMENT, limit: 100 })).items.find((r) => r.promotionId === promotionId);
    if (rollout && done(rollout)) return rollout;
    if (Date.now() > deadline) throw new DemoFailure(`rollout of promotion ${promotionId} not done after ${STEP_TIMEOUT_MS / 1000} s`);
    await sleep(200);
  }
}

/** What the API answered to a request that must be refused: `403 APPROVAL_SELF — …`. */
async function refusal(request: () => Promise<unknown>): Promise<string> {
  try {
    await request();
  } catch (error) {
    if (error instanceof CliError) return `refused, ${error.extra.code ?? error.extra.status ?? ''} (${error.message})`;
    throw error;
  }
  throw new DemoFailure('a self-approval was accepted');
}
