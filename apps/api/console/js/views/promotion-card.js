import { api } from '../api.js';
import { h, phase, replace, table, when } from '../dom.js';
import { announce, clearError, showError } from '../notify.js';
import { can, session, who } from '../session.js';

/**
 * Why the signed-in key may not vote on this promotion (null: it may). Mirrors the API's refusals in order —
 * the API still enforces them; the console shows them before anyone tries.
 */
export function voteBlocker(promotion, author) {
  const me = session.me;
  if (promotion.phase !== 'PendingApproval') return `This promotion is ${promotion.phase}: it no longer takes votes.`;
  if (me.actor === promotion.requestedBy) return 'You requested this promotion: the requester may not vote on it (four-eyes).';
  if (author && me.actor === author) return 'You registered this version: its author may not vote on its promotion (four-eyes).';
  if (promotion.approvals.some((a) => a.approver === me.actor)) return 'You have voted on this promotion already: each approver votes once.';
  return null;
}


/** The four-eyes rules of one promotion, each marked met or not, from the promotion's JSON and its version's author. */
function rules(promotion, author) {
  const votedApprove = promotion.validApprovals;
  const approvers = new Set(promotion.approvals.map((a) => a.approver));
  const rule = (met, text) => h('li', { class: met ? 'met' : 'unmet' }, h('span', { class: 'visually-hidden' }, met ? 'Met: ' : 'Not met: '), text);
  return h('ul', { class: 'rules', 'aria-label': 'Four-eyes rules' },
    rule(votedApprove >= promotion.requiredApprovals,
      `Tier ${promotion.tier}: ${promotion.requiredApprovals} distinct risk approver${promotion.requiredApprovals === 1 ? '' : 's'} needed; ${votedApprove} current approval${votedApprove === 1 ? '' : 's'} received.`),
    rule(!approvers.has(promotion.requestedBy), `The requester (${who(promotion.requestedBy)}) may not vote.`),
    rule(!author || !approvers.has(author), `The version's author (${author ? who(author) : 'unknown'}) may not vote.`),
    rule(true, 'Each approver votes once; a rejection needs a comment and is final.'),
    rule(true, `Votes bind the artifact sha256 and the plan hash; an approval expires after its validity window (this request closes ${when(promotion.expiresAt)}).`),
  );
}

/**
 * One promotion as a labelled region: target, phase, the four-eyes rules, the votes so far, and — for a risk key
 * that may vote — a comment box with Approve and Reject. `onChange(updated)` is called after a vote.
 */
export function promotionCard(promotion, { author, onChange }) {
  const id = promotion.id;
  const headingId = `promotion-${id}`;
  const card = h('section', { class: 'card', 'aria-labelledby': headingId, 'data-promotion': id });
  const render = (p) => {
    replace(card,
      h('h2', { id: headingId }, `${p.model} v${p.version} → ${p.deployment}`),
      h('p', {}, 'Phase: ', phase(p.phase, { 'data-testid': 'promotion-phase' })),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Requested'), h('dd', {}, `${when(p.requestedAt)} by ${who(p.requestedBy)}`),
        h('dt', {}, 'Version'), h('dd', {}, h('a', { href: `#/models/${p.model}/versions/${p.version}` }, `${p.model} v${p.version}`), ` · author ${author ? who(author) : '—'}`),
        h('dt', {}, 'Artifact sha256'), h('dd', {}, h('code', {}, p.sha256)),
        h('dt', {}, 'Plan'), h('dd', {}, planSummary(p.plan), ' · hash ', h('code', {}, p.planHash.slice(0, 12))),
      ),
      h('h3', {}, 'Four-eyes rules'),
      rules(p, author),
      table('Votes', ['approver', 'decision', 'comment', 'at', 'valid until'],
        p.approvals.map((a) => [who(a.approver), a.decision, a.comment || '—', when(a.at), a.expired ? `expired ${when(a.expiresAt)}` : when(a.expiresAt)]),
        'no votes yet.'),
      voting(p),
      p.phase === 'Approved' ? h('p', {}, h('a', { href: `#/promotions/${id}` }, 'Follow its rollout')) : null,
    );
  };
  const voting = (p) => {
    if (!can('vote')) return h('p', { class: 'muted' }, 'Only risk officers vote on promotions.');
    const blocker = voteBlocker(p, author);
    if (blocker && p.phase !== 'PendingApproval') return null;
    const reasonId = `vote-blocked-${id}`;
    const comment = h('textarea', { id: `comment-${id}`, name: 'comment', disabled: Boolean(blocker) });
    const vote = async (decision, button) => {
      button.disabled = true;
      try {
        const updated = await api(`/v1/promotions/${id}/approvals`, { method: 'POST', body: { decision, comment: comment.value } });
        clearError();
        announce(`Promotion ${updated.model} v${updated.version}: ${updated.phase}.`);
        render(updated);
        onChange?.(updated);
        // The form is gone after a decisive vote: keep keyboard focus inside the card, on its heading.
        const heading = card.querySelector('h2');
        heading?.setAttribute('tabindex', '-1');
        heading?.focus();
      } catch (error) {
        showError(error);
        button.disabled = false;
      }
    };
    const approve = h('button', { type: 'button', disabled: Boolean(blocker), 'aria-describedby': blocker ? reasonId : null }, 'Approve');
    const reject = h('button', { type: 'button', class: 'danger', disabled: Boolean(blocker), 'aria-describedby': blocker ? reasonId : null }, 'Reject');
    approve.addEventListener('click', () => vote('approve', approve));
    reject.addEventListener('click', () => vote('reject', reject));
    return h('form', { 'aria-label': `Vote on ${p.model} v${p.version}`, onsubmit: (e) => e.preventDefault() },
      h('label', { for: `comment-${id}` }, 'Comment (required to reject)'),
      comment,
      h('div', { class: 'actions' }, approve, reject),
      blocker ? h('p', { id: reasonId, class: 'reason' }, blocker) : null,
    );
  };
  render(promotion);
  return card;
}

/** "1% → pause 1s → 5% → analysis → 100%" */
export function planSummary(plan) {
  return (plan?.steps ?? [])
    .map((s) => ('setWeight' in s ? `${s.setWeight}%` : 'pause' in s ? `pause${s.pause.durationSeconds ? ` ${s.pause.durationSeconds}s` : ''}` : 'analysis' in s ? `analysis (${s.analysis.templates.join(', ')})` : '?'))
    .join(' → ');
}

/** The version's author (`createdBy`), needed for the four-eyes rule; null when the version cannot be read. */
export async function authorOf(promotion, signal) {
  try {
    return (await api(`/v1/models/${promotion.model}/versions/${promotion.version}`, { signal })).createdBy;
  } catch {
    return null;
  }
}
