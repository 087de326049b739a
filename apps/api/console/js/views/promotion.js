import { all, api } from '../api.js';
import { focusHeading, h, replace } from '../dom.js';
import { sleep } from '../poll.js';
import { authorOf, promotionCard } from './promotion-card.js';

/** One promotion with its four-eyes card; once Approved, waits for the rollout controller to create its rollout and links it. */
export async function promotionView(main, [id], { signal }) {
  const promotion = await api(`/v1/promotions/${id}`, { signal });
  const author = await authorOf(promotion, signal);
  const rolloutSlot = h('div', { 'aria-live': 'polite' });
  replace(main, h('h1', {}, `Promotion of ${promotion.model} v${promotion.version}`), promotionCard(promotion, { author }), h('h2', {}, 'Rollout'), rolloutSlot);
  focusHeading(main);
  if (promotion.phase !== 'Approved') {
    replace(rolloutSlot, h('p', {}, 'A rollout starts once the promotion is Approved.'));
    return;
  }
  replace(rolloutSlot, h('p', {}, 'Waiting for the rollout controller to start the rollout…'));
  while (!signal.aborted) {
    const rollouts = await all(`/v1/rollouts?deployment=${encodeURIComponent(promotion.deployment)}`, { signal });
    const rollout = rollouts.find((r) => r.promotionId === id);
    if (rollout) {
      replace(rolloutSlot, h('p', {}, h('a', { href: `#/rollouts/${rollout.id}` }, `Open the rollout view (${rollout.phase}, canary ${rollout.canaryWeight}%)`)));
      return;
    }
    await sleep(1000, signal);
  }
}
