import type { EntityManager } from 'typeorm';
import { LiveMetricWindowEntity } from '../entities/live-metric-window.entity.js';
import { ShadowFindingEntity } from '../entities/shadow-finding.entity.js';
import { ShadowMetricWindowEntity } from '../entities/shadow-metric-window.entity.js';
import { ShadowOrderResultEntity } from '../entities/shadow-order-result.entity.js';
import { ShadowRunnerCheckpointEntity } from '../entities/shadow-runner-checkpoint.entity.js';
import { ShadowSessionEntity } from '../entities/shadow-session.entity.js';

// The shapes below mirror @airlock/shadow's (shadow.types.ts) structurally: persistence sits below that package
// and must not import it. Counters, totals and policies are stored as given and returned as plain objects.

export const SHADOW_SESSION_PHASES = ['Running', 'Completed', 'Stopped', 'Failed'] as const;
export type ShadowSessionPhase = (typeof SHADOW_SESSION_PHASES)[number];

/** A model version a session scores, with the artifact digest it was registered with. */
export interface ShadowSessionCandidate {
  readonly model: string;
  readonly version: number;
  readonly sha256: string;
}

/** A candidate's verdict and the gates behind it (`{ name, phase, value, lower, upper, condition, message }`). */
export interface StoredShadowVerdict {
  readonly verdict: string;
  readonly gates: readonly object[];
}

