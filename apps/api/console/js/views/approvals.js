import { all } from '../api.js';
import { focusHeading, h, phase, replace, table, when } from '../dom.js';
import { authorOf, promotionCard } from './promotion-card.js';

/** The risk inbox: promotions waiting for votes (oldest first), each with its four-eyes rules, and the recently decided. */
export async function approvalsView(main, _params, { signal }) {
  replace(main, h('h1', {}, 'Approvals inbox'), h('p', { class: 'muted' }, 'Loading…'));
  focusHeading(main);
  const [pending, everything] = await Promise.all([all('/v1/promotions?phase=PendingApproval', { signal }), all('/v1/promotions', { signal })]);
  const authors = await Promise.all(pending.map((p) => authorOf(p, signal)));
  const decided = everything.filter((p) => p.phase !== 'PendingApproval').slice(-20).reverse();
  replace(main,
    h('h1', {}, 'Approvals inbox'),
    h('p', {}, pending.length === 0 ? 'Nothing is waiting for a vote.' : `${pending.length} promotion${pending.length === 1 ? '' : 's'} waiting for a vote, oldest first.`),
    pending.map((p, i) => promotionCard(p, { author: authors[i] })),
    h('h2', {}, 'Recently decided'),
    table('The last 20 decided or expired promotions', ['promotion', 'phase', 'decided', 'approvals'],
      decided.map((p) => [h('a', { href: `#/promotions/${p.id}` }, `${p.model} v${p.version} → ${p.deployment}`), phase(p.phase), when(p.decidedAt), `${p.validApprovals}/${p.requiredApprovals}`]),
      'none yet.'),
  );
  focusHeading(main);
}
