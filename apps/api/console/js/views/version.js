import { api, openHtml } from '../api.js';
import { showError } from '../notify.js';
import { facts, focusHeading, h, num, phase, replace, table, when } from '../dom.js';
import { barChart, figure, stepChart, thresholdOf } from '../charts.js';
import { who } from '../session.js';

/**
 * A version's page, from its lifecycle report (JSON): identity, lineage, validation gates and per-scenario IS,
 * shadow verdicts, promotions and their votes, rollouts (weights over time, every measurement), incidents and
 * the audit trail with the chain's verification.
 */
export async function versionView(main, [model, version], { signal }) {
  replace(main, h('h1', {}, `${model} version ${version}`), h('p', { class: 'muted' }, 'Loading…'));
  focusHeading(main);
  const report = await api(`/v1/models/${model}/versions/${version}/report?format=json`, { signal });
  const runs = await Promise.all(report.validation.map((r) => api(`/v1/validations/${r.runId}`, { signal }).catch(() => null)));
  const id = report.identity;
  replace(main,
    h('h1', {}, `${model} version ${version}`),
    h('p', {}, htmlButton('Printable lifecycle report (opens a new tab)', `/v1/models/${model}/versions/${version}/report?format=html`)),
    facts([
      ['Status', phase(id.status)],
      ['sha256', h('code', {}, id.sha256)],
      ['Size', `${id.sizeBytes} bytes`],
      ['Registered', `${when(id.registeredAt)} by ${who(id.registeredBy)}`],
      ['Owner', id.owner],
      ['Tier', id.tier],
      ['Asset class', id.assetClass],
    ]),
    lineage(report.lineage),
    h('h2', {}, 'Validation'),
    report.validation.length === 0 ? h('p', { class: 'muted' }, 'Never validated.') : report.validation.map((r, i) => validationRun(r, runs[i])),
    h('h2', {}, 'Shadow'),
    report.shadow.length === 0 ? h('p', { class: 'muted' }, 'No shadow session.') : report.shadow.map(shadowSession),
    h('h2', {}, 'Promotions'),
    table('Promotions of this version', ['promotion', 'deployment', 'phase', 'requested', 'decided', 'votes'],
      report.promotions.map((p) => [
        h('a', { href: `#/promotions/${p.id}` }, p.id.slice(0, 8)),
        p.deployment,
        phase(p.phase),
        `${when(p.requestedAt)} by ${who(p.requestedBy)}`,
        when(p.decidedAt),
        p.approvals.length === 0 ? 'none' : h('ul', {}, p.approvals.map((a) => h('li', {}, `${a.decision} by ${who(a.approver)} at ${when(a.at)}${a.comment ? `: “${a.comment}”` : ''}`))),
      ]),
      'never promoted.'),
    h('h2', {}, 'Rollouts'),
    report.rollouts.length === 0 ? h('p', { class: 'muted' }, 'No rollout.') : report.rollouts.map(rolloutSection),
    h('h2', {}, 'Incidents'),
    table('Aborts, kills and resumes', ['at', 'kind', 'detail'], report.incidents.map((i) => [when(i.at), i.kind, i.detail]), 'none.'),
    h('h2', {}, 'Audit trail'),
    h('p', {}, report.audit.chain.ok ? `The audit chain verifies (${report.audit.chain.events} events).` : h('span', { class: 'reason' }, `The audit chain is BROKEN at event ${report.audit.chain.brokenAt}.`)),
    table('Audit events of this version, its promotions and shadow sessions', ['seq', 'at', 'actor', 'action', 'subject', 'data'],
      report.audit.events.map((e) => [String(e.seq), when(e.at), who(e.actor), e.action, e.subject, h('code', {}, JSON.stringify(e.data))])),
  );
  focusHeading(main);
}

/** A button (not a link: the page needs the key) that opens an API-rendered HTML page in a new tab. */
const htmlButton = (label, path) => h('button', { type: 'button', class: 'secondary', onclick: () => openHtml(path).catch(showError) }, label);

function lineage(l) {
  const training = l.training ?? {};
  return [
    h('h2', {}, 'Lineage'),
    facts([
      ['Features', l.features.join(', ')],
      ['Actions', l.actions.join(', ')],
      ['Training dataset', training.dataset ?? '—'],
      ['Code commit', training.codeCommit ? h('code', {}, training.codeCommit) : '—'],
      ['Parameters', training.params ? h('code', {}, JSON.stringify(training.params)) : '—'],
      ['Training metrics', training.metrics ? h('code', {}, JSON.stringify(training.metrics)) : '—'],
      ['Tags', l.tags.length > 0 ? l.tags.join(', ') : '—'],
    ]),
  ];
}

