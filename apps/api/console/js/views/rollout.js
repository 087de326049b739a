import { api } from '../api.js';
import { facts, focusHeading, h, num, phase, replace, table, when } from '../dom.js';
import { barChart, figure, stepChart } from '../charts.js';
import { announce, clearError, showError } from '../notify.js';
import { POLL_MS, sleep } from '../poll.js';
import { can, who } from '../session.js';
import { planSummary } from './promotion-card.js';

const TERMINAL = new Set(['Healthy', 'Aborted']);

/** A measurement's message ends with its condition ("… meets <= 0.02", "… breaks >= -0.1"): the threshold to draw. */
const thresholdOfMessage = (message) => {
  const match = /(?:meets|breaks) (?:<=|>=|<|>) (-?\d+(?:\.\d+)?(?:e-?\d+)?)/.exec(message ?? '');
  return match ? Number(match[1]) : null;
};

const stepText = (step) =>
  !step ? 'all steps done' : 'setWeight' in step ? `set weight ${step.setWeight}%` : 'pause' in step ? `pause${step.pause.durationSeconds ? ` ${step.pause.durationSeconds}s` : ' (until resumed)'}` : `analysis (${step.analysis.templates.join(', ')})`;

/**
 * The live rollout view: phase, step, the routing weights, the canary weight over time, each analysis metric and
 * its measurements, and the controls the key's roles allow. It re-reads the rollout and the routing table every
 * second until the rollout ends; only the live part is redrawn, so focus in the controls is kept.
 */
export async function rolloutView(main, [id], { signal }) {
  let rollout = await api(`/v1/rollouts/${id}`, { signal });
  let history = await weightHistory(rollout, signal, []);
  const live = h('div', { id: 'rollout-live' });
  const controls = controlsFor(rollout, () => refresh());
  replace(main,
    h('h1', {}, `Rollout of ${rollout.candidate.model} v${rollout.candidate.version} on ${rollout.deployment}`),
    h('p', {}, h('a', { href: `#/promotions/${rollout.promotionId}` }, 'Its promotion and approvals'), ' · plan: ', planSummary(rollout.plan ?? null) || `${rollout.steps} steps`),
    controls.element,
    live,
  );
  focusHeading(main);
  let announced = '';
  const refresh = async () => {
    const [next, routing] = await Promise.all([api(`/v1/rollouts/${id}`, { signal }), api(`/v1/deployments/${encodeURIComponent(rollout.deployment)}/routing`, { signal })]);
    const changed = next.canaryWeight !== rollout.canaryWeight || next.phase !== rollout.phase;
    rollout = next;
    if (changed) history = await weightHistory(rollout, signal, history);
    renderLive(live, rollout, routing, history);
    controls.update(rollout);
    const summary = `Rollout ${rollout.phase}, canary weight ${rollout.canaryWeight}%${rollout.abort ? `, aborted: ${rollout.abort.reason}${rollout.abort.metric ? ` on ${rollout.abort.metric}` : ''}` : ''}.`;
    if (summary !== announced) announce((announced = summary));
  };
  while (!signal.aborted) {
    try {
      await refresh();
    } catch (error) {
      if (signal.aborted) return;
      showError(error);
    }
    if (TERMINAL.has(rollout.phase)) return;
    await sleep(POLL_MS, signal);
  }
}

/**
 * The canary weights set so far: from the audit trail when the key may read it (every weight, even one held for
 * less than a poll), re-read whenever the weight or phase changes; otherwise the weights this page has seen.
 */
async function weightHistory(rollout, signal, seen) {
  const polled = () => {
    const points = seen.length > 0 ? [...seen] : [{ at: Date.parse(rollout.createdAt), value: 0 }];
    if (points[points.length - 1].value !== rollout.canaryWeight) points.push({ at: Date.now(), value: rollout.canaryWeight });
    return points;
  };
  if (!can('audit')) return polled();
  try {
    const page = await api(`/v1/audit?subject=${encodeURIComponent(`promotion:${rollout.promotionId}`)}&limit=500`, { signal });
    const points = [{ at: Date.parse(rollout.createdAt), value: 0 }];
    for (const e of page.items) if (e.action === 'rollout.weightSet' && e.data?.rolloutId === rollout.id) points.push({ at: Date.parse(e.at), value: e.data.canaryWeight ?? 0 });
    return points;
  } catch (error) {
    if (signal.aborted) throw error;
    return polled();
  }
}

