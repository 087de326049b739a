import { createHash } from 'node:crypto';
import { DomainError, canonicalJson, type AuditEvent } from '@airlock/core';
import type { Database } from '@airlock/persistence';
import { zipSync } from 'fflate';
import { LifecycleReportService, type LifecycleReport } from './lifecycle-report.js';

/**
 * The algorithm-governance evidence pack for a period (MiFID II RTS 6 style): per deployment that traded
 * (or was changed) in [from, to), the algorithms it ran, the tests each passed before deployment (validation and
 * shadow), who authorised it and what that bound, its limits (the rollout plan's caps), kill-switch activations
 * and rollbacks — plus every involved version's lifecycle report and the period's audit events with the whole
 * chain's verification. One zip; `MANIFEST.sha256` lists the sha256 of every other file (`sha256sum -c` checks it).
 */
export interface EvidencePackPeriod {
  /** Inclusive, ISO-8601 date or instant. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

export interface EvidencePack {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** path → sha256 of every file in the archive but the manifest itself. */
  readonly manifest: Readonly<Record<string, string>>;
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const inPeriod = (at: string | Date | null | undefined, p: EvidencePackPeriod): boolean => {
  if (!at) return false;
  const t = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return t >= p.from.getTime() && t < p.to.getTime();
};

export class EvidencePackService {
  private readonly reports: LifecycleReportService;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {
    this.reports = new LifecycleReportService(db, now);
  }

  async pack(period: EvidencePackPeriod): Promise<EvidencePack> {
    if (!(period.to.getTime() > period.from.getTime())) {
      throw new DomainError('VALIDATION_FAILED', 'the period is empty', { errors: [{ field: 'to', message: 'must be after from' }] });
    }
    const read = this.db.read;
    const files: Record<string, Uint8Array> = {};
    const promotions = await read.promotions.list({ limit: 10_000 });
    const rollouts = await read.rollouts.list({ limit: 10_000 });
    const reports = new Map<string, LifecycleReport>();
    const reportOf = async (model: string, version: number): Promise<LifecycleReport> => {
      const key = `${model}@${version}`;
      let r = reports.get(key);
      if (!r) {
        r = await this.reports.report(model, version);
        reports.set(key, r);
      }
      return r;
    };

    const deployments = [];
    for (const deployment of await read.deployments.list()) {
      const events = await read.auditEvents.list({ subject: `deployment:${deployment.name}`, limit: 100_000 });
      const mine = rollouts.filter((r) => r.spec.deployment === deployment.name);
      const active = mine.filter((r) => inPeriod(r.createdAt, period) || inPeriod(r.finishedAt, period) || (r.createdAt.getTime() < period.to.getTime() && (r.finishedAt === null || r.finishedAt.getTime() >= period.from.getTime())));
      const periodEvents = events.filter((e) => inPeriod(e.at, period));
      // A deployment belongs in the pack when it traded in the period (a stable now, routed before `to`) or changed in it.
      const traded = deployment.stable !== null && deployment.createdAt.getTime() < period.to.getTime();
      if (!traded && active.length === 0 && periodEvents.length === 0) continue;

      const refs = new Map<string, { model: string; version: number; sha256: string }>();
      if (deployment.stable) refs.set(`${deployment.stable.model}@${deployment.stable.version}`, deployment.stable);
      if (deployment.canary) refs.set(`${deployment.canary.model}@${deployment.canary.version}`, deployment.canary);
      for (const r of active) {
        refs.set(`${r.spec.candidate.model}@${r.spec.candidate.version}`, r.spec.candidate);
        if (r.spec.stable) refs.set(`${r.spec.stable.model}@${r.spec.stable.version}`, r.spec.stable);
      }
      const algorithms = [];
      for (const [key, ref] of refs) {
        const report = await reportOf(ref.model, ref.version);
        const authorisations = promotions
          .filter((p) => p.deployment === deployment.name && p.target.model === ref.model && p.target.version === ref.version)
          .map((p) => ({
            promotionId: p.id,
            phase: p.phase,
            requestedBy: p.requestedBy,
            requestedAt: p.requestedAt.toISOString(),
            override: p.override,
            approvals: p.approvals.map((a) => ({ approver: a.approver, decision: a.decision, sha256: a.sha256, planHash: a.planHash, at: a.at.toISOString() })),
            limits: p.plan.caps,
            planHash: p.planHash,
          }));
        algorithms.push({
          version: key,
          sha256: ref.sha256,
          owner: report.identity.owner,
          tier: report.identity.tier,
          testsBeforeDeployment: {
            validation: report.validation.map((v) => ({ runId: v.runId, phase: v.phase, finishedAt: v.finishedAt, gates: v.gates })),
            shadow: report.shadow.map((s) => ({ sessionId: s.sessionId, deployment: s.deployment, phase: s.phase, verdict: s.verdict })),
          },
          authorisations,
          lifecycleReport: `reports/${key}.json`,
        });
      }
      deployments.push({
        deployment: deployment.name,
        routingNow: { stable: deployment.stable, canary: deployment.canary, canaryWeight: deployment.canaryWeight, halted: deployment.halted, revision: deployment.revision },
        algorithms,
        killSwitch: periodEvents.filter((e) => e.action === 'deployment.killed' || e.action === 'deployment.resumed').map((e) => ({ seq: e.seq, at: e.at, action: e.action, actor: e.actor, data: e.data })),
        rollbacks: active
          .filter((r) => r.status.phase === 'Aborted' && inPeriod(r.finishedAt, period))
          .map((r) => ({ rolloutId: r.id, candidate: r.spec.candidate, backTo: r.spec.stable, at: r.finishedAt?.toISOString() ?? null, reason: r.status.abort?.reason ?? null, message: r.status.abort?.message ?? null })),
        rollouts: active.map((r) => ({ rolloutId: r.id, candidate: r.spec.candidate, phase: r.status.phase, createdAt: r.createdAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null, plan: r.spec.plan })),
      });
    }

    for (const [key, report] of reports) files[`reports/${key}.json`] = json(report);
    const periodEvents: AuditEvent[] = [];
    for await (const e of read.auditEvents.stream()) if (inPeriod(e.at, period)) periodEvents.push(e);
    files['audit/events.jsonl'] = new TextEncoder().encode(periodEvents.map((e) => `${canonicalJson(e)}\n`).join(''));
    const chain = [...reports.values()][0]?.audit.chain ?? (await this.reports.chain());
    files['audit/verification.json'] = json(chain);
    const generatedAt = this.now().toISOString();
    files['summary.json'] = json({
      schema: 'airlock.evidence-pack/1',
      generatedAt,
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      deployments,
    });

    const manifest: Record<string, string> = {};
    for (const path of Object.keys(files).sort()) manifest[path] = sha256(files[path]!);
    files['MANIFEST.sha256'] = new TextEncoder().encode(Object.entries(manifest).map(([path, digest]) => `${digest}  ${path}\n`).join(''));
    // Fixed timestamps: the same period and state give the same archive bytes.
    const mtime = new Date(Date.UTC(2000, 0, 1));
    const zipped = zipSync(Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, [bytes, { mtime }]])), { level: 6 });
    const stamp = (d: Date) => d.toISOString().slice(0, 10);
    return { fileName: `airlock-evidence-${stamp(period.from)}_${stamp(period.to)}.zip`, bytes: zipped, manifest };
  }
}
