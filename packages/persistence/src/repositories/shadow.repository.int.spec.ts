import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source.js';
import { Database } from '../database.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import type { ShadowCheckpointWrite, ShadowSession, StoredShadowOrderResult, StoredShadowWindow } from './shadow.repository.js';

const clock = { now: () => new Date('2026-11-24T12:00:00.000Z') };
const counters = (decisions: number, orders: number) => ({ decisions, orders, sumIsBps: orders * 1.5, latencyHistogram: [0, decisions] });

describe('shadow repository on the real PostgreSQL', () => {
  let testDb: TestDatabase;
  let dataSource: DataSource;
  let db: Database;

  const count = async (table: string, sessionId: string): Promise<number> => {
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE session_id = $1`, [sessionId])) as [{ n: number }];
    return n;
  };

  async function session(overrides: Partial<ShadowSession> = {}): Promise<ShadowSession> {
    const created: ShadowSession = {
      id: randomUUID(),
      model: 'exec-a',
      deployment: 'desk-a',
      candidates: [
        { model: 'exec-a', version: 2, sha256: 'b'.repeat(64) },
        { model: 'exec-a', version: 3, sha256: 'c'.repeat(64) },
      ],
      policy: { orders: 200, minOrders: 30 },
      instruments: null,
      phase: 'Running',
      verdicts: null,
      totals: { candidates: {}, live: {}, findings: {}, firstPosition: 0, lastPosition: 0 },
      stopRequestedBy: null,
      evidenceSha256: null,
      failure: null,
      createdBy: 'key:q1',
      createdAt: clock.now(),
      completedAt: null,
      ...overrides,
    };
    await db.transaction((uow) => uow.shadows.createSession(created));
    return created;
  }

  const window = (sessionId: string, windowStartNs: number, decisions: number): StoredShadowWindow => ({
    sessionId,
    model: 'exec-a',
    version: 2,
    role: 'candidate',
    date: '2026-11-24',
    windowStartNs,
    windowNs: 60_000_000_000,
    counters: counters(decisions, decisions / 2),
  });
  const order = (sessionId: string, orderId: string, candidateIsBps: number): StoredShadowOrderResult => ({
    sessionId,
    model: 'exec-a',
    version: 2,
    orderId,
    instrument: 'AAA',
    date: '2026-11-24',
    liveIsBps: 2.5,
    candidateIsBps,
    liveFilled: 900,
    candidateFilled: 950,
    quantity: 1000,
  });

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataSource = createDataSource({ databaseUrl: testDb.url });
    await dataSource.initialize();
    await dataSource.runMigrations();
    db = new Database(dataSource, clock);
    await db.transaction((uow) =>
      uow.deployments.insertIfAbsent({
        name: 'desk-a',
        stable: null,
        canary: null,
        canaryWeight: 0,
        revision: 1,
        halted: false,
        kill: null,
        createdAt: uow.at,
        createdBy: 'key:admin',
        updatedAt: uow.at,
        updatedBy: 'key:admin',
      }),
    );
  });
  afterAll(async () => {
    await dataSource.destroy();
    await testDb.drop();
  });

  it('creates, finds, lists and filters sessions; listRunning only has Running ones', async () => {
    const a = await session();
    const b = await session({ model: 'exec-b', createdAt: new Date(clock.now().getTime() + 1000) });
    expect(await db.read.shadows.findSession(a.id)).toEqual(a);
    expect(await db.read.shadows.findSession(randomUUID())).toBeNull();
    const ids = (await db.read.shadows.listSessions({ limit: 100 })).map((s) => s.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
    expect((await db.read.shadows.listSessions({ model: 'exec-b', limit: 100 })).map((s) => s.id)).toEqual([b.id]);
    const page = await db.read.shadows.listSessions({ limit: 100, after: a.id });
    expect(page.map((s) => s.id)).toContain(b.id);
    expect(page.map((s) => s.id)).not.toContain(a.id);

    expect(await db.transaction((uow) => uow.shadows.completeSession(b.id, { phase: 'Failed', verdicts: null, evidenceSha256: null, failure: 'boom', at: uow.at }))).toBe(true);
    expect((await db.read.shadows.listRunning()).map((s) => s.id)).toContain(a.id);
    expect((await db.read.shadows.listRunning()).map((s) => s.id)).not.toContain(b.id);
    expect((await db.read.shadows.listSessions({ phase: 'Failed', limit: 100 })).map((s) => s.id)).toEqual([b.id]);
  });

  it('a stop is requested once, and only on a Running session; completion moves only a Running session', async () => {
    const s = await session();
    expect(await db.transaction((uow) => uow.shadows.requestStop(s.id, 'key:q1'))).toBe(true);
    expect(await db.transaction((uow) => uow.shadows.requestStop(s.id, 'key:q2'))).toBe(false);
    expect((await db.read.shadows.findSession(s.id))?.stopRequestedBy).toBe('key:q1');

    const verdicts = { 'exec-a@2': { verdict: 'shadow-passed', gates: [{ name: 'is-delta-bps', phase: 'Successful', value: 0.2 }] } };
    const done = { phase: 'Stopped' as const, verdicts, evidenceSha256: 'e'.repeat(64), failure: null, at: clock.now() };
    expect(await db.transaction((uow) => uow.shadows.completeSession(s.id, done))).toBe(true);
    expect(await db.transaction((uow) => uow.shadows.completeSession(s.id, { ...done, phase: 'Completed' }))).toBe(false);
    expect(await db.read.shadows.findSession(s.id)).toMatchObject({ phase: 'Stopped', verdicts, evidenceSha256: 'e'.repeat(64), completedAt: clock.now() });
    expect(await db.read.shadows.isEvidenceReferenced('e'.repeat(64))).toBe(true);
    expect(await db.transaction((uow) => uow.isArtifactReferenced('e'.repeat(64)))).toBe(true);
    expect(await db.transaction((uow) => uow.shadows.requestStop(s.id, 'key:q1'))).toBe(false);
  });

  it('adds checkpoint deltas, inserts order results once, and ignores a checkpoint that is not past the stored position', async () => {
    const s = await session();
    const first: ShadowCheckpointWrite = {
      durable: 'runner-replay',
      position: 100,
      rewindPosition: 40,
      sessions: [{ id: s.id, totals: { candidates: { 'exec-a@2': counters(10, 2) }, live: {}, findings: { duplicate: 1 }, firstPosition: 1, lastPosition: 100 } }],
      windows: [window(s.id, 0, 6), window(s.id, 60_000_000_000, 4)],
      orderResults: [order(s.id, 'P-1', 3), order(s.id, 'P-2', 1.25)],
      findings: [{ sessionId: s.id, kind: 'duplicate', position: 17, eventId: 'e-17', reason: 'seen before', example: { id: 'e-17' } }],
      liveWindows: [{ deployment: 'desk-a', model: 'exec-a', version: 1, date: '2026-11-24', windowStartNs: 0, windowNs: 60_000_000_000, counters: { decisions: 7 } }],
    };
    const once = await db.transaction((uow) => uow.shadows.saveCheckpoint(first, uow.at));
    expect(once).toEqual({ orderResultsInserted: 2, findingsInserted: 1, applied: true });
    // The same checkpoint again (a crash after this commit, before the transport's ack): nothing is written.
    expect(await db.transaction((uow) => uow.shadows.saveCheckpoint(first, uow.at))).toEqual({ orderResultsInserted: 0, findingsInserted: 0, applied: false });
    // The next one carries deltas; replayed order results and findings in it are not inserted again.
    const next: ShadowCheckpointWrite = {
      ...first,
      position: 120,
      rewindPosition: 60,
      sessions: [{ id: s.id, totals: { candidates: { 'exec-a@2': counters(5, 1) }, live: {}, findings: { duplicate: 2 }, firstPosition: 101, lastPosition: 120 } }],
      windows: [window(s.id, 60_000_000_000, 5)],
      liveWindows: [{ ...first.liveWindows[0]!, counters: { decisions: 3 } }],
    };
    expect(await db.transaction((uow) => uow.shadows.saveCheckpoint(next, uow.at))).toEqual({ orderResultsInserted: 0, findingsInserted: 0, applied: true });

    expect(await count('shadow_order_results', s.id)).toBe(2);
    expect(await db.read.shadows.listOrderResults(s.id, 'exec-a', 2)).toEqual([order(s.id, 'P-1', 3), order(s.id, 'P-2', 1.25)]);
    expect(await db.read.shadows.listOrderResults(s.id, 'exec-a', 3)).toEqual([]);
    expect(await db.read.shadows.listWindows(s.id)).toEqual([window(s.id, 0, 6), window(s.id, 60_000_000_000, 9)]);
    expect(await count('shadow_findings', s.id)).toBe(1);
    expect(await db.read.shadows.findCheckpoint('runner-replay')).toEqual({ durable: 'runner-replay', position: 120, rewindPosition: 60, pendingOrders: [], updatedAt: clock.now() });
    expect((await db.read.shadows.findSession(s.id))?.totals).toEqual({ candidates: { 'exec-a@2': counters(15, 3) }, live: {}, findings: { duplicate: 3 }, firstPosition: 1, lastPosition: 120 });
    expect(await db.read.shadows.listLiveWindows('desk-a')).toEqual([{ ...first.liveWindows[0], counters: { decisions: 10 } }]);
  });

  it('a failure half way through a checkpoint writes none of it: windows, orders, totals and the checkpoint row stay as they were', async () => {
    const s = await session();
    const before: ShadowCheckpointWrite = {
      durable: 'runner-atomic',
      position: 10,
      rewindPosition: 5,
      sessions: [{ id: s.id, totals: { candidates: {}, live: {}, findings: {}, firstPosition: 1, lastPosition: 10 } }],
      windows: [window(s.id, 0, 2)],
      orderResults: [order(s.id, 'P-1', 1)],
      findings: [],
      liveWindows: [],
    };
    await db.transaction((uow) => uow.shadows.saveCheckpoint(before, uow.at));
    const stranger = randomUUID(); // no such session: the finding violates fk_shadow_findings_session
    const broken: ShadowCheckpointWrite = {
      durable: 'runner-atomic',
      position: 50,
      rewindPosition: 30,
      sessions: [{ id: s.id, totals: { candidates: { 'exec-a@2': counters(99, 9) }, live: {}, findings: {}, firstPosition: 1, lastPosition: 50 } }],
      windows: [window(s.id, 0, 99), window(s.id, 60_000_000_000, 7)],
      orderResults: [order(s.id, 'P-9', 4)],
      findings: [
        { sessionId: s.id, kind: 'malformed', position: 20, eventId: null, reason: 'not JSON', example: 'x{' },
        { sessionId: stranger, kind: 'malformed', position: 21, eventId: null, reason: 'not JSON', example: 'y{' },
      ],
      liveWindows: [{ deployment: 'desk-a', model: 'exec-a', version: 1, date: '2026-11-25', windowStartNs: 0, windowNs: 1, counters: {} }],
    };
    await expect(db.transaction((uow) => uow.shadows.saveCheckpoint(broken, uow.at))).rejects.toThrow(/fk_shadow_findings_session/);

    expect(await db.read.shadows.listWindows(s.id)).toEqual([window(s.id, 0, 2)]);
    expect((await db.read.shadows.listOrderResults(s.id, 'exec-a', 2)).map((o) => o.orderId)).toEqual(['P-1']);
    expect(await count('shadow_findings', s.id)).toBe(0);
    expect((await db.read.shadows.findSession(s.id))?.totals).toEqual(before.sessions[0]?.totals);
    expect(await db.read.shadows.findCheckpoint('runner-atomic')).toMatchObject({ position: 10, rewindPosition: 5 });
    expect(await db.read.shadows.listLiveWindows('desk-a', { sinceDate: '2026-11-25' })).toEqual([]);
  });

  it('findings: duplicates skipped (in a batch and across checkpoints), listed by kind, first N per kind', async () => {
    const s = await session();
    const finding = (kind: string, position: number, reason = 'r') => ({ sessionId: s.id, kind, position, eventId: `e-${position}`, reason, example: { position } });
    const base = { durable: 'runner-findings', position: 1, rewindPosition: 1, sessions: [], windows: [], orderResults: [], liveWindows: [] };
    const batch = [finding('duplicate', 3), finding('duplicate', 3), finding('duplicate', 3, 'other reason'), ...[1, 2, 4, 5, 6, 7].map((p) => finding('sequence-gap', p)), finding('feature-skew', 9)];
    expect(await db.transaction((uow) => uow.shadows.saveCheckpoint({ ...base, findings: batch }, uow.at))).toEqual({ orderResultsInserted: 0, findingsInserted: 9, applied: true });
    expect(await db.transaction((uow) => uow.shadows.saveCheckpoint({ ...base, position: 2, findings: [finding('duplicate', 3), finding('duplicate', 4)] }, uow.at))).toEqual({
      orderResultsInserted: 0,
      findingsInserted: 1,
      applied: true,
    });

    const gaps = await db.read.shadows.listFindings(s.id, { kind: 'sequence-gap', limit: 3 });
    expect(gaps.map((f) => f.position)).toEqual([1, 2, 4]);
    expect(gaps[0]).toMatchObject({ sessionId: s.id, kind: 'sequence-gap', eventId: 'e-1', reason: 'r', example: { position: 1 }, createdAt: clock.now() });
    expect(typeof gaps[0]?.id).toBe('number');
    expect((await db.read.shadows.listFindings(s.id, { limit: 100 })).length).toBe(10);

    const firsts = await db.read.shadows.firstFindingsPerKind(s.id, 2);
    expect(firsts.map((f) => `${f.kind}:${f.position}`)).toEqual(['duplicate:3', 'duplicate:3', 'feature-skew:9', 'sequence-gap:1', 'sequence-gap:2']);
  });

  it('live windows: deltas added per (deployment, model, version, date, window), filtered by model, version and date', async () => {
    const live = (version: number, date: string, decisions: number) => ({ deployment: 'desk-a', model: 'exec-live', version, date, windowStartNs: 3_600_000_000_000, windowNs: 60_000_000_000, counters: { decisions } });
    const base = { durable: 'runner-live', position: 1, rewindPosition: 1, sessions: [], windows: [], orderResults: [], findings: [] };
    await db.transaction((uow) => uow.shadows.saveCheckpoint({ ...base, liveWindows: [live(1, '2026-11-20', 1), live(2, '2026-11-20', 2), live(1, '2026-11-21', 3)] }, uow.at));
    await db.transaction((uow) => uow.shadows.saveCheckpoint({ ...base, position: 2, liveWindows: [live(1, '2026-11-21', 5), live(1, '2026-11-21', 6)] }, uow.at));
    expect(await db.read.shadows.listLiveWindows('desk-a', { model: 'exec-live', version: 1 })).toEqual([live(1, '2026-11-20', 1), live(1, '2026-11-21', 14)]);
    expect(await db.read.shadows.listLiveWindows('desk-a', { model: 'exec-live', sinceDate: '2026-11-21' })).toEqual([live(1, '2026-11-21', 14)]);
    expect(await db.read.shadows.listLiveWindows('elsewhere')).toEqual([]);
  });
});