/** A plan's pause step is timed (`until`) or waits for a human (`until` null); other pauses say who or why. */
const pauseText = (p) =>
  p.kind === 'step' ? (p.until ? `plan pause until ${when(p.until)}` : 'plan pause: until someone resumes it') : `${p.kind}${p.message ? `: ${p.message}` : ''}`;

function renderLive(live, r, routing, history) {
  const canary = routing.canary ? routing.canaryWeight : 0;
  const now = Date.now();
  const end = r.finishedAt ? Date.parse(r.finishedAt) : now;
  replace(live,
    h('h2', {}, 'Status'),
    facts([
      ['Phase', phase(r.phase, { 'data-testid': 'rollout-phase' })],
      ['Step', `${Math.min(r.step + 1, r.steps)} of ${r.steps}: ${stepText(r.currentStep)}`],
      ['Canary weight', h('span', { 'data-testid': 'canary-weight' }, `${r.canaryWeight}%`)],
      ['Candidate', h('a', { href: `#/models/${r.candidate.model}/versions/${r.candidate.version}` }, `${r.candidate.model} v${r.candidate.version}`)],
      ['Stable before', r.stable ? `${r.stable.model} v${r.stable.version}` : 'none'],
      ['Started', when(r.createdAt)],
      ['Finished', when(r.finishedAt)],
      r.pause ? ['Paused', pauseText(r.pause)] : null,
      r.pendingCommand ? ['Pending command', `${r.pendingCommand.kind} by ${who(r.pendingCommand.by)} (applied on the controller's next tick)`] : null,
    ]),
    r.abort
      ? h('p', { class: 'reason', 'data-testid': 'abort' }, `Aborted (${r.abort.reason})${r.abort.metric ? ` — failing metric: ${r.abort.metric}` : ''}: ${r.abort.message}`)
      : null,
    h('h2', {}, 'Routing now'),
    h('p', {}, `Deployment ${routing.deployment}, revision ${routing.revision}${routing.halted ? ' — HALTED (kill switch)' : ''}${routing.kill ? ` — killed by ${who(routing.kill.by)}: ${routing.kill.reason ?? ''}` : ''}`),
    // Halted, the engines send no orders at all: the bar must not show the stable version trading.
    routing.halted
      ? h('div', { class: 'weights', role: 'img', 'aria-label': 'Halted: no model trades' }, h('span', { class: 'halted', style: 'width:100%' }, 'halted: no model trades'))
      : h('div', { class: 'weights', role: 'img', 'aria-label': `Stable ${100 - canary}%, canary ${canary}%` },
          100 - canary > 0 ? h('span', { class: 'stable', style: `width:${100 - canary}%` }, `stable ${routing.stable ? `v${routing.stable.version}` : '—'} ${100 - canary}%`) : null,
          canary > 0 ? h('span', { class: 'canary', style: `width:${canary}%` }, `canary v${routing.canary.version} ${canary}%`) : null,
        ),
    figure('Canary weight over time', stepChart({ label: `Canary weight over time: ${history.map((p) => `${p.value}%`).join(', ')}`, points: [...history, { at: Math.max(end, history[history.length - 1].at), value: r.canaryWeight }] })),
    h('h2', {}, 'Analysis'),
    table('Current analysis run: each metric', ['template', 'metric', 'phase', 'message'],
      r.analysis.map((m) => [m.template, `${m.metric}${m.dryRun ? ' (dry run)' : ''}`, phase(m.phase), m.message]),
      'no analysis step is running now.'),
    Object.entries(r.measurements ?? {}).map(([metric, taken]) => [
      h('h3', {}, `Measurements: ${metric}`),
      figure(`${metric} per interval`, barChart({
        label: `${metric}, one bar per interval: ${taken.map((m) => `${m.phase} ${num(m.value)}`).join(', ')}`,
        bars: taken.map((m, i) => ({ label: `#${i + 1} ${when(m.takenAt).slice(11)}`, value: m.value, phase: m.phase })),
        threshold: thresholdOfMessage(taken[taken.length - 1]?.message),
      })),
      table(`${metric}: every measurement`, ['taken', 'phase', 'value', 'samples', 'message'], taken.map((m) => [when(m.takenAt), phase(m.phase), num(m.value), m.samples ?? '—', m.message])),
    ]),
  );
}