export interface ShadowSession {
  readonly id: string;
  readonly model: string;
  readonly deployment: string;
  readonly candidates: readonly ShadowSessionCandidate[];
  /** The resolved ShadowPolicy. */
  readonly policy: object;
  /** null: every instrument of the deployment's flow. */
  readonly instruments: readonly string[] | null;
  readonly phase: ShadowSessionPhase;
  /** By candidate `model@version`; null until the session ends with verdicts. */
  readonly verdicts: Readonly<Record<string, StoredShadowVerdict>> | null;
  /** ShadowSessionTotals. */
  readonly totals: object;
  readonly stopRequestedBy: string | null;
  readonly evidenceSha256: string | null;
  readonly failure: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export interface ShadowSessionQuery {
  readonly model?: string;
  readonly phase?: ShadowSessionPhase;
  readonly limit: number;
  /** The id of the last session of the previous page (oldest first). */
  readonly after?: string;
}

export interface ShadowSessionCompletion {
  /** Completed, Stopped or Failed. */
  readonly phase: Exclude<ShadowSessionPhase, 'Running'>;
  readonly verdicts: Readonly<Record<string, StoredShadowVerdict>> | null;
  readonly evidenceSha256: string | null;
  readonly failure: string | null;
  readonly at: Date;
}

export interface StoredShadowWindow {
  readonly sessionId: string;
  readonly model: string;
  readonly version: number;
  /** candidate | live. */
  readonly role: string;
  readonly date: string;
  readonly windowStartNs: number;
  readonly windowNs: number;
  /** ShadowCounters. */
  readonly counters: object;
}

export interface StoredShadowOrderResult {
  readonly sessionId: string;
  readonly model: string;
  readonly version: number;
  readonly orderId: string;
  readonly instrument: string;
  readonly date: string;
  readonly liveIsBps: number;
  readonly candidateIsBps: number;
  readonly liveFilled: number;
  readonly candidateFilled: number;
  readonly quantity: number;
}

export interface NewShadowFinding {
  readonly sessionId: string;
  readonly kind: string;
  readonly position: number;
  readonly eventId: string | null;
  readonly reason: string;
  readonly example: unknown;
}

export interface StoredShadowFinding extends NewShadowFinding {
  readonly id: number;
  readonly createdAt: Date;
}

export interface StoredLiveWindow {
  readonly deployment: string;
  readonly model: string;
  readonly version: number;
  readonly date: string;
  readonly windowStartNs: number;
  readonly windowNs: number;
  /** LiveCounters. */
  readonly counters: object;
}

export interface LiveWindowQuery {
  readonly model?: string;
  readonly version?: number;
  /** YYYY-MM-DD: windows of this date and later. */
  readonly sinceDate?: string;
}

export interface ShadowRunnerCheckpoint {
  readonly durable: string;
  readonly position: number;
  readonly rewindPosition: number;
  /** Orders done by `position` whose candidate scoring is still to come. */
  readonly pendingOrders: readonly string[];
  readonly updatedAt: Date;
}

/**
 * Everything a runner checkpoint writes; @airlock/shadow's ShadowCheckpoint is assignable to it. Counters
 * (windows, live windows, session totals) are DELTAS since the runner's previous checkpoint and are added to
 * what is stored; order results and findings are inserted once. A checkpoint whose position is not past the
 * stored one is ignored whole.
 */
export interface ShadowCheckpointWrite {
  readonly durable: string;
  readonly position: number;
  readonly rewindPosition: number;
  /** Orders done by `position` not scored yet (default none). */
  readonly pendingOrders?: readonly string[];
  readonly sessions: readonly { readonly id: string; readonly totals: object }[];
  readonly windows: readonly StoredShadowWindow[];
  readonly orderResults: readonly StoredShadowOrderResult[];
  readonly findings: readonly NewShadowFinding[];
  readonly liveWindows: readonly StoredLiveWindow[];
}

/** What a checkpoint changed (replayed order results and duplicate findings are not inserted again). */
export interface ShadowCheckpointOutcome {
  readonly orderResultsInserted: number;
  readonly findingsInserted: number;
  /** false: the stored position was already at or past this checkpoint's, and nothing was written. */
  readonly applied: boolean;
}

const toSession = (row: ShadowSessionEntity): ShadowSession => ({
  id: row.id,
  model: row.model,
  deployment: row.deployment,
  candidates: row.candidates as ShadowSessionCandidate[],
  policy: row.policy,
  instruments: row.instruments as string[] | null,
  phase: row.phase as ShadowSessionPhase,
  verdicts: row.verdicts as Record<string, StoredShadowVerdict> | null,
  totals: row.totals,
  stopRequestedBy: row.stopRequestedBy,
  evidenceSha256: row.evidenceSha256,
  failure: row.failure,
  createdBy: row.createdBy,
  createdAt: row.createdAt,
  completedAt: row.completedAt,
});

const toFinding = (row: ShadowFindingEntity): StoredShadowFinding => ({
  id: Number(row.id),
  sessionId: row.sessionId,
  kind: row.kind,
  position: row.position,
  eventId: row.eventId,
  reason: row.reason,
  example: row.example ?? null,
  createdAt: row.createdAt,
});

const toWindow = (row: ShadowMetricWindowEntity): StoredShadowWindow => ({
  sessionId: row.sessionId,
  model: row.model,
  version: row.version,
  role: row.role,
  date: row.date,
  windowStartNs: row.windowStartNs,
  windowNs: row.windowNs,
  counters: row.counters,
});
const toLiveWindow = (row: LiveMetricWindowEntity): StoredLiveWindow => ({
  deployment: row.deployment,
  model: row.model,
  version: row.version,
  date: row.date,
  windowStartNs: row.windowStartNs,
  windowNs: row.windowNs,
  counters: row.counters,
});
const toOrderResult = (row: ShadowOrderResultEntity): StoredShadowOrderResult => ({
  sessionId: row.sessionId,
  model: row.model,
  version: row.version,
  orderId: row.orderId,
  instrument: row.instrument,
  date: row.date,
  liveIsBps: row.liveIsBps,
  candidateIsBps: row.candidateIsBps,
  liveFilled: row.liveFilled,
  candidateFilled: row.candidateFilled,
  quantity: row.quantity,
});

const json = (value: unknown): object => JSON.parse(JSON.stringify(value)) as object;

/** The last of the rows sharing a key (an upsert may not touch one row twice in a statement). */
function lastByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return [...byKey.values()];
}

/** Rows sharing a key merged into one, their counters added. */
function mergeByKey<T extends { readonly counters: object }>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    const seen = byKey.get(k);
    byKey.set(k, seen ? { ...row, counters: addCounters(seen.counters, row.counters) } : row);
  }
  return [...byKey.values()];
}

/**
 * Adds counter objects: numbers add, arrays of numbers add element-wise, objects recurse; a key only one side
 * has is kept. Checkpoints carry deltas (what was counted since the last one), so stored counters are sums.
 */
