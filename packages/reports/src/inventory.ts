import type { ModelTier, VersionStatus } from '@airlock/core';
import type { Database } from '@airlock/persistence';

/**
 * The model inventory (SR 11-7 style): every model version in production — the stable and the canary of every
 * deployment's routing table — with its owner and tier, its last validation and when the next one is due, and
 * its open findings. Read-only; what `GET /v1/reports/inventory` serves as JSON, CSV or HTML.
 */

/** Days between validations by tier (the periodic review an inventory tracks); high-tier models most often. */
export const REVALIDATION_DAYS: Readonly<Record<ModelTier, number>> = { high: 90, medium: 180, low: 365 };

const DAY_MS = 86_400_000;

export interface InventoryRow {
  readonly deployment: string;
  /** stable: trades the flow not routed to a canary; canary: the share `canaryWeight` percent. */
  readonly role: 'stable' | 'canary';
  readonly canaryWeight: number;
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
  readonly status: VersionStatus | null;
  readonly owner: string | null;
  readonly tier: ModelTier | null;
  readonly assetClass: string | null;
  /** The last finished validation run of this version (null: never validated). */
  readonly lastValidation: { readonly runId: string; readonly phase: string; readonly finishedAt: string } | null;
  /** last validation + REVALIDATION_DAYS[tier]; null when there is none to count from. */
  readonly nextValidationDue: string | null;
  readonly validationOverdue: boolean;
  /** Codes with their reason: what an auditor should look at. */
  readonly openFindings: readonly { readonly code: string; readonly detail: string }[];
}

export interface Inventory {
  readonly generatedAt: string;
  readonly rows: readonly InventoryRow[];
}

export class InventoryService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  async inventory(): Promise<Inventory> {
    const now = this.now();
    const rows: InventoryRow[] = [];
    const activeRollouts = await this.db.read.rollouts.active();
    for (const deployment of await this.db.read.deployments.list()) {
      const slots = [
        ...(deployment.stable ? [{ role: 'stable' as const, ref: deployment.stable }] : []),
        ...(deployment.canary ? [{ role: 'canary' as const, ref: deployment.canary }] : []),
      ];
      for (const { role, ref } of slots) {
        const model = await this.db.read.models.findByName(ref.model);
        const version = model ? await this.db.read.versions.find(model, ref.version) : null;
        const runs = version ? await this.db.read.validation.runsOfVersion(version.id) : [];
        const last = runs.filter((r) => r.finishedAt !== null).sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime())[0] ?? null;
        const due = last && model ? new Date(last.finishedAt!.getTime() + REVALIDATION_DAYS[model.tier] * DAY_MS) : null;
        const findings: { code: string; detail: string }[] = [];
        if (!version) findings.push({ code: 'UNKNOWN_VERSION', detail: `${ref.model}@${ref.version} is routed but not registered` });
        else if (version.sha256 !== ref.sha256) findings.push({ code: 'ARTIFACT_MISMATCH', detail: `routed sha256 ${ref.sha256} is not the registered ${version.sha256}` });
        if (!last) findings.push({ code: 'NEVER_VALIDATED', detail: 'no finished validation run' });
        else if (last.phase !== 'Successful') findings.push({ code: 'LAST_VALIDATION_NOT_PASSED', detail: `run ${last.id} ended ${last.phase}` });
        if (due && due.getTime() < now.getTime()) findings.push({ code: 'VALIDATION_OVERDUE', detail: `due ${due.toISOString()}` });
        if (version && version.status === 'needs-review') findings.push({ code: 'NEEDS_REVIEW', detail: 'a validation or shadow verdict asked for a human' });
        if (deployment.kill) findings.push({ code: 'KILLED', detail: `${deployment.kill.mode} by ${deployment.kill.by} at ${deployment.kill.at.toISOString()}: ${deployment.kill.reason}` });
        if (deployment.halted && !deployment.kill) findings.push({ code: 'HALTED', detail: 'the deployment is halted' });
        const rollout = activeRollouts.find((r) => r.spec.deployment === deployment.name);
        if (rollout && rollout.status.phase !== 'Progressing') findings.push({ code: `ROLLOUT_${rollout.status.phase.toUpperCase()}`, detail: `rollout ${rollout.id} is ${rollout.status.phase}${rollout.status.pause ? ` (${rollout.status.pause.kind})` : ''}` });
        rows.push({
          deployment: deployment.name,
          role,
          canaryWeight: role === 'canary' ? deployment.canaryWeight : 100 - (deployment.canary ? deployment.canaryWeight : 0),
          model: ref.model,
          version: ref.version,
          sha256: ref.sha256,
          status: version?.status ?? null,
          owner: model?.owner ?? null,
          tier: model?.tier ?? null,
          assetClass: model?.assetClass ?? null,
          lastValidation: last ? { runId: last.id, phase: last.phase, finishedAt: last.finishedAt!.toISOString() } : null,
          nextValidationDue: due?.toISOString() ?? null,
          validationOverdue: due !== null && due.getTime() < now.getTime(),
          openFindings: findings,
        });
      }
    }
    return { generatedAt: now.toISOString(), rows };
  }
}

const COLUMNS = ['deployment', 'role', 'canaryWeight', 'model', 'version', 'sha256', 'status', 'owner', 'tier', 'assetClass', 'lastValidationPhase', 'lastValidationAt', 'nextValidationDue', 'validationOverdue', 'openFindings'] as const;

function flat(row: InventoryRow): Record<(typeof COLUMNS)[number], string> {
  return {
    deployment: row.deployment,
    role: row.role,
    canaryWeight: String(row.canaryWeight),
    model: row.model,
    version: String(row.version),
    sha256: row.sha256,
    status: row.status ?? '',
    owner: row.owner ?? '',
    tier: row.tier ?? '',
    assetClass: row.assetClass ?? '',
    lastValidationPhase: row.lastValidation?.phase ?? '',
    lastValidationAt: row.lastValidation?.finishedAt ?? '',
    nextValidationDue: row.nextValidationDue ?? '',
    validationOverdue: String(row.validationOverdue),
    openFindings: row.openFindings.map((f) => f.code).join(' '),
  };
}

/** RFC 4180 CSV: a header line, CRLF line ends, fields quoted when they hold a comma, quote or line break. */
export function inventoryCsv(inventory: Inventory): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [COLUMNS.join(','), ...inventory.rows.map((r) => COLUMNS.map((c) => field(flat(r)[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

const escapeHtml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A self-contained HTML page (no scripts, no external assets): one table, findings spelled out. */
export function inventoryHtml(inventory: Inventory): string {
  const head = COLUMNS.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = inventory.rows
    .map((r) => {
      const cells = flat(r);
      return `<tr>${COLUMNS.map((c) =>
        c === 'openFindings'
          ? `<td>${r.openFindings.map((f) => `<strong>${escapeHtml(f.code)}</strong> ${escapeHtml(f.detail)}`).join('<br>')}</td>`
          : `<td>${escapeHtml(cells[c])}</td>`,
      ).join('')}</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Airlock model inventory</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}</style>
</head><body>
<h1>Model inventory</h1>
<p>Generated ${escapeHtml(inventory.generatedAt)}. Every model version in production (the stable and the canary of each deployment); next validation due by tier: high ${REVALIDATION_DAYS.high} days, medium ${REVALIDATION_DAYS.medium}, low ${REVALIDATION_DAYS.low}.</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
</body></html>
`;
}