/** The manual controls, each only for the roles the API allows, enabled by the rollout's phase. */
function controlsFor(rollout, after) {
  const reason = h('input', { id: 'control-reason', name: 'reason', type: 'text', autocomplete: 'off' });
  const mode = h('select', { id: 'kill-mode', name: 'mode' }, h('option', { value: 'stable' }, 'all flow to the stable version'), h('option', { value: 'halt' }, 'halt: no model trades'));
  const buttons = {};
  const send = async (path, body, button) => {
    button.disabled = true;
    try {
      await api(path, { method: 'POST', body });
      reason.removeAttribute('aria-invalid');
      clearError();
      announce(`${button.textContent}: sent.`);
    } catch (error) {
      showError(error);
    }
    // Re-enabled here; the next refresh disables what the rollout's new phase rules out.
    button.disabled = false;
    await after().catch(showError);
  };
  const command = (kind, label, cls) => {
    if (!can(kind)) return null;
    const button = h('button', { type: 'button', class: cls });
    button.textContent = label;
    button.addEventListener('click', () => send(`/v1/rollouts/${rollout.id}/${kind}`, reason.value.trim() ? { reason: reason.value.trim() } : {}, button));
    buttons[kind] = button;
    return button;
  };
  const pause = command('pause', 'Pause', 'secondary');
  const resume = command('resume', 'Resume', 'secondary');
  const abort = command('abort', 'Abort rollout', 'danger');
  let kill = null;
  if (can('kill')) {
    kill = h('button', { type: 'button', class: 'danger' }, 'Kill deployment');
    kill.addEventListener('click', () => {
      // Checked here as well as by the API, so that the message names the field in words a person reads.
      if (!reason.value.trim()) {
        reason.setAttribute('aria-invalid', 'true');
        showError({ code: 'VALIDATION_FAILED', message: 'a kill needs a reason', errors: [{ field: 'reason', message: 'required: write why the deployment is killed (it is recorded in the audit trail)' }] });
        reason.focus();
        return;
      }
      void send(`/v1/deployments/${encodeURIComponent(rollout.deployment)}/kill`, { reason: reason.value.trim(), mode: mode.value }, kill);
    });
  }
  const any = pause || resume || abort || kill;
  const element = any
    ? h('form', { 'aria-labelledby': 'controls-title', onsubmit: (e) => e.preventDefault() },
        h('h2', { id: 'controls-title' }, 'Controls'),
        h('label', { for: 'control-reason' }, 'Reason (recorded in the audit trail; required for a kill)'),
        reason,
        kill ? [h('label', { for: 'kill-mode' }, 'Kill mode'), mode] : null,
        h('div', { class: 'actions' }, pause, resume, abort, kill),
      )
    : h('p', { class: 'muted' }, 'Your roles allow watching this rollout only.');
  return {
    element,
    update(r) {
      const ended = TERMINAL.has(r.phase);
      if (buttons.pause) buttons.pause.disabled = ended || r.phase === 'Paused';
      if (buttons.resume) buttons.resume.disabled = ended || (r.phase !== 'Paused' && r.phase !== 'Degraded');
      if (buttons.abort) buttons.abort.disabled = ended;
    },
  };
}