export function addCounters(a: object, b: object): object {
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    if (typeof v === 'number' && typeof prev === 'number') out[k] = prev + v;
    else if (Array.isArray(v) && Array.isArray(prev)) out[k] = v.map((x, i) => (typeof x === 'number' ? x + (typeof prev[i] === 'number' ? (prev[i] as number) : 0) : x));
    else if (v !== null && typeof v === 'object' && prev !== null && typeof prev === 'object' && !Array.isArray(v)) out[k] = addCounters(prev, v);
    else out[k] = v;
  }
  return out;
}

/** The first of the rows sharing a key, in input order. */
function firstByKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) if (!byKey.has(key(row))) byKey.set(key(row), row);
  return [...byKey.values()];
}

const keyOf = (...parts: (string | number)[]) => JSON.stringify(parts);

/**
 * Shadow sessions, their metric windows, paired order results and findings, live metric windows and the runner's
 * checkpoints. Batch writes send their rows as one JSON parameter (jsonb_to_recordset): one statement per table
 * however many rows a checkpoint carries.
 */
export class ShadowRepository {
  constructor(private readonly manager: EntityManager) {}

  async createSession(session: ShadowSession): Promise<void> {
    await this.manager.insert(ShadowSessionEntity, {
      ...session,
      candidates: json(session.candidates),
      policy: json(session.policy),
      instruments: session.instruments ? json(session.instruments) : null,
      verdicts: session.verdicts ? json(session.verdicts) : null,
      totals: json(session.totals),
    });
  }

  async findSession(id: string): Promise<ShadowSession | null> {
    const row = await this.manager.findOneBy(ShadowSessionEntity, { id });
    return row ? toSession(row) : null;
  }

  /** Oldest first, optionally of one model and in one phase. */
  async listSessions(query: ShadowSessionQuery): Promise<ShadowSession[]> {
    const builder = this.manager.createQueryBuilder(ShadowSessionEntity, 's').orderBy('s.created_at', 'ASC').addOrderBy('s.id', 'ASC').limit(query.limit);
    if (query.model) builder.andWhere('s.model = :model', { model: query.model });
    if (query.phase) builder.andWhere('s.phase = :phase', { phase: query.phase });
    if (query.after) builder.andWhere('(s.created_at, s.id) > (SELECT c.created_at, c.id FROM shadow_sessions c WHERE c.id = :after)', { after: query.after });
    return (await builder.getMany()).map(toSession);
  }

