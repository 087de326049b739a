import { all, api } from '../api.js';
import { focusHeading, h, phase, replace, table, when } from '../dom.js';
import { can } from '../session.js';

const versionLink = (model, version) => h('a', { href: `#/models/${model}/versions/${version}` }, `${model} v${version}`);

/** The model inventory: what trades in production (the inventory report, for roles that may read it) and every model with its versions. */
export async function inventoryView(main, _params, { signal }) {
  replace(main, h('h1', {}, 'Model inventory'), h('p', { class: 'muted' }, 'Loading…'));
  focusHeading(main);
  const models = await all('/v1/models', { signal });
  const versions = await Promise.all(models.map((m) => all(`/v1/models/${m.name}/versions`, { signal })));
  const production = can('inventory') ? await api('/v1/reports/inventory', { signal }) : null;
  const sections = [];
  if (production) {
    sections.push(
      h('h2', {}, 'In production'),
      table('Versions serving flow, by deployment', ['deployment', 'role', 'version', 'status', 'owner', 'tier', 'last validation', 'next due', 'open findings'],
        production.rows.map((r) => [
          r.deployment,
          r.role === 'canary' ? `canary (${r.canaryWeight}%)` : 'stable',
          versionLink(r.model, r.version),
          phase(r.status),
          r.owner,
          r.tier,
          r.lastValidation ? [phase(r.lastValidation.phase), ` ${when(r.lastValidation.finishedAt)}`] : 'never',
          r.nextValidationDue ? `${when(r.nextValidationDue)}${r.validationOverdue ? ' (overdue)' : ''}` : '—',
          r.openFindings.length === 0 ? 'none' : h('ul', {}, r.openFindings.map((f) => h('li', {}, `${f.code}: ${f.detail}`))),
        ]),
        'nothing is deployed yet.'),
    );
  }
  sections.push(
    h('h2', {}, 'Models'),
    table('Every registered model', ['model', 'owner', 'asset class', 'tier', 'versions'],
      models.map((m, i) => [
        m.name,
        m.owner,
        m.assetClass,
        m.tier,
        h('ul', {}, versions[i].map((v) => h('li', {}, versionLink(m.name, v.version), ' ', phase(v.status)))),
      ]),
      'no models registered yet.'),
  );
  replace(main, h('h1', {}, 'Model inventory'), sections);
  focusHeading(main);
}
