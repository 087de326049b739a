import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain, type AuditEvent } from '@airlock/core';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source.js';
import { Database } from './database.js';
import { IN_PROGRESS_LEASE_MS } from './repositories/idempotency.repository.js';
import { pendingSchemaChanges } from './schema-drift.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

const clock = { now: () => new Date('2026-11-24T12:00:00.000Z') };

describe('database on the real PostgreSQL', () => {
  let testDb: TestDatabase;
  let dataSource: DataSource;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    dataSource = createDataSource({ databaseUrl: testDb.url });
    await dataSource.initialize();
    await dataSource.runMigrations();
    db = new Database(dataSource, clock);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await testDb.drop();
  });

  it('has no drift: the entities generate no new migration after all migrations ran (CI gate)', async () => {
    const diff = await pendingSchemaChanges(dataSource);
    expect(diff.up).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table', async () => {
    await db.transaction((uow) => uow.audit('system', 'test.event', 'test:1', { a: 1 }));
    await expect(dataSource.query(`UPDATE audit_events SET actor = 'mallory'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(dataSource.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(dataSource.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [{ count }] = (await dataSource.query('SELECT count(*)::int AS count FROM audit_events')) as [{ count: number }];
    expect(count).toBeGreaterThan(0);
  });

  it('keeps one gapless chain under 40 concurrent transactions', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => db.transaction((uow) => uow.audit('system', 'test.concurrent', `test:c${i}`, { i }))),
    );
    const events: AuditEvent[] = [];
    for await (const event of db.read.auditEvents.stream(7)) events.push(event);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(verifyAuditChain(events)).toMatchObject({ ok: true, events: events.length });
  });

  it('writes no event for a transaction that rolls back', async () => {
    const before = (await db.read.auditEvents.list({ limit: 1000 })).length;
    await expect(
      db.transaction(async (uow) => {
        await uow.audit('system', 'test.rolled-back', 'test:rb', {});
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.read.auditEvents.list({ limit: 1000 })).length).toBe(before);
  });

  it('filters by subject, including the subject’s versions', async () => {
    await db.transaction(async (uow) => {
      await uow.audit('system', 'a', 'model:m1', {});
      await uow.audit('system', 'b', 'model:m1@2', {});
      await uow.audit('system', 'c', 'model:m10', {});
    });
    const actions = (await db.read.auditEvents.list({ subject: 'model:m1', limit: 100 })).map((e) => e.action);
    expect(actions).toEqual(['a', 'b']);
  });

  it('an Idempotency-Key left in progress by a request that never finished is taken over after its lease', async () => {
    const scope = 'a'.repeat(64);
    const t0 = new Date('2026-11-24T12:00:00.000Z');
    expect(await db.read.idempotency.claim(scope, 'k1', 'f'.repeat(64), t0)).toEqual({ kind: 'claimed' });
    expect(await db.read.idempotency.claim(scope, 'k1', 'f'.repeat(64), new Date(t0.getTime() + 60_000))).toEqual({ kind: 'in-progress' });
    expect(await db.read.idempotency.claim(scope, 'k1', 'f'.repeat(64), new Date(t0.getTime() + IN_PROGRESS_LEASE_MS + 1))).toEqual({ kind: 'claimed' });
  });

  it('reverts every migration down to an empty schema and applies them again', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      for (let i = 0; i < dataSource.migrations.length; i++) await dataSource.undoLastMigration();
      expect(await runner.hasTable('models')).toBe(false);
      expect(await runner.hasTable('audit_events')).toBe(false);
      await dataSource.runMigrations();
      expect(await runner.hasTable('audit_events')).toBe(true);
    } finally {
      await runner.release();
    }
  });
});

describe('embedded database (PGlite)', () => {
  it('runs the same migrations and keeps the audit table append-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-pglite-'));
    const dataSource = createDataSource({ embeddedDir: dir });
    try {
      await dataSource.initialize();
      await dataSource.runMigrations();
      const db = new Database(dataSource, clock);
      await db.transaction((uow) => uow.audit('system', 'test.embedded', 'test:e', { ok: true }));
      await expect(dataSource.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
      expect(verifyAuditChain(await db.read.auditEvents.list({ limit: 10 }))).toMatchObject({ ok: true, events: 1 });
      expect((await pendingSchemaChanges(dataSource)).up).toEqual([]);

      // One in-process session: concurrent transactions must still not see or commit each other's statements.
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          db.transaction(async (uow) => {
            await uow.audit('system', 'test.embedded-concurrent', `test:e${i}`, { i });
            if (i % 4 === 0) throw new Error(`rollback ${i}`);
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
      const events = await db.read.auditEvents.list({ limit: 100 });
      expect(events.filter((e) => e.action === 'test.embedded-concurrent').map((e) => (e.data as { i: number }).i).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 4 !== 0),
      );
      expect(verifyAuditChain(events)).toMatchObject({ ok: true, events: 16 });
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