function gateCharts(title, gates) {
  return gates
    .filter((g) => typeof g.value === 'number')
    .map((g) => figure(`${title}: ${g.name}`, barChart({ label: `${g.name}: value ${num(g.value)} against threshold ${g.condition ?? ''}, ${g.phase}`, bars: [{ label: g.name, value: g.value, phase: g.phase }], threshold: thresholdOf(g.condition) })));
}

function validationRun(r, run) {
  const perScenario = Object.entries(run?.report?.perScenario ?? {}).map(([scenario, row]) => [scenario, ordered(row, run.report.references ?? [])]);
  return h('section', { 'aria-label': `Validation run ${r.runId}` },
    h('h3', {}, 'Run ', h('code', {}, r.runId.slice(0, 8)), ': ', phase(r.phase)),
    h('p', {}, `Requested by ${who(r.requestedBy)}, finished ${when(r.finishedAt)}${r.error ? ` — error: ${r.error}` : ''}. `),
    h('p', {}, htmlButton('Evidence summary (opens a new tab)', `/v1/validations/${r.runId}/report`)),
    table('Gates', ['gate', 'phase', 'value', 'condition', 'message'], r.gates.map((g) => [g.name, phase(g.phase), num(g.value), g.condition ?? '—', g.message])),
    gateCharts('Gate value against its threshold', r.gates),
    perScenario.map(([scenario, strategies]) =>
      figure(`Mean implementation shortfall, scenario ${scenario} (bps)`, barChart({
        label: `Scenario ${scenario}: ${strategies.map(([s, v]) => `${s} ${num(v)} bps`).join(', ')}`,
        bars: strategies.map(([s, v]) => ({ label: s, value: v })),
        unit: 'bps',
      }))),
  );
}

/** A scenario's strategies in reading order — candidate, champion, then the references as the run lists them — whatever order the stored JSON kept. */
function ordered(row, references) {
  const rank = (name) => (name === 'candidate' ? -2 : name === 'champion' ? -1 : references.includes(name) ? references.indexOf(name) : references.length);
  return Object.entries(row).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function shadowSession(s) {
  return h('section', { 'aria-label': `Shadow session ${s.sessionId}` },
    h('h3', {}, `Session on ${s.deployment}: `, phase(s.phase), ' · verdict ', phase(s.verdict ?? '—')),
    table('Shadow gates', ['gate', 'phase', 'value', 'condition', 'message'], s.gates.map((g) => [g.name ?? g.metric, phase(g.phase), num(g.value), typeof g.condition === 'object' ? `${g.condition.op} ${g.condition.threshold}` : (g.condition ?? '—'), g.message ?? ''])),
    gateCharts('Shadow gate', s.gates.map((g) => ({ ...g, name: g.name ?? g.metric }))),
  );
}

function rolloutSection(r) {
  const weights = r.timeline.filter((e) => e.action === 'rollout.weightSet').map((e) => ({ at: Date.parse(e.at), value: e.data?.canaryWeight ?? 0 }));
  const end = r.finishedAt ? Date.parse(r.finishedAt) : Date.now();
  const points = [{ at: Date.parse(r.createdAt), value: 0 }, ...weights, { at: end, value: r.canaryWeight }];
  return h('section', { 'aria-label': `Rollout ${r.id}` },
    h('h3', {}, h('a', { href: `#/rollouts/${r.id}` }, `Rollout on ${r.deployment}`), ': ', phase(r.phase)),
    r.abort ? h('p', { class: 'reason' }, `Aborted (${r.abort.reason})${r.abort.metric ? ` — failing metric: ${r.abort.metric}` : ''}: ${r.abort.message}`) : null,
    figure('Canary weight over time', stepChart({ label: `Canary weight: ${points.map((p) => `${p.value}%`).join(', ')}`, points })),
    table('Timeline', ['at', 'event', 'data'], r.timeline.map((e) => [when(e.at), e.action, h('code', {}, JSON.stringify(e.data))])),
    Object.entries(r.measurements).map(([metric, taken]) =>
      table(`Measurements: ${metric}`, ['taken', 'phase', 'value', 'message'], taken.map((m) => [when(new Date(m.takenAtMs).toISOString()), phase(m.phase), num(m.value), m.message]))),
  );
}
