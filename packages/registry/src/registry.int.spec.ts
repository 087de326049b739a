import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createArtifactStore, type ArtifactStore } from '@airlock/artifact-store';
import type { Principal } from '@airlock/core';
import { randomMlpPolicy } from '@airlock/onnx';
import { createDataSource, Database } from '@airlock/persistence';
import { createTestDatabase, type TestDatabase } from '@airlock/persistence/testing';
import type { DataSource } from 'typeorm';
import { OnnxArtifactInspector } from './onnx-artifact-inspector.js';
import { OrphanSweeper } from './orphan-sweeper.js';
import { RegistryService, type SpooledArtifact } from './registry.service.js';

const FEATURES = ['spread_bps', 'side'];
const ACTIONS = ['participation', 'aggression'];
const MANIFEST = JSON.stringify({ features: FEATURES, actions: ACTIONS });
const actor: Principal = { keyId: '00000000-0000-4000-8000-000000000001', name: 'quant', roles: ['quant'] };

// Starts at the real time: the file store's modification times are real, and the sweeper compares with them.
let clockMs = Date.now();
const clock = { now: () => new Date(clockMs) };

describe('registration crash safety (real PostgreSQL, file store, onnxruntime)', () => {
  let testDb: TestDatabase;
  let dataSource: DataSource;
  let db: Database;
  let store: ArtifactStore;
  let registry: RegistryService;
  let sweeper: OrphanSweeper;
  let dir: string;

  beforeAll(async () => {
    testDb = await createTestDatabase('airlock_registry');
    dataSource = createDataSource({ databaseUrl: testDb.url });
    await dataSource.initialize();
    await dataSource.runMigrations();
    db = new Database(dataSource, clock);
    dir = mkdtempSync(join(tmpdir(), 'airlock-registry-'));
    store = createArtifactStore(pathToFileURL(join(dir, 'artifacts')).href);
    registry = new RegistryService(db, store, new OnnxArtifactInspector({ timeoutMs: 20_000, maxMemoryMb: 1024 }));
    sweeper = new OrphanSweeper(db, store, clock);
    await registry.createModel(actor, { name: 'crashy', description: '', owner: 'desk', assetClass: 'eq', tier: 'low' });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  function spool(seed: number): SpooledArtifact {
    const bytes = randomMlpPolicy({ seed, features: FEATURES, actions: ACTIONS, hidden: [4] }).bytes;
    const path = join(dir, `upload-${seed}.onnx`);
    writeFileSync(path, bytes);
    return { path, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
  }

  async function storedDigests(): Promise<string[]> {
    const digests: string[] = [];
    for await (const item of store.list()) digests.push(item.sha256);
    return digests.sort();
  }

  it('a failure between storing the bytes and committing the row leaves no version, and the sweeper removes the orphan', async () => {
    // The commit "crashes": PostgreSQL refuses the version row after the artifact has been stored.
    await dataSource.query(`CREATE FUNCTION crash_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$`);
    await dataSource.query(`CREATE TRIGGER crash_before_insert BEFORE INSERT ON model_versions FOR EACH ROW EXECUTE FUNCTION crash_insert()`);
    const upload = spool(1);
    await expect(registry.registerVersion(actor, 'crashy', upload, MANIFEST)).rejects.toThrow(/simulated crash/);
    await dataSource.query(`DROP TRIGGER crash_before_insert ON model_versions`);

    expect(await registry.listVersions('crashy', { limit: 10 })).toEqual([]); // no version without its commit
    expect(await storedDigests()).toEqual([upload.sha256]); // the orphan is there for now

    // Within the grace period it stays (an upload may still be committing); past it, it goes.
    expect((await sweeper.sweep({ graceMs: 60_000 })).deleted).toEqual([]);
    clockMs += 120_000;
    expect((await sweeper.sweep({ graceMs: 60_000 })).deleted).toEqual([upload.sha256]);
    expect(await storedDigests()).toEqual([]);
    const events = await db.read.auditEvents.list({ subject: `artifact:${upload.sha256}`, limit: 10 });
    expect(events.map((e) => e.action)).toEqual(['artifact.orphan-deleted']);

    // The same upload now succeeds, as version 1: the failed attempt left no gap.
    const retried = await registry.registerVersion(actor, 'crashy', upload, MANIFEST);
    expect(retried).toMatchObject({ created: true, version: { version: 1, sha256: upload.sha256 } });
    expect(await store.get(upload.sha256)).toHaveLength(upload.sizeBytes);
  });

  it('never sweeps bytes a version references', async () => {
    clockMs += 10 * 3_600_000;
    const result = await sweeper.sweep({ graceMs: 0 });
    expect(result.deleted).toEqual([]);
    expect(result.examined).toBe(1);
    expect((await registry.getVersion('crashy', 1)).sha256).toBe((await storedDigests())[0]);
  });

  it('re-stores the bytes if they were swept between storing and committing', async () => {
    const upload = spool(2);
    // Bytes of an earlier failed attempt exist and are swept while this registration is inspecting.
    await store.put(new Uint8Array(Buffer.from(await (await import('node:fs/promises')).readFile(upload.path))));
    clockMs += 3_600_000;
    const sweeping = sweeper.sweep({ graceMs: 0 });
    const registering = registry.registerVersion(actor, 'crashy', upload, MANIFEST);
    const [, registration] = await Promise.all([sweeping, registering]);
    expect(registration.created).toBe(true);
    expect(await store.has(upload.sha256)).toBe(true);
  });
});