  /** The sessions the runner must score (including those with a stop request it has not acted on), oldest first. */
  async listRunning(): Promise<ShadowSession[]> {
    const rows = await this.manager.find(ShadowSessionEntity, { where: { phase: 'Running' }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toSession);
  }

  /** Records a stop request; false when the session is not Running or a stop was requested already. */
  async requestStop(id: string, by: string): Promise<boolean> {
    const result = await this.manager
      .createQueryBuilder()
      .update(ShadowSessionEntity)
      .set({ stopRequestedBy: by })
      .where('id = :id AND phase = :phase AND stop_requested_by IS NULL', { id, phase: 'Running' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Ends a Running session (phase, verdicts, evidence, failure); false when it was not Running. */
  async completeSession(id: string, completion: ShadowSessionCompletion): Promise<boolean> {
    const result = await this.manager
      .createQueryBuilder()
      .update(ShadowSessionEntity)
      .set({
        phase: completion.phase,
        verdicts: completion.verdicts ? json(completion.verdicts) : null,
        evidenceSha256: completion.evidenceSha256,
        failure: completion.failure,
        completedAt: completion.at,
      })
      .where('id = :id AND phase = :phase', { id, phase: 'Running' })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async findCheckpoint(durable: string): Promise<ShadowRunnerCheckpoint | null> {
    const row = await this.manager.findOneBy(ShadowRunnerCheckpointEntity, { durable });
    return row ? { ...row, pendingOrders: row.pendingOrders ?? [] } : null;
  }

  /**
   * Writes one runner checkpoint. Call inside a unit of work: everything below commits together or not at all,
   * and only then may the runner ack `position` on the live flow.
   * - ignored whole when its position is not past the stored one (applied already);
   * - metric windows, live windows and each session's totals: the checkpoint's deltas added;
   * - order results: inserted once (a replay after a restart inserts nothing);
   * - findings: inserted unless the same (session, kind, position, reason) is stored already;
   * - the runner's checkpoint row (position, rewind position, pending orders): upserted.
   */
  async saveCheckpoint(checkpoint: ShadowCheckpointWrite, at: Date): Promise<ShadowCheckpointOutcome> {
    // The runner's row, locked: a checkpoint at or behind the stored position was applied already (a replay
    // after a crash between this commit and the transport's ack): applying its deltas again would double count.
    const stored = (await this.manager.query(`SELECT position FROM shadow_runner_checkpoints WHERE durable = $1 FOR UPDATE`, [checkpoint.durable])) as { position: string }[];
    if (stored[0] !== undefined && Number(stored[0].position) >= checkpoint.position) return { orderResultsInserted: 0, findingsInserted: 0, applied: false };

    const windows = await this.addToStored(
      'shadow_metric_windows',
      ['session_id', 'model', 'version', 'role', 'date', 'window_start_ns'],
      mergeByKey(checkpoint.windows, (w) => keyOf(w.sessionId, w.model, w.version, w.role, w.date, w.windowStartNs)),
      (w) => [w.sessionId, w.model, w.version, w.role, w.date, w.windowStartNs],
    );
    if (windows.length > 0) {
      await this.manager.query(
        `INSERT INTO shadow_metric_windows (session_id, model, version, role, date, window_start_ns, window_ns, counters)
         SELECT x.session_id, x.model, x.version, x.role, x.date, x.window_start_ns, x.window_ns, x.counters
         FROM jsonb_to_recordset($1::jsonb) AS x(session_id uuid, model text, version integer, role text, date text, window_start_ns bigint, window_ns bigint, counters jsonb)
         ON CONFLICT (session_id, model, version, role, date, window_start_ns) DO UPDATE SET window_ns = EXCLUDED.window_ns, counters = EXCLUDED.counters`,
        [
          JSON.stringify(
            windows.map((w) => ({
              session_id: w.sessionId,
              model: w.model,
              version: w.version,
              role: w.role,
              date: w.date,
              window_start_ns: w.windowStartNs,
              window_ns: w.windowNs,
              counters: w.counters,
            })),
          ),
        ],
      );
    }

    let orderResultsInserted = 0;
    if (checkpoint.orderResults.length > 0) {
      const inserted = (await this.manager.query(
        `INSERT INTO shadow_order_results (session_id, model, version, order_id, instrument, date, live_is_bps, candidate_is_bps, live_filled, candidate_filled, quantity)
         SELECT x.session_id, x.model, x.version, x.order_id, x.instrument, x.date, x.live_is_bps, x.candidate_is_bps, x.live_filled, x.candidate_filled, x.quantity
         FROM jsonb_to_recordset($1::jsonb) AS x(session_id uuid, model text, version integer, order_id text, instrument text, date text,
           live_is_bps double precision, candidate_is_bps double precision, live_filled double precision, candidate_filled double precision, quantity double precision)
         ON CONFLICT (session_id, model, version, order_id) DO NOTHING
         RETURNING order_id`,
        [
          JSON.stringify(
            checkpoint.orderResults.map((r) => ({
              session_id: r.sessionId,
              model: r.model,
              version: r.version,
              order_id: r.orderId,
              instrument: r.instrument,
              date: r.date,
              live_is_bps: r.liveIsBps,
              candidate_is_bps: r.candidateIsBps,
              live_filled: r.liveFilled,
              candidate_filled: r.candidateFilled,
              quantity: r.quantity,
            })),
          ),
        ],
      )) as unknown[];
      orderResultsInserted = inserted.length;
    }

    let findingsInserted = 0;
    const findings = firstByKey(checkpoint.findings, (f) => keyOf(f.sessionId, f.kind, f.position, f.reason));
    if (findings.length > 0) {
      const inserted = (await this.manager.query(
        `INSERT INTO shadow_findings (session_id, kind, position, event_id, reason, example, created_at)
         SELECT x.session_id, x.kind, x.position, x.event_id, x.reason, x.example, $2::timestamptz
         FROM jsonb_to_recordset($1::jsonb) AS x(ord integer, session_id uuid, kind text, position bigint, event_id text, reason text, example jsonb)
         WHERE NOT EXISTS (
           SELECT 1 FROM shadow_findings f WHERE f.session_id = x.session_id AND f.kind = x.kind AND f.position = x.position AND f.reason = x.reason
         )
         ORDER BY x.ord
         RETURNING id`,
        [
          JSON.stringify(
            findings.map((f, ord) => ({
              ord,
              session_id: f.sessionId,
              kind: f.kind,
              position: f.position,
              event_id: f.eventId,
              reason: f.reason,
              example: f.example === undefined ? null : f.example,
            })),
          ),
          at,
        ],
      )) as unknown[];
      findingsInserted = inserted.length;
    }

    const liveWindows = await this.addToStored(
      'live_metric_windows',
      ['deployment', 'model', 'version', 'date', 'window_start_ns'],
      mergeByKey(checkpoint.liveWindows, (w) => keyOf(w.deployment, w.model, w.version, w.date, w.windowStartNs)),
      (w) => [w.deployment, w.model, w.version, w.date, w.windowStartNs],
    );
    if (liveWindows.length > 0) {
      await this.manager.query(
        `INSERT INTO live_metric_windows (deployment, model, version, date, window_start_ns, window_ns, counters)
         SELECT x.deployment, x.model, x.version, x.date, x.window_start_ns, x.window_ns, x.counters
         FROM jsonb_to_recordset($1::jsonb) AS x(deployment text, model text, version integer, date text, window_start_ns bigint, window_ns bigint, counters jsonb)
         ON CONFLICT (deployment, model, version, date, window_start_ns) DO UPDATE SET window_ns = EXCLUDED.window_ns, counters = EXCLUDED.counters`,
        [
          JSON.stringify(
            liveWindows.map((w) => ({
              deployment: w.deployment,
              model: w.model,
              version: w.version,
              date: w.date,
              window_start_ns: w.windowStartNs,
              window_ns: w.windowNs,
              counters: w.counters,
            })),
          ),
        ],
      );
    }

    const sessions = await this.addTotals(lastByKey(checkpoint.sessions, (s) => s.id));
    if (sessions.length > 0) {
      await this.manager.query(
        `UPDATE shadow_sessions s SET totals = x.totals
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, totals jsonb)
         WHERE s.id = x.id`,
        [JSON.stringify(sessions.map((s) => ({ id: s.id, totals: s.totals })))],
      );
    }

    await this.manager.query(
      `INSERT INTO shadow_runner_checkpoints (durable, position, rewind_position, pending_orders, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz)
       ON CONFLICT (durable) DO UPDATE SET position = EXCLUDED.position, rewind_position = EXCLUDED.rewind_position,
         pending_orders = EXCLUDED.pending_orders, updated_at = EXCLUDED.updated_at`,
      [checkpoint.durable, checkpoint.position, checkpoint.rewindPosition, JSON.stringify(checkpoint.pendingOrders ?? []), at],
    );
    return { orderResultsInserted, findingsInserted, applied: true };
  }

  /** Rows with their counters added to the stored ones of the same key (read under lock in this transaction). */
  private async addToStored<T extends { readonly counters: object }>(table: string, keyColumns: readonly string[], rows: readonly T[], key: (row: T) => readonly (string | number)[]): Promise<T[]> {
    if (rows.length === 0) return [];
    const where = rows.map((_, r) => `(${keyColumns.map((c, k) => `${c} = $${r * keyColumns.length + k + 1}`).join(' AND ')})`).join(' OR ');
    const existing = (await this.manager.query(`SELECT ${keyColumns.join(', ')}, counters FROM ${table} WHERE ${where} FOR UPDATE`, rows.flatMap((row) => key(row)))) as Record<string, unknown>[];
    // bigint columns (…_ns) come back as strings or bigints depending on the driver; keys compare as numbers.
    const keyValue = (column: string, value: unknown): string | number => (column.endsWith('_ns') || column === 'version' ? Number(value) : String(value));
    const stored = new Map(existing.map((e) => [keyOf(...keyColumns.map((c) => keyValue(c, e[c]))), e['counters'] as object]));
    return rows.map((row) => {
      const before = stored.get(keyOf(...key(row)));
      return before ? { ...row, counters: addCounters(before, row.counters) } : row;
    });
  }

  /** Session totals with the checkpoint's deltas added (positions: the first stays, the last is the new one). */
  private async addTotals(sessions: readonly { readonly id: string; readonly totals: object }[]): Promise<{ id: string; totals: object }[]> {
    if (sessions.length === 0) return [];
    const rows = (await this.manager.query(`SELECT id, totals FROM shadow_sessions WHERE id = ANY($1::uuid[]) FOR UPDATE`, [sessions.map((s) => s.id)])) as { id: string; totals: Record<string, unknown> }[];
    const stored = new Map(rows.map((r) => [r.id, r.totals]));
    return sessions.map((s) => {
      const before = stored.get(s.id);
      const delta = s.totals as Record<string, unknown>;
      if (!before) return { id: s.id, totals: s.totals };
      const firstBefore = Number(before['firstPosition'] ?? 0);
      return { id: s.id, totals: { ...addCounters(before, delta), firstPosition: firstBefore > 0 ? firstBefore : (delta['firstPosition'] ?? 0), lastPosition: delta['lastPosition'] ?? before['lastPosition'] } };
    });
  }

  /** One candidate's paired order results, by date and order id. */
  async listOrderResults(sessionId: string, model: string, version: number): Promise<StoredShadowOrderResult[]> {
    const rows = await this.manager.find(ShadowOrderResultEntity, { where: { sessionId, model, version }, order: { date: 'ASC', orderId: 'ASC' } });
    return rows.map(toOrderResult);
  }

  /** A session's findings in stream order, optionally of one kind. */
  async listFindings(sessionId: string, query: { readonly kind?: string; readonly limit: number }): Promise<StoredShadowFinding[]> {
    const rows = await this.manager.find(ShadowFindingEntity, {
      where: query.kind === undefined ? { sessionId } : { sessionId, kind: query.kind },
      order: { position: 'ASC', id: 'ASC' },
      take: query.limit,
    });
    return rows.map(toFinding);
  }

  /** The first `perKind` findings of every kind (stream order), in one query. */
  async firstFindingsPerKind(sessionId: string, perKind: number): Promise<StoredShadowFinding[]> {
    const ranked = this.manager
      .createQueryBuilder(ShadowFindingEntity, 'r')
      .select('r.id', 'id')
      .addSelect('ROW_NUMBER() OVER (PARTITION BY r.kind ORDER BY r.position, r.id)', 'rank')
      .where('r.session_id = :sessionId');
    const rows = await this.manager
      .createQueryBuilder(ShadowFindingEntity, 'f')
      .innerJoin(`(${ranked.getQuery()})`, 'k', 'k.id = f.id')
      .where('k.rank <= :perKind', { perKind })
      .setParameter('sessionId', sessionId)
      .orderBy('f.kind', 'ASC')
      .addOrderBy('f.position', 'ASC')
      .addOrderBy('f.id', 'ASC')
      .getMany();
    return rows.map(toFinding);
  }

  /** A session's metric windows, by subject, date and start. */
  async listWindows(sessionId: string): Promise<StoredShadowWindow[]> {
    const rows = await this.manager.find(ShadowMetricWindowEntity, {
      where: { sessionId },
      order: { model: 'ASC', version: 'ASC', role: 'ASC', date: 'ASC', windowStartNs: 'ASC' },
    });
    return rows.map(toWindow);
  }

  /** A deployment's live windows in time order, optionally of one model (and version) and from a date on. */
  async listLiveWindows(deployment: string, query: LiveWindowQuery = {}): Promise<StoredLiveWindow[]> {
    const builder = this.manager
      .createQueryBuilder(LiveMetricWindowEntity, 'w')
      .where('w.deployment = :deployment', { deployment })
      .orderBy('w.date', 'ASC')
      .addOrderBy('w.window_start_ns', 'ASC')
      .addOrderBy('w.model', 'ASC')
      .addOrderBy('w.version', 'ASC');
    if (query.model !== undefined) builder.andWhere('w.model = :model', { model: query.model });
    if (query.version !== undefined) builder.andWhere('w.version = :version', { version: query.version });
    if (query.sinceDate !== undefined) builder.andWhere('w.date >= :sinceDate', { sinceDate: query.sinceDate });
    return (await builder.getMany()).map(toLiveWindow);
  }

  /** Whether a session's evidence is these stored bytes (the orphan sweeper must keep them). */
  async isEvidenceReferenced(sha256: string): Promise<boolean> {
    return this.manager.existsBy(ShadowSessionEntity, { evidenceSha256: sha256 });
  }
}
