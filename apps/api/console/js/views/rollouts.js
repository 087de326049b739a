import { all } from '../api.js';
import { focusHeading, h, phase, replace, table, when } from '../dom.js';

/** Every rollout, newest first, linking to its live view. */
export async function rolloutsView(main, _params, { signal }) {
  replace(main, h('h1', {}, 'Rollouts'), h('p', { class: 'muted' }, 'Loading…'));
  focusHeading(main);
  const rollouts = (await all('/v1/rollouts', { signal })).reverse();
  replace(main,
    h('h1', {}, 'Rollouts'),
    table('Rollouts, newest first', ['rollout', 'deployment', 'phase', 'step', 'canary weight', 'started', 'finished'],
      rollouts.map((r) => [
        h('a', { href: `#/rollouts/${r.id}` }, `${r.candidate.model} v${r.candidate.version}`),
        r.deployment,
        phase(r.phase),
        `${Math.min(r.step + 1, r.steps)} of ${r.steps}`,
        `${r.canaryWeight}%`,
        when(r.createdAt),
        when(r.finishedAt),
      ]),
      'no rollouts yet: they start when a promotion is Approved.'),
  );
  focusHeading(main);
}
