import { actorRecord, AuditChainVerifier, DomainError, type ActorRecord, type AuditEvent, type ChainVerification, type ModelVersion } from '@airlock/core';
import type { Database } from '@airlock/persistence';

/**
 * The lifecycle report of one version: everything an auditor needs to follow it from registration to production
 * (or rejection), assembled from the registry, validation runs, shadow sessions, promotions, rollouts and the
 * audit chain — which is verified as part of the report. Served as JSON and as a self-contained HTML page with
 * SVG charts drawn here (`GET /v1/models/{name}/versions/{version}/report`).
 */
export interface LifecycleReport {
  readonly schema: 'airlock.lifecycle-report/1';
  readonly generatedAt: string;
  readonly identity: {
    readonly model: string;
    readonly version: number;
    readonly sha256: string;
    readonly sizeBytes: number;
    readonly status: string;
    readonly registeredAt: string;
    readonly registeredBy: string;
    readonly owner: string;
    readonly tier: string;
    readonly assetClass: string;
  };
  readonly lineage: { readonly features: readonly string[]; readonly actions: readonly string[]; readonly training: unknown; readonly tags: readonly string[] };
  readonly validation: readonly { readonly runId: string; readonly phase: string; readonly requestedBy: string; readonly finishedAt: string | null; readonly gates: unknown[]; readonly evidenceSha256: string | null; readonly error: string | null }[];
  readonly shadow: readonly { readonly sessionId: string; readonly deployment: string; readonly phase: string; readonly verdict: string | null; readonly gates: unknown[]; readonly evidenceSha256: string | null }[];
  readonly promotions: readonly {
    readonly id: string;
    readonly deployment: string;
    readonly phase: string;
    readonly requestedBy: string;
    readonly requestedAt: string;
    readonly decidedAt: string | null;
    readonly planHash: string;
    readonly override: unknown;
    /** Each vote and exactly what it bound: the artifact's sha256 and the plan's hash. */
    readonly approvals: readonly { readonly approver: string; readonly decision: string; readonly comment: string | null; readonly sha256: string; readonly planHash: string; readonly at: string }[];
  }[];
  readonly rollouts: readonly {
    readonly id: string;
    readonly promotionId: string;
    readonly deployment: string;
    readonly phase: string;
    readonly canaryWeight: number;
    readonly createdAt: string;
    readonly finishedAt: string | null;
    readonly abort: unknown;
    /** The rollout's events from the audit chain, oldest first. */
    readonly timeline: readonly { readonly seq: number; readonly at: string; readonly action: string; readonly data: unknown }[];
    /** Every live-analysis measurement taken, by metric. */
    readonly measurements: Readonly<Record<string, readonly unknown[]>>;
  }[];
  readonly incidents: readonly { readonly at: string; readonly kind: string; readonly detail: string }[];
  readonly audit: { readonly events: readonly AuditEvent[]; readonly chain: ChainVerification };
  /** Who each key named in this report is (its name and roles; never a secret): auditors read people, not ids. */
  readonly actors: readonly ActorRecord[];
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export class LifecycleReportService {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  async report(modelName: string, versionNumber: number): Promise<LifecycleReport> {
    const read = this.db.read;
    const model = await read.models.findByName(modelName);
    const version: ModelVersion | null = model ? await read.versions.find(model, versionNumber) : null;
    if (!model || !version) throw new DomainError('NOT_FOUND', `version ${modelName}@${versionNumber} not found`);
    const key = `${model.name}@${version.version}`;

    const runs = await read.validation.runsOfVersion(version.id);
    const sessions = (await read.shadows.listSessions({ model: model.name, limit: 500 })).filter((s) => s.candidates.some((c) => c.version === version.version));
    const promotions = (await read.promotions.list({ limit: 10_000 })).filter((p) => p.target.model === model.name && p.target.version === version.version);
    const promotionIds = new Set(promotions.map((p) => p.id));
    const rollouts = (await read.rollouts.list({ limit: 10_000 })).filter((r) => promotionIds.has(r.promotionId));

    // The version's own events, its promotions' (rollout events are audited under the promotion) and its sessions'.
    const subjects = [`model:${key}`, ...promotions.map((p) => `promotion:${p.id}`), ...sessions.map((s) => `shadow:${s.id}`)];
    const bySeq = new Map<number, AuditEvent>();
    for (const subject of subjects) for (const e of await read.auditEvents.list({ subject, limit: 10_000 })) bySeq.set(e.seq, e);
    const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const chain = await this.chain();

    const incidents: { at: string; kind: string; detail: string }[] = [];
    for (const r of rollouts) {
      if (r.status.phase === 'Aborted' && r.status.abort) {
        incidents.push({ at: iso(r.finishedAt) ?? iso(r.updatedAt)!, kind: `rollout-aborted:${r.status.abort.reason}`, detail: `${r.spec.deployment}: ${r.status.abort.message}` });
      }
    }
    for (const deployment of new Set(promotions.map((p) => p.deployment))) {
      for (const e of await read.auditEvents.list({ subject: `deployment:${deployment}`, limit: 10_000 })) {
        if (e.action === 'deployment.killed' || e.action === 'deployment.resumed') incidents.push({ at: e.at, kind: e.action, detail: `${deployment}: ${JSON.stringify(e.data)}` });
      }
    }
    incidents.sort((a, b) => a.at.localeCompare(b.at));

    const named = new Set<string>([version.createdBy, ...runs.map((r) => r.requestedBy), ...events.map((e) => e.actor)]);
    for (const p of promotions) for (const actor of [p.requestedBy, p.override?.by, ...p.approvals.map((a) => a.approver)]) if (actor) named.add(actor);
    const actors = (await read.apiKeys.list()).map(actorRecord).filter((a) => named.has(a.actor));

    return {
      schema: 'airlock.lifecycle-report/1',
      generatedAt: this.now().toISOString(),
      identity: {
        model: model.name,
        version: version.version,
        sha256: version.sha256,
        sizeBytes: version.sizeBytes,
        status: version.status,
        registeredAt: version.createdAt.toISOString(),
        registeredBy: version.createdBy,
        owner: model.owner,
        tier: model.tier,
        assetClass: model.assetClass,
      },
      lineage: { features: version.manifest.features, actions: version.manifest.actions, training: version.manifest.training ?? null, tags: version.manifest.tags ?? [] },
      validation: runs.map((r) => ({ runId: r.id, phase: r.phase, requestedBy: r.requestedBy, finishedAt: iso(r.finishedAt), gates: r.gates ?? [], evidenceSha256: r.evidenceSha256, error: r.error })),
      shadow: sessions.map((s) => ({
        sessionId: s.id,
        deployment: s.deployment,
        phase: s.phase,
        verdict: s.verdicts?.[key]?.verdict ?? null,
        gates: [...(s.verdicts?.[key]?.gates ?? [])],
        evidenceSha256: s.evidenceSha256,
      })),
      promotions: promotions.map((p) => ({
        id: p.id,
        deployment: p.deployment,
        phase: p.phase,
        requestedBy: p.requestedBy,
        requestedAt: p.requestedAt.toISOString(),
        decidedAt: iso(p.decidedAt),
        planHash: p.planHash,
        override: p.override,
        approvals: p.approvals.map((a) => ({ approver: a.approver, decision: a.decision, comment: a.comment ?? null, sha256: a.sha256, planHash: a.planHash, at: a.at.toISOString() })),
      })),
      rollouts: rollouts.map((r) => ({
        id: r.id,
        promotionId: r.promotionId,
        deployment: r.spec.deployment,
        phase: r.status.phase,
        canaryWeight: r.status.canaryWeight,
        createdAt: r.createdAt.toISOString(),
        finishedAt: iso(r.finishedAt),
        abort: r.status.abort,
        timeline: events.filter((e) => e.subject === `promotion:${r.promotionId}` && e.action.startsWith('rollout.')).map((e) => ({ seq: e.seq, at: e.at, action: e.action, data: e.data })),
        measurements: r.liveAnalysis?.taken ?? {},
      })),
      incidents,
      audit: { events, chain },
      actors,
    };
  }

  /** The whole audit chain recomputed from its first event. */
  async chain(): Promise<ChainVerification> {
    const verifier = new AuditChainVerifier();
    for await (const event of this.db.read.auditEvents.stream()) if (!verifier.add(event)) break;
    return verifier.result();
  }
}

const esc = (v: unknown): string => String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One series of numbers as an SVG bar chart (server-side, no script): e.g. a rollout's canary weight over its events. */
export function barChartSvg(title: string, values: readonly { readonly label: string; readonly value: number }[], unit: string): string {
  const width = 560;
  const height = 160;
  const max = Math.max(1, ...values.map((v) => v.value));
  const bar = values.length > 0 ? Math.min(48, (width - 40) / values.length) : 0;
  const bars = values
    .map((v, i) => {
      const h = Math.round((v.value / max) * (height - 40));
      const x = 30 + i * bar;
      return `<rect x="${x}" y="${height - 20 - h}" width="${Math.max(1, bar - 4)}" height="${h}" fill="#3b6ea5"><title>${esc(v.label)}: ${esc(v.value)} ${esc(unit)}</title></rect>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${esc(title)}</title><line x1="28" y1="${height - 20}" x2="${width - 10}" y2="${height - 20}" stroke="#999"/><text x="30" y="14" font-size="12">${esc(title)} (max ${esc(max)} ${esc(unit)})</text>${bars}</svg>`;
}

const table = (head: readonly string[], rows: readonly (readonly unknown[])[]): string =>
  `<table><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(typeof c === 'object' && c !== null ? JSON.stringify(c) : c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

/** The report as one self-contained HTML page: sections in lifecycle order, charts as inline SVG. */
export function lifecycleReportHtml(r: LifecycleReport): string {
  const id = r.identity;
  const gateRows = (gates: readonly unknown[]) => gates.map((g) => { const x = g as Record<string, unknown>; return [x['name'], x['phase'], x['value'], x['condition'], x['message']]; });
  const rollouts = r.rollouts
    .map((ro) => {
      const weights = ro.timeline.filter((e) => e.action === 'rollout.weightSet').map((e) => ({ label: e.at, value: Number((e.data as Record<string, unknown>)['canaryWeight'] ?? 0) }));
      const measurements = Object.entries(ro.measurements).flatMap(([metric, ms]) => ms.map((m) => { const x = m as Record<string, unknown>; return [metric, new Date(Number(x['takenAtMs'])).toISOString(), x['phase'], x['value'], x['message']]; }));
      return `<h3>Rollout ${esc(ro.id)} on ${esc(ro.deployment)} — ${esc(ro.phase)}</h3>
${weights.length > 0 ? barChartSvg('Canary weight at each step', weights, '%') : ''}
${table(['seq', 'at', 'event', 'data'], ro.timeline.map((e) => [e.seq, e.at, e.action, e.data]))}
<h4>Analysis measurements</h4>${measurements.length > 0 ? table(['metric', 'taken', 'phase', 'value', 'message'], measurements) : '<p>None taken.</p>'}`;
    })
    .join('\n');
  const chain = r.audit.chain;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lifecycle report ${esc(id.model)}@${esc(id.version)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;max-width:1100px}table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;font-size:12px}th{background:#f3f3f3}code{word-break:break-all}</style>
</head><body>
<h1>Lifecycle report: ${esc(id.model)}@${esc(id.version)}</h1>
<p>Generated ${esc(r.generatedAt)}. Audit chain: <strong>${chain.ok ? `verified, ${chain.events} events` : `BROKEN at event ${chain.brokenAt} (${chain.reason})`}</strong>.</p>
<h2 id="identity">Identity and artifact</h2>
${table(['field', 'value'], [['model', id.model], ['version', id.version], ['sha256', id.sha256], ['size (bytes)', id.sizeBytes], ['status', id.status], ['registered', `${id.registeredAt} by ${id.registeredBy}`], ['owner', id.owner], ['tier', id.tier], ['asset class', id.assetClass]])}
<h2 id="lineage">Lineage</h2>
${table(['features', 'actions', 'training', 'tags'], [[r.lineage.features.join(', '), r.lineage.actions.join(', '), r.lineage.training, r.lineage.tags.join(', ')]])}
<h2 id="validation">Validation</h2>
${r.validation.map((v) => `<h3>Run ${esc(v.runId)} — ${esc(v.phase)}</h3>${table(['gate', 'phase', 'value', 'condition', 'message'], gateRows(v.gates))}`).join('\n') || '<p>No validation run.</p>'}
<h2 id="shadow">Shadow</h2>
${r.shadow.map((s) => `<h3>Session ${esc(s.sessionId)} on ${esc(s.deployment)} — ${esc(s.phase)}, verdict ${esc(s.verdict ?? 'none')}</h3>${table(['gate', 'phase', 'value', 'condition', 'message'], gateRows(s.gates))}`).join('\n') || '<p>No shadow session.</p>'}
<h2 id="approvals">Promotions and approvals</h2>
${r.promotions.map((p) => `<h3>Promotion ${esc(p.id)} to ${esc(p.deployment)} — ${esc(p.phase)}</h3><p>Requested by ${esc(p.requestedBy)} at ${esc(p.requestedAt)}; plan hash <code>${esc(p.planHash)}</code>${p.override ? `; override ${esc(JSON.stringify(p.override))}` : ''}.</p>${table(['approver', 'decision', 'comment', 'bound sha256', 'bound plan hash', 'at'], p.approvals.map((a) => [a.approver, a.decision, a.comment, a.sha256, a.planHash, a.at]))}`).join('\n') || '<p>Never promoted.</p>'}
<h2 id="rollouts">Rollouts</h2>
${rollouts || '<p>No rollout.</p>'}
<h2 id="incidents">Incidents</h2>
${r.incidents.length > 0 ? table(['at', 'kind', 'detail'], r.incidents.map((i) => [i.at, i.kind, i.detail])) : '<p>None.</p>'}
<h2 id="actors">Who is who</h2>
${r.actors.length > 0 ? table(['actor', 'key name', 'roles', 'revoked'], r.actors.map((a) => [a.actor, a.name, a.roles.join(', '), a.revoked ? 'yes' : 'no'])) : '<p>Only the platform acted.</p>'}
<h2 id="audit">Audit events</h2>
${table(['seq', 'at', 'actor', 'action', 'subject', 'hash'], r.audit.events.map((e) => [e.seq, e.at, e.actor, e.action, e.subject, e.hash]))}
</body></html>
`;
}
